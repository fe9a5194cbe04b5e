"""Gap tables: one unit against others, every year, in levels, per capita and per GDP.

Every number keeps the source and vintage of both sides. Missing years are explicit rows with
NaN and a note, never filled. Ratios are ``other / unit`` ("the USA has 29.8x Korea").

Normalisation rule (per capita, per GDP): only *extensive* quantities (totals: money, counts,
people, FLOP) are divided by population or GDP. An indicator is *intensive* - and skipped with a
note - when its unit or code says it is already a ratio, share, rate, score or index
(:func:`intensive_reason`). Dividing a per-capita figure by population again is meaningless.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aigap.data.countries import check_iso3
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError
from aigap.jsonsafe import json_safe

if TYPE_CHECKING:
    from aigap.data.concepts import SeriesChoice

POPULATION = "population"
GDP = "gdp_current_usd"
PER_CHOICES = ("capita", "gdp")
BASES = ("level", "per capita", "per GDP")

# Unit words that mark an intensive quantity (already normalised or bounded).
_INTENSIVE_UNIT = re.compile(
    r"\bper\b|%|\bscore\b|\bindex\b|\bshare\b|\brate\b|\bratio\b|\bestimate\b|"
    r"standard error|\b0-1\b|\bpercent",
    re.IGNORECASE,
)
# Codes such as gdp_per_capita_ppp whose unit ("international $") does not say it.
_INTENSIVE_CODE = re.compile(r"(^|_)(per|pct|share|rate|ratio|score|index|pc)(_|$|\d)")
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


class GapError(AigapError):
    """A gap cannot be computed as asked (no data, unit compared with itself, ...)."""


# --- indicator metadata ---------------------------------------------------------------------


def indicator_meta(wh: Warehouse, code: str) -> dict[str, Any]:
    """Catalogue row of one indicator (name_en, name_ko, unit, direction, top_n, ...)."""
    rec = wh.indicator(code)
    top_n = rec.get("top_n")
    rec["top_n"] = None if top_n is None or pd.isna(top_n) else int(top_n)
    rec["direction"] = int(rec["direction"])
    return rec


def intensive_reason(unit: str, code: str = "") -> str | None:
    """Why an indicator must not be divided by population or GDP (None: it may be)."""
    if _INTENSIVE_UNIT.search(unit or ""):
        return f"unit {unit!r} is already a ratio, share, rate, score or index"
    if _INTENSIVE_CODE.search(code or ""):
        return f"indicator {code!r} is already normalised (per capita, share or index)"
    return None


def unit_scale(unit: str) -> float:
    """Multiplier hidden in a unit such as 'billion US$ (current)' (1 when none)."""
    low = (unit or "").lower()
    for word, factor in _SCALE.items():
        if re.search(rf"\b{word}\b", low):
            return factor
    return 1.0


def is_money(unit: str) -> bool:
    return "$" in (unit or "")


def _plain_money(unit: str) -> str:
    """'billion US$ (current)' -> 'US$ (current)': the unit after applying unit_scale."""
    return re.sub(r"\b(thousand|million|billion|trillion)\s+", "", unit).strip()


def normalised_units(unit: str) -> tuple[str, str]:
    """Units of the per-capita and per-GDP values derived from an extensive indicator."""
    if is_money(unit):
        return f"{_plain_money(unit)} per person", "% of GDP"
    base = unit.split(",")[0].strip() or "units"
    return f"{base} per million people", f"{base} per US$ billion of GDP"


def price_basis_note(unit: str) -> str:
    """Warn when money in one price basis is divided by GDP in current US$."""
    if not is_money(unit):
        return ""
    plain = _plain_money(unit)
    if plain == "US$ (current)":
        return ""
    return (f"numerator in {plain}, GDP in current US$: the share mixes price bases "
            "(approximate)")


# --- the gap table --------------------------------------------------------------------------

GAP_COLUMNS = [
    "indicator", "basis", "measure_unit", "year", "iso3", "other", "value", "other_value",
    "difference", "ratio", "log10_ratio", "source", "vintage", "other_source", "other_vintage",
    "note",
]


def _provenance(frame: pd.DataFrame) -> pd.DataFrame:
    """source/vintage per (iso3, year), with denominators appended for normalised bases."""
    return frame.set_index(["iso3", "year"])[["value", "source", "vintage"]]


def _pair_row(
    indicator: str, basis: str, measure_unit: str, year: int, unit: str, other: str,
    a: pd.Series | None, b: pd.Series | None, extra_note: str = "",
    why_missing: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One comparison row; a/b are the (value, source, vintage) of unit and other or None.

    ``why_missing`` gives a better reason than "no value" for a side (e.g. no population).
    """
    why = why_missing or {}
    notes: list[str] = []
    va = float(a["value"]) if a is not None else math.nan
    vb = float(b["value"]) if b is not None else math.nan
    if a is None:
        notes.append(why.get(unit, f"{unit} has no value in {year}"))
    if b is None:
        notes.append(why.get(other, f"{other} has no value in {year}"))
    diff = vb - va
    ratio = math.nan
    log10 = math.nan
    if a is not None and b is not None:
        if va > 0 and vb > 0:
            ratio = vb / va
            log10 = math.log10(ratio)
        elif va > 0 and vb == 0:
            ratio = 0.0
            notes.append(f"{other} is 0 in {year}: log ratio undefined")
        elif va == 0:
            notes.append(f"{unit} is 0 in {year}: ratio undefined")
        else:
            notes.append(f"negative value in {year}: ratio undefined")
    if extra_note:
        notes.append(extra_note)
    return {
        "indicator": indicator, "basis": basis, "measure_unit": measure_unit, "year": int(year),
        "iso3": unit, "other": other, "value": va, "other_value": vb, "difference": diff,
        "ratio": ratio, "log10_ratio": log10,
        "source": a["source"] if a is not None else "", "vintage": a["vintage"] if a is not None
        else "", "other_source": b["source"] if b is not None else "",
        "other_vintage": b["vintage"] if b is not None else "", "note": "; ".join(notes),
    }


def _normalise(
    series: pd.DataFrame, denom: pd.DataFrame, factor: float, denom_name: str,
) -> tuple[pd.DataFrame, dict[tuple[str, int], str]]:
    """series.value * factor / denom.value, with joined provenance and notes for gaps."""
    notes: dict[tuple[str, int], str] = {}
    rows = []
    for (iso3, year), r in series.iterrows():
        if (iso3, year) not in denom.index:
            notes[(iso3, year)] = f"no {denom_name} for {iso3} in {year}"
            continue
        d = denom.loc[(iso3, year)]
        if not d["value"] or d["value"] <= 0:
            notes[(iso3, year)] = f"{denom_name} of {iso3} in {year} is not positive"
            continue
        rows.append({"iso3": iso3, "year": year, "value": r["value"] * factor / d["value"],
                     "source": f"{r['source']} / {d['source']}",
                     "vintage": f"{r['vintage']} / {d['vintage']}"})
    out = pd.DataFrame(rows, columns=["iso3", "year", "value", "source", "vintage"])
    return out.set_index(["iso3", "year"]), notes


def gap_table(
    panel: pd.DataFrame,
    unit: str,
    vs: Sequence[str],
    *,
    units_of: dict[str, str],
    years: Iterable[int] | None = None,
    per: Sequence[str] = PER_CHOICES,
    population: pd.DataFrame | None = None,
    gdp: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The pure core of :func:`gap` on tidy frames (columns iso3, year, value, source, vintage).

    ``panel`` holds the indicator(s); ``units_of`` maps indicator code -> unit; ``population``
    and ``gdp`` are tidy frames of the denominators (None: that basis is skipped with a note).
    """
    rows: list[dict[str, Any]] = []
    for ind in sorted(set(units_of)):
        sub = panel[panel["indicator"] == ind]
        sub = sub[sub["iso3"].isin([unit, *vs])]
        measure = units_of[ind]
        if years is not None:
            yrs = sorted({int(y) for y in years})
        else:
            yrs = sorted({int(y) for y in sub["year"]})
        bases: list[tuple[str, str, pd.DataFrame, dict[tuple[str, int], str], str]] = []
        skipped: list[dict[str, Any]] = []
        level = _provenance(sub)
        bases.append(("level", measure, level, {}, ""))
        reason = intensive_reason(measure, ind)
        pc_unit, gdp_unit = normalised_units(measure)
        scale = unit_scale(measure)
        for choice in per:
            basis = "per capita" if choice == "capita" else "per GDP"
            denom = population if choice == "capita" else gdp
            name = POPULATION if choice == "capita" else GDP
            if reason:
                skipped.append(_skip_row(ind, basis, unit, f"{basis} skipped: {reason}"))
                continue
            if denom is None or denom.empty:
                skipped.append(_skip_row(ind, basis, unit,
                                         f"{basis} skipped: {name} is not in the warehouse"))
                continue
            if choice == "capita":
                factor = scale * (1.0 if is_money(measure) else 1e6)
                m_unit, note = pc_unit, ""
            else:
                factor = scale * (100.0 if is_money(measure) else 1e9)
                m_unit, note = gdp_unit, price_basis_note(measure)
            norm, dnotes = _normalise(level, _provenance(denom), factor, name)
            bases.append((basis, m_unit, norm, dnotes, note))
        for basis, m_unit, frame, dnotes, note in bases:
            for year in yrs:
                for other in vs:
                    a = frame.loc[(unit, year)] if (unit, year) in frame.index else None
                    b = frame.loc[(other, year)] if (other, year) in frame.index else None
                    # say why a normalised value is missing when the level exists
                    why = {w: dnotes[(w, year)] for w in (unit, other) if (w, year) in dnotes}
                    rows.append(_pair_row(ind, basis, m_unit, year, unit, other, a, b,
                                          note, why))
        rows.extend(skipped)
    out = pd.DataFrame(rows, columns=GAP_COLUMNS)
    out["year"] = out["year"].astype("Int64")
    return out


def _skip_row(indicator: str, basis: str, unit: str, note: str) -> dict[str, Any]:
    return {"indicator": indicator, "basis": basis, "measure_unit": "", "year": None,
            "iso3": unit, "other": "", "value": np.nan, "other_value": np.nan,
            "difference": np.nan, "ratio": np.nan, "log10_ratio": np.nan, "source": "",
            "vintage": "", "other_source": "", "other_vintage": "", "note": note}


def _check_units(unit: str, vs: Sequence[str] | str) -> tuple[str, list[str]]:
    if isinstance(vs, str):
        vs = [vs]
    if not vs:
        raise GapError("name at least one unit to compare with (--vs USA)")
    u = check_iso3([unit])[0]
    others = check_iso3(vs)
    if u in others:
        raise GapError(f"{u} cannot be compared with itself")
    return u, list(dict.fromkeys(others))


def gap(
    wh: Warehouse,
    unit: str,
    *,
    vs: Sequence[str],
    indicators: Sequence[str],
    years: Iterable[int] | None = None,
    per: Sequence[str] = PER_CHOICES,
    series: str | None = None,
) -> GapResult:
    """Gap of ``unit`` against each of ``vs`` for every year of each indicator.

    Each code is resolved through :func:`aigap.data.concepts.choose_series` (a concept code
    such as ``private_ai_investment`` answers from its default series; ``series=`` picks
    another, e.g. ``cset``). The table has one row per indicator, basis (level, per capita,
    per GDP), year and other unit: value of each side, difference (other - unit), ratio
    (other / unit), log10 ratio (orders of magnitude), the unit of the compared values, source
    and vintage of both sides and a note (missing values, zeros, skipped bases, price-basis
    mismatches). The headline answers for the newest adequate year of the chosen series (or the
    newest of ``years``); the other series of the concept are carried side by side.
    """
    from aigap.data.concepts import choose_series

    u, others = _check_units(unit, vs)
    if isinstance(indicators, str):
        indicators = [indicators]
    indicators = list(dict.fromkeys(indicators))
    if series is not None and len(indicators) != 1:
        raise GapError("a series can be chosen for one indicator at a time (--series with "
                       "exactly one --indicator)")
    bad = [p for p in per if p not in PER_CHOICES]
    if bad:
        raise GapError(f"unknown normalisation(s) {bad}; choose from {', '.join(PER_CHOICES)}")
    if years is not None:
        years = sorted({int(y) for y in years})
    asked = max(years) if years else None
    choices = {code: choose_series(wh, code, units=[u, *others], year=asked,
                                   purpose="compare", series=series) for code in indicators}
    table = _gap_frame(wh, u, others, [c.indicator for c in choices.values()], years, per)
    names_en, names_ko = wh.country_names("en"), wh.country_names("ko")
    summaries: list[GapSummary] = []
    alternatives: list[GapSummary] = []
    levels: list[pd.DataFrame] = []
    for ch in choices.values():
        summaries += _summaries(wh, table, u, others, ch.indicator, ch.year, names_en,
                                names_ko, ch.series, ch.concept.code)
        for alt in ch.alternatives:
            if alt.year is None:
                continue
            frame = _gap_frame(wh, u, others, [alt.coverage.indicator], None, ())
            levels.append(frame.assign(series=alt.coverage.series))
            alternatives += _summaries(wh, frame, u, others, alt.coverage.indicator, alt.year,
                                       names_en, names_ko, alt.coverage.series,
                                       ch.concept.code)
    return GapResult(u, others, table, choices, summaries, alternatives,
                     pd.concat(levels, ignore_index=True) if levels else pd.DataFrame())


def _gap_frame(wh: Warehouse, u: str, others: list[str], codes: list[str],
               years: list[int] | None, per: Sequence[str]) -> pd.DataFrame:
    """The long gap table of ``codes`` (indicator codes, already resolved)."""
    metas = {code: indicator_meta(wh, code) for code in codes}
    panel = wh.panel(list(metas), countries=[u, *others])
    if panel.empty:
        raise GapError(f"no data for {', '.join([u, *others])} in {', '.join(metas)}")
    population = wh.panel([POPULATION], countries=[u, *others]) if "capita" in per else None
    gdp_frame = wh.panel([GDP], countries=[u, *others]) if "gdp" in per else None
    # Catalogue unit, overridden by the unit stored with the data (they agree by construction).
    units_of = {code: str(m["unit"]) for code, m in metas.items()}
    for code, grp in panel.groupby("indicator"):
        units_of[str(code)] = str(grp["unit"].iloc[0])
    return gap_table(panel, u, others, units_of=units_of, years=years, per=per,
                     population=population, gdp=gdp_frame)


def _summaries(wh: Warehouse, table: pd.DataFrame, u: str, others: list[str], code: str,
               year: int | None, names_en: dict[str, str], names_ko: dict[str, str],
               series: str = "", concept: str = "") -> list[GapSummary]:
    """One summary per other unit: at ``year`` when both sides have it, else the latest
    common year; none for a unit with no common year."""
    meta = indicator_meta(wh, code)
    lvl = table[(table["indicator"] == code) & (table["basis"] == "level")]
    out = []
    for o in others:
        both = lvl[(lvl["other"] == o) & lvl["value"].notna() & lvl["other_value"].notna()]
        if year is not None and (both["year"] == year).any():
            both = both[both["year"] == year]
        if both.empty:
            continue
        row = both.sort_values("year").iloc[-1]
        out.append(replace(summary_of_row(row, names_en, names_ko, str(meta["name_en"]),
                                          str(meta["name_ko"])), series=series,
                           concept=concept))
    return out


# --- summaries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapSummary:
    """The numbers of the latest year both sides have (level basis), for a sentence
    (``aigap.present.sentence``) and the API."""

    indicator: str
    iso3: str
    other: str
    year: int | None
    value: float
    other_value: float
    measure_unit: str
    difference: float
    ratio: float
    log10_ratio: float
    source: str
    vintage: str
    other_source: str
    other_vintage: str
    note: str
    names_en: tuple[str, str]  # (unit, other)
    names_ko: tuple[str, str]
    indicator_name_en: str
    indicator_name_ko: str
    series: str = ""  # the series id (aiindex, cset) within its concept
    concept: str = ""

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))  # type: ignore[no-any-return]


def summary_of_row(row: pd.Series, names_en: dict[str, str], names_ko: dict[str, str],
                   name_en: str, name_ko: str) -> GapSummary:
    """The summary of one level row of a gap table."""
    u, o = str(row["iso3"]), str(row["other"])
    return GapSummary(
        indicator=str(row["indicator"]), iso3=u, other=o, year=int(row["year"]),
        value=float(row["value"]), other_value=float(row["other_value"]),
        measure_unit=str(row["measure_unit"]), difference=float(row["difference"]),
        ratio=float(row["ratio"]), log10_ratio=float(row["log10_ratio"]),
        source=str(row["source"]), vintage=str(row["vintage"]),
        other_source=str(row["other_source"]), other_vintage=str(row["other_vintage"]),
        note=str(row["note"]), names_en=(names_en.get(u, u), names_en.get(o, o)),
        names_ko=(names_ko.get(u, u), names_ko.get(o, o)), indicator_name_en=name_en,
        indicator_name_ko=name_ko,
    )


def gap_summary(
    wh: Warehouse,
    unit: str,
    vs: Sequence[str],
    indicators: Sequence[str],
    table: GapResult | None = None,
) -> list[GapSummary]:
    """One summary per indicator and other unit, for the headline year (``gap().summaries``);
    an error when a unit and another have no common year."""
    res = table if table is not None else gap(wh, unit, vs=vs, indicators=indicators, per=())
    for ind, ch in res.choices.items():
        have = {s.other for s in res.summaries if s.indicator == ch.indicator}
        for o in res.vs:
            if o not in have:
                raise GapError(f"{res.unit} and {o} have no common year for {ind}")
    return list(res.summaries)


@dataclass
class GapResult:
    """The gap of ``unit`` to each of ``vs``: the long table of the chosen series, the
    headline per comparator and the other series of each concept, side by side.

    ``choices`` maps each code asked to its :class:`~aigap.data.concepts.SeriesChoice`;
    ``summaries`` are the headline (newest adequate year of the chosen series);
    ``alternatives`` the same numbers on every other series at its own newest adequate year.
    """

    unit: str
    vs: list[str]
    table: pd.DataFrame
    choices: dict[str, SeriesChoice]
    summaries: list[GapSummary] = field(default_factory=list)
    alternatives: list[GapSummary] = field(default_factory=list)
    # level rows of every other series, all years (column ``series``): for the figure
    alternative_table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The long table: one row per indicator, basis, year and other unit."""
        return self.table

    def series_frame(self) -> pd.DataFrame:
        """One row per (series, other unit): the chosen series first, each at its year."""
        rows = []
        for s in [*self.summaries, *self.alternatives]:
            ch = next((c for c in self.choices.values() if c.concept.code == s.concept), None)
            cov = None
            if ch is not None:
                cov = ch.chosen if ch.chosen.series == s.series else next(
                    (a.coverage for a in ch.alternatives if a.coverage.series == s.series), None)
            rows.append({"concept": s.concept, "series": s.series, "indicator": s.indicator,
                         "chosen": s in self.summaries, "year": s.year, "other": s.other,
                         "value": s.value, "other_value": s.other_value, "ratio": s.ratio,
                         "log10_ratio": s.log10_ratio, "measure_unit": s.measure_unit,
                         "vintage": s.vintage,
                         "flags": ", ".join(cov.flags_in(s.year)) if cov is not None
                         else ""})
        return pd.DataFrame(rows, columns=["concept", "series", "indicator", "chosen", "year",
                                           "other", "value", "other_value", "ratio",
                                           "log10_ratio", "measure_unit", "vintage", "flags"])

    def newer_than_asked(self) -> list[tuple[str, str, int]]:
        """(concept, series, year) of series newer than the one asked for."""
        return [(ch.concept.code, a.coverage.series, int(a.year))
                for ch in self.choices.values() for a in ch.newer_than_asked
                if a.year is not None]

    def to_dict(self) -> dict[str, Any]:
        return json_safe({  # type: ignore[no-any-return]
            "unit": self.unit, "vs": self.vs, "rows": self.table,
            "summary": [s.to_dict() for s in self.summaries],
            "alternatives": [s.to_dict() for s in self.alternatives],
            "series": {k: c.to_dict() for k, c in self.choices.items()},
            "newer_than_asked": [{"concept": c, "series": s, "year": y}
                                 for c, s, y in self.newer_than_asked()]})
