"""Sentences of the strategy analyses (frontier lag, niche, partners), from the catalogue."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from aigap.analysis.strategy.frontier import WORLD, FrontierLagResult
from aigap.analysis.strategy.niche import NicheResult
from aigap.analysis.strategy.partners import PartnerResult
from aigap.i18n import pillar_name, t, t_or
from aigap.present.names import column
from aigap.present.text._dispatch import sentence


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


# --- sentences -----------------------------------------------------------------------------
def frontier_text(res: FrontierLagResult, names: dict[str, str], lang: str = "en") -> list[str]:
    """How far behind (and on how many models), whether the lag shrinks, and whose models."""
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
            line = t("strategy.frontier.lag", lang, date=r["last_observed_date"], who=who,
                     lag=r["last_observed_lag"], pct=pct, lo=r["lo"], hi=r["hi"],
                     metric=metric, other=other_s)
            if r["one_point"] and r["reached_by"]:
                line += " " + t("strategy.frontier.one_point", lang, model=r["reached_by"])
            out.append(line)
        later = res.lags[(res.lags["comparator"] == comp) & res.lags["censored"]]
        if len(later):
            first = later.iloc[0]
            out.append(t("strategy.frontier.not_reached", lang, who=who, other=other_s,
                         date=first["ref_date"], bound=first["lag_years"], cutoff=res.cutoff,
                         short=first["shortfall_log10"], tol=res.tolerance))
        tr = trends.loc[comp]
        if np.isfinite(tr["slope_years_per_year"]):
            out.append(t("strategy.frontier.trend_fit", lang, other=other, n=tr["n_points"],
                         slope=tr["slope_years_per_year"], pct=pct, lo=tr["lo"], hi=tr["hi"],
                         verdict=trend_verdict(str(tr["verdict"]), lang)))
        else:
            out.append(t("strategy.frontier.trend_none", lang, other=other, n=tr["n_points"],
                         min=tr["min_points"],
                         verdict=trend_verdict(str(tr["verdict"]), lang)))
    if res.attribution == "own":
        multi = res.multinational
        if len(multi):
            col = "log10_" + res.metric
            top = multi.sort_values(col, ascending=False, na_position="last").iloc[0]
            out.append(t("strategy.frontier.multinational", lang, who=who, n=len(multi),
                         model=top["model"], orgs=top["organization"]))
    out.append(t("strategy.frontier.sample", lang, n=res.n_models, who=who, cutoff=res.cutoff,
                 n_metric=res.n_models_with_metric, metric=metric,
                 incomplete=res.incomplete_from))
    return out


def niche_text(res: NicheResult, names: dict[str, str], lang: str = "en") -> list[str]:
    """How many models and papers, where the country is over-represented (on enough papers),
    and which domains are too small to judge."""
    who = names.get(res.country, res.country)
    d = res.domains
    strong = d[d["strong"]]
    a, b = res.window
    out = [t("strategy.niche.count", lang, who=who, n=res.country_models,
             papers=res.country_papers, a=a, b=b)]
    if len(strong):
        items = ", ".join(t("strategy.niche.strong_item", lang, domain=domain_name(r.domain, lang),
                            rca=r.rca, count=r.count) for r in strong.itertuples())
        out.append(t("strategy.niche.strong", lang, who=who, items=items, min=res.min_count))
    else:
        out.append(t("strategy.niche.strong_none", lang, who=who, min=res.min_count))
    sg = res.strong_and_growing()
    if len(sg):
        out.append(t("strategy.niche.growing", lang,
                     items=", ".join(domain_name(x, lang) for x in sg["domain"])))
    small = d[d["small_count"] & d["count"].gt(0)]
    if len(small):
        items = ", ".join(t("strategy.niche.small_item", lang, domain=domain_name(r.domain, lang),
                            count=r.count, models=r.models) for r in small.itertuples())
        out.append(t("strategy.niche.small", lang, n=res.min_count, items=items))
    if not res.technologies.empty:
        tech = res.technologies.iloc[0]
        out.append(t("strategy.niche.technology", lang, who=who, rca=tech["rca"],
                     tech=tech[column(res.technologies.columns, "label", lang)]))
    return out


def partners_text(res: PartnerResult, names: dict[str, str], lang: str = "en") -> list[str]:
    """The weak pillars, the best partners and the weights behind the score."""
    who = names.get(res.country, res.country)
    source = t_or(f"strategy.source.{res.pillar_source}", lang, res.pillar_source)
    if m := re.fullmatch(r"(\w+) index \((\d{4})\)", res.pillar_source):  # the report's own
        source = t("strategy.source.index", lang, name=m.group(1), year=m.group(2))
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


# --- sentence(result, lang) ---------------------------------------------------------------
class _CountryNames(dict):  # type: ignore[type-arg]
    """``names.get(code, default)`` from the country table, in one language."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def get(self, code: str, default: Any = None) -> Any:  # type: ignore[override]
        from aigap.present.names import country_name

        return country_name(code, self.lang, default)


def _register() -> None:
    for cls, build in ((FrontierLagResult, frontier_text), (NicheResult, niche_text),
                       (PartnerResult, partners_text)):
        def one(res: Any, lang: str = "en", _build: Any = build) -> str:
            return " ".join(_build(res, _CountryNames(lang), lang))

        sentence.register(cls)(one)


_register()
