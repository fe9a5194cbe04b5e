"""Concepts over series: what a question is about, the series that measure it, and which one
answers by default.

A *concept* ("private AI investment") is measured by one or more *series* (warehouse indicators
such as the AI Index / Quid series and the CSET series), listed in ``concepts.yaml``. Coverage
of each series comes from the warehouse (through :class:`~aigap.data.warehouse.Warehouse`
methods only): source, vintage, unit, years, units per year, top-N censoring, flags.

**The default series rule** (:func:`choose_series`; in plain words in docs/concepts.md): the
series whose newest *adequate* year is the latest answers; ties go to the series listed first.
A year is adequate for a purpose when:

* ``compare`` (named units side by side): every named unit has a value that year. A censored
  top-N chart is allowed: a unit that is listed is observed.
* ``rank`` (a rank among peers): the year is not censored (a top-N chart cannot rank units
  outside it), and at least :data:`RANK_SHARE` of the named peers (or :data:`RANK_MIN_UNITS`
  units when none are named) have a value.
* ``trend`` (a fit over years): every named unit has at least :data:`TREND_MIN_POINTS` values
  up to that year.

A code that is a concept code resolves as the concept (``private_ai_investment`` is also the
CSET indicator's code, and means the concept); the code of one series (e.g.
``private_ai_investment_aiindex``) or ``series=`` fixes that series, and the choice then lists
the series with newer adequate data in ``newer_than_asked``. An indicator that belongs to no
concept is a concept of one series.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import pandas as pd

from aigap.config import PACKAGE_DIR
from aigap.data.catalogue import near_matches
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError, SpecError
from aigap.jsonsafe import json_safe
from aigap.yamlfile import read_yaml

CONCEPTS_FILE = PACKAGE_DIR / "data" / "concepts.yaml"
Kind = Literal["scale", "intensity", "score", "signed", "rank"]
Purpose = Literal["compare", "rank", "trend"]
PURPOSES: tuple[str, ...] = ("compare", "rank", "trend")
RANK_SHARE = 2 / 3  # as the index's screening step: two thirds of the peers with data
RANK_MIN_UNITS = 10
TREND_MIN_POINTS = 3
CENSORED_FLAG = "censored-top"


class ConceptError(AigapError):
    """An unknown concept or series, or a series that cannot answer as asked."""


# --- the catalogue of concepts --------------------------------------------------------------

@cache
def _schema() -> Any:
    """The pydantic model of a concepts file (built on first use: pydantic costs start-up)."""
    from pydantic import BaseModel, ConfigDict, Field

    class _SeriesSpec(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        id: str = Field(pattern=r"^[a-z0-9_]+$")
        indicator: str
        kind: Kind | None = None

    class _ConceptSpec(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        kind: Kind
        series: list[_SeriesSpec] = Field(min_length=1)

    class _ConceptFile(BaseModel):
        model_config = ConfigDict(extra="forbid")
        concepts: dict[str, _ConceptSpec]

    return _ConceptFile


@dataclass(frozen=True)
class Series:
    """One series of a concept: its short id (``aiindex``), indicator code and kind."""

    id: str
    indicator: str
    kind: str


@dataclass(frozen=True)
class Concept:
    """A concept and its series in order of preference. ``ad_hoc``: an indicator that is in
    no concept, standing for itself."""

    code: str
    kind: str
    series: tuple[Series, ...]
    ad_hoc: bool = False

    def find(self, key: str) -> Series | None:
        """The series with id or indicator code ``key`` (None when it is not one of them)."""
        return next((s for s in self.series if key in (s.id, s.indicator)), None)


def load_concepts(path: str = "") -> dict[str, Concept]:
    """Concepts of a YAML file (default: the shipped concepts.yaml), validated."""
    from pathlib import Path

    file = Path(path) if path else CONCEPTS_FILE
    from pydantic import ValidationError

    raw = read_yaml(file, "concepts file")
    try:
        spec = _schema().model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise SpecError(f"{file}: {where}: {err['msg']}") from None
    out: dict[str, Concept] = {}
    owner: dict[str, str] = {}
    for code, c in spec.concepts.items():
        ids = [s.id for s in c.series]
        if len(set(ids)) != len(ids):
            raise SpecError(f"{file}: concepts.{code}: a series id appears twice in {ids}")
        for s in c.series:
            if s.indicator in owner:
                raise SpecError(f"{file}: concepts.{code}: indicator {s.indicator!r} is "
                                f"already a series of {owner[s.indicator]!r}")
            owner[s.indicator] = code
        out[code] = Concept(code, c.kind, tuple(Series(s.id, s.indicator, s.kind or c.kind)
                                                for s in c.series))
    return out


@cache
def _shipped() -> dict[str, Concept]:
    return load_concepts()


def concepts() -> dict[str, Concept]:
    """The shipped concepts by code."""
    return dict(_shipped())


def concept(code: str) -> Concept:
    """The shipped concept ``code`` (error naming near matches when unknown)."""
    found = _shipped().get(code)
    if found is None:
        raise ConceptError(f"unknown concept {near_matches([code], _shipped())}; "
                           "`aigap data concepts` lists them")
    return found


def concept_of(indicator: str) -> Concept | None:
    """The concept ``indicator`` is a series of (None: it is in no concept)."""
    for c in _shipped().values():
        if any(s.indicator == indicator for s in c.series):
            return c
    return None


def resolve(code: str) -> tuple[Concept, Series | None]:
    """``code`` as (concept, the series it fixes or None).

    A concept code is the concept (no series fixed), even when it is also an indicator code; a
    series' indicator code fixes that series; any other indicator is a concept of one series.
    """
    if code in _shipped():
        return _shipped()[code], None
    owner = concept_of(code)
    if owner is not None:
        return owner, owner.find(code)
    single = Series(code, code, "")
    return Concept(code, "", (single,), ad_hoc=True), single


# --- coverage of a series in the warehouse --------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """What the warehouse holds of one series."""

    concept: str
    series: str  # short id (aiindex, cset)
    indicator: str
    kind: str
    unit: str
    sources: tuple[str, ...]
    vintages: tuple[str, ...]
    first_year: int | None
    last_year: int | None
    units_per_year: dict[int, int]
    observed: dict[int, frozenset[str]] = field(repr=False)
    censored_years: tuple[int, ...]  # years whose values come from a top-N chart
    top_n: int | None
    flags: tuple[str, ...]
    vintage_of_year: dict[int, str] = field(default_factory=dict, repr=False)
    flags_of_year: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)
    loaded: bool = True  # False: the warehouse holds no values of the indicator

    def flags_in(self, year: int | None) -> tuple[str, ...]:
        """Flags of the sources behind the values of ``year`` (all years: None)."""
        return self.flags if year is None else self.flags_of_year.get(year, ())

    def vintage_in(self, year: int | None) -> str:
        if year is None:
            return "; ".join(self.vintages)
        return self.vintage_of_year.get(year, "")

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "concept": self.concept, "series": self.series, "indicator": self.indicator,
            "kind": self.kind, "unit": self.unit, "sources": list(self.sources),
            "vintages": list(self.vintages), "first_year": self.first_year,
            "last_year": self.last_year,
            "units_per_year": {str(y): n for y, n in sorted(self.units_per_year.items())},
            "censored_years": list(self.censored_years), "top_n": self.top_n,
            "flags": list(self.flags), "loaded": self.loaded})


def coverage(wh: Warehouse, code: str) -> list[Coverage]:
    """Coverage of every series of concept (or indicator) ``code``, in the concept's order."""
    con, _ = resolve(code)
    return _coverages(wh, con)


def _coverages(wh: Warehouse, con: Concept) -> list[Coverage]:
    known = set(wh.indicators()["code"])
    if con.ad_hoc and con.series[0].indicator not in known:
        wh.indicator(con.series[0].indicator)  # raises, naming near matches
    loaded = [s.indicator for s in con.series if s.indicator in known]
    panel = wh.panel(loaded) if loaded else pd.DataFrame(
        columns=["indicator", "iso3", "year", "value", "unit", "source", "vintage"])
    src = wh.sources()
    flags_of = {r.id: tuple(r.flags if r.flags is not None else ()) for r in src.itertuples()}
    out = []
    for s in con.series:
        if s.indicator not in known:
            out.append(Coverage(con.code, s.id, s.indicator, s.kind, "", (), (), None, None, {},
                                {}, (), None, (), loaded=False))
            continue
        meta = wh.indicator(s.indicator)
        top = meta.get("top_n")
        top_n = None if top is None or pd.isna(top) else int(top)
        sub = panel[(panel["indicator"] == s.indicator) & panel["value"].notna()]
        years = sorted({int(y) for y in sub["year"]})
        observed = {y: frozenset(sub.loc[sub["year"] == y, "iso3"]) for y in years}
        sources = tuple(sorted(set(sub["source"])))
        flags = tuple(sorted({f for x in sources for f in flags_of.get(x, ())}))
        censored = tuple(y for y in years if any(
            f.startswith(CENSORED_FLAG) for x in set(sub.loc[sub["year"] == y, "source"])
            for f in flags_of.get(x, ())))
        vy = {y: "; ".join(sorted(set(sub.loc[sub["year"] == y, "vintage"]))) for y in years}
        fy = {y: tuple(sorted({f for x in set(sub.loc[sub["year"] == y, "source"])
                               for f in flags_of.get(x, ())})) for y in years}
        out.append(Coverage(
            concept=con.code, series=s.id, indicator=s.indicator,
            kind=s.kind or _kind_of_unit(str(meta.get("unit", ""))),
            unit=str(sub["unit"].iloc[0]) if len(sub) else str(meta.get("unit", "")),
            sources=sources, vintages=tuple(sorted(set(sub["vintage"]))),
            first_year=years[0] if years else None, last_year=years[-1] if years else None,
            units_per_year={y: len(v) for y, v in observed.items()}, observed=observed,
            censored_years=censored, top_n=top_n, flags=flags, vintage_of_year=vy,
            flags_of_year=fy, loaded=bool(years)))
    return out


def _kind_of_unit(unit: str) -> str:
    """A kind for an indicator in no concept, from its unit (the gap's intensive rule)."""
    low = unit.lower()
    if "rank" in low:
        return "rank"
    if "score" in low or "index" in low or "estimate" in low:
        return "score"
    if "per " in low or "%" in low or "share" in low:
        return "intensity"
    return "scale"


# --- adequacy and the choice ------------------------------------------------------------------

def adequate(cov: Coverage, year: int, units: Sequence[str] | None,
             purpose: str) -> str | None:
    """None when ``year`` of ``cov`` can serve ``purpose`` for ``units``, else why not."""
    seen = cov.observed.get(year, frozenset())
    if not seen:
        return f"no values in {year}"
    named = list(units or [])
    if purpose == "compare":
        missing = [u for u in named if u not in seen]
        if missing:
            return f"no {year} value for {', '.join(missing)}"
        if not named and len(seen) < 2:
            return f"one unit only in {year}"
        return None
    if purpose == "rank":
        if year in cov.censored_years:
            return f"{year} is a top-{cov.top_n or 'N'} chart (cannot rank peers outside it)"
        if named:
            share = sum(u in seen for u in named) / len(named)
            if share < RANK_SHARE:
                return (f"{sum(u in seen for u in named)} of {len(named)} peers with data in "
                        f"{year}")
        elif len(seen) < RANK_MIN_UNITS:
            return f"{len(seen)} units in {year}"
        return None
    if purpose == "trend":
        short = [u for u in named
                 if sum(u in cov.observed.get(y, ()) for y in cov.observed if y <= year)
                 < TREND_MIN_POINTS]
        if short:
            return (f"fewer than {TREND_MIN_POINTS} years up to {year} for "
                    f"{', '.join(short)}")
        if year not in cov.observed or (named and any(u not in seen for u in named)):
            return f"no {year} value for every unit"
        return None
    raise ConceptError(f"unknown purpose {purpose!r}; choose from {', '.join(PURPOSES)}")


def newest_adequate(cov: Coverage, units: Sequence[str] | None, purpose: str,
                    year: int | None = None) -> tuple[int | None, str]:
    """The newest adequate year of ``cov`` (``year`` only, when given) and, when there is
    none, why not (the reason of its newest year)."""
    if not cov.loaded:
        return None, "not in this warehouse"
    years = [year] if year is not None else sorted(cov.observed, reverse=True)
    first_why = ""
    for y in years:
        why = adequate(cov, y, units, purpose)
        if why is None:
            return y, ""
        first_why = first_why or why
    return None, first_why or "no values"


@dataclass(frozen=True)
class Alternative:
    """Another series of the concept: its coverage, newest adequate year (or why none)."""

    coverage: Coverage
    year: int | None
    why_not: str = ""

    def to_dict(self) -> dict[str, Any]:
        return json_safe({**self.coverage.to_dict(), "year": self.year,
                          "why_not": self.why_not})


@dataclass(frozen=True)
class SeriesChoice:
    """Which series answers a question about a concept, for which year, and why.

    ``reason``: ``newest`` (the default rule), ``asked`` (``series=`` or a series' own code),
    ``only`` (the concept has one series), ``none_adequate`` (no series serves the purpose; the
    newest series is used as is). ``newer_than_asked``: series with a newer adequate year than
    the chosen one, when the user asked for a series or a year.
    """

    concept: Concept
    chosen: Coverage
    year: int | None
    purpose: str
    alternatives: tuple[Alternative, ...]
    reason: str
    why_not: str = ""  # why the chosen series has no adequate year (reason none_adequate)
    newer_than_asked: tuple[Alternative, ...] = ()
    asked_year: int | None = None

    @property
    def indicator(self) -> str:
        return self.chosen.indicator

    @property
    def series(self) -> str:
        return self.chosen.series

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "concept": self.concept.code, "kind": self.concept.kind, "purpose": self.purpose,
            "reason": self.reason, "why_not": self.why_not, "year": self.year,
            "asked_year": self.asked_year, "chosen": self.chosen.to_dict(),
            "alternatives": [a.to_dict() for a in self.alternatives],
            "newer_than_asked": [a.to_dict() for a in self.newer_than_asked]})

    def to_frame(self) -> pd.DataFrame:
        """One row per series: chosen first, with its adequate year and coverage."""
        rows = [{"series": self.chosen.series, "indicator": self.chosen.indicator,
                 "chosen": True, "year": self.year, "why_not": self.why_not,
                 "first_year": self.chosen.first_year, "last_year": self.chosen.last_year,
                 "unit": self.chosen.unit, "vintages": "; ".join(self.chosen.vintages),
                 "flags": ", ".join(self.chosen.flags)}]
        for a in self.alternatives:
            c = a.coverage
            rows.append({"series": c.series, "indicator": c.indicator, "chosen": False,
                         "year": a.year, "why_not": a.why_not, "first_year": c.first_year,
                         "last_year": c.last_year, "unit": c.unit,
                         "vintages": "; ".join(c.vintages), "flags": ", ".join(c.flags)})
        return pd.DataFrame(rows)


def choose_series(
    wh: Warehouse,
    code: str,
    *,
    units: Sequence[str] | None = None,
    year: int | None = None,
    purpose: str = "compare",
    series: str | None = None,
) -> SeriesChoice:
    """The series of concept (or indicator) ``code`` that answers for ``units``.

    ``year``: the year asked (default: the newest adequate year); ``series``: a series id
    (``cset``) or indicator code that overrides the rule. See the module docstring for the rule.
    """
    if purpose not in PURPOSES:
        raise ConceptError(f"unknown purpose {purpose!r}; choose from {', '.join(PURPOSES)}")
    con, fixed = resolve(code)
    if series is not None:
        fixed = con.find(series)
        if fixed is None:
            ids = ", ".join(f"{s.id} ({s.indicator})" for s in con.series)
            raise ConceptError(f"{code!r} has no series {series!r}; its series: {ids}")
    covs = _coverages(wh, con)
    found = {c.series: newest_adequate(c, units, purpose, year) for c in covs}
    latest = {c.series: newest_adequate(c, units, purpose) for c in covs}
    if fixed is not None:
        chosen = next(c for c in covs if c.series == fixed.id)
        reason = "asked" if len(covs) > 1 else "only"
    else:
        ok = [c for c in covs if found[c.series][0] is not None]
        if ok:
            best = max(found[c.series][0] for c in ok)  # type: ignore[type-var]
            chosen = next(c for c in ok if found[c.series][0] == best)
            reason = "newest" if len(covs) > 1 else "only"
        else:  # nothing serves the purpose: the series with the newest data, as it is
            held = [c for c in covs if c.last_year is not None] or covs
            chosen = max(held, key=lambda c: (c.last_year or 0, -covs.index(c)))
            reason = "none_adequate"
    chosen_year, why = found[chosen.series]
    if reason == "asked" and chosen_year is None:
        reason = "none_adequate"
    # Each alternative at the asked year when it serves it, else at its own newest year.
    alts = tuple(Alternative(c, found[c.series][0] if found[c.series][0] is not None
                             else latest[c.series][0], found[c.series][1])
                 for c in covs if c is not chosen)
    newer: tuple[Alternative, ...] = ()
    if fixed is not None or year is not None:
        mine = latest[chosen.series][0] if year is None else year
        newer = tuple(a for a in alts if a.year is not None
                      and (mine is None or a.year > mine))
    return SeriesChoice(con, chosen, chosen_year, purpose, alts, reason, why, newer, year)
