"""What every source module provides, and the checked CSV reading they share.

A source module describes one or more published files as :class:`Dataset` objects. Each
``parse(path)`` returns a tidy frame with the columns of :data:`TIDY_COLUMNS`; the warehouse adds
``source`` and ``vintage`` from the dataset's metadata.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from aigap.errors import DataFormatError

TIDY_COLUMNS = ["indicator", "iso3", "year", "value", "unit", "note"]

PILLARS = (
    "Talent",
    "Research",
    "Investment & Commercial",
    "Infrastructure & Compute",
    "Government & Policy",
    "Context",
)


@dataclass(frozen=True)
class Indicator:
    """Catalogue entry of one indicator (stable snake_case ``code``)."""

    code: str
    name_en: str
    name_ko: str
    pillar: str  # one of PILLARS
    direction: int  # +1 higher is better, -1 lower is better
    unit: str
    description: str
    licence: str = ""
    source: str = ""  # dataset id; filled in by the catalogue when empty
    top_n: int | None = None  # censored top-N chart: absent = "not in the top N", never zero


@dataclass(frozen=True)
class Dataset:
    """One published file (or folder) and how to read it."""

    id: str
    publisher: str
    relpath: str  # relative to the data directory
    licence: str
    vintage: str
    parse: Callable[[Path], pd.DataFrame]
    vintage_inferred: bool = False
    flags: tuple[str, ...] = ()  # e.g. ("draft",), ("low-confidence",), ("derived",)
    description: str = ""
    extra_files: tuple[str, ...] = field(default=())  # other files read by parse (hashed too)
    indicators: tuple[Indicator, ...] = ()
    records: RecordSource | None = None  # record-level table kept in the warehouse too


@dataclass(frozen=True)
class RecordColumn:
    """One column of a record table: name, DuckDB type, what it holds."""

    name: str
    type: str
    description: str


@dataclass(frozen=True)
class RecordTable:
    """A record-level warehouse table (TOP500 systems, GPU clusters, AI models ...).

    ``country`` names the column that holds the country: an ISO3 ``VARCHAR`` or a
    ``VARCHAR[]`` of ISO3 codes (a record of several countries). The warehouse adds
    ``source``, ``vintage`` and ``source_row`` to every row.
    """

    name: str
    description: str
    columns: tuple[RecordColumn, ...]
    country: str = "iso3"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class RecordSource:
    """How a dataset yields records, and the indicators derived from them.

    ``read(path)`` returns the records (the table's columns plus ``_row``, the line of the
    file); ``derive(records, path)`` the tidy country indicators. Reading once and deriving
    from the records keeps the two consistent.
    """

    table: RecordTable
    read: Callable[[Path], pd.DataFrame]
    derive: Callable[[pd.DataFrame, Path], pd.DataFrame]

    def parse(self, path: Path) -> pd.DataFrame:
        return self.derive(self.read(path), path)


def read_csv_checked(
    path: Path,
    required: Sequence[str],
    *,
    numeric: Iterable[str] = (),
    encoding: str = "utf-8",
    allow_empty: bool = False,
    **read_kwargs: object,
) -> pd.DataFrame:
    """Read a CSV as strings and check it; raise :class:`DataFormatError` naming the place.

    Checks: decodable text, not empty, every ``required`` column present, ``numeric`` columns
    parse as numbers (blank = missing). Numeric columns are converted to float; a ``_row``
    column holds the 1-based line number in the file.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(path, f"cannot read file: {exc.strerror or exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFormatError(
            path, f"not valid {encoding} text (byte {exc.start}: {raw[exc.start:exc.start+1]!r}); "
            "re-save the file as UTF-8", row=line,
        ) from None
    if not text.strip():
        raise DataFormatError(path, "file is empty")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **read_kwargs)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataFormatError(path, f"malformed CSV: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataFormatError(
            path,
            f"missing column(s) {missing}; found {list(df.columns)}",
            column=missing[0],
        )
    if df.empty and not allow_empty:
        raise DataFormatError(path, "file has a header but no data rows")
    df["_row"] = np.arange(2, len(df) + 2)
    for col in numeric:
        df[col] = to_numeric_checked(df[col], path, col, df["_row"])
    return df


def to_numeric_checked(
    values: pd.Series, path: Path, column: str, rows: pd.Series | None = None
) -> pd.Series:
    """Parse numbers (thousands separators, %, blanks as NaN); name the first bad cell."""
    s = values.astype(str).str.strip().str.replace(",", "", regex=False)
    s = s.str.rstrip("%")
    blank = s.isin(["", "NA", "N/A", "nan", "NaN", ".."])
    out = pd.to_numeric(s.where(~blank, None), errors="coerce")
    bad = out.isna() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        row = int(rows.iloc[i]) if rows is not None else i + 2
        raise DataFormatError(
            path, f"non-numeric value {values.iloc[i]!r}", row=row, column=column
        )
    return out.astype(float)


def tidy(
    df: pd.DataFrame,
    *,
    indicator: str | pd.Series,
    iso3: pd.Series,
    year: int | pd.Series,
    value: pd.Series,
    unit: str | pd.Series,
    note: str | pd.Series = "",
) -> pd.DataFrame:
    """Assemble the tidy frame (drops rows whose value is missing)."""
    out = pd.DataFrame(
        {
            "indicator": indicator,
            "iso3": iso3.to_numpy(),
            "year": year if isinstance(year, int) else pd.Series(year).to_numpy(),
            "value": value.to_numpy(dtype=float),
            "unit": unit,
            "note": note,
        },
        index=df.index,
    )
    if "_row" in df.columns:
        out["_row"] = df["_row"].to_numpy()
    out = out[out["value"].notna()]
    out["year"] = out["year"].astype(int)
    return out.reset_index(drop=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cached_read(path: Path, sha256: str, version: str,
                read: Callable[[Path], pd.DataFrame]) -> pd.DataFrame:
    """``read(path)``, cached as Parquet under ``$AIGAP_HOME/cache/parsed`` by content.

    The key is the file's sha256 plus ``version`` (bump it when ``read`` changes), so an
    edited file or parser is never served stale. Only successful reads are cached; a cache
    that cannot be written (read-only home) is skipped.
    """
    import duckdb

    from aigap import config

    target = config.cache_dir() / "parsed" / f"{sha256}-{version}.parquet"
    if target.exists():
        try:
            return duckdb.connect().execute(
                "SELECT * FROM read_parquet(?)", [str(target)]).df()
        except duckdb.Error:  # a truncated cache file: rebuild it
            target.unlink(missing_ok=True)
    frame = read(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        con = duckdb.connect()
        con.register("frame", frame)
        con.execute(f"COPY frame TO '{tmp}' (FORMAT parquet)")
        con.close()
        tmp.replace(target)  # atomic: a concurrent reader never sees half a file
    except (OSError, duckdb.Error):
        pass
    return frame
