"""Sentences of rank acceptability (SMAA) and attainable rank ranges."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aigap.analysis.uncertainty.acceptability import AcceptabilityResult
from aigap.analysis.uncertainty.rank_range import RankRangeResult
from aigap.analysis.uncertainty.weightspace import WeightSpace
from aigap.i18n import has, pillar_name, t
from aigap.present.names import local_name
from aigap.present.text._dispatch import sentence


def level_text(space: WeightSpace, lang: str) -> str:
    """'pillar weights' / '기둥 가중치' (the level whose weights vary)."""
    key = f"acceptability.level.{space.level}"
    return t(key, lang) if has(key, lang) else t("acceptability.level.other", lang,
                                                 level=space.level)


def bounds_text(space: WeightSpace, lang: str) -> str:
    """' within the stated bounds' when bounds or preferences cut the simplex, else ''."""
    cut = bool(space.order) or bool((space.lo > 0).any() or (space.hi < 1).any())
    return t("acceptability.bounds", lang) if cut else ""


def weights_text(space: WeightSpace, w: np.ndarray, lang: str) -> str:
    """'Talent 0.55, Research 0.24, ...' in the language's pillar names."""
    return ", ".join(t("acceptability.weight", lang, name=pillar_name(c, lang), w=float(x))
                     for c, x in zip(space.codes, w, strict=True))


def _default_unit(units: Sequence[str], first: str) -> str:
    return "KOR" if "KOR" in units else first


@sentence.register
def _acceptability(res: AcceptabilityResult, lang: str = "en", unit: str | None = None,
                   vs: Sequence[str] = ()) -> str:
    """P(first), P(top k), expected rank, best rank with its central weights and confidence;
    then P(unit above each of ``vs``)."""
    u = res.unit(unit) if unit else _default_unit(res.units, str(res.to_frame().index[0]))
    i = res.units.index(u)
    name = local_name(u, lang, res.names[i])
    if res.central_rank[i] == 0:
        return t("acceptability.never", lang, name=name, unit=u)
    out = t("acceptability.sentence", lang, n=res.n_ok, level=level_text(res.space, lang),
            bounds=bounds_text(res.space, lang), name=name, unit=u,
            p1=float(res.p_top(1).iloc[i]), k=res.k, pk=float(res.p_top(res.k).iloc[i]),
            mean=float(res.expected_rank().iloc[i]), best=int(res.central_rank[i]),
            weights=weights_text(res.space, res.central[i], lang),
            cf=float(res.confidence[i]))
    for o in vs:
        ov = res.unit(o)
        out += t("acceptability.above", lang, name=name,
                 other=local_name(ov, lang, res.names[res.units.index(ov)]),
                 p=res.p_above(u, ov))
    return out


@sentence.register
def _rank_range(res: RankRangeResult, lang: str = "en") -> str:
    """The range, and whether some admissible weighting reaches the top k (with weights)."""
    key = "rank_range.sentence" if res.exact else "rank_range.inexact"
    out = t(key, lang, level=level_text(res.space, lang), bounds=bounds_text(res.space, lang),
            name=local_name(res.unit, lang, res.unit_name), unit=res.unit, best=res.best_rank,
            worst=res.worst_rank, n=res.n_units, nominal=res.nominal_rank)
    if res.attainable:
        return out + t("rank_range.reachable", lang, k=res.k,
                       weights=weights_text(res.space, res.best_weights, lang))
    return out + (t("rank_range.unreachable", lang, k=res.k) if res.exact else "")
