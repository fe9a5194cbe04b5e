"""What every source module provides, and the checked CSV reading they share.

A source module describes one or more published files as :class:`Dataset` objects. Each
``parse(path)`` returns a tidy frame with the columns of :data:`TIDY_COLUMNS`; the warehouse adds
``source`` and ``vintage`` from the dataset's metadata.
"""

from __future__ import annotations

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
    if isinstance(value.name, str):
        out["_col"] = value.name
    if isinstance(year, pd.Series) and isinstance(year.name, str):
        out["_year_col"] = year.name
    out = out[out["value"].notna()]
    years = pd.to_numeric(out["year"], errors="coerce")
    if years.notna().all() and (years == years.round()).all():
        out["year"] = years.astype(int)
    return out.reset_index(drop=True)
