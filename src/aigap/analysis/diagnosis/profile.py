"""Strengths and weaknesses of a unit among its peers, pillar by pillar and indicator by indicator.

Conventions (documented here because every number and sentence depends on them):

* **Peers** are the members of the group (OECD, G7, G20, EU27, ASEAN or a custom list) other
  than the unit itself. The unit need not be a member: it is then compared with the members.
  Members absent from the index, or without a value, are left out and named.
* **Percentile** = share of peers with data that the unit beats or ties, x 100, i.e.
  ``(n - rank) / (n - 1) x 100`` with ``rank`` the unit's 'min' rank among the ``n`` units
  compared (the unit plus its peers with data). Best among peers = 100, worst = 0 (unless
  tied). Undefined (NaN) when no peer has data.
* **Pillars** are compared on their index scores (level-2 aggregates of the built index).
  Those scores include the index's own treatment of missing data (imputation), as the index
  does.
* **Indicators** are compared on raw values (before imputation, outlier treatment and
  normalisation), in the indicator's direction (-1: lower is better). When the unit's own raw
  value is missing, its percentile is NaN and the indicator is flagged ``imputed`` (the index
  used an imputed value there); it is never called a strength or a weakness. Peers' missing
  values are simply left out.
* **Strength**: percentile >= 75 (top quarter of the peers); **weakness**: percentile <= 25
  (bottom quarter). Symmetric quartiles, so "strong" and "weak" are equally demanding.
* **Pattern** (what the sentence of :mod:`aigap.present.text` says), by the pillars: strong in A
  but weak in B (``mixed``); strong across the board (``strong_across``: no weak pillar and
  every pillar at or above the peer median, at least one in the top quarter); strong in A with
  no weak pillar (``strong_only``); no clear strengths, weak in B (``weak_only``); weak across
  the board (``weak_across``: every pillar weak); no clear strengths or weaknesses (``middle``:
  every pillar between the quartiles); above the median everywhere but strong nowhere
  (``even_above``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from aigap.errors import AigapError
from aigap.i18n import pillar_name
from aigap.index import IndexResult
from aigap.index.pipeline import build_latest
from aigap.jsonsafe import json_safe

STRONG = 75.0  # percentile at or above which a pillar/indicator is a strength
WEAK = 25.0  # percentile at or below which it is a weakness

Pattern = Literal["mixed", "strong_across", "strong_only", "even_above", "weak_only",
                  "weak_across", "middle", "no_data"]


class ProfileError(AigapError):
    """A profile cannot be computed (unit not in the index, no peers, ...)."""


# --------------------------------------------------------------------------- names


@cache
def country_names() -> tuple[dict[str, str], dict[str, str]]:
    """(English, Korean) country names by ISO3, without opening the warehouse."""
    from aigap.data.countries import country_table

    t = country_table()
    return dict(zip(t["iso3"], t["name_en"], strict=True)), \
        dict(zip(t["iso3"], t["name_ko"], strict=True))


def node_names(result: IndexResult, code: str) -> tuple[str, str]:
    """(English, Korean) name of an indicator or aggregate of ``result``."""
    fw = result.framework
    if code in fw.indicators:
        from aigap.data.catalogue import catalogue

        cat = catalogue().get(code)
        own = fw.names.get(code, code)
        en = own if own != code or cat is None else cat.name_en
        ko = cat.name_ko if cat is not None and cat.name_ko else en
        return en, ko
    en = fw.names.get(code, code)
    return en, pillar_name(code, "ko", pillar_name(en, "ko", en))


def resolve_peers(peers: str | Sequence[str]) -> tuple[str, list[str]]:
    """(label, members) of a named group or a custom list ("KOR,JPN" or ["KOR", "JPN"])."""
    from aigap.data.countries import GROUPS, check_iso3, group_members

    if isinstance(peers, str):
        key = peers.strip().upper().replace("-", "")
        if key in (*GROUPS, "EU"):
            label = "EU27" if key == "EU" else key
            return label, group_members(label)
        parts = [p.strip() for p in re.split(r"[,;\s]+", peers) if p.strip()]
        if len(parts) == 1:  # one word: a group name (a typo of one) or a single country
            try:
                return "custom", check_iso3(parts)
            except AigapError:
                raise ProfileError(f"unknown peer group {peers!r}; use one of "
                                   f"{', '.join(GROUPS)} or ISO3 codes such as JPN,DEU,TWN"
                                   ) from None
        peers = parts
    members = sorted(set(check_iso3(list(peers))))
    if not members:
        raise ProfileError("the custom peer group is empty")
    return "custom", members


def result_for(spec: str | object, result: IndexResult | None) -> IndexResult:
    """The index build to analyse: ``result`` if given, else ``build_index(spec)``
    (latest year of a panel)."""
    if result is not None:
        return result
    return build_latest(spec)  # type: ignore[arg-type]


def check_unit(result: IndexResult, unit: str) -> str:
    """``unit`` as it appears in the index, or a one-line error naming the problem."""
    idx = result.scores.index
    for cand in (unit, unit.strip().upper()):
        if cand in idx:
            return cand
    from aigap.data.countries import check_iso3

    if re.fullmatch(r"[A-Za-z]{3}", unit.strip()):
        check_iso3([unit])  # unknown code: "unknown country code(s) ..."
    raise ProfileError(f"{unit.strip().upper()} is not in the {result.spec.name} index "
                       f"({len(idx)} units, e.g. {', '.join(map(str, idx[:5]))})")


# --------------------------------------------------------------------------- percentiles


def percentile_among(value: float, peers: np.ndarray | Sequence[float],
                     direction: int = 1) -> tuple[float, int, int]:
    """(percentile, rank, n) of ``value`` among ``peers`` (NaN peers skipped).

    percentile = 100 x share of peers beaten or tied; rank = 1 + peers strictly better;
    n = peers with data + 1. Percentile and rank are NaN/0 when ``value`` is NaN; the
    percentile is NaN when no peer has data.
    """
    p = np.asarray(peers, dtype=float)
    p = p[~np.isnan(p)] * direction
    n = int(p.size) + 1
    if value is None or math.isnan(value):
        return float("nan"), 0, n
    v = value * direction
    rank = 1 + int(np.sum(p > v))
    pct = float("nan") if p.size == 0 else 100.0 * float(np.sum(p <= v)) / p.size
    return pct, rank, n


def status_of(pct: float, strong: float = STRONG, weak: float = WEAK) -> str:
    """'strength', 'weakness' or '' for a percentile (NaN -> '')."""
    if math.isnan(pct):
        return ""
    if pct >= strong:
        return "strength"
    if pct <= weak:
        return "weakness"
    return ""


def classify(pcts: dict[str, float], strong: float = STRONG, weak: float = WEAK) -> Pattern:
    """The pillar pattern the sentence describes (see the module docstring)."""
    vals = [v for v in pcts.values() if not math.isnan(v)]
    if not vals:
        return "no_data"
    s = [v for v in vals if v >= strong]
    w = [v for v in vals if v <= weak]
    if s and w:
        return "mixed"
    if s:
        return "strong_across" if min(vals) >= 50.0 else "strong_only"
    if w:
        return "weak_across" if len(w) == len(vals) else "weak_only"
    return "even_above" if min(vals) >= 50.0 else "middle"


# --------------------------------------------------------------------------- the result


@dataclass
class Profile:
    """A unit's standing among its peers (its sentence: ``aigap.present.sentence``)."""

    unit: str
    spec: str
    year: int | None
    group: str  # OECD, G7, G20, EU27, ASEAN or "custom"
    members: list[str]
    unit_is_member: bool
    pillars: pd.DataFrame  # code, name, name_ko, score, peer_median, percentile, rank, n, status
    indicators: pd.DataFrame  # + pillar, value (raw), direction, imputed
    strengths: list[str]  # pillar codes, strongest first
    weaknesses: list[str]  # pillar codes, weakest first
    indicator_strengths: list[str]
    indicator_weaknesses: list[str]
    pattern: Pattern
    peers_without_data: list[str]  # members with no pillar score (not in the index)
    unit_name_en: str
    unit_name_ko: str
    strong: float = STRONG
    weak: float = WEAK
    scores: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # all units x pillars

    def to_frame(self) -> pd.DataFrame:
        """Pillars then indicators, one row each: level, code, name, name_ko, pillar, value,
        peer_median, percentile, rank, n, status, imputed."""
        p = self.pillars.assign(level="pillar", pillar=self.pillars["code"], imputed=False,
                                value=self.pillars["score"])
        i = self.indicators.assign(level="indicator")
        cols = ["level", "code", "name", "name_ko", "pillar", "value", "peer_median",
                "percentile", "rank", "n", "status", "imputed"]
        return pd.concat([p[cols], i[cols]], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "unit": self.unit, "spec": self.spec, "year": self.year, "group": self.group,
            "members": self.members, "unit_is_member": self.unit_is_member,
            "unit_name_en": self.unit_name_en, "unit_name_ko": self.unit_name_ko,
            "thresholds": {"strong": self.strong, "weak": self.weak},
            "pattern": self.pattern, "strengths": self.strengths, "weaknesses": self.weaknesses,
            "indicator_strengths": self.indicator_strengths,
            "indicator_weaknesses": self.indicator_weaknesses,
            "peers_without_data": self.peers_without_data,
            "pillars": self.pillars, "indicators": self.indicators,
        })


def profile(spec: str | object, unit: str, *, peers: str | Sequence[str] = "OECD",
            result: IndexResult | None = None, strong: float = STRONG,
            weak: float = WEAK) -> Profile:
    """Percentiles of ``unit`` among ``peers`` on every pillar and indicator of an index.

    ``result``: an existing build (else ``build_index(spec)``, latest year of a panel).
    """
    if not 0 <= weak < strong <= 100:
        raise ProfileError(f"thresholds need 0 <= weak < strong <= 100 (got {weak}, {strong})")
    res = result_for(spec, result)
    u = check_unit(res, unit)
    label, members = resolve_peers(peers)
    return profile_from_result(res, u, label, members, strong=strong, weak=weak)


def profile_from_result(res: IndexResult, unit: str, group: str, members: Sequence[str], *,
                        strong: float = STRONG, weak: float = WEAK) -> Profile:
    """Pure core of :func:`profile` on a built index and a resolved peer group."""
    fw = res.framework
    peers = [m for m in members if m != unit]
    if not peers:
        raise ProfileError(f"the peer group has no member other than {unit}")
    pillar_codes = fw.at_level(2)
    scores = res.scores[pillar_codes]
    raw = res.dataset("Raw")
    have_scores = [p for p in peers if p in scores.index]

    prow = []
    for code in pillar_codes:
        peer_vals = scores.loc[have_scores, code].to_numpy(dtype=float)
        value = float(scores.at[unit, code])
        pct, rank, n = percentile_among(value, peer_vals)
        en, ko = node_names(res, code)
        prow.append({"code": code, "name": en, "name_ko": ko, "score": value,
                     "peer_median": _median(peer_vals), "percentile": pct, "rank": rank,
                     "n": n, "status": status_of(pct, strong, weak)})
    pillars = pd.DataFrame(prow)

    irow = []
    raw_peers = [p for p in peers if p in raw.index]
    for code in fw.indicators:
        d = int(fw.direction[code])
        value = float(raw.at[unit, code]) if unit in raw.index else float("nan")
        peer_vals = raw.loc[raw_peers, code].to_numpy(dtype=float)
        pct, rank, n = percentile_among(value, peer_vals, d)
        en, ko = node_names(res, code)
        irow.append({"code": code, "name": en, "name_ko": ko, "pillar": fw.path(code)[0]
                     if fw.path(code) else "", "value": value, "direction": d,
                     "peer_median": _median(peer_vals), "percentile": pct, "rank": rank,
                     "n": n, "status": status_of(pct, strong, weak),
                     "imputed": bool(math.isnan(value))})
    indicators = pd.DataFrame(irow)

    def ordered(df: pd.DataFrame, status: str, best_first: bool) -> list[str]:
        sub = df[df["status"] == status].sort_values("percentile", ascending=not best_first,
                                                     kind="stable")
        return list(sub["code"])

    names_en, names_ko = country_names()
    uname_en = res.unit_names.get(unit) or names_en.get(unit, unit)
    uname_ko = names_ko.get(unit, uname_en)
    # a zero-weight pillar (aigap's Enablers) is shown but does not count: no strength/weakness
    counted = pillars[[fw.weight.get(c, 1.0) > 0 for c in pillars["code"]]]
    pcts = dict(zip(counted["code"], counted["percentile"], strict=True))
    return Profile(
        unit=unit, spec=res.spec.name, year=res.year, group=group, members=sorted(members),
        unit_is_member=unit in members, pillars=pillars, indicators=indicators,
        strengths=ordered(counted, "strength", True),
        weaknesses=ordered(counted, "weakness", False),
        indicator_strengths=ordered(indicators, "strength", True),
        indicator_weaknesses=ordered(indicators, "weakness", False),
        pattern=classify(pcts, strong, weak),
        peers_without_data=[p for p in peers if p not in have_scores],
        unit_name_en=uname_en, unit_name_ko=uname_ko, strong=strong, weak=weak,
        scores=scores.copy(),
    )


def _median(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(np.median(x)) if x.size else float("nan")
