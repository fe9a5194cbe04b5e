"""Check press claims against the warehouse: supported, mostly, partly, contradicted, not checkable.

Each claim names the numbers it is about (an indicator ratio, a peer rank, an index rank, a
pillar profile); the verdict comes with the values, years and sources behind it.

Claims are judged **per source** (docs/concepts.md): a ratio or peer-rank claim on every series
of its concept that can test it (``by_source``: "supported on AI Index 2025; partly on CSET
2023"), the headline verdict being the one on the default series of
:func:`aigap.data.concepts.choose_series`; an index-rank claim on the publisher's own ranking
(``published_ranks()``, with its rule for aggregate units such as the EU counted as one unit)
and on the ranking recomputed from the data. A peer-rank claim that no year of the mirror can
reproduce, but that is close to it or cites a figure the mirror does not hold, is "not
checkable with this vintage", with the nearest numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aigap.config import PACKAGE_DIR
from aigap.data.countries import group_members
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError, SpecError
from aigap.jsonsafe import json_safe
from aigap.yamlfile import read_yaml

SHIPPED_CLAIMS = PACKAGE_DIR / "claims.yaml"
# Korean fact-checking's scale: 사실, 대체로 사실, 절반의 사실, 사실 아님, 판단 유보.
Verdict = Literal["supported", "mostly", "partly", "contradicted", "not checkable"]
VERDICTS: tuple[str, ...] = ("supported", "mostly", "partly", "contradicted", "not checkable")


class _Claim(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    id: str
    text_en: str
    text_ko: str = ""
    source_text: str = ""
    unit: str = "KOR"


class RatioClaim(_Claim):
    """other/unit of an indicator (or its log10) lies in [min, max] for each ``vs``."""

    kind: Literal["ratio"]
    indicator: str
    vs: list[str] = Field(min_length=1)
    year: int | None = None  # default: latest year both sides have
    log10: bool = False
    zeros: bool = False  # "one or two more zeros": difference in the number of digits
    min: float = -np.inf  # defaults are not validated: only user values must be finite
    max: float = np.inf

    @model_validator(mode="after")
    def _bounds(self) -> RatioClaim:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        if self.log10 and self.zeros:
            raise ValueError("choose log10 or zeros, not both")
        return self


class PeerRankClaim(_Claim):
    kind: Literal["peer_rank"]
    indicator: str
    group: str = "OECD"
    rank: int = Field(ge=1)
    of: int | None = Field(None, ge=1)
    year: int | None = None
    tolerance: int = Field(2, ge=0)
    value: float | None = None  # the figure the claim's source published, if it gives one
    value_tolerance: float = Field(0.05, ge=0)  # relative difference still "the same figure"


class IndexRankClaim(_Claim):
    kind: Literal["index_rank"]
    spec: str | None = None  # recompute the index from the data (a shipped spec)
    published: str | None = None  # part of the name of a ranking in published_ranks()
    level: str = "overall"  # the published ranking's level ("AI", "overall")
    edition: str | None = None  # part of the edition (default: the newest)
    rank: int = Field(ge=1)
    at_most: bool = False  # "among the top k" rather than "exactly k-th"
    tolerance: int = Field(1, ge=0)

    @model_validator(mode="after")
    def _source(self) -> IndexRankClaim:
        if self.spec is None and self.published is None:
            raise ValueError("name a spec to recompute, a published ranking, or both")
        return self


class ProfileClaim(_Claim):
    """The unit is above the group median on ``strong`` pillars and below it on ``weak``."""

    kind: Literal["profile"]
    spec: str = "aigap"
    group: str = "OECD"
    strong: list[str] = Field(default_factory=list)
    weak: list[str] = Field(default_factory=list)


Claim = Annotated[RatioClaim | PeerRankClaim | IndexRankClaim | ProfileClaim,
                  Field(discriminator="kind")]


class ClaimFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    claims: list[Claim]


@dataclass
class ClaimCheck:
    """A verdict with the evidence behind it.

    ``facts`` holds what the finding sentence says (``aigap.present.sentence``): the kind of
    check and its numbers; ``facts["kind"]`` is ratio, peer_rank, index_rank, profile or
    not_checkable (with ``why``).
    """

    id: str
    text_en: str
    text_ko: str
    verdict: Verdict
    evidence: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict, repr=False)
    # the verdict on each source that can test the claim: series id (or "published",
    # "recomputed"), year, verdict; the headline verdict is the first one's
    by_source: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"id": self.id, "text_en": self.text_en, "text_ko": self.text_ko,
                          "verdict": self.verdict, "evidence": self.evidence,
                          "sources": self.sources, "by_source": self.by_source})


class ClaimsResult(list[ClaimCheck]):
    """The verdicts of :func:`check_claims`, in claim order: a list of ``ClaimCheck`` with the
    result protocol (``to_frame()``, ``to_dict()``)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per claim: id, verdict, English and Korean text, sources."""
        return pd.DataFrame([{"id": c.id, "verdict": c.verdict, "text_en": c.text_en,
                              "text_ko": c.text_ko, "sources": "; ".join(c.sources),
                              "by_source": "; ".join(f"{b['verdict']} on {b['source']} "
                                                     f"{b['year'] or ''}".strip()
                                                     for b in c.by_source)}
                             for c in self], columns=["id", "verdict", "text_en", "text_ko",
                                                      "sources", "by_source"])

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"claims": [c.to_dict() for c in self]})


def _claim_error(exc: ValidationError) -> str:
    """``claims[0].kind: ...`` in words a claims author understands."""
    err = exc.errors()[0]
    loc = err["loc"]
    path = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in loc).lstrip(".")
    if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
        kinds = "ratio, peer_rank, index_rank, profile"
        return f"{path}: missing or unknown 'kind' (one of {kinds})"
    if len(loc) > 3 and isinstance(loc[1], int) and isinstance(loc[2], str):
        path = f"claims[{loc[1]}].{'.'.join(str(x) for x in loc[3:])}"
    return f"{path}: {err['msg']}"


def load_claims(paths: Iterable[str | Path] | None = None, *, shipped: bool = True) -> list[Any]:
    """Claims of the shipped file and/or user files; ids must be unique."""
    files = ([SHIPPED_CLAIMS] if shipped else []) + [Path(p) for p in (paths or [])]
    claims: list[Any] = []
    for path in files:
        raw = read_yaml(path, "claims file")
        if not isinstance(raw, dict) or "claims" not in raw:
            raise SpecError(f"{path}: expected a mapping with a 'claims:' list")
        try:
            claims += ClaimFile.model_validate(raw).claims
        except ValidationError as exc:
            raise SpecError(f"{path}: {_claim_error(exc)}") from None
    seen: set[str] = set()
    for c in claims:
        if c.id in seen:
            raise SpecError(f"claim id {c.id!r} appears twice")
        seen.add(c.id)
    return claims


# --- checks ---------------------------------------------------------------------------------

def _ratio_measure(c: RatioClaim, value: float, other_value: float, ratio: float,
                   log10: float) -> float:
    if c.zeros:  # digits before the decimal point: floor(log10) of each side
        if value > 0 and other_value > 0:
            return float(np.floor(np.log10(other_value)) - np.floor(np.log10(value)))
        return float("nan")
    return log10 if c.log10 else ratio


def _ratio_on(c: RatioClaim, wh: Warehouse, cov: Any, year: int | None,
              names: dict[str, str], names_ko: dict[str, str]) -> dict[str, Any] | None:
    """The claim's check on one series (None: the series cannot test it)."""
    from aigap.analysis.diagnosis.gap import gap

    rows = gap(wh, c.unit, vs=c.vs, indicators=[c.indicator], per=(),
               series=cov.series).table
    rows = rows[(rows["basis"] == "level") & rows["ratio"].notna()]
    if year is None:  # no adequate year: the latest with any comparator, as it is
        if c.year is not None:
            rows = rows[rows["year"] == c.year]
        if rows.empty:
            return None
        year = int(rows["year"].max())
    rows = rows[rows["year"] == year]
    if rows.empty:
        return None
    ok, evidence, parts = [], [], []
    for r in rows.itertuples():
        v = _ratio_measure(c, float(r.value), float(r.other_value), float(r.ratio),
                           float(r.log10_ratio))
        inside = bool(c.min <= v <= c.max)
        ok.append(inside)
        evidence.append({"other": r.other, "year": year, "value": r.value,
                         "other_value": r.other_value, "ratio": r.ratio,
                         "log10_ratio": r.log10_ratio, "zeros": v if c.zeros else None,
                         "within": inside, "source": r.source, "vintage": r.vintage,
                         "series": cov.series})
        parts.append({"other": r.other, "name_en": names.get(r.other, r.other),
                      "name_ko": names_ko.get(r.other, r.other), "ratio": r.ratio,
                      "log10": r.log10_ratio, "zeros": v if c.zeros else None})
    missing = sorted(set(c.vs) - set(rows["other"]))
    verdict: Verdict = ("supported" if all(ok) and not missing else
                        "contradicted" if not any(ok) else "partly")
    facts = {"kind": "ratio", "year": year, "log10": c.log10, "zeros": c.zeros, "min": c.min,
             "max": c.max, "parts": parts, "missing": missing, "series": cov.series,
             "unit_en": names.get(c.unit, c.unit), "unit_ko": names_ko.get(c.unit, c.unit),
             "missing_en": [names.get(m, m) for m in missing],
             "missing_ko": [names_ko.get(m, m) for m in missing]}
    return {"verdict": verdict, "evidence": evidence, "facts": facts, "year": year}


def _check_ratio(c: RatioClaim, wh: Warehouse, names: dict[str, str],
                 names_ko: dict[str, str], series: str | None = None) -> ClaimCheck:
    from aigap.data.concepts import ConceptError, newest_adequate

    try:
        covs, _ = _series_of(c, wh, [c.unit, *c.vs], "compare", series, c.year)
    except ConceptError as exc:
        return _not_checkable(c, str(exc))
    checks, by_source = [], []
    for cov in covs:
        year, why = newest_adequate(cov, [c.unit, *c.vs], "compare", c.year)
        got = _ratio_on(c, wh, cov, year, names, names_ko) if cov.loaded else None
        if got is None:
            by_source.append({"source": cov.series, "year": c.year, "verdict": "not checkable",
                              "why": why or "no common year"})
            continue
        checks.append(got)
        by_source.append({"source": cov.series, "year": got["year"],
                          "verdict": got["verdict"], "vintage": cov.vintage_in(got["year"])})
    if not checks:
        return _not_checkable(c, f"no year with {c.indicator} for {c.unit} and "
                              f"{', '.join(c.vs)}" + (f" in {c.year}" if c.year else ""))
    head = checks[0]
    facts = {**head["facts"], "by_source": by_source}
    sources = sorted({e["source"] for g in checks for e in g["evidence"]})
    return ClaimCheck(c.id, c.text_en, c.text_ko, head["verdict"], head["evidence"], sources,
                      facts, by_source)


def _series_of(c: Any, wh: Warehouse, units: list[str], purpose: str, series: str | None,
               year: int | None = None) -> tuple[list[Any], Any]:
    """Coverage of every series of the claim's concept, the one that judges it first (the
    default, or ``series`` when the concept has it), and the choice."""
    from aigap.data.concepts import choose_series, resolve

    if series is not None and resolve(c.indicator)[0].find(series) is None:
        series = None  # another concept's series: this claim keeps its default
    choice = choose_series(wh, c.indicator, units=units, year=year, purpose=purpose,
                           series=series)
    return [choice.chosen, *[a.coverage for a in choice.alternatives]], choice


def _peer_years(c: PeerRankClaim, wh: Warehouse, indicator: str) -> list[Any]:
    """The unit's peer rank in every year the mirror holds (newest first)."""
    from aigap.analysis.diagnosis.peer_rank import peer_rank

    years = sorted(set(wh.panel([indicator], countries=[c.unit])["year"]), reverse=True)
    out = []
    for y in years:
        try:
            pr = peer_rank(wh, c.unit, indicator=indicator, peers=c.group, year=int(y))
        except AigapError:
            continue
        out.append(pr)
    return out


def _bounds(pr: Any) -> tuple[int, int] | None:
    """Best and worst rank the unit can have: members without data placed below or above."""
    if pr.rank is None:
        return pr.rank_bounds  # type: ignore[no-any-return]
    return pr.rank, pr.rank + len(pr.without_data)


def _peer_on(c: PeerRankClaim, wh: Warehouse, indicator: str, series: str
             ) -> dict[str, Any] | None:
    """The verdict on one series (None: no year of it ranks the unit).

    supported: the claimed rank is within the bounds of the claimed year (default: the
    newest); partly: only within another year's; not checkable with this vintage: within
    ``tolerance`` of some year's bounds, or the claim's own figure differs from the mirror's
    for its year (the claim rests on another vintage); contradicted: otherwise.
    """
    prs = [p for p in _peer_years(c, wh, indicator) if _bounds(p) is not None]
    if not prs:
        return None
    target = next((p for p in prs if p.year == c.year), None) if c.year is not None else prs[0]
    inside = [p for p in prs if _bounds(p)[0] <= c.rank <= _bounds(p)[1]]  # type: ignore[index]
    near = min(prs, key=lambda p: _distance(c.rank, _bounds(p)))  # type: ignore[arg-type]
    head = target or prs[0]
    figure = None
    if c.value is not None:
        mirror = target.value if target is not None else None
        figure = {"claimed": c.value, "year": c.year, "mirror": mirror,
                  "same": mirror is not None and abs(mirror - c.value)
                  <= c.value_tolerance * max(abs(c.value), abs(mirror))}
    if figure is not None and not figure["same"]:
        verdict: Verdict = "not checkable"  # the claim rests on a figure the mirror lacks
    elif target is not None and target in inside:
        verdict = "supported"
    elif inside:
        verdict = "partly"  # true of another year than the one claimed
    elif _distance(c.rank, _bounds(near)) <= c.tolerance:  # type: ignore[arg-type]
        verdict = "not checkable"  # close, but no year of this vintage gives it
    else:
        verdict = "contradicted"
    years = [{"year": p.year, "rank": p.rank, "of_with_data": p.ranked_of,
              "members": p.n_members, "without_data": p.without_data,
              "worst": _bounds(p)[1], "value": p.value,  # type: ignore[index]
              "source": p.source, "vintage": p.vintage, "series": series}
             for p in [head, *[p for p in prs if p is not head]]]
    return {"verdict": verdict, "peer_rank": head, "years": years, "figure": figure,
            "near": near, "year": head.year}


def _distance(rank: int, bounds: tuple[int, int]) -> int:
    lo, hi = bounds
    return 0 if lo <= rank <= hi else (lo - rank if rank < lo else rank - hi)


def _check_peer_rank(c: PeerRankClaim, wh: Warehouse, names: dict[str, str],
                     names_ko: dict[str, str], series: str | None = None) -> ClaimCheck:
    from aigap.data.concepts import ConceptError

    try:
        covs, choice = _series_of(c, wh, [c.unit], "rank", series)
    except ConceptError as exc:
        return _not_checkable(c, str(exc))
    got, by_source = [], []
    for cov in covs:
        one = _peer_on(c, wh, cov.indicator, cov.series) if cov.loaded else None
        if one is None:
            by_source.append({"source": cov.series, "year": c.year, "verdict": "not checkable",
                              "why": f"{c.unit} is not ranked"})
            continue
        got.append(one)
        by_source.append({"source": cov.series, "year": one["year"], "verdict": one["verdict"],
                          "vintage": cov.vintage_in(one["year"])})
    if not got:
        from aigap.analysis.diagnosis.peer_rank import peer_rank

        try:  # say why: the error, or the bounds of a censored chart
            pr = peer_rank(wh, c.unit, indicator=choice.indicator, peers=c.group, year=c.year)
        except AigapError as exc:
            return _not_checkable(c, str(exc))
        return _not_checkable(c, "", peer_rank=pr)
    head = got[0]
    pr = head["peer_rank"]
    claimed_of = c.of or pr.n_members
    others = sorted((y["year"], y["rank"], y["of_with_data"]) for y in head["years"][1:]
                    if y["rank"] is not None)
    kind = "not_reproducible" if head["verdict"] == "not checkable" else "peer_rank"
    facts = {"kind": kind, "peer_rank": pr, "rank": c.rank, "of": claimed_of,
             "others": others, "quartile": None, "years": head["years"],
             "figure": head["figure"], "by_source": by_source,
             "unit_en": names.get(c.unit, c.unit), "unit_ko": names_ko.get(c.unit, c.unit),
             "without_en": [names.get(m, m) for m in pr.without_data],
             "without_ko": [names_ko.get(m, m) for m in pr.without_data]}
    sources = sorted({y["source"] for g in got for y in g["years"]})
    return ClaimCheck(c.id, c.text_en, c.text_ko, head["verdict"], head["years"], sources,
                      facts, by_source)


def _index_result(spec: str, wh: Warehouse, cache: dict[str, Any]) -> tuple[Any, Any]:
    """The spec built on ``wh`` (not the default warehouse) and its input frame, once."""
    if spec not in cache:
        from aigap.index import build_index, load_spec
        from aigap.index.warehouse_source import warehouse_frame

        sp = load_spec(spec)
        frame = warehouse_frame(sp, wh) if sp.data.source == "warehouse" else None
        cache[spec] = (build_index(sp, data=frame), frame)
    return cache[spec]


def _spec_sources(spec: str, frame: Any, unit: str, wh: Warehouse) -> list[str]:
    """Datasets of the observations the unit's index score actually uses."""
    from aigap.index.warehouse_source import index_sources

    if frame is None:
        return [f"spec {spec} (not from the warehouse)"]
    return index_sources(frame, wh, unit)


def _rank_verdict(c: IndexRankClaim, lo: int, hi: int) -> Verdict:
    """The verdict for a rank known to lie in [lo, hi] (lo == hi: known exactly)."""
    if c.at_most:
        return ("supported" if lo <= c.rank else
                "mostly" if lo <= c.rank + c.tolerance else "contradicted")
    if lo <= c.rank <= hi:
        return "supported"
    # within the tolerance (one place, by default): the claim is off by little
    return "mostly" if _distance(c.rank, (lo, hi)) <= c.tolerance else "contradicted"


def _published_row(c: IndexRankClaim, wh: Warehouse) -> tuple[dict[str, Any], list[str]] | None:
    """The newest published rank of the unit at the claim's level, and the aggregate units
    (such as the EU) the publisher ranks as one unit in that edition."""
    try:
        table = wh.published_ranks(index=c.published)
    except AigapError:
        return None
    table = table[table["level"].str.lower() == c.level.lower()]
    if c.edition is not None:
        table = table[table["edition"].str.contains(c.edition, case=False, regex=False)]
    mine = table[table["iso3"] == c.unit].sort_values("published", ascending=False)
    if mine.empty:
        return None
    row = mine.iloc[0].to_dict()
    edition = wh.published_ranks(index=c.published)
    edition = edition[(edition["index"] == row["index"]) & (edition["edition"] == row["edition"])]
    agg = edition[edition["aggregate"].astype(bool)]
    aggregates = dict(zip(agg["iso3"], agg["unit"], strict=True))
    note = str(row.get("units_note") or "")
    if "EU" in note and "EUU" not in aggregates:
        aggregates["EUU"] = "the EU"
    row["aggregate_names"] = [aggregates[k] for k in sorted(aggregates)]
    return row, sorted(aggregates)


def _check_index_rank(c: IndexRankClaim, wh: Warehouse, names: dict[str, str],
                      names_ko: dict[str, str], cache: dict[str, Any]) -> ClaimCheck:
    """Verdicts on the published ranking (when named) and on the recomputed index (spec).

    The EU-as-one-unit rule: when the publisher ranks aggregate units (the EU) beside
    countries and the recomputed index ranks countries only, the recomputed rank r of a
    country stands for a published rank between r and r + (number of aggregate units).
    """
    evidence: list[dict[str, Any]] = []
    by_source: list[dict[str, Any]] = []
    sources: list[str] = []
    facts: dict[str, Any] = {"kind": "index_rank", "claimed": c.rank, "at_most": c.at_most,
                             "unit_en": names.get(c.unit, c.unit),
                             "unit_ko": names_ko.get(c.unit, c.unit), "spec": c.spec,
                             "draft": c.spec == "belfer-ai"}  # a draft copy, not the release
    published = _published_row(c, wh) if c.published else None
    aggregates = published[1] if published else []
    verdicts: list[Verdict] = []
    why = ""
    if c.spec is not None:
        try:
            res, frame = _index_result(c.spec, wh, cache)
        except AigapError as exc:
            res, why = None, str(exc)
        if res is not None:
            ranks = res.ranks["Index"] if "Index" in res.ranks else res.ranks.iloc[:, -1]
            if c.unit not in ranks.index:
                why = f"{c.unit} is not in the {c.spec} index"
            else:
                r, n = int(ranks[c.unit]), int(ranks.notna().sum())
                k = len([a for a in aggregates if a not in ranks.index])
                agg_names = published[0]["aggregate_names"] if published and k else []
                verdict = _rank_verdict(c, r, r + k)
                title_en = res.spec.title or c.spec
                facts.update({"rank": r, "of": n, "title_en": title_en,
                              "title_ko": res.spec.title_ko or title_en,
                              "aggregates": agg_names, "with_aggregates":
                              (r, r + k) if k else None})
                evidence.append({"spec": c.spec, "rank": r, "of": n,
                                 "score": float(res.scores.loc[c.unit].iloc[-1]),
                                 "with_aggregate_units": [r, r + k] if k else None})
                by_source.append({"source": "recomputed", "year": None, "verdict": verdict,
                                  "spec": c.spec})
                verdicts.append(verdict)
                sources += _spec_sources(c.spec, frame, c.unit, wh)
    if published is not None:
        row = published[0]
        rank = int(row["rank"])
        verdict = _rank_verdict(c, rank, rank)
        facts["published"] = {"index": row["index"], "edition": row["edition"],
                              "level": row["level"], "rank": rank, "of": int(row["of_n"]),
                              "units_note": row["units_note"],
                              "publisher": row["source_publisher"], "url": row["source_url"],
                              "aggregates": aggregates}
        evidence.append({"published": row["index"], "edition": row["edition"],
                         "level": row["level"], "rank": rank, "of": int(row["of_n"]),
                         "units_note": row["units_note"], "article": row["source_url"]})
        # the claim is about the publisher's ranking: its own number decides
        by_source.insert(0, {"source": "published", "year": row["edition"],
                             "verdict": verdict})
        verdicts.insert(0, verdict)
        sources.append(str(row["source"]))
    elif c.published:
        by_source.append({"source": "published", "year": c.edition, "verdict": "not checkable",
                          "why": f"no published {c.published} rank of {c.unit} at level "
                                 f"{c.level!r}"})
    if not verdicts:
        return _not_checkable(c, why or f"no ranking of {c.unit} to check")
    facts["by_source"] = by_source
    return ClaimCheck(c.id, c.text_en, c.text_ko, verdicts[0], evidence,
                      list(dict.fromkeys(sources)), facts, by_source)


def _check_profile(c: ProfileClaim, wh: Warehouse, names: dict[str, str],
                   names_ko: dict[str, str], cache: dict[str, Any]) -> ClaimCheck:
    try:
        res, frame = _index_result(c.spec, wh, cache)
    except AigapError as exc:
        return _not_checkable(c, str(exc))
    scores = res.scores
    unknown = [p for p in [*c.strong, *c.weak] if p not in scores.columns]
    if unknown:
        raise SpecError(f"claim {c.id}: unknown pillar(s) {unknown}; pillars of {c.spec}: "
                        f"{[p for p in scores.columns if p != 'Index']}")
    if c.unit not in scores.index:
        return _not_checkable(c, f"{c.unit} is not in the {c.spec} index")
    # peers as in `aigap profile`: the group's members other than the unit
    members = [m for m in group_members(c.group) if m in scores.index and m != c.unit]
    peers = scores.loc[members]
    evidence, hits = [], []
    for pillar in [*c.strong, *c.weak]:
        median = float(peers[pillar].median())
        value = float(scores.loc[c.unit, pillar])
        pct = float((peers[pillar] <= value).mean() * 100)  # beaten or tied, as in profile
        want_strong = pillar in c.strong
        hit = value > median if want_strong else value < median
        hits.append(hit)
        evidence.append({"pillar": pillar, "expected": "strong" if want_strong else "weak",
                         "score": value, "peer_median": median, "percentile": pct,
                         "holds": hit, "peers": len(members)})
    verdict: Verdict = ("supported" if all(hits) else "contradicted" if not any(hits)
                        else "partly")
    facts = {"kind": "profile", "spec": c.spec, "group": c.group, "members": len(members),
             "items": evidence, "failed": [e["pillar"] for e in evidence if not e["holds"]]}
    return ClaimCheck(c.id, c.text_en, c.text_ko, verdict, evidence,
                      _spec_sources(c.spec, frame, c.unit, wh), facts)


def _not_checkable(c: Any, why: str, peer_rank: Any = None) -> ClaimCheck:
    """``why``: the error that stopped the check (or the peer rank that has only bounds)."""
    return ClaimCheck(c.id, c.text_en, c.text_ko, "not checkable",
                      facts={"kind": "not_checkable", "why": why, "peer_rank": peer_rank})


def check_claims(wh: Warehouse, claims: list[Any] | None = None, *,
                 progress: Callable[[int, int], None] | None = None,
                 indices: dict[str, tuple[Any, Any]] | None = None,
                 series: str | None = None) -> ClaimsResult:
    """Verdicts for ``claims`` (default: the shipped claims.yaml).

    ``indices`` maps spec names to (IndexResult, input frame) already built on ``wh``;
    ``series``: judge ratio and peer-rank claims whose concept has this series on it first
    (the headline verdict), instead of the default series.
    """
    claims = load_claims() if claims is None else claims
    names, names_ko = wh.country_names("en"), wh.country_names("ko")
    cache: dict[str, Any] = dict(indices or {})
    out = ClaimsResult()
    for i, c in enumerate(claims):
        if isinstance(c, RatioClaim):
            out.append(_check_ratio(c, wh, names, names_ko, series))
        elif isinstance(c, PeerRankClaim):
            out.append(_check_peer_rank(c, wh, names, names_ko, series))
        elif isinstance(c, IndexRankClaim):
            out.append(_check_index_rank(c, wh, names, names_ko, cache))
        else:
            out.append(_check_profile(c, wh, names, names_ko, cache))
        if progress:
            progress(i + 1, len(claims))
    return out
