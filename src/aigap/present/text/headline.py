"""Sentences of the AI top-3 headline (:class:`~aigap.analysis.uncertainty.structural.Headline`),
from the catalogue's ``report.ai3`` keys: the report's first section and the dashboard's panel
say the same words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aigap.analysis.uncertainty.structural import HEADLINE_BOUNDS, Headline
from aigap.i18n import t
from aigap.present.text._dispatch import sentence
from aigap.present.text.uncertainty import weights_text


def _t(key: str, lang: str, **fields: Any) -> str:
    return t(f"report.{key}", lang, **fields)


def headline_parts(h: Headline, lang: str = "en", *, name: str = "",
                   indicator_name: Callable[[str], str] | None = None) -> dict[str, list[str]]:
    """The headline's sentences in ``lang`` by part (lead, full, driver, range, smaa,
    reconcile, decompositions): each number, then its assumptions in one line. ``name``: the
    unit in ``lang``; ``indicator_name``: code -> name in ``lang``."""
    name = name or h.unit
    label = indicator_name or (lambda c: c)
    info, rr, row = h.full_info, h.rank_range, h.row
    what = ", ".join(label(c) for c in info.series)
    edition = {"intensity edition": "edition_own", "population": "edition_pop"}.get(
        info.edition_source, "edition_none")
    lo, hi = HEADLINE_BOUNDS
    reach = (_t("ai3.reachable", lang, weights=weights_text(rr.space, rr.best_weights, lang))
             if rr.attainable else _t("ai3.unreachable", lang, name=name))
    parts = {
        "lead": [_t("ai3.lead", lang, name=name, rank=h.nominal_rank, n=h.n_units,
                    spec=h.spec)],
        "full": [_t("ai3.full", lang, name=name, p=h.p_top3, runs=h.full.n - h.full.n_failed,
                    median=row["median_rank"], lo=row["rank_p05"], hi=row["rank_p95"]),
                 _t("ai3.full_how", lang, ind=len(info.leave_out.get(1, [])),
                    pil=len(info.leave_out.get(2, [])), heavy=info.heavy_threshold,
                    series=(_t("ai3.series_some", lang, what=what) if info.series
                            else _t("ai3.series_none", lang)),
                    edition=_t(f"ai3.{edition}", lang))],
        "driver": [] if h.driver is None else [
            _t("ai3.driver", lang, name=name, s1=h.driver["S1"], st=h.driver["ST"],
               dimension=t(f"structural.dimension.{h.driver['dimension']}", lang))],
        "range": [_t("ai3.range", lang, name=name, lo=lo, hi=hi, best=rr.best_rank,
                     worst=rr.worst_rank) + reach,
                  _t("ai3.range_how", lang, pillars=rr.space.c - len(h.zero_pillars), lo=lo,
                     hi=hi, method=_t("ai3.exact" if rr.exact else "ai3.inexact", lang))],
        "smaa": [_t("ai3.smaa", lang, name=name, p=h.smaa_p_top3),
                 _t("ai3.smaa_how", lang, n=h.smaa.n)],
        "reconcile": [_t("ai3.reconcile", lang, summary=sentence(h.reconcile, lang)),
                      _t("ai3.reconcile_how", lang)],
        "decompositions": [],
    }
    for d in h.decompositions:
        a, b = d.titles.get(lang, (d.a, d.b))
        parts["decompositions"] += [sentence(d, lang, who=name),
                                    _t("ai3.decompose_how", lang, a=a, b=b)]
    return parts


def headline_lines(h: Headline, lang: str = "en", **names: Any) -> list[str]:
    """Every sentence of :func:`headline_parts`, in order (the report's paragraphs)."""
    return [line for part in headline_parts(h, lang, **names).values() for line in part]


@sentence.register
def _headline(res: Headline, lang: str = "en", who: str = "") -> str:
    """The three numbers: P(top 3) under the full uncertainty, the attainable range, SMAA."""
    parts = headline_parts(res, lang, name=who)
    return " ".join(parts[k][0] for k in ("full", "range", "smaa"))
