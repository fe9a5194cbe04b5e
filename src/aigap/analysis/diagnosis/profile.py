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
* **Sentence** (one, in English and Korean), by the pillar pattern: strong in A but weak in B
  (``mixed``); strong across the board (``strong_across``: no weak pillar and every pillar
  at or above the peer median, at least one in the top quarter); strong in A with no weak
  pillar (``strong_only``); no clear strengths, weak in B (``weak_only``); weak across the
  board (``weak_across``: every pillar weak); no clear strengths or weaknesses (``middle``:
  every pillar between the quartiles); above the median everywhere but strong nowhere
  (``even_above``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from aigap.errors import AigapError
from aigap.i18n.korean import join_en, join_ko, topic, with_
from aigap.index import IndexResult
from aigap.index.pipeline import build_latest

if TYPE_CHECKING:
    pass

STRONG = 75.0  # percentile at or above which a pillar/indicator is a strength
WEAK = 25.0  # percentile at or below which it is a weakness

# Short, natural Korean names of the aigap pillars (a policy reader says 인재, not 인재 역량 부문).
PILLAR_KO = {
    "Talent": "인재", "Research": "연구", "Investment & Commercial": "투자·상업화",
    "Infrastructure & Compute": "인프라·컴퓨팅", "Government & Policy": "정부·정책",
    "Index": "종합지수",
}
GROUP_EN = {"OECD": "OECD members", "G7": "G7 members", "G20": "G20 members",
            "EU27": "EU members", "ASEAN": "ASEAN members"}
GROUP_KO = {"OECD": "OECD 회원국", "G7": "G7 국가", "G20": "G20 국가", "EU27": "EU 회원국",
            "ASEAN": "아세안 회원국"}

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


def the(name: str) -> str:
    """English country names that take an article: the United States, the Netherlands."""
    plural_or_union = ("United ", "Netherlands", "Philippines", "Czech Republic", "Republic of",
                       "Bahamas", "Gambia", "Maldives")
    return f"the {name}" if name.startswith(plural_or_union) else name


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
    return en, PILLAR_KO.get(code, PILLAR_KO.get(en, en))


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
    """A unit's standing among its peers, with the sentence that sums it up."""

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
    sentence_en: str = ""
    sentence_ko: str = ""
    strong: float = STRONG
    weak: float = WEAK
    scores: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # all units x pillars

    def sentence(self, lang: str = "en") -> str:
        return self.sentence_ko if lang == "ko" else self.sentence_en

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
        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            return df.astype(object).where(df.notna(), None).to_dict(orient="records")

        return {
            "unit": self.unit, "spec": self.spec, "year": self.year, "group": self.group,
            "members": self.members, "unit_is_member": self.unit_is_member,
            "unit_name_en": self.unit_name_en, "unit_name_ko": self.unit_name_ko,
            "thresholds": {"strong": self.strong, "weak": self.weak},
            "pattern": self.pattern, "strengths": self.strengths, "weaknesses": self.weaknesses,
            "indicator_strengths": self.indicator_strengths,
            "indicator_weaknesses": self.indicator_weaknesses,
            "peers_without_data": self.peers_without_data,
            "sentence_en": self.sentence_en, "sentence_ko": self.sentence_ko,
            "pillars": recs(self.pillars), "indicators": recs(self.indicators),
        }


def profile(unit: str, spec: str | object = "aigap", peers: str | Sequence[str] = "OECD",
            result: IndexResult | None = None, *, strong: float = STRONG,
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
    pcts = dict(zip(pillars["code"], pillars["percentile"], strict=True))
    prof = Profile(
        unit=unit, spec=res.spec.name, year=res.year, group=group, members=sorted(members),
        unit_is_member=unit in members, pillars=pillars, indicators=indicators,
        strengths=ordered(pillars, "strength", True),
        weaknesses=ordered(pillars, "weakness", False),
        indicator_strengths=ordered(indicators, "strength", True),
        indicator_weaknesses=ordered(indicators, "weakness", False),
        pattern=classify(pcts, strong, weak),
        peers_without_data=[p for p in peers if p not in have_scores],
        unit_name_en=uname_en, unit_name_ko=uname_ko, strong=strong, weak=weak,
        scores=scores.copy(),
    )
    prof.sentence_en = sentence_en(prof)
    prof.sentence_ko = sentence_ko(prof)
    return prof


def _median(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(np.median(x)) if x.size else float("nan")


# --------------------------------------------------------------------------- sentences


def _named_peers(p: Profile) -> list[str]:
    # A custom group is named by the peers actually compared: naming one without data would
    # claim a comparison that was not made.
    return [m for m in p.members if m != p.unit and m not in p.peers_without_data]


def group_en(p: Profile) -> str:
    if p.group != "custom":
        return GROUP_EN.get(p.group, f"{p.group} members")
    names_en = country_names()[0]
    peers = _named_peers(p)
    if len(peers) <= 5:
        return join_en([the(names_en.get(m, m)) for m in peers])
    return f"the {len(peers)} chosen peers"


def group_ko(p: Profile) -> str:
    if p.group != "custom":
        return GROUP_KO.get(p.group, f"{p.group} 회원국")
    names_ko = country_names()[1]
    peers = _named_peers(p)
    if len(peers) <= 5:
        return "·".join(names_ko.get(m, m) for m in peers)
    return f"지정한 비교국 {len(peers)}개국"


def group_phrase(p: Profile, lang: str = "en") -> str:
    """How the sentences name the peers: "OECD members", "독일·일본·미국", ..."""
    return group_ko(p) if lang == "ko" else group_en(p)


def _pillar_names(p: Profile, codes: list[str], lang: str) -> list[str]:
    col = "name_ko" if lang == "ko" else "name"
    lookup = dict(zip(p.pillars["code"], p.pillars[col], strict=True))
    return [lookup[c] for c in codes]


def sentence_en(p: Profile) -> str:
    """One English sentence on the pillar pattern, true to the percentiles."""
    who, grp = the(p.unit_name_en), group_en(p)
    s = join_en(_pillar_names(p, p.strengths, "en"))
    w = join_en(_pillar_names(p, p.weaknesses, "en"))
    lead = f"Compared with {grp}, {who}"
    q = f"top quarter (percentile >= {p.strong:g})"
    match p.pattern:
        case "mixed":
            return f"{lead} is strong in {s} but weak in {w}."
        case "strong_across":
            if len(p.strengths) == len(p.pillars):
                return f"{lead} is strong across the board, in the {q} in every pillar."
            return (f"{lead} is strong across the board: at or above the peer median in every "
                    f"pillar and strongest in {s}.")
        case "strong_only":
            low = _lowest(p, "en")
            return f"{lead} is strong in {s} and weak in no pillar (its lowest is {low})."
        case "even_above":
            return (f"{lead} is at or above the peer median in every pillar but has no clear "
                    f"strength (none in the {q}).")
        case "weak_only":
            return f"{lead} has no clear strength and is weak in {w}."
        case "weak_across":
            return f"{lead} is weak across the board, in the bottom quarter in every pillar."
        case "middle":
            return (f"{lead} has no clear strength or weakness: every pillar is between the "
                    f"{p.weak:g}th and {p.strong:g}th percentile.")
    return f"{who} cannot be compared with {grp}: no peer has data."


def sentence_ko(p: Profile) -> str:
    """One Korean sentence on the pillar pattern (합니다체, like the rest of aigap's Korean)."""
    who, grp = p.unit_name_ko, group_ko(p)
    s = join_ko(_pillar_names(p, p.strengths, "ko"))
    w = join_ko(_pillar_names(p, p.weaknesses, "ko"))
    lead = f"{with_(grp)} 비교하면 {topic(who)}"
    match p.pattern:
        case "mixed":
            return f"{lead} {s} 부문에서 강하지만 {w} 부문에서는 뒤처집니다."
        case "strong_across":
            if len(p.strengths) == len(p.pillars):
                return f"{lead} 모든 부문에서 상위 25% 안에 들어 전반적으로 강합니다."
            return (f"{lead} 모든 부문에서 중앙값 이상으로 전반적으로 강하며, 특히 {s} 부문이 "
                    "두드러집니다.")
        case "strong_only":
            low = _lowest(p, "ko")
            return (f"{lead} {s} 부문에서 강하고, 뚜렷하게 뒤처지는 부문은 없습니다"
                    f"(가장 낮은 부문은 {low}).")
        case "even_above":
            return f"{lead} 모든 부문에서 중앙값 이상이지만 두드러진 강점은 없습니다."
        case "weak_only":
            return f"{lead} 뚜렷한 강점 없이 {w} 부문에서 뒤처집니다."
        case "weak_across":
            return f"{lead} 모든 부문에서 하위 25%에 머물러 전반적으로 뒤처집니다."
        case "middle":
            return (f"{lead} 모든 부문이 중간 수준(백분위 {p.weak:g}~{p.strong:g})으로 뚜렷한 "
                    "강점도 약점도 없습니다.")
    return f"{grp} 가운데 데이터가 있는 나라가 없어 {topic(who)} 비교할 수 없습니다."


def _lowest(p: Profile, lang: str) -> str:
    row = p.pillars.dropna(subset=["percentile"]).sort_values("percentile").iloc[0]
    pct = f"{row['percentile']:.0f}"
    if lang == "ko":
        return f"{row['name_ko']}, 백분위 {pct}"
    return f"{row['name']}, percentile {pct}"
