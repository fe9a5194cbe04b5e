"""Plotly figures and report sections (data, figures, ko/en sentences) for the strategy analyses.

Each ``*_section(wh, unit, lang)`` returns a plain dict the HTML report renders::

    {"id", "title", "figures": [plotly Figure], "tables": {name: records},
     "text": {"ko": [sentences], "en": [sentences]}, "notes": [...], "provenance": {...}}

Figure labels follow ``lang``; the sentences come in every catalogue language.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from aigap.analysis.strategy.frontier import (
    WORLD,
    FrontierLagResult,
    frontier_lag,
    load_epoch_models,
)
from aigap.analysis.strategy.niche import NicheResult, load_ceti_scores, niche
from aigap.analysis.strategy.partners import (
    PartnerResult,
    load_gov_readiness,
    load_tortoise_profile,
    partners,
)
from aigap.i18n import languages, pillar_name, t, t_or
from aigap.present.names import column
from aigap.present.theme import TEMPLATE


def _T(key: str, lang: str, **kw: Any) -> str:
    return t(f"figure.strategy.{key}", lang, **kw)


def domain_name(domain: str, lang: str = "en") -> str:
    """An Epoch AI domain in ``lang`` (the domain itself when the catalogue lacks it)."""
    return t_or(f"domain.{domain}", lang, domain)


def trend_verdict(verdict: str, lang: str = "en") -> str:
    """A frontier-lag trend verdict ("shrinking", ...) in ``lang``."""
    return t_or(f"strategy.trend_verdict.{verdict}", lang, verdict)


def metric_label(metric: str, lang: str = "en", short: bool = False) -> str:
    return t(f"metric.{metric}{'_short' if short else ''}", lang)


def _name(code: str, names: dict[str, str], lang: str) -> str:
    return _T("world", lang) if code == WORLD else names.get(code, code)


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
              zip(d["count"], d["small_count"], strict=True)],
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


# --- sentences -----------------------------------------------------------------------------
def frontier_text(res: FrontierLagResult, names: dict[str, str], lang: str = "en") -> list[str]:
    """How far behind, whether the lag shrinks, and how small the sample is."""
    out = []
    who = names.get(res.country, res.country)
    metric = metric_label(res.metric, lang, short=True)
    trends = res.trends.set_index("comparator")
    pct = round(res.level * 100)
    for _, r in res.latest().iterrows():
        comp = str(r["comparator"])
        other = _name(comp, names, lang)
        other_s = t("strategy.world_frontier", lang) if comp == WORLD else other
        if np.isfinite(r["last_observed_lag"]):
            out.append(t("strategy.frontier.lag", lang, date=r["last_observed_date"], who=who,
                         lag=r["last_observed_lag"], pct=pct, lo=r["lo"], hi=r["hi"],
                         metric=metric, other=other_s))
        later = res.lags[(res.lags["comparator"] == comp) & res.lags["censored"]]
        if len(later):
            first = later.iloc[0]
            out.append(t("strategy.frontier.not_reached", lang, who=who, other=other_s,
                         date=first["ref_date"], bound=first["lag_years"], cutoff=res.cutoff))
        out.append(t("strategy.frontier.trend", lang, other=other,
                     verdict=trend_verdict(str(trends.loc[comp, "verdict"]), lang)))
    out.append(t("strategy.frontier.sample", lang, n=res.n_models, who=who, cutoff=res.cutoff,
                 n_metric=res.n_models_with_metric, metric=metric))
    return out


def niche_text(res: NicheResult, names: dict[str, str], lang: str = "en") -> list[str]:
    """How many models, where the country is over-represented, and how fragile that is."""
    who = names.get(res.country, res.country)
    d = res.domains
    strong = d[d["strong"]]
    a, b = res.window
    out = [t("strategy.niche.count", lang, who=who, n=res.country_models, a=a, b=b)]
    if len(strong):
        items = ", ".join(t("strategy.niche.strong_item", lang, domain=domain_name(r.domain, lang),
                            rca=r.rca, count=r.count) for r in strong.itertuples())
        out.append(t("strategy.niche.strong", lang, who=who, items=items))
    sg = res.strong_and_growing()
    if len(sg):
        out.append(t("strategy.niche.growing", lang,
                     items=", ".join(domain_name(x, lang) for x in sg["domain"])))
    if strong["small_count"].any():
        out.append(t("strategy.niche.small", lang, n=res.min_count))
    if not res.technologies.empty:
        tech = res.technologies.iloc[0]
        out.append(t("strategy.niche.technology", lang, who=who, rca=tech["rca"],
                     tech=tech[column(res.technologies.columns, "label", lang)]))
    return out


def partners_text(res: PartnerResult, names: dict[str, str], lang: str = "en") -> list[str]:
    """The weak pillars, the best partners and the weights behind the score."""
    who = names.get(res.country, res.country)
    source = t_or(f"strategy.source.{res.pillar_source}", lang, res.pillar_source)
    out = [t("strategy.partners.weak", lang, who=who, source=source,
             pillars=", ".join(pillar_name(p, lang) for p in res.weak["pillar"]))]
    top = res.table.head(3)
    if len(top):
        items = ", ".join(t("strategy.partners.top_item", lang, name=names.get(p, p), score=s)
                          for p, s in zip(top["partner"], top["total"], strict=True))
        out.append(t("strategy.partners.top", lang, items=items))
    w = res.weights
    out.append(t("strategy.partners.weights", lang, c=w.complementarity, k=w.collaboration,
                 g=w.governance))
    return out


def _texts(wh: Any, build: Any, res: Any) -> dict[str, list[str]]:
    """The section's sentences in every catalogue language."""
    return {lang: build(res, wh.country_names(lang), lang) for lang in languages()}


# --- sections ------------------------------------------------------------------------------
def _records(df: Any) -> list[dict[str, Any]]:
    return df.astype(object).where(df.notna(), None).to_dict(orient="records")


def frontier_section(wh: Any, unit: str = "KOR", lang: str = "ko",
                     vs: Sequence[str] = ("USA", "CHN"), *, n_boot: int = 300,
                     data_dir: Path | None = None) -> dict[str, Any]:
    """Frontier-lag section for the report."""
    em = load_epoch_models(wh, data_dir)
    res = frontier_lag(em.models, unit, vs, n_boot=n_boot, provenance=em.provenance)
    names = wh.country_names(lang)
    return {"id": "frontier_lag", "title": t("strategy.frontier.title", lang),
            "figures": [frontier_figure(res, lang, names)],
            "tables": {"lags": _records(res.lags), "trends": _records(res.trends),
                       "counts": _records(res.counts), "records": _records(res.records)},
            "text": _texts(wh, frontier_text, res), "notes": res.notes,
            "provenance": res.provenance}


def niche_section(wh: Any, unit: str = "KOR", lang: str = "ko", *,
                  data_dir: Path | None = None) -> dict[str, Any]:
    """Niche-specialisation section for the report."""
    em = load_epoch_models(wh, data_dir)
    res = niche(em.models, load_ceti_scores(wh), unit, provenance=em.provenance)
    return {"id": "niche", "title": t("strategy.niche.title", lang),
            "figures": [niche_figure(res, lang, wh.country_names(lang))],
            "tables": {"domains": _records(res.domains),
                       "technologies": _records(res.technologies)},
            "text": _texts(wh, niche_text, res), "notes": res.notes,
            "provenance": res.provenance}


def partners_section(wh: Any, unit: str = "KOR", lang: str = "ko", *, top: int = 10,
                     data_dir: Path | None = None, profile: Any = None,
                     pillar_source: str | None = None) -> dict[str, Any]:
    """Partner-complementarity section for the report.

    ``profile`` (units x pillars) defaults to the Tortoise pillars; the report passes its own
    index's pillars so that "weak" means the same as in its profile section.
    """
    em = load_epoch_models(wh, data_dir)
    gov, year = load_gov_readiness(wh, unit)
    kw = {"pillar_source": pillar_source} if pillar_source else {}
    res = partners(load_tortoise_profile(wh) if profile is None else profile, unit,
                   models=em.models, gov=gov, gov_year=year, top=top,
                   provenance=em.provenance, **kw)
    return {"id": "partners", "title": t("strategy.partners.title", lang),
            "figures": [partners_figure(res, lang, wh.country_names(lang))],
            "tables": {"partners": _records(res.table), "weak_pillars": _records(res.weak)},
            "text": _texts(wh, partners_text, res), "notes": res.notes,
            "provenance": res.provenance}
