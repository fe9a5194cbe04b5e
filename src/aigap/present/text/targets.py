"""Sentences of what-it-takes and scenarios: the cheapest moves, and the projected odds."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from aigap.analysis.targets.scenarios import ScenarioResult
from aigap.analysis.targets.what_it_takes import TargetResult
from aigap.i18n import t
from aigap.present.names import local_name
from aigap.present.text._dispatch import document, sentence


def move_text(r: pd.Series, lang: str = "en") -> str:
    """One move: 'GDP growth from 2.61 bn to 3.10 bn (+19%)' / 'GDP 성장 26.1억 → 31.0억 (+19%)'."""
    pct = "" if not np.isfinite(r["change_pct"]) else t("targets.move_pct", lang,
                                                        pct=r["change_pct"])
    return t("targets.move", lang, name=local_name(r["indicator"], lang, str(r["name"]),
                                                   "indicator"),
             imputed=t("targets.imputed", lang) if r["imputed"] else "",
             start=r["raw_from"], end=r["raw_to"], pct=pct)


@sentence.register
def _targets(res: TargetResult, lang: str = "en", max_moves: int = 4) -> str:
    """One plain sentence with the largest moves first."""
    name = local_name(res.unit, lang, res.unit_name)
    who = t("targets.who", lang, name=name, unit=res.unit) if name != res.unit else res.unit
    if res.current_rank <= res.rank:
        return t("targets.already", lang, who=who, now=res.current_rank, rank=res.rank)
    if not res.feasible:
        return t("targets.infeasible", lang, who=who, rank=res.rank, max=res.max_score,
                 short=res.shortfall, target=res.target_score, best=res.best_rank,
                 now=res.current_rank)
    moves = t("targets.move_sep", lang).join(
        move_text(r, lang) for _, r in res.moves.head(max_moves).iterrows())
    more = t("targets.more", lang, k=len(res.moves) - max_moves) \
        if len(res.moves) > max_moves else ""
    return t("targets.sentence", lang, who=who, rank=res.rank, now=res.current_rank,
             moves=moves, more=more, score=res.current_score, new=res.new_score,
             new_rank=res.new_rank)


def _int(v: Any) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{int(v)}"


@sentence.register
def _scenario(res: ScenarioResult, lang: str = "en", unit: str = "KOR") -> str:
    """P(unit in the top k by the target year), its median projected rank and interval."""
    r = res.row(unit)
    u = str(r.name)
    wi = t("scenario.what_if", lang, what_if=", ".join(map(str, res.what_if))) \
        if res.what_if else ""
    return t("scenario.sentence", lang, unit=u, name=local_name(u, lang, str(r["name"])),
             k=res.k, to=res.to, what_if=wi, p=float(r[res.p_col]), median=r["median_rank"],
             lo=r["rank_p05"], hi=r["rank_p95"], now=_int(r["current_rank"]))


@document.register
def _scenario_doc(res: ScenarioResult) -> dict[str, Any]:
    return res.to_dict()  # the sentence needs a unit: the caller adds it
