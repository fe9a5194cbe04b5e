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
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from aigap.data import validate
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
    # A net quantity (flows, balances): negative values are valid whatever the unit's rule.
    signed: bool = False
    # Why this indicator's values skip the plausibility checks (empty = checked); see
    # aigap.data.validate.
    plausibility_waiver: str = ""


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
    years: tuple[int, int] | None = None  # plausible observation years (default: validate's)
    records: RecordSource | None = None  # record-level table kept in the warehouse too

    @property
    def records_only(self) -> bool:
        """A dataset whose rows go to its record table only, not to observations."""
        return self.records is not None and self.records.derive is None


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
    from the records keeps the two consistent. Without ``derive`` the dataset is records
    only (published ranks): its rows are not observations.
    """

    table: RecordTable
    read: Callable[[Path], pd.DataFrame]
    derive: Callable[[pd.DataFrame, Path], pd.DataFrame] | None = None

    def parse(self, path: Path) -> pd.DataFrame:
        recs = self.read(path)
        if self.derive is None:
            return pd.DataFrame(columns=TIDY_COLUMNS)
        return self.derive(recs, path)


def read_csv_checked(
    path: Path,
    required: Sequence[str],
    *,
    numeric: Iterable[str] = (),
    encoding: str = "utf-8",
    allow_empty: bool = False,
    decimal: str = ".",
    **read_kwargs: object,
) -> pd.DataFrame:
    """Read a CSV as strings and check it; raise :class:`DataFormatError` naming the place.

    Checks: decodable text, not empty, the text checks of :func:`aigap.data.validate.
    check_csv_text` (column and line bounds, control characters in the columns read, a
    truncated last row), every ``required`` column present, ``numeric`` columns parse as
    finite numbers (blank = missing; ``decimal=","`` for a source that writes decimal commas;
    a ``%`` sign only where the header says %), and numeric year columns hold whole years.
    Numeric columns are converted to float; a ``_row`` column holds the 1-based line number
    in the file.
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
    numeric = list(numeric)
    validate.check_csv_text(raw, text, path, [*required, *numeric])
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
        text_col = df[col]
        df[col] = to_numeric_checked(text_col, path, col, df["_row"], decimal=decimal,
                                     percent="%" in col)
        if col in validate.YEAR_COLUMNS:
            _raise_at(partial(validate.check_years, df[col], text_col), path, col, df["_row"])
    return df


def to_numeric_checked(
    values: pd.Series,
    path: Path,
    column: str,
    rows: pd.Series | None = None,
    *,
    decimal: str = ".",
    percent: bool = False,
) -> pd.Series:
    """Parse finite numbers (thousands separators, blanks as NaN; a % sign when ``percent``;
    see :func:`aigap.data.validate.parse_numbers`); name the first bad cell."""
    return _raise_at(lambda: validate.parse_numbers(values, decimal=decimal, percent=percent),
                     path, column, rows)


def _raise_at(check: Callable[[], pd.Series | None], path: Path, column: str,
              rows: pd.Series | None) -> pd.Series | None:
    """Run a cell check; turn its :class:`~aigap.data.validate.CellProblem` into a
    :class:`DataFormatError` naming file, row and column."""
    try:
        return check()
    except validate.CellProblem as exc:
        row = int(rows.iloc[exc.position]) if rows is not None else exc.position + 2
        raise DataFormatError(path, exc.message, row=row, column=column) from None


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
    """Assemble the tidy frame (drops rows whose value is missing).

    ``_col`` and ``_year_col`` name the source columns of the values and years (when given as
    named columns) so that errors can point at them. Years that are not whole numbers are left
    as they are for the warehouse's cell checks to name (:func:`aigap.data.validate.
    check_frame`).
    """
    cols: dict[str, object] = {
        "indicator": indicator,
        "iso3": iso3.to_numpy(),
        "year": year if isinstance(year, int) else pd.Series(year).to_numpy(),
        "value": value.to_numpy(dtype=float),
        "unit": unit,
        "note": note,
    }
    if "_row" in df.columns:
        cols["_row"] = df["_row"].to_numpy()
    if isinstance(value.name, str):
        cols["_col"] = value.name
    if isinstance(year, pd.Series) and isinstance(year.name, str):
        cols["_year_col"] = year.name
    out = pd.DataFrame(cols, index=df.index)
    out = out[out["value"].notna()]
    if out["year"].dtype != np.int64:  # e.g. floats or Int64 from a parsed column
        years = pd.to_numeric(out["year"], errors="coerce")
        if years.notna().all() and (years == years.round()).all():
            out["year"] = years.astype(int)
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
# What each source flag means (one home; `aigap data sources` and Warehouse.flags_for use it).
FLAG_MEANINGS: dict[str, str] = {
    "draft": "a draft or developer copy, not the publisher's release; verify before public use",
    "unverified": "disagrees with the publisher's release; say so wherever it is used",
    "low-confidence": "a reshaped third-party scrape; use for cross-checks only",
    "derived": "computed from published numbers (by a third party or by aigap), not published "
               "as such",
    "censored-top15": "a top-15 chart: a country absent is 'not in the top 15', never zero",
    "inferred-vintage": "the file carries no date; its vintage is inferred",
    "vintage-only": "kept beside the current values for comparison (`aigap data diff`), not "
                    "in observations",
    "press-reported": "numbers as printed in press coverage of the release, each row citing "
                      "its article",
}
VINTAGE_ONLY = "vintage-only"


def read_excel_checked(
    path: Path,
    required: Sequence[str],
    *,
    sheet: str,
    numeric: Iterable[str] = (),
    rename: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read one sheet of an .xlsx workbook and check it like :func:`read_csv_checked`.

    The header is the first row holding every ``required`` name (after ``rename``, which maps
    a publisher's variant spellings to ours), so a title band above it is skipped. Cells are
    kept as Python values (blank = ''); ``numeric`` columns become floats; ``_row`` is the
    1-based row number in the sheet. Fully blank rows are dropped.
    """
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise DataFormatError(path, f"not a readable .xlsx workbook ({exc})") from None
    try:
        if sheet not in wb.sheetnames:
            raise DataFormatError(path, f"no sheet {sheet!r}; sheets: {wb.sheetnames}")
        rows = [tuple("" if v is None else v for v in r)
                for r in wb[sheet].iter_rows(min_row=1, values_only=True)]
    finally:
        wb.close()
    rename = rename or {}

    def names(r: tuple[object, ...]) -> list[str]:
        return [rename.get(str(v).strip(), str(v).strip()) for v in r]

    header_at = next((i for i, r in enumerate(rows) if set(required) <= set(names(r))), None)
    if header_at is None:
        best = max(rows, key=lambda r: len(set(required) & set(names(r))), default=())
        missing = [c for c in required if c not in names(best)]
        raise DataFormatError(
            path, f"sheet {sheet!r}: missing column(s) {missing}; found "
            f"{[n for n in names(best) if n]}", column=missing[0] if missing else None)
    header = names(rows[header_at])
    seen = [h for h in header if h and header.count(h) > 1]
    if seen:
        raise DataFormatError(path, f"sheet {sheet!r}: column {seen[0]!r} appears twice "
                              "(both spellings of one column?)", row=header_at + 1,
                              column=seen[0])
    body = [(i + 1, r) for i, r in enumerate(rows) if i > header_at
            and any(str(v).strip() for v in r)]
    if not body:
        raise DataFormatError(path, f"sheet {sheet!r} has a header but no data rows")
    width = len(header)
    df = pd.DataFrame([tuple(r[:width]) + ("",) * (width - len(r)) for _, r in body],
                      columns=header, dtype=object)
    df = df.loc[:, [h != "" for h in header]]
    df["_row"] = [n for n, _ in body]
    for col in numeric:
        df[col] = to_numeric_checked(df[col], path, col, df["_row"])
    return df


def raise_first(bad: pd.Series, rows: pd.Series, path: Path,
                message: str | Callable[[int], str], column: str | None = None) -> None:
    """Raise :class:`DataFormatError` at the first row where ``bad`` holds (no-op if none).

    ``message`` may be a function of the frame position of that row (to quote its value).
    """
    if not bad.any():
        return
    i = int(np.flatnonzero(bad.to_numpy())[0])
    text = message(i) if callable(message) else message
    raise DataFormatError(path, text, row=int(rows.iloc[i]), column=column)


def check_non_negative(frame: pd.DataFrame, columns: Iterable[str], rows: pd.Series,
                       path: Path) -> None:
    """Quantities (chips, power, cost ...) may be missing but never negative."""
    cols = list(columns)
    raise_first((frame[cols] < 0).any(axis=1), rows, path, "negative quantity")
