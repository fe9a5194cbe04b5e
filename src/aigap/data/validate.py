"""What a number must be to enter the warehouse: every value rule, in one place.

Three layers, so that nothing wrong gets in silently:

1. **Text** (called by the shared readers of :mod:`aigap.data.sources.base`): no control
   characters in the cells a parser reads; at most :data:`MAX_COLUMNS` columns and
   :data:`MAX_LINE_BYTES` bytes a line (a bomb is refused before pandas allocates it); a
   final row with fewer fields than the header is a truncated file; numbers are finite, a
   comma is a thousands separator only in groups of three (``1,234``; ``5,17`` is an error
   unless the reader is told ``decimal=","``), a ``%`` sign only in a column whose header says
   ``%``; year columns (:data:`YEAR_COLUMNS`) hold whole four-digit years.
2. **Cells of every tidy frame** (:func:`check_frame`, called by the warehouse for every
   dataset, whatever its parser): values finite; the rule of the value's unit
   (:data:`UNIT_RULES`: non-negative, [0, 100], [0, 1], whole counts, ranks >= 1, signed, a
   published scale); years whole and within the dataset's plausible range.
3. **Plausibility** (:func:`find_outliers`, run by the pull on the warehouse content it is
   about to swap in): a value far from the same series' neighbouring years
   (:data:`JUMP_FACTOR`, :data:`SPREAD_MULTIPLE`) or inconsistent with a related series
   (:data:`RELATIONS`) stops the pull with the evidence. A source can waive the check for an
   indicator in the catalogue (``Indicator.plausibility_waiver``, with the reason); a reviewed
   value is let through with ``aigap data pull --accept-outliers FILE``
   (:func:`read_accepted`). Both are recorded in the warehouse's ``exceptions`` table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from aigap.errors import AigapError, DataFormatError

if TYPE_CHECKING:  # base.py imports this module
    from aigap.data.sources.base import Dataset

# --- 1. text ------------------------------------------------------------------------------

# C0 controls except tab/newline/carriage return, DEL and the C1 block. A NUL in a cell makes
# pandas' C parser stop reading the cell (``5171\x002619`` -> 5171), so they are refused in the
# text before pandas sees it.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_COLUMNS = 2_000  # the widest published file read today has 55 columns
MAX_LINE_BYTES = 1_000_000  # one line; the longest in the mirror is about 30,000
YEAR_COLUMNS = frozenset({"year", "Year", "YEAR", "Time"})
YEAR_DIGITS = (1000, 9999)  # a year cell outside this is not a year at all
BLANK = frozenset({"", "NA", "N/A", "nan", "NaN", ".."})
# '1,234', '-12,345,678.5': commas every three digits (the only reading without a locale).
_GROUPED = {".": re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"),
            ",": re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")}


class CellProblem(ValueError):
    """A bad cell, by position in the series being checked; the reader adds file and row."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


def describe_text(text: str) -> str:
    """A cell as the user would look for it: repr, with control characters named."""
    m = CONTROL.search(text)
    if m:
        return f"{text!r} (control character U+{ord(m.group()):04X})"
    return repr(text)


def parse_numbers(values: pd.Series, *, decimal: str = ".", percent: bool = False) -> pd.Series:
    """Floats of number cells (blank -> NaN); :class:`CellProblem` names the first bad cell.

    Accepted: plain and exponent notation, thousands separators in groups of three, a ``%``
    suffix when ``percent``. Refused: other commas (``5,17``: decimal comma or typo), infinite
    and overflowing numbers, control characters, any other text.
    """
    if decimal not in _GROUPED:
        raise ValueError(f"decimal must be '.' or ',', not {decimal!r}")
    text = values.astype(str)
    s = text.str.strip()
    group = "," if decimal == "." else "."
    has_group = s.str.contains(group, regex=False)
    if has_group.any():
        ok = s[has_group].str.fullmatch(_GROUPED[decimal])
        if not ok.all():
            i = _first(has_group & ~ok.reindex(s.index, fill_value=True))
            hint = ("a comma is read only as a thousands separator (1,234); if the source "
                    "writes decimal commas, its reader must say decimal=','" if decimal == "."
                    else "with decimal=',' a point must separate thousands (1.234,5)")
            raise CellProblem(i, f"ambiguous number {text.iloc[i]!r}: {hint}")
        s = s.str.replace(group, "", regex=False)
    if decimal == ",":
        s = s.str.replace(",", ".", regex=False)
    pct = s.str.endswith("%")
    if pct.any():
        if not percent:
            i = _first(pct)
            raise CellProblem(i, f"a % sign in {text.iloc[i]!r}, in a column that is not a "
                              "percentage (its header does not say %)")
        s = s.where(~pct, s.str[:-1].str.rstrip())
    blank = s.isin(BLANK)
    out = pd.to_numeric(s.where(~blank, None), errors="coerce").astype(float)
    bad = (out.isna() | ~np.isfinite(out)) & ~blank
    if bad.any():
        i = _first(bad)
        raise CellProblem(i, _number_problem(text.iloc[i]))
    return out


def _number_problem(text: str) -> str:
    if CONTROL.search(text):
        return f"control character in the number {describe_text(text)}"
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        return f"non-numeric value {text!r}"
    if not math.isfinite(value):
        return f"not a finite number: {text!r}"
    return f"non-numeric value {text!r}"


def check_years(values: pd.Series, texts: pd.Series | None = None) -> None:
    """Year cells: present, whole and of four digits (:class:`CellProblem` otherwise)."""
    texts = values.astype(str) if texts is None else texts
    missing = values.isna()
    if missing.any():
        i = _first(missing)
        raise CellProblem(i, f"blank year {texts.iloc[i]!r}")
    frac = values != np.floor(values)
    if frac.any():
        i = _first(frac)
        raise CellProblem(i, f"year {texts.iloc[i]!r} is not a whole number")
    lo, hi = YEAR_DIGITS
    out = (values < lo) | (values > hi)
    if out.any():
        i = _first(out)
        raise CellProblem(i, f"year {texts.iloc[i]!r} is not a four-digit year")


def check_csv_text(raw: bytes, text: str, path: Path, used: Iterable[str]) -> None:
    """Shape and characters of a CSV (its UTF-8 bytes and decoded text) before pandas parses
    it. ``used`` are the columns the parser reads: control characters elsewhere (free-text
    notes of the publisher) are harmless and left alone."""
    header_end = text.find("\n")
    header_line = (text if header_end < 0 else text[:header_end]).rstrip("\r")
    if len(header_line) > MAX_LINE_BYTES or header_line.count(",") >= MAX_COLUMNS:
        n = header_line.count(",") + 1
        raise DataFormatError(path, f"the header has {n:,} columns ({len(header_line):,} "
                              f"characters); at most {MAX_COLUMNS:,} columns are read", row=1)
    header = _fields(header_line)
    scan = scan_bytes(raw)
    if scan.longest > MAX_LINE_BYTES:
        raise DataFormatError(path, f"line of {scan.longest:,} bytes (at most "
                              f"{MAX_LINE_BYTES:,}): not a table this reader accepts",
                              row=scan.longest_line)
    if scan.control:
        _check_control_chars(text, path, header, set(used))
    _check_last_row(text, path, header, scan)


def _fields(text: str) -> list[str]:
    """The fields of the first CSV record of ``text``."""
    return next(csv.reader(io.StringIO(text, newline="")), [])


# C1 controls are 0xC2 0x80-0x9F in UTF-8 (C0 and DEL are found by comparisons).
_C1 = re.compile(rb"\xc2[\x80-\x9f]")


@dataclass(frozen=True)
class Scan:
    """What one pass over a file's bytes found."""

    longest: int  # bytes in the longest line
    longest_line: int  # its 1-based number
    control: bool  # any control character
    newlines: int
    quotes: int


def scan_bytes(raw: bytes, chunk: int = 1 << 24) -> Scan:
    """Line lengths, control characters, newline and quote counts in one pass of bounded
    memory (a 200 MB file is read in 16 MB chunks)."""
    best, best_line, line_start, lines, quotes, control = 0, 1, 0, 0, 0, False
    for off in range(0, len(raw), chunk):
        part = np.frombuffer(raw, dtype=np.uint8, count=min(chunk, len(raw) - off), offset=off)
        ends = np.flatnonzero(part == 10)
        quotes += int(np.count_nonzero(part == 34))
        if not control:  # bytes < 32 other than tab, LF and CR; or DEL
            allowed = len(ends) + np.count_nonzero(part == 9) + np.count_nonzero(part == 13)
            control = np.count_nonzero(part < 32) > allowed or bool((part == 127).any())
        if len(ends):
            ends += off
            lengths = np.diff(np.r_[line_start, ends + 1]) - 1
            k = int(np.argmax(lengths))
            if lengths[k] > best:
                best, best_line = int(lengths[k]), lines + k + 1
            lines += len(ends)
            line_start = int(ends[-1]) + 1
    if len(raw) - line_start > best:
        best, best_line = len(raw) - line_start, lines + 1
    if not control and b"\xc2" in raw:
        control = _C1.search(raw) is not None
    return Scan(best, best_line, bool(control), lines, quotes)


def _check_control_chars(text: str, path: Path, header: list[str], used: set[str]) -> None:
    # Rare (one published file has them, in notes): parse the records to know the column.
    names = [h.strip() for h in header]
    records = csv.reader(io.StringIO(text, newline=""))
    next(records, None)
    for n, record in enumerate(records, start=2):
        for j, cell in enumerate(record):
            if j < len(names) and names[j] in used and CONTROL.search(cell):
                raise DataFormatError(path, f"control character in {describe_text(cell)}",
                                      row=n, column=names[j])


def _check_last_row(text: str, path: Path, header: list[str], scan: Scan) -> None:
    """A final record with fewer fields than the header, or ending in an empty field without a
    line break: the file was cut mid-row. (A cut inside the last number cannot be seen here;
    the plausibility rules judge the value.)"""
    end = len(text)
    while end and text[end - 1] in "\r\n":
        end -= 1
    start = text.rfind("\n", 0, end) + 1
    # Inside a quoted field the line is not a record start; walk back to an even quote count
    # (counted from the end: the scan knows the file's total).
    while start > 0 and (scan.quotes - text.count('"', start)) % 2:
        start = text.rfind("\n", 0, start - 1) + 1
    if start == 0:
        return  # header only
    last = text[start:end]
    if not last.strip() or last.count('"') % 2:
        return  # blank tail, or an unterminated quote that pandas reports itself
    fields = _fields(last)
    row = scan.newlines - text.count("\n", start) + 1
    if len(fields) < len(header):
        raise DataFormatError(
            path, f"the last row has {len(fields)} of {len(header)} fields ({last[:60]!r}): "
            "the file ends mid-row (truncated download or copy?)", row=row)
    if fields and fields[-1] == "" and not text.endswith("\n") and len(header) > 1:
        # 'Zimbabwe,ZWE,2023,' with no line break after it: cut just before the last value
        raise DataFormatError(
            path, f"the last row {last[:60]!r} ends in an empty field with no line break: "
            "the file ends mid-row (truncated download or copy?)", row=row)


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0])


# --- 2. cells of a tidy frame ---------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What the values of one unit may be."""

    name: str
    lo: float = -math.inf
    hi: float = math.inf
    whole: bool = False  # counts and ranks
    ratios: bool = True  # on a ratio scale: a 100x jump means something (not ranks, signs)

    def bad(self, values: np.ndarray) -> np.ndarray:
        out = (values < self.lo) | (values > self.hi)
        if self.whole:
            out |= values != np.floor(values)
        return out


SIGNED = Rule("any finite number", ratios=False)
NON_NEGATIVE = Rule(">= 0", lo=0)
COUNT = Rule("a whole number >= 0", lo=0, whole=True)
PERCENT = Rule("within [0, 100]", lo=0, hi=100)
SHARE = Rule("within [0, 1]", lo=0, hi=1)
RANK = Rule("a whole number >= 1", lo=1, whole=True, ratios=False)
YES_NO = Rule("0 or 1", lo=0, hi=1, whole=True, ratios=False)


def scale(lo: float, hi: float) -> Rule:
    """A published score scale."""
    return Rule(f"within [{lo:g}, {hi:g}]", lo=lo, hi=hi)


# Every unit string of the catalogue and the rule of its values. A unit may mix kinds of
# measure (World Bank "% of GDP" holds net flows too): its rule is what holds for the levels,
# and an indicator whose values may be negative says so (``Indicator.signed``).
# tests/data/test_validate.py fails when a catalogue unit has no entry here.
UNIT_RULES: dict[str, Rule] = {
    # counts and money
    "count": COUNT,
    "count (whole counting)": COUNT,
    "count, cumulative from 2003 to the year": COUNT,
    "count, cumulative from 2013 to the year": COUNT,
    "people": NON_NEGATIVE,
    "US$ (constant 2021)": NON_NEGATIVE,
    "US$ (current)": NON_NEGATIVE,
    "billion US$ (current)": NON_NEGATIVE,
    "billion US$ (current), cumulative from 2013 to the year": NON_NEGATIVE,
    "international $ (current, PPP)": NON_NEGATIVE,
    "FLOP": NON_NEGATIVE,
    # rates per person or per population
    "per million people": NON_NEGATIVE,
    "per 100 people": NON_NEGATIVE,  # mobile subscriptions exceed 100 (up to 574 in WDI)
    "per 100,000 inhabitants": NON_NEGATIVE,
    "per 10,000 LinkedIn members": NON_NEGATIVE,
    "kWh per capita": NON_NEGATIVE,
    # percentages: shares of a whole are bounded, ratios to GDP or enrolment ratios are not
    "% of population": PERCENT,
    "% of labour force": PERCENT,
    "% of working-age population": PERCENT,
    "% of goods exports": PERCENT,
    "% of manufactured exports": PERCENT,
    "% of service exports": PERCENT,
    "% of GDP": NON_NEGATIVE,  # trade is up to 450% of GDP
    "% gross": NON_NEGATIVE,  # gross enrolment counts over-age students (up to 166%)
    "% per year": SIGNED,  # growth and inflation
    "share of LinkedIn members (0-1)": SHARE,
    # published scores
    "score 0-1": SHARE,
    "score 0-1 (leader = 1)": SHARE,
    "score 0-10": scale(0, 10),
    "score 0-100": PERCENT,
    "score 0-100 (leader = 100)": PERCENT,
    "sum of 8 sub-pillar scores (0-8)": scale(0, 8),
    "sum of 10 sub-pillar scores (0-10)": scale(0, 10),
    "score (draft summary)": NON_NEGATIVE,
    # WGI estimates are z-scores published as "approximately -2.5 to 2.5"; a few countries lie
    # beyond (-2.75 in the mirror), so the bound leaves room.
    "estimate (-2.5 to 2.5)": scale(-3.5, 3.5),
    "standard error": NON_NEGATIVE,
    "rank (1 = best)": RANK,
    "rank": RANK,  # TOP500 best rank in a list (1-500)
    # IMF AI Preparedness Index: the index and its four weighted pillar contributions
    "index 0-1": SHARE,
    "contribution to AIPI (0-0.25)": scale(0, 0.25),
    # compute: TOP500 lists and Epoch GPU clusters
    "systems": COUNT,
    "TFlop/s": NON_NEGATIVE,
    "% of the list's total Rmax": PERCENT,
    "H100 equivalents": NON_NEGATIVE,
    "% of world H100 equivalents": PERCENT,
    "MW": NON_NEGATIVE,
    "billion US$ (constant 2025)": NON_NEGATIVE,  # Epoch data-centre capital cost
    # COINr's ASEM example (units as in its iMeta.csv)
    "(1 (yes)/0 (no))": YES_NO,
    "Score 1-5": scale(1, 5),
    "Score": NON_NEGATIVE,
    "Percent": NON_NEGATIVE,  # debts exceed 100%; GDP growth is declared signed
    "Ratio": NON_NEGATIVE,
    "Number": NON_NEGATIVE,
    "Number of bilateral connections": COUNT,
    "Number of countries": COUNT,
    "Number of crossings": COUNT,
    "Number of measures (initiated, in force)": COUNT,
    "Number of people": NON_NEGATIVE,  # ASEM stores this one in millions
    "Number of secretariats per 1,000 inhabitants": NON_NEGATIVE,
    "Current USD": NON_NEGATIVE,
    "Million USD": NON_NEGATIVE,
    "Billion USD": NON_NEGATIVE,
    "Trillion USD": NON_NEGATIVE,
    "Billion tonnes": NON_NEGATIVE,
    "TWh": NON_NEGATIVE,
    "Mbps": NON_NEGATIVE,
    "Thousand seats": NON_NEGATIVE,
    "Thousands international students": NON_NEGATIVE,
    "Thousands people": NON_NEGATIVE,
    "Tonnes per capita": NON_NEGATIVE,
    "kg of oil equivalent per $1000 GDP (constant 2011 PPP)": NON_NEGATIVE,
}


def unit_rule(unit: str, *, signed: bool = False) -> Rule:
    """The rule of a unit (:data:`SIGNED` for an indicator declared signed)."""
    if signed:
        return SIGNED
    try:
        return UNIT_RULES[unit]
    except KeyError:
        raise KeyError(f"unit {unit!r} has no value rule: add it to "
                       "aigap.data.validate.UNIT_RULES") from None


def default_years() -> tuple[int, int]:
    """Plausible observation years when a dataset declares none: 1950 to next year."""
    return 1950, dt.date.today().year + 1


def check_frame(frame: pd.DataFrame, ds: Dataset, path: Path) -> pd.DataFrame:
    """Check every cell of a parser's tidy frame; return it with integer years.

    Raises :class:`DataFormatError` naming the file, row (``_row``), column (``_col``, else
    the indicator) and the value, with a count of further bad cells.
    """
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    years = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype=float)
    lo, hi = ds.years or default_years()
    problems: list[tuple[int, str, str]] = []  # (position, why, "value" or "year")

    def flag(mask: np.ndarray, why: str, what: str = "value") -> None:
        idx = np.flatnonzero(mask)
        if len(idx):
            problems.append((int(idx[0]), why, what))
            problems.extend((int(i), "", what) for i in idx[1:])

    flag(~np.isfinite(values), "not a finite number")
    flag(~np.isfinite(years), "the year is missing", "year")
    ok_year = np.isfinite(years)
    flag(ok_year & (years != np.floor(years)), "the year is not a whole number", "year")
    flag(ok_year & ((years < lo) | (years > hi)),
         f"the year is outside {lo}-{hi}, the plausible range of dataset {ds.id!r}", "year")
    signed = [i.code for i in ds.indicators if i.signed]
    finite = np.isfinite(values)
    units = frame["unit"].astype(str).to_numpy()
    is_signed = np.isin(frame["indicator"].astype(str).to_numpy(), signed)
    for unit in pd.unique(units):
        in_unit = (units == unit) & finite
        for sign in (False, True):
            sel = in_unit & (is_signed == sign)
            if not sel.any():
                continue
            try:
                rule = unit_rule(str(unit), signed=sign)
            except KeyError as exc:
                raise DataFormatError(path, str(exc.args[0])) from None
            bad = np.zeros(len(values), dtype=bool)
            bad[sel] = rule.bad(values[sel])
            flag(bad, f"a value in {unit!r} must be {rule.name}")
    if not problems:
        return frame if frame["year"].dtype.kind == "i" else frame.assign(year=years.astype(int))
    first, why, what = min((p for p in problems if p[1]), key=lambda p: p[0])
    r = frame.iloc[first]
    more = len({p[0] for p in problems}) - 1
    column = r.get("_year_col", "year") if what == "year" else r.get("_col", r["indicator"])
    raise DataFormatError(
        path, f"{r['indicator']} {r['iso3']} {_fmt_year(r['year'])}: value "
        f"{_fmt(values[first])}: {why}"
        + (f" (and {more:,} more bad cell{'s' if more > 1 else ''})" if more > 0 else ""),
        row=_int_or_none(r.get("_row")), column=str(column))


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.0f}" if value == int(value) and abs(value) < 1e18 else f"{value:,.6g}"


def _pct(x: float) -> str:
    return f"{x:.1%}" if x < 0.1 else f"{x:,.0%}"


def _fmt_year(year: object) -> str:
    try:
        y = float(year)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return repr(year)
    return str(int(y)) if math.isfinite(y) and y == int(y) else repr(year)


def _int_or_none(value: object) -> int | None:
    try:
        out = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return out


# --- 3. plausibility ------------------------------------------------------------------------

JUMP_FACTOR = 100.0
SPREAD_MULTIPLE = 10.0
MIN_SERIES = 3  # observations in a run; with two one cannot tell which of them is off
MAX_GAP = 3  # years: observations further apart are not neighbours (TOP500 re-entries)
TIME_RULE = (f"a value >= {JUMP_FACTOR:g}x above (or below) every neighbouring year (at most "
             f"{MAX_GAP} years away) of its series, by >= {SPREAD_MULTIPLE:g}x the series' "
             "median year-on-year change (with one neighbour: a neighbour that agrees with the "
             "year beyond it)")


@dataclass(frozen=True)
class Relation:
    """Two series that bound each other: ``lo <= num * num_scale / (den * den_scale) <= hi``
    for the same country and year (pairs with a zero are not compared)."""

    num: str
    den: str
    lo: float
    hi: float
    why: str
    num_scale: float = 1.0
    den_scale: float = 1.0


RELATIONS: tuple[Relation, ...] = (
    Relation("labor_force", "population", 0.05, 1.0,
             "the labour force is part of the population (5-100% of it; 14-75% in WDI)"),
    Relation("gdp_current_usd", "population", 50.0, 1e6,
             "GDP per person is between US$50 and US$1m (US$220-288k in WDI)"),
    Relation("private_ai_investment", "gdp_current_usd", 0.0, 0.1,
             "private AI investment is at most 10% of GDP (3.3% at most in the mirror)"),
    Relation("private_ai_investment_aiindex", "gdp_current_usd", 0.0, 0.1,
             "private AI investment is at most 10% of GDP (0.7% at most in the mirror)",
             num_scale=1e9),
    Relation("private_ai_investment", "private_ai_investment_aiindex", 0.01, 100.0,
             "CSET's and Quid's estimates of the same investment agree within 100x "
             "(0.57-3.2x in the mirror)", den_scale=1e9),
)


def related_indicators() -> set[str]:
    """Indicators that :data:`RELATIONS` compare."""
    return {r.num for r in RELATIONS} | {r.den for r in RELATIONS}


@dataclass(frozen=True)
class Outlier:
    """A value the plausibility rules flag, with what shows it."""

    dataset: str
    indicator: str
    iso3: str
    year: int
    value: float
    rule: str  # "neighbouring years" or "related series"
    evidence: str
    file: str = ""
    row: int | None = None
    column: str | None = None
    # the other side of a related-series flag (dataset, indicator, iso3, year) and its value:
    # accepting either side lets the pair through
    other: tuple[str, str, str, int] | None = None
    other_value: float | None = None

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.dataset, self.indicator, self.iso3, self.year)

    def sides(self) -> list[tuple[tuple[str, str, str, int], float]]:
        """(key, value) of each value the flag is about."""
        out = [(self.key, self.value)]
        if self.other is not None and self.other_value is not None:
            out.append((self.other, self.other_value))
        return out

    def message(self) -> str:
        return (f"{self.indicator} {self.iso3} {self.year} = {_fmt(self.value)} is implausible: "
                f"{self.evidence}")

    def place(self) -> str:
        return self.file + (f", row {self.row}" if self.row is not None else "") \
            + (f", column {self.column!r}" if self.column else "")


def find_outliers(
    obs: pd.DataFrame,
    touched: Iterable[str] | None = None,
    signed: Iterable[str] = (),
    files: Mapping[str, str] | None = None,
) -> list[Outlier]:
    """Values of ``obs`` that the plausibility rules flag.

    ``obs``: observations (indicator, iso3, year, value, unit, source, source_row). Only
    series and pairs holding a row of a ``touched`` source are judged (a pull of some sources
    does not re-judge the others). ``signed`` indicators (net flows) are not on a ratio scale
    and skip the time rule. ``files`` names the file of each source for the messages.
    """
    touched_set = set(obs["source"]) if touched is None else set(touched)
    where = _Places(obs, files or {})
    return [*_time_outliers(obs, touched_set, set(signed), where),
            *_related_outliers(obs, touched_set, where)]


class _Places:
    """Outliers built from rows of ``obs`` (by position), with their file."""

    def __init__(self, obs: pd.DataFrame, files: Mapping[str, str]) -> None:
        self.obs, self.files = obs, files

    def outlier(self, pos: int, rule: str, evidence: str, **kw: object) -> Outlier:
        r = self.obs.iloc[pos]
        return Outlier(dataset=str(r["source"]), indicator=str(r["indicator"]),
                       iso3=str(r["iso3"]), year=int(r["year"]), value=float(r["value"]),
                       rule=rule, evidence=evidence, file=self.file(str(r["source"])),
                       row=_int_or_none(r["source_row"]), **kw)  # type: ignore[arg-type]

    def file(self, source: str) -> str:
        return self.files.get(source, source)


def _time_outliers(obs: pd.DataFrame, touched: set[str], signed: set[str],
                   where: _Places) -> list[Outlier]:
    ratio_units = [u for u, r in UNIT_RULES.items() if r.ratios]
    value = obs["value"].to_numpy(dtype=float)
    keep = np.flatnonzero(obs["unit"].isin(ratio_units).to_numpy()
                          & ~obs["indicator"].isin(signed).to_numpy() & (value > 0))
    if not len(keep):
        return []
    ind = pd.factorize(obs["indicator"].to_numpy()[keep])[0]
    iso = pd.factorize(obs["iso3"].to_numpy()[keep])[0]
    years = obs["year"].to_numpy()[keep]
    order = np.lexsort((years, iso, ind))  # series together, in time order
    pos, ind, iso, years = keep[order], ind[order], iso[order], years[order]
    lv = np.log10(value[pos])
    same = np.r_[False, (ind[1:] == ind[:-1]) & (iso[1:] == iso[:-1])]  # same series as prev
    # neighbours: the previous observation of the series, if at most MAX_GAP years before
    linked = same & (np.r_[0, np.diff(years)] <= MAX_GAP)
    jump_prev = np.where(linked, np.r_[np.nan, np.diff(lv)], np.nan)  # lv - lv[previous]
    jump_next = np.r_[-jump_prev[1:], np.nan]  # lv - lv[next]
    has_p, has_n = ~np.isnan(jump_prev), ~np.isnan(jump_next)
    t = math.log10(JUMP_FACTOR)
    big_p = ~has_p | (np.abs(np.nan_to_num(jump_prev)) >= t)
    big_n = ~has_n | (np.abs(np.nan_to_num(jump_next)) >= t)
    one_way = ~(has_p & has_n) | (np.sign(jump_prev) == np.sign(jump_next))
    cand = np.flatnonzero((has_p | has_n) & big_p & big_n & one_way)
    if not len(cand):
        return []
    # a run: a series' observations with no gap over MAX_GAP, over [starts[k], ends[k])
    starts = np.flatnonzero(~linked)
    ends = np.r_[starts[1:], len(pos)]
    sources = obs["source"].to_numpy()
    out = []
    for i in cand:
        k = np.searchsorted(starts, i, side="right") - 1
        a, b = starts[k], ends[k]
        if b - a < MIN_SERIES or not (set(sources[pos[a:b]]) & touched):
            continue
        changes = np.abs(np.diff(lv[a:b]))  # change j is between points a+j and a+j+1
        others = np.delete(changes, [j for j in (i - a - 1, i - a) if 0 <= j < len(changes)])
        spread = float(np.median(others)) if len(others) else 0.0
        jumps = [x for x in (jump_prev[i], jump_next[i]) if not np.isnan(x)]
        smallest = min(abs(x) for x in jumps)
        if smallest < max(t, SPREAD_MULTIPLE * spread):
            continue
        nbrs = [j for j in (i - 1, i + 1) if a <= j < b]
        if len(nbrs) == 1:  # one neighbour: it must agree with the observation beyond it
            j = nbrs[0]
            beyond = j + (j - i)
            if a <= beyond < b and abs(lv[j] - lv[beyond]) >= t:
                continue
        near = ", ".join(f"{years[j]}: {_fmt(value[pos[j]])}" for j in nbrs)
        evidence = (f"{10 ** smallest:,.0f}x {'above' if jumps[0] > 0 else 'below'} its "
                    f"neighbouring year{'s' if len(nbrs) > 1 else ''} ({near}) while the "
                    f"series usually changes {_pct(10 ** spread - 1)} a year; "
                    f"rule: {TIME_RULE}")
        out.append(where.outlier(int(pos[i]), "neighbouring years", evidence))
    return out


def _related_outliers(obs: pd.DataFrame, touched: set[str], where: _Places) -> list[Outlier]:
    positions = np.flatnonzero((obs["indicator"].isin(related_indicators()) & (obs["value"] != 0))
                               .to_numpy())
    sub = obs.iloc[positions][["indicator", "iso3", "year", "value", "source"]] \
        .assign(pos=positions)
    by_ind = dict(tuple(sub.groupby("indicator")))
    out = []
    for rel in RELATIONS:
        if rel.num not in by_ind or rel.den not in by_ind:
            continue
        pair = by_ind[rel.num].merge(by_ind[rel.den], on=["iso3", "year"],
                                     suffixes=("", "_den"))
        pair = pair[pair["source"].isin(touched) | pair["source_den"].isin(touched)]
        ratio = (pair["value"] * rel.num_scale) / (pair["value_den"] * rel.den_scale)
        bad = (ratio < rel.lo) | (ratio > rel.hi)
        for r, q in zip(pair[bad].itertuples(index=False), ratio[bad], strict=True):
            den = where.obs.iloc[int(r.pos_den)]
            row = _int_or_none(den["source_row"])
            evidence = (f"{rel.num} / {rel.den} = {q:.3g} with {rel.den} = "
                        f"{_fmt(float(r.value_den))} ({where.file(str(r.source_den))}"
                        + (f", row {row}" if row is not None else "")
                        + f"); rule: {rel.why}, i.e. within [{rel.lo:g}, {rel.hi:g}]")
            out.append(where.outlier(
                int(r.pos), "related series", evidence,
                other=(str(r.source_den), rel.den, str(r.iso3), int(r.year)),
                other_value=float(r.value_den)))
    return out


# --- reviewed exceptions ----------------------------------------------------------------------

ACCEPT_KEYS = ("dataset", "indicator", "iso3", "year", "reason")
WAIVER_ORIGIN = "waiver in the catalogue"


@dataclass(frozen=True)
class Accepted:
    """A reviewed value: from an ``--accept-outliers`` file (``value`` None), or recorded by an
    earlier pull (then only for the value it was accepted for)."""

    dataset: str
    indicator: str
    iso3: str
    year: int
    reason: str
    origin: str
    value: float | None = None

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.dataset, self.indicator, self.iso3, self.year)

    def holds_for(self, value: float) -> bool:
        return self.value is None or math.isclose(self.value, value, rel_tol=1e-12)


def read_accepted(path: str | Path) -> list[Accepted]:
    """Read an ``--accept-outliers`` YAML file: a list of mappings with exactly the keys
    dataset, indicator, iso3, year and reason (a non-empty sentence saying why it is right)."""
    from aigap.yamlfile import read_yaml  # the strict reader of user YAML

    path = Path(path)
    doc = read_yaml(path, "outlier file")
    if not isinstance(doc, list):
        raise AigapError(f"{path}: expected a list of outliers (- dataset: ..., indicator: ..., "
                         "iso3: ..., year: ..., reason: ...)")
    out = []
    for n, entry in enumerate(doc, start=1):
        where = f"{path}: entry {n}"
        if not isinstance(entry, dict):
            raise AigapError(f"{where}: expected a mapping with keys {', '.join(ACCEPT_KEYS)}")
        missing = [k for k in ACCEPT_KEYS if k not in entry]
        extra = sorted(map(str, set(entry) - set(ACCEPT_KEYS)))
        if missing or extra:
            raise AigapError(f"{where}: " + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else [])
                + ([f"unknown key(s) {', '.join(extra)}"] if extra else [])))
        year = entry["year"]
        if isinstance(year, bool) or not isinstance(year, int):
            raise AigapError(f"{where}: year must be a whole number, not {year!r}")
        for k in ("dataset", "indicator", "iso3", "reason"):
            if not isinstance(entry[k], str) or not entry[k].strip():
                raise AigapError(f"{where}: {k} must be non-empty text")
        out.append(Accepted(entry["dataset"].strip(), entry["indicator"].strip(),
                            entry["iso3"].strip().upper(), year, entry["reason"].strip(),
                            origin=f"accepted ({path.name})"))
    return out


@dataclass
class Decision:
    """What the pull does with the flagged values."""

    rejected: list[Outlier]
    # (outlier, the side let through (dataset, indicator, iso3, year), its value, reason, origin)
    let_through: list[tuple[Outlier, tuple[str, str, str, int], float, str, str]]
    unused: list[Accepted]  # entries of the file that matched no flagged value


def decide(
    outliers: Sequence[Outlier],
    waivers: Mapping[tuple[str, str], str],
    accepted: Sequence[Accepted],
) -> Decision:
    """Let through waived indicators (``waivers[(dataset, indicator)] = reason``) and accepted
    values; reject the rest."""
    by_key: dict[tuple[str, str, str, int], list[Accepted]] = {}
    for acc in accepted:
        by_key.setdefault(acc.key, []).append(acc)
    used: set[int] = set()
    dec = Decision([], [], [])
    for o in outliers:
        found = None
        for key, value in o.sides():
            if key[:2] in waivers:
                found = (key, value, waivers[key[:2]], WAIVER_ORIGIN)
                break
            acc = next((a for a in by_key.get(key, []) if a.holds_for(value)), None)
            if acc is not None:
                used.add(id(acc))
                found = (key, value, acc.reason, acc.origin)
                break
        if found is None:
            dec.rejected.append(o)
        else:
            dec.let_through.append((o, *found))
    dec.unused = [a for a in accepted if a.value is None and id(a) not in used]
    return dec


class PlausibilityError(DataFormatError):
    """Values the plausibility rules flag; the message lists them with their evidence."""

    def __init__(self, outliers: Sequence[Outlier]) -> None:
        self.outliers = list(outliers)
        first = self.outliers[0]
        rest = "".join(f"; {o.place()}: {o.message()}" for o in self.outliers[1:5])
        more = len(self.outliers) - 5
        hint = (f" -- fix the file, or after review list the value in a YAML file (- dataset: "
                f"{first.dataset}, indicator: {first.indicator}, iso3: {first.iso3}, year: "
                f"{first.year}, reason: ...) and pull with --accept-outliers FILE")
        super().__init__(first.file, first.message() + rest
                         + (f"; and {more} more" if more > 0 else "") + hint,
                         row=first.row, column=first.column)


def catalogue_rules(datasets: Iterable[Dataset]) -> tuple[set[str], dict[tuple[str, str], str]]:
    """(signed indicator codes, plausibility waivers by (dataset, indicator)) of ``datasets``."""
    signed: set[str] = set()
    waivers: dict[tuple[str, str], str] = {}
    for ds in datasets:
        for ind in ds.indicators:
            if ind.signed:
                signed.add(ind.code)
            if ind.plausibility_waiver:
                waivers[(ds.id, ind.code)] = ind.plausibility_waiver
    return signed, waivers
