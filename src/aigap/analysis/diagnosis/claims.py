"""Check press claims against the warehouse: supported, partly, contradicted or not checkable.

Each claim names the numbers it is about (an indicator ratio, a peer rank, an index rank, a
pillar profile); the verdict comes with the values, years and sources behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aigap.config import PACKAGE_DIR
from aigap.data.countries import group_members
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError, SpecError
from aigap.jsonsafe import json_safe
from aigap.yamlfile import read_yaml

SHIPPED_CLAIMS = PACKAGE_DIR / "claims.yaml"
Verdict = Literal["supported", "partly", "contradicted", "not checkable"]


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
    min: float = -np.inf  # defaults are not validated: only user values must be finite
    max: float = np.inf

    @model_validator(mode="after")
    def _bounds(self) -> RatioClaim:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        return self


class PeerRankClaim(_Claim):
    kind: Literal["peer_rank"]
    indicator: str
    group: str = "OECD"
    rank: int = Field(ge=1)
    of: int | None = Field(None, ge=1)
    year: int | None = None
    tolerance: int = Field(2, ge=0)


class IndexRankClaim(_Claim):
    kind: Literal["index_rank"]
    spec: str
    rank: int = Field(ge=1)
    at_most: bool = False  # "among the top k" rather than "exactly k-th"
    tolerance: int = Field(1, ge=0)


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

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"id": self.id, "text_en": self.text_en, "text_ko": self.text_ko,
                          "verdict": self.verdict, "evidence": self.evidence,
                          "sources": self.sources})


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

def _check_ratio(c: RatioClaim, wh: Warehouse, names: dict[str, str],
                 names_ko: dict[str, str]) -> ClaimCheck:
    from aigap.analysis.diagnosis.gap import gap

    rows = gap(wh, c.unit, c.vs, [c.indicator], per=())
    rows = rows[(rows["basis"] == "level") & rows["ratio"].notna()]
    if c.year is not None:
        rows = rows[rows["year"] == c.year]
    if rows.empty:
        return _not_checkable(c, f"no year with {c.indicator} for {c.unit} and "
                              f"{', '.join(c.vs)}" + (f" in {c.year}" if c.year else ""))
    year = int(rows["year"].max()) if c.year is None else c.year
    rows = rows[rows["year"] == year]
    measure = "log10_ratio" if c.log10 else "ratio"
    ok, evidence, parts = [], [], []
    for r in rows.itertuples():
        v = float(getattr(r, measure))
        inside = c.min <= v <= c.max
        ok.append(inside)
        evidence.append({"other": r.other, "year": year, "value": r.value,
                         "other_value": r.other_value, "ratio": r.ratio,
                         "log10_ratio": r.log10_ratio, "within": inside,
                         "source": r.source, "vintage": r.vintage})
        parts.append({"other": r.other, "name_en": names.get(r.other, r.other),
                      "name_ko": names_ko.get(r.other, r.other), "ratio": r.ratio,
                      "log10": r.log10_ratio})
    missing = sorted(set(c.vs) - set(rows["other"]))
    verdict: Verdict = ("supported" if all(ok) and not missing else
                        "contradicted" if not any(ok) else "partly")
    facts = {"kind": "ratio", "year": year, "log10": c.log10, "min": c.min, "max": c.max,
             "parts": parts, "missing": missing,
             "unit_en": names.get(c.unit, c.unit), "unit_ko": names_ko.get(c.unit, c.unit),
             "missing_en": [names.get(m, m) for m in missing],
             "missing_ko": [names_ko.get(m, m) for m in missing]}
    return ClaimCheck(c.id, c.text_en, c.text_ko, verdict, evidence,
                      sorted({e["source"] for e in evidence}), facts)


def _quartile(rank: int, of: int) -> int:
    return min(4, int(np.ceil(4 * rank / of)))


def _check_peer_rank(c: PeerRankClaim, wh: Warehouse, names: dict[str, str],
                     names_ko: dict[str, str]) -> ClaimCheck:
    from aigap.analysis.diagnosis.peer_rank import peer_rank

    try:
        pr = peer_rank(wh, c.unit, indicator=c.indicator, group=c.group, year=c.year)
    except AigapError as exc:
        return _not_checkable(c, str(exc))
    if pr.rank is None:
        return _not_checkable(c, "", peer_rank=pr)
    evidence = [{"year": pr.year, "rank": pr.rank, "of_with_data": pr.ranked_of,
                 "members": pr.n_members, "without_data": pr.without_data,
                 "value": pr.value, "source": pr.source, "vintage": pr.vintage}]
    # Other years, so a claim made on an older vintage can be matched.
    years = sorted(set(wh.panel([c.indicator], countries=[c.unit])["year"]))
    others = []
    for y in years:
        if y == pr.year:
            continue
        try:
            o = peer_rank(wh, c.unit, indicator=c.indicator, group=c.group, year=y)
        except AigapError:
            continue
        if o.rank is not None:
            others.append((y, o.rank, o.ranked_of))
            evidence.append({"year": y, "rank": o.rank, "of_with_data": o.ranked_of,
                             "members": o.n_members, "source": o.source,
                             "vintage": o.vintage})
    claimed_of = c.of or pr.n_members
    exact = [y for y, r, _ in [(pr.year, pr.rank, pr.ranked_of), *others] if r == c.rank]
    diff = abs(pr.rank - c.rank)
    same_quartile = _quartile(pr.rank, pr.ranked_of) == _quartile(c.rank, claimed_of)
    if pr.rank == c.rank:
        verdict: Verdict = "supported"
    elif diff <= c.tolerance or same_quartile or exact:
        verdict = "partly"
    else:
        verdict = "contradicted"
    quartile = (_quartile(pr.rank, pr.ranked_of)
                if verdict == "partly" and same_quartile and pr.rank != c.rank else None)
    facts = {"kind": "peer_rank", "peer_rank": pr, "rank": c.rank, "of": claimed_of,
             "others": sorted(others), "quartile": quartile}
    return ClaimCheck(c.id, c.text_en, c.text_ko, verdict, evidence, [pr.source], facts)


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


def _check_index_rank(c: IndexRankClaim, wh: Warehouse, names: dict[str, str],
                      names_ko: dict[str, str], cache: dict[str, Any]) -> ClaimCheck:
    try:
        res, frame = _index_result(c.spec, wh, cache)
    except AigapError as exc:
        return _not_checkable(c, str(exc))
    ranks = res.ranks["Index"] if "Index" in res.ranks else res.ranks.iloc[:, -1]
    if c.unit not in ranks.index:
        return _not_checkable(c, f"{c.unit} is not in the {c.spec} index")
    r, n = int(ranks[c.unit]), int(ranks.notna().sum())
    if c.at_most:
        verdict: Verdict = ("supported" if r <= c.rank else
                            "partly" if r <= c.rank + c.tolerance else "contradicted")
    else:
        verdict = ("supported" if r == c.rank else
                   "partly" if abs(r - c.rank) <= c.tolerance else "contradicted")
    title_en = res.spec.title or c.spec
    facts = {"kind": "index_rank", "spec": c.spec, "rank": r, "of": n, "claimed": c.rank,
             "at_most": c.at_most, "unit_en": names.get(c.unit, c.unit),
             "unit_ko": names_ko.get(c.unit, c.unit), "title_en": title_en,
             "title_ko": res.spec.title_ko or title_en,
             "draft": c.spec == "belfer-ai"}  # a draft dashboard copy, not the release
    evidence = [{"spec": c.spec, "rank": r, "of": n,
                 "score": float(res.scores.loc[c.unit].iloc[-1])}]
    return ClaimCheck(c.id, c.text_en, c.text_ko, verdict, evidence,
                      _spec_sources(c.spec, frame, c.unit, wh), facts)


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


def check_claims(wh: Warehouse, claims: list[Any] | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 indices: dict[str, tuple[Any, Any]] | None = None) -> list[ClaimCheck]:
    """Verdicts for ``claims`` (default: the shipped claims.yaml).

    ``indices`` maps spec names to (IndexResult, input frame) already built on ``wh``.
    """
    claims = load_claims() if claims is None else claims
    names, names_ko = wh.country_names("en"), wh.country_names("ko")
    cache: dict[str, Any] = dict(indices or {})
    out = []
    for i, c in enumerate(claims):
        if isinstance(c, RatioClaim):
            out.append(_check_ratio(c, wh, names, names_ko))
        elif isinstance(c, PeerRankClaim):
            out.append(_check_peer_rank(c, wh, names, names_ko))
        elif isinstance(c, IndexRankClaim):
            out.append(_check_index_rank(c, wh, names, names_ko, cache))
        else:
            out.append(_check_profile(c, wh, names, names_ko, cache))
        if progress:
            progress(i + 1, len(claims))
    return out
