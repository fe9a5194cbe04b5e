"""Sentences of the index reconciliation (``aigap reconcile``), from the catalogue."""

from __future__ import annotations

import pandas as pd

from aigap.analysis.diagnosis.reconcile import RankDifference, Reconciliation, main_driver
from aigap.i18n import join, t
from aigap.present.text._dispatch import sentence


def dimension_name(group: tuple[str, ...] | list[str], lang: str = "en") -> str:
    """A design dimension (or a merged group of them) in ``lang``."""
    return join([t(f"reconcile.dimension.{d}", lang) for d in group], lang)


@sentence.register
def _reconciliation(res: Reconciliation, lang: str = "en") -> str:
    rows = res.rows
    if rows.empty:
        return ""
    best, worst = res.spread
    kinds = rows["kind"].value_counts()
    return t("reconcile.summary", lang, who=res.unit_names.get(lang, res.unit), best=best,
             worst=worst, n=len(rows), pub=int(kinds.get("published", 0)),
             rec=int(kinds.get("recomputed", 0)), own=int(kinds.get("aigap", 0)))


@sentence.register
def _rank_difference(res: RankDifference, lang: str = "en", who: str = "") -> str:
    who = who or res.unit
    s, e = res.start, res.end
    a, b = res.titles.get(lang, (res.a, res.b))
    common = {"who": who, "a": a, "b": b, "ra": s.rank, "na": s.of_n, "rb": e.rank,
              "nb": e.of_n}
    if s.rank == e.rank:
        return t("reconcile.same", lang, who=who, a=a, b=b, rank=s.rank)
    g = main_driver(res)
    if g is None:
        return t("reconcile.nodriver", lang, **common)
    key = "reconcile.lower" if e.rank > s.rank else "reconcile.higher"
    return t(key, lang, places=abs(e.rank - s.rank), dim=dimension_name(res.groups[g], lang),
             c=res.rank_contributions[g], **common)


def difference_frame(res: RankDifference, lang: str = "en") -> pd.DataFrame:
    """The contributions table with labels in ``lang``."""
    frame = res.to_frame()
    frame["dimension"] = [dimension_name(g, lang) for g in res.groups]
    return frame.rename(columns={c: t(f"reconcile.columns.{c}", lang) for c in frame.columns})


def difference_notes(res: RankDifference, lang: str = "en") -> list[str]:
    """What was switched together, and why."""
    out = []
    if res.weights_with_tree:
        out.append(t("reconcile.weights_with_tree", lang))
    out += [t("reconcile.merged", lang, what=dimension_name(g, lang)) for g in res.merged]
    return out
