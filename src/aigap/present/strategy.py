"""Plotly figures and report sections (data, figures, ko/en sentences) for the strategy analyses.

Each ``*_section(wh, unit, lang)`` returns a plain dict the HTML report renders::

    {"id", "title", "figures": [plotly Figure], "tables": {name: records},
     "text": {"ko": [sentences], "en": [sentences]}, "notes": [...], "provenance": {...}}

Figure labels follow ``lang``; the sentences come in every catalogue language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from aigap.analysis.strategy.frontier import FrontierLagResult, frontier_lag_from_warehouse
from aigap.analysis.strategy.niche import NicheResult, niche_from_warehouse
from aigap.analysis.strategy.partners import PartnerResult, partners_from_warehouse
from aigap.i18n import languages, t
from aigap.present.names import column
from aigap.present.text.strategy import (
    _T,
    _name,
    domain_name,
    frontier_text,
    metric_label,
    niche_text,
    partners_text,
    trend_verdict,
)
from aigap.present.theme import TEMPLATE

__all__ = ["domain_name", "frontier_text", "metric_label", "niche_text", "partners_text",
           "trend_verdict"]


# --- figures -------------------------------------------------------------------------------
def frontier_figure(res: FrontierLagResult, lang: str = "en",
                    names: dict[str, str] | None = None) -> go.Figure:
    """Lag over time per comparator; bootstrap intervals as error bars, bounds as open marks."""
    names = names or {}
    fig = go.Figure()
    for comp, g in res.lags.groupby("comparator", sort=False):
        g = g[g["lag_years"].notna()]
        label = _name(str(comp), names, lang)
        exact = g[g["bound"].eq("")]
        fig.add_trace(go.Scatter(
            x=exact["ref_date"], y=exact["lag_years"], mode="lines+markers", name=label,
            legendgroup=label,
            error_y={"type": "data", "symmetric": False,
                     "array": (exact["hi"] - exact["lag_years"]).clip(lower=0),
                     "arrayminus": (exact["lag_years"] - exact["lo"]).clip(lower=0)},
            marker={"size": 9},
        ))
        # Bounds are drawn unjoined: a line through "at least x years" would read as the
        # lag itself shrinking. A bound of ~0 (the level was reached just before the cutoff
        # date, or never can be) says nothing and is left out.
        bounds = g[g["bound"].ne("") & (g["lag_years"] > 0.05)]
        fig.add_trace(go.Scatter(
            x=bounds["ref_date"], y=bounds["lag_years"], mode="markers", name=label,
            legendgroup=label, showlegend=False,
            marker={"symbol": np.where(bounds["bound"].eq(">="), "triangle-up-open",
                                       "triangle-down-open").tolist(), "size": 10},
        ))
    who = names.get(res.country, res.country)
    title = _T("frontier_title", lang, who=who, metric=metric_label(res.metric, lang))
    fig.update_layout(title=title, xaxis_title=_T("ref", lang), yaxis_title=_T("lag", lang),
                      legend_title_text="", template=TEMPLATE)
    fig.add_annotation(text="△ " + _T("censored", lang), xref="paper", yref="paper", x=0,
                       y=-0.18, showarrow=False, font={"size": 11})
    return fig


def niche_figure(res: NicheResult, lang: str = "en", names: dict[str, str] | None = None
                 ) -> go.Figure:
    """Symmetric RCA by Epoch domain (domains with a model) and by CETI technology."""
    names = names or {}
    d = res.domains[res.domains["count"] > 0].sort_values("rca_sym")
    small = _T("small", lang, n=res.min_count)
    fig = go.Figure(go.Bar(
        x=d["rca_sym"], y=[domain_name(x, lang) for x in d["domain"]], orientation="h",
        name="Epoch AI", marker_color=np.where(d["small_count"], "#b0b7c3", "#2f6db5").tolist(),
        text=[f"n={c}" + (f" ({small})" if s else "") for c, s in
              zip(d["count"], d["small_count"], strict=True)],  # n = papers
        textposition="outside"))
    if not res.technologies.empty:
        tech = res.technologies.sort_values("rca_sym")
        fig.add_trace(go.Bar(
            x=tech["rca_sym"], y=tech[column(tech.columns, "label", lang)], orientation="h",
            name="Belfer CETI (draft)", marker_color="#d9822b"))
    who = names.get(res.country, res.country)
    fig.update_layout(title=_T("niche_title", lang, who=who), xaxis_title=_T("rca_sym", lang),
                      xaxis_range=[-1.05, 1.05], barmode="group", template=TEMPLATE)
    return fig


def partners_figure(res: PartnerResult, lang: str = "en", names: dict[str, str] | None = None
                    ) -> go.Figure:
    """Stacked weighted parts of each partner's total (so the bar length is the total)."""
    names = names or {}
    tab = res.table.iloc[::-1]
    w = {"complementarity": res.weights.complementarity,
         "collaboration": res.weights.collaboration,
         "governance_similarity": res.weights.governance}
    avail = tab[list(w)].notna().mul(list(w.values())).sum(axis=1)
    fig = go.Figure()
    for part, wt in w.items():
        fig.add_trace(go.Bar(
            x=(tab[part].fillna(0) * wt / avail).to_numpy(),
            y=[names.get(p, p) for p in tab["partner"]], orientation="h",
            name=f"{_T(part, lang)} ({wt:g})"))
    who = names.get(res.country, res.country)
    fig.update_layout(title=_T("partners_title", lang, who=who), barmode="stack",
                      xaxis_title=_T("score", lang), xaxis_range=[0, 1], template=TEMPLATE)
    return fig


def _texts(wh: Any, build: Any, res: Any) -> dict[str, list[str]]:
    """The section's sentences in every catalogue language."""
    return {lang: build(res, wh.country_names(lang), lang) for lang in languages()}


# --- sections ------------------------------------------------------------------------------
def _records(df: Any) -> list[dict[str, Any]]:
    return df.astype(object).where(df.notna(), None).to_dict(orient="records")


def frontier_section(wh: Any, unit: str = "KOR", lang: str = "ko",
                     vs: Sequence[str] = ("USA", "CHN"), *, n_boot: int = 300,
                     vintage: str | None = None) -> dict[str, Any]:
    """Frontier-lag section for the report."""
    res = frontier_lag_from_warehouse(wh, unit, vs=vs, vintage=vintage, n_boot=n_boot)
    names = wh.country_names(lang)
    return {"id": "frontier_lag", "title": t("strategy.frontier.title", lang),
            "figures": [frontier_figure(res, lang, names)],
            "tables": {"lags": _records(res.lags), "trends": _records(res.trends),
                       "points": _records(res.points), "counts": _records(res.counts),
                       "records": _records(res.records),
                       "multinational": _records(res.multinational)},
            "text": _texts(wh, frontier_text, res), "notes": res.notes,
            "provenance": res.provenance}


def niche_section(wh: Any, unit: str = "KOR", lang: str = "ko", *,
                  vintage: str | None = None) -> dict[str, Any]:
    """Niche-specialisation section for the report."""
    res = niche_from_warehouse(wh, unit, vintage=vintage)
    return {"id": "niche", "title": t("strategy.niche.title", lang),
            "figures": [niche_figure(res, lang, wh.country_names(lang))],
            "tables": {"domains": _records(res.domains),
                       "technologies": _records(res.technologies)},
            "text": _texts(wh, niche_text, res), "notes": res.notes,
            "provenance": res.provenance}


def partners_section(wh: Any, unit: str = "KOR", lang: str = "ko", *, top: int = 10,
                     vintage: str | None = None, profile: Any = None,
                     pillar_source: str | None = None, result: Any = None) -> dict[str, Any]:
    """Partner-complementarity section for the report.

    The pillars are the default index's counted pillars (or those of ``result``, the report's
    own build, or a ``profile`` of units x pillars), so that "weak" means the same as in
    ``aigap profile``, ``aigap partners`` and the report's profile section.
    """
    kw = {"pillar_source": pillar_source} if pillar_source else {}
    res = partners_from_warehouse(wh, unit, vintage=vintage, profile=profile, result=result,
                                  top=top, **kw)
    return {"id": "partners", "title": t("strategy.partners.title", lang),
            "figures": [partners_figure(res, lang, wh.country_names(lang))],
            "tables": {"partners": _records(res.table), "weak_pillars": _records(res.weak)},
            "text": _texts(wh, partners_text, res), "notes": res.notes,
            "provenance": res.provenance}

