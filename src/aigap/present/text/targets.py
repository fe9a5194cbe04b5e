"""Sentences of what-it-takes and scenarios: the cheapest moves, and the projected odds."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aigap.analysis.targets.scenarios import MIN_POINTS, ScenarioResult
from aigap.analysis.targets.what_it_takes import TargetResult
from aigap.i18n import languages, t
from aigap.i18n.numbers import format_number
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


def _signed(v: float, lang: str) -> str:
    return ("+" if v >= 0 else "-") + format_number(abs(v), lang)


def move_abs_text(r: pd.Series, lang: str = "en") -> str:
    """One move in its absolute unit: 'Data centres from 43 to 116 (+73 data centres, +18% a
    year)'; a bounded score or signed estimate gets its change a year, never a percentage."""
    rate = ""
    if np.isfinite(r.get("per_year", np.nan)):
        rate = t("targets.rate_growth", lang, rate=r["per_year"]) \
            if r.get("per_year_kind") == "% a year" \
            else t("targets.rate_level", lang, rate=_signed(float(r["per_year"]), lang))
    change = r["change_abs"]
    unit = str(r.get("abs_unit_ko" if lang == "ko" else "abs_unit") or r.get("abs_unit") or "")
    if not np.isfinite(change):  # no denominator: the change in the indicator's own unit
        change, unit = r["raw_to"] - r["raw_today"], str(r.get("unit") or "")
    return t("targets.move_abs", lang, name=local_name(r["indicator"], lang, str(r["name"]),
                                                       "indicator"),
             start=r["raw_today"], end=r["raw_to"], change=_signed(float(change), lang),
             unit=unit, rate=rate)


@sentence.register
def _targets(res: TargetResult, lang: str = "en", max_moves: int = 4) -> str:
    """One plain sentence with the largest moves first."""
    name = local_name(res.unit, lang, res.unit_name)
    who = t("targets.who", lang, name=name, unit=res.unit) if name != res.unit else res.unit
    if res.current_rank <= res.rank:
        return t("targets.already", lang, who=who, now=res.current_rank, rank=res.rank)
    policy = "cost_usd" in res.moves.columns
    if res.by is not None and not res.feasible:
        binding = "; ".join(f"{local_name(o['option'], lang, str(o['name']), 'indicator')}: "
                            f"{o['bound']}" for _, o in res.options.iterrows()
                            if o.get("bound")) if len(res.options) else ""
        return t("targets.infeasible_by", lang, by=res.by, who=who, rank=res.rank,
                 best=res.best_rank, short=res.shortfall, binding=binding or "-")
    if policy and res.by is not None and len(res.moves):
        moves = t("targets.move_sep", lang).join(
            move_abs_text(r, lang) for _, r in res.moves.head(max_moves).iterrows())
        more = t("targets.more", lang, k=len(res.moves) - max_moves) \
            if len(res.moves) > max_moves else ""
        if not math.isfinite(res.cost_usd):  # no lever has a cost: no US$ total to state
            return t("targets.sentence_by_points", lang, by=res.by, who=who,
                     now=res.current_rank, rank=res.rank, moves=moves, more=more)
        return t("targets.sentence_by", lang, by=res.by, who=who, now=res.current_rank,
                 rank=res.rank, moves=moves, more=more, usd=res.cost_usd,
                 costs=Path(res.costs_file or "").name)
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
def _scenario(res: ScenarioResult, lang: str = "en", unit: str | None = None) -> str:
    """P(unit in the top k by the target year), its median projected rank and interval, what
    the projection assumed and how its top 10 fared in the backtest."""
    r = res.row(unit or res.unit)
    u = str(r.name)
    wi = t("scenario.what_if", lang, what_if=", ".join(map(str, res.what_if))) \
        if res.what_if else ""
    text = t("scenario.sentence", lang, unit=u, name=local_name(u, lang, str(r["name"])),
             k=res.k, to=res.to, what_if=wi, p=float(r[res.p_col]), median=r["median_rank"],
             lo=r["rank_p05"], hi=r["rank_p95"], now=_int(r["current_rank"]))
    return text + assumed_text(res, lang) + backtest_text(res, lang)


def assumed_text(res: ScenarioResult, lang: str = "en") -> str:
    """What the projection assumed: indicators held constant, methodology breaks."""
    a = res.assumptions
    if a.empty:
        return ""
    const = [local_name(c, lang, c, "indicator") for c in a.loc[a["editions"] <= 1, "indicator"]]
    few = [local_name(c, lang, c, "indicator") for c, e in zip(a["indicator"], a["editions"],
                                                                strict=True) if 1 < e < MIN_POINTS]
    breaks = [local_name(c, lang, c, "indicator")
              for c, f in zip(a["indicator"], a["flag"], strict=True)
              if "break" in f or "unit changes" in f]
    out = t("scenario.assumed_one", lang, const=", ".join(const)) if const else ""
    if few:
        out += t("scenario.assumed_few", lang, few=", ".join(few))
    if breaks:
        out += t("scenario.assumed_breaks", lang, breaks=", ".join(breaks))
    return out


def backtest_text(res: ScenarioResult, lang: str = "en") -> str:
    """How often the projected top 10 was right in the backtest."""
    bt = res.backtest
    if not bt:
        return ""
    if bt.get("overlap") is None:
        return t("scenario.no_backtest", lang, why=bt.get("note") or "-")
    return t("scenario.backtest", lang, runs=len(bt["runs"]), h=bt["horizon"], top=bt["top"],
             overlap=bt["overlap"], exact=bt["exact"])


@document.register
def _scenario_doc(res: ScenarioResult) -> dict[str, Any]:
    out = res.to_dict()
    if res.unit.upper() in set(res.table["unit"].str.upper()):
        for lang in languages():
            out[f"sentence_{lang}"] = sentence(res, lang)
    return out
