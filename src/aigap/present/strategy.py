"""Plotly figures and report sections (data, figures, ko/en sentences) for the strategy analyses.

Each ``*_section(wh, unit, lang)`` returns a plain dict the HTML report renders::

    {"id", "title", "figures": [plotly Figure], "tables": {name: records},
     "text": {"ko": [sentences], "en": [sentences]}, "notes": [...], "provenance": {...}}

Figure labels follow ``lang``; the sentences come in both languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from aigap.analysis.strategy.frontier import (
    METRIC_LABELS,
    WORLD,
    FrontierLagResult,
    frontier_lag,
    load_epoch_models,
)
from aigap.analysis.strategy.niche import NicheResult, domain_label, load_ceti_scores, niche
from aigap.analysis.strategy.partners import (
    PartnerResult,
    load_gov_readiness,
    load_tortoise_profile,
    partners,
    pillar_label,
)
from aigap.i18n.korean import particle

_T = {
    "lag": {"en": "Years behind", "ko": "뒤처진 햇수(년)"},
    "ref": {"en": "Reference date", "ko": "기준 시점"},
    "censored": {"en": "not reached yet (lower bound)", "ko": "아직 미도달(하한값)"},
    "world": {"en": "World frontier", "ko": "세계 최전선"},
    "rca_sym": {"en": "Symmetric RCA (-1 to 1)", "ko": "대칭 RCA(-1~1)"},
    "small": {"en": "fewer than {n} models", "ko": "모델 {n}개 미만"},
    "score": {"en": "Weighted score", "ko": "가중 점수"},
    "complementarity": {"en": "Complementarity", "ko": "보완성"},
    "collaboration": {"en": "Existing collaboration", "ko": "기존 협력"},
    "governance_similarity": {"en": "Governance similarity", "ko": "거버넌스 유사성"},
}


VERDICT_KO = {
    "shrinking": "좁혀지는 추세",
    "widening": "벌어지는 추세",
    "no clear trend": "뚜렷한 추세 없음",
    "insufficient data": "추세 판단 불가(자료 부족)",
    "widening (censored bounds)": "미도달 구간까지 보면 벌어지는 추세",
    "mixed (censored bounds widen)": "관측 구간에서는 좁혀졌으나 이후 미도달로 다시 벌어짐",
}
SOURCE_KO = {"Tortoise Global AI Index (2021)": "토터스 글로벌 AI 지수(2021)"}


def _name(code: str, names: dict[str, str], lang: str) -> str:
    return _T["world"][lang] if code == WORLD else names.get(code, code)


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
    metric = METRIC_LABELS[res.metric][lang]
    title = (f"{who}의 최전선 격차: {metric} 기준" if lang == "ko"
             else f"{who}: years behind in {metric}")
    fig.update_layout(title=title, xaxis_title=_T["ref"][lang], yaxis_title=_T["lag"][lang],
                      template="plotly_white", legend_title_text="")
    fig.add_annotation(text="△ " + _T["censored"][lang], xref="paper", yref="paper", x=0,
                       y=-0.18, showarrow=False, font={"size": 11})
    return fig


def niche_figure(res: NicheResult, lang: str = "en", names: dict[str, str] | None = None
                 ) -> go.Figure:
    """Symmetric RCA by Epoch domain (domains with a model) and by CETI technology."""
    names = names or {}
    d = res.domains[res.domains["count"] > 0].sort_values("rca_sym")
    small = _T["small"][lang].format(n=res.min_count)
    fig = go.Figure(go.Bar(
        x=d["rca_sym"], y=[domain_label(x, lang) for x in d["domain"]], orientation="h",
        name="Epoch AI", marker_color=np.where(d["small_count"], "#b0b7c3", "#2f6db5").tolist(),
        text=[f"n={c}" + (f" ({small})" if s else "") for c, s in
              zip(d["count"], d["small_count"], strict=True)],
        textposition="outside"))
    if not res.technologies.empty:
        t = res.technologies.sort_values("rca_sym")
        fig.add_trace(go.Bar(
            x=t["rca_sym"], y=t["label_ko" if lang == "ko" else "label_en"], orientation="h",
            name="Belfer CETI (draft)", marker_color="#d9822b"))
    who = names.get(res.country, res.country)
    title = f"{who}의 특화 분야(대칭 RCA)" if lang == "ko" else f"{who}: specialisation (RCA)"
    fig.update_layout(title=title, xaxis_title=_T["rca_sym"][lang], template="plotly_white",
                      xaxis_range=[-1.05, 1.05], barmode="group")
    return fig


def partners_figure(res: PartnerResult, lang: str = "en", names: dict[str, str] | None = None
                    ) -> go.Figure:
    """Stacked weighted parts of each partner's total (so the bar length is the total)."""
    names = names or {}
    t = res.table.iloc[::-1]
    w = {"complementarity": res.weights.complementarity,
         "collaboration": res.weights.collaboration,
         "governance_similarity": res.weights.governance}
    avail = t[list(w)].notna().mul(list(w.values())).sum(axis=1)
    fig = go.Figure()
    for part, wt in w.items():
        fig.add_trace(go.Bar(
            x=(t[part].fillna(0) * wt / avail).to_numpy(),
            y=[names.get(p, p) for p in t["partner"]], orientation="h",
            name=f"{_T[part][lang]} ({wt:g})"))
    who = names.get(res.country, res.country)
    title = f"{who}의 협력 후보국" if lang == "ko" else f"Partners for {who}"
    fig.update_layout(title=title, barmode="stack", xaxis_title=_T["score"][lang],
                      template="plotly_white", xaxis_range=[0, 1])
    return fig


# --- sentences -----------------------------------------------------------------------------
def _years(x: float) -> str:
    return f"{x:.1f}"


def frontier_text(res: FrontierLagResult, names_en: dict[str, str], names_ko: dict[str, str]
                  ) -> dict[str, list[str]]:
    ko, en = [], []
    c_en, c_ko = names_en.get(res.country, res.country), names_ko.get(res.country, res.country)
    metric_en, metric_ko = METRIC_LABELS[res.metric]["en"], METRIC_LABELS[res.metric]["ko"]
    metric_en = metric_en.replace(" (FLOP)", "")
    metric_ko = metric_ko.replace("(FLOP)", "")
    latest = res.latest()
    trends = res.trends.set_index("comparator")
    pct = round(res.level * 100)
    for _, r in latest.iterrows():
        comp = str(r["comparator"])
        o_en, o_ko = _name(comp, names_en, "en"), _name(comp, names_ko, "ko")
        o_en_s = "the world frontier" if comp == WORLD else o_en
        if np.isfinite(r["last_observed_lag"]):
            lag = _years(r["last_observed_lag"])
            en.append(f"At {r['last_observed_date']}, {c_en} needed {lag} years ({pct}% "
                      f"interval {_years(r['lo'])} to {_years(r['hi'])}) to reach the "
                      f"{metric_en} {o_en_s} had reached by then.")
            ko.append(f"{r['last_observed_date']} 기준 {o_ko}의 {metric_ko} 수준에 "
                      f"{particle(c_ko, '이/가')} "
                      f"도달하기까지 {_years(r['last_observed_lag'])}년이 걸렸습니다"
                      f"({pct}% 구간 {_years(r['lo'])}~{_years(r['hi'])}년).")
        later = res.lags[(res.lags["comparator"] == comp) & res.lags["censored"]]
        if len(later):
            first = later.iloc[0]
            bound = _years(first["lag_years"])
            en.append(f"{c_en} has not yet reached the level {o_en_s} had reached at "
                      f"{first['ref_date']} (lag at least {bound} years by {res.cutoff}).")
            ko.append(f"{particle(c_ko, '은/는')} {o_ko}의 {first['ref_date']} 수준에 아직 "
                      f"도달하지 못했습니다({res.cutoff} 기준 최소 {bound}년 격차).")
        verdict = str(trends.loc[comp, "verdict"])
        v_ko = VERDICT_KO.get(verdict, verdict)
        en.append(f"Trend vs {o_en}: {verdict}.")
        ko.append(f"{o_ko} 대비 격차 추세: {v_ko}.")
    en.append(f"Based on {res.n_models} notable {c_en} models up to {res.cutoff}, "
              f"{res.n_models_with_metric} with a {metric_en} estimate: a small sample.")
    ko.append(f"{res.cutoff}까지 {c_ko}의 주목할 만한 모델은 {res.n_models}개이고 그중 "
              f"{metric_ko} 추정치가 있는 것은 {res.n_models_with_metric}개뿐이어서 해석에 "
              "주의가 필요합니다.")
    return {"ko": ko, "en": en}


def niche_text(res: NicheResult, names_en: dict[str, str], names_ko: dict[str, str]
               ) -> dict[str, list[str]]:
    c_en, c_ko = names_en.get(res.country, res.country), names_ko.get(res.country, res.country)
    d = res.domains
    strong = d[d["strong"]]
    a, b = res.window
    en = [f"{c_en} published {res.country_models} notable models in {a}-{b}."]
    ko = [f"{a}~{b}년 {c_ko}의 주목할 만한 AI 모델은 {res.country_models}개입니다."]
    if len(strong):
        parts_en = ", ".join(f"{r.domain} (RCA {r.rca:.2f}, n={r.count})"
                             for r in strong.itertuples())
        parts_ko = ", ".join(f"{domain_label(r.domain, 'ko')}(RCA {r.rca:.2f}, {r.count}개)"
                             for r in strong.itertuples())
        en.append(f"Domains where {c_en} is over-represented: {parts_en}.")
        ko.append(f"세계 평균보다 비중이 높은 분야는 {parts_ko}입니다.")
    sg = res.strong_and_growing()
    if len(sg):
        en.append("Strong and growing: " + ", ".join(sg["domain"]) + ".")
        ko.append("강점이면서 최근 비중이 커지는 분야: "
                  + ", ".join(domain_label(x, "ko") for x in sg["domain"]) + ".")
    if strong["small_count"].any():
        en.append(f"Counts below {res.min_count} models make these RCAs fragile.")
        ko.append(f"모델 수가 {res.min_count}개 미만인 분야는 모델 하나로도 RCA가 크게 달라집니다.")
    if not res.technologies.empty:
        t = res.technologies.iloc[0]
        en.append(f"Across Belfer CETI technologies (draft), {c_en} leans most towards "
                  f"{t['label_en']} (score-based RCA {t['rca']:.2f}).")
        ko.append(f"벨퍼 CETI(초안) 기술 분야 중 {c_ko}의 상대적 특화가 가장 큰 분야는 "
                  f"{t['label_ko']}입니다(점수 기반 RCA {t['rca']:.2f}).")
    return {"ko": ko, "en": en}


def partners_text(res: PartnerResult, names_en: dict[str, str], names_ko: dict[str, str]
                  ) -> dict[str, list[str]]:
    c_en, c_ko = names_en.get(res.country, res.country), names_ko.get(res.country, res.country)
    weak_en = ", ".join(pillar_label(p, "en") for p in res.weak["pillar"])
    weak_ko = ", ".join(pillar_label(p, "ko") for p in res.weak["pillar"])
    en = [f"{c_en}'s relatively weak pillars ({res.pillar_source}): {weak_en}."]
    src_ko = SOURCE_KO.get(res.pillar_source, res.pillar_source)
    ko = [f"{c_ko}의 상대적 약점 부문({src_ko} 기준): {weak_ko}."]
    top = res.table.head(3)
    if len(top):
        en.append("Best-scoring partners: " + ", ".join(
            f"{names_en.get(p, p)} ({s:.2f})" for p, s in zip(top["partner"], top["total"],
                                                             strict=True)) + ".")
        ko.append("종합 점수 상위 협력 후보: " + ", ".join(
            f"{names_ko.get(p, p)}({s:.2f})" for p, s in zip(top["partner"], top["total"],
                                                            strict=True)) + ".")
    w = res.weights
    en.append(f"Weights: complementarity {w.complementarity:g}, collaboration "
              f"{w.collaboration:g}, governance similarity {w.governance:g}.")
    ko.append(f"가중치: 보완성 {w.complementarity:g}, 기존 협력 {w.collaboration:g}, "
              f"거버넌스 유사성 {w.governance:g}.")
    return {"ko": ko, "en": en}


# --- sections ------------------------------------------------------------------------------
def _records(df: Any) -> list[dict[str, Any]]:
    return df.astype(object).where(df.notna(), None).to_dict(orient="records")


def frontier_section(wh: Any, unit: str = "KOR", lang: str = "ko",
                     vs: Sequence[str] = ("USA", "CHN"), *, n_boot: int = 300,
                     vintage: str | None = None) -> dict[str, Any]:
    """Frontier-lag section for the report."""
    em = load_epoch_models(wh, vintage)
    res = frontier_lag(em.models, unit, vs, n_boot=n_boot, provenance=em.provenance)
    ne, nk = wh.country_names("en"), wh.country_names("ko")
    names = nk if lang == "ko" else ne
    return {"id": "frontier_lag",
            "title": "최전선 격차(속도)" if lang == "ko" else "Frontier lag (speed)",
            "figures": [frontier_figure(res, lang, names)],
            "tables": {"lags": _records(res.lags), "trends": _records(res.trends),
                       "counts": _records(res.counts), "records": _records(res.records)},
            "text": frontier_text(res, ne, nk), "notes": res.notes,
            "provenance": res.provenance}


def niche_section(wh: Any, unit: str = "KOR", lang: str = "ko", *,
                  vintage: str | None = None) -> dict[str, Any]:
    """Niche-specialisation section for the report."""
    em = load_epoch_models(wh, vintage)
    res = niche(em.models, load_ceti_scores(wh), unit, provenance=em.provenance)
    ne, nk = wh.country_names("en"), wh.country_names("ko")
    return {"id": "niche", "title": "특화 분야(RCA)" if lang == "ko" else "Niche specialisation",
            "figures": [niche_figure(res, lang, nk if lang == "ko" else ne)],
            "tables": {"domains": _records(res.domains),
                       "technologies": _records(res.technologies)},
            "text": niche_text(res, ne, nk), "notes": res.notes, "provenance": res.provenance}


def partners_section(wh: Any, unit: str = "KOR", lang: str = "ko", *, top: int = 10,
                     vintage: str | None = None, profile: Any = None,
                     pillar_source: str | None = None) -> dict[str, Any]:
    """Partner-complementarity section for the report.

    ``profile`` (units x pillars) defaults to the Tortoise pillars; the report passes its own
    index's pillars so that "weak" means the same as in its profile section.
    """
    em = load_epoch_models(wh, vintage)
    gov, year = load_gov_readiness(wh, unit)
    kw = {"pillar_source": pillar_source} if pillar_source else {}
    res = partners(load_tortoise_profile(wh) if profile is None else profile, unit,
                   models=em.models, gov=gov, gov_year=year, top=top,
                   provenance=em.provenance, **kw)
    ne, nk = wh.country_names("en"), wh.country_names("ko")
    return {"id": "partners",
            "title": "협력 상대국 보완성" if lang == "ko" else "Partner complementarity",
            "figures": [partners_figure(res, lang, nk if lang == "ko" else ne)],
            "tables": {"partners": _records(res.table), "weak_pillars": _records(res.weak)},
            "text": partners_text(res, ne, nk), "notes": res.notes,
            "provenance": res.provenance}
