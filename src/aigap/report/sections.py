"""Report sections. Each returns a plain dict the template renders::

    {"id", "title", "figures": [plotly Figure], "tables": {name: records},
     "text": {"ko": [sentences], "en": [sentences]}, "notes": [...],
     "sources": [dataset ids]}

Sections only read: the warehouse, index results and analyses are computed by the caller
(:class:`ReportContext`) once and shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aigap.data.countries import group_members
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError
from aigap.i18n.korean import subject, with_

PILLAR_KO = {"Talent": "인재", "Research": "연구", "Investment & Commercial": "투자·상업화",
             "Infrastructure & Compute": "인프라·컴퓨팅", "Government & Policy": "정부·정책",
             "Index": "종합"}
COLOURS = {"KOR": "#c8102e", "USA": "#1f4e9c", "CHN": "#e3a21a", "median": "#7f7f7f"}
FONT = "Noto Sans CJK KR, Noto Sans KR, Apple SD Gothic Neo, Malgun Gothic, sans-serif"


@dataclass
class ReportContext:
    """What every section needs, computed once."""

    wh: Warehouse
    unit: str = "KOR"
    lang: str = "ko"
    spec: str = "aigap"
    vs: tuple[str, ...] = ("USA", "CHN")
    peers: str = "OECD"
    headline_indicator: str = "private_ai_investment"
    errors: list[str] = field(default_factory=list)

    @cached_property
    def names(self) -> dict[str, str]:
        return self.wh.country_names(self.lang)

    @cached_property
    def names_en(self) -> dict[str, str]:
        return self.wh.country_names("en")

    @cached_property
    def names_ko(self) -> dict[str, str]:
        return self.wh.country_names("ko")

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The spec's input data, read from this report's warehouse once."""
        from aigap.index import load_spec
        from aigap.index.warehouse_source import warehouse_frame

        sp = load_spec(self.spec)
        if sp.data.source != "warehouse":
            raise AigapError(f"the report needs an index spec over the warehouse; {self.spec!r} "
                             f"reads {sp.data.source!r}")
        return warehouse_frame(sp, self.wh)

    @cached_property
    def index(self) -> Any:
        from aigap.index import build_index

        return build_index(self.spec, data=self.frame)

    @cached_property
    def index_sources(self) -> list[str]:
        from aigap.index.warehouse_source import index_sources

        return index_sources(self.frame, self.wh)

    @cached_property
    def pillars(self) -> list[str]:
        """The aggregates directly under the index (the pillars of ``aigap``)."""
        fw = self.index.framework
        pillars = [c for c in fw.aggregates if fw.parent.get(c) == fw.root]
        if not pillars:
            raise AigapError(f"the report needs a spec with pillars under its index; "
                             f"{self.spec!r} aggregates indicators directly")
        return pillars

    @cached_property
    def root(self) -> str:
        return str(self.index.framework.root)

    @cached_property
    def catalogue(self) -> pd.DataFrame:
        return self.wh.indicators().set_index("code")

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def t(self, ko: str, en: str) -> str:
        return ko if self.lang == "ko" else en

    def pillar_ko(self, code: str) -> str:
        return "종합" if code == self.root else PILLAR_KO.get(code, code)

    def pillar(self, code: str) -> str:
        return self.pillar_ko(code) if self.lang == "ko" else code

    def indicator_name(self, code: str, lang: str | None = None) -> str:
        col = "name_ko" if (lang or self.lang) == "ko" else "name_en"
        return str(self.catalogue.loc[code, col]) if code in self.catalogue.index else code


def _layout(fig: go.Figure, title: str, **kw: Any) -> go.Figure:
    fig.update_layout(title=title, font={"family": FONT, "size": 13}, template="plotly_white",
                      margin={"l": 60, "r": 20, "t": 60, "b": 50}, height=380, **kw)
    return fig


def index_section(ctx: ReportContext) -> dict[str, Any]:
    """Where the unit ranks in the index, and its pillar scores against USA, China, peers."""
    res = ctx.index
    scores, ranks = res.scores, res.ranks
    u, root, pillar_codes = ctx.unit, ctx.root, ctx.pillars
    n = int(scores[root].notna().sum())
    r = int(ranks.loc[u, root])
    top = scores[root].sort_values(ascending=False).head(15)
    bar = go.Figure(go.Bar(
        x=[ctx.name(c) for c in top.index], y=top.to_numpy(),
        marker_color=[COLOURS["KOR"] if c == u else "#9db3d6" for c in top.index],
        text=[f"{v:.1f}" for v in top.to_numpy()], textposition="outside",
    ))
    _layout(bar, ctx.t(f"aigap AI 역량 지수 상위 15개국 ({n}개국 중)",
                       f"aigap AI capacity index, top 15 of {n}"),
            yaxis={"title": ctx.t("점수 (0-100)", "score (0-100)"), "range": [0, 105]})
    peers = [m for m in group_members(ctx.peers) if m in scores.index]
    median = scores.loc[peers, pillar_codes].median()
    pillars = go.Figure()
    for code, label in [(u, ctx.name(u)), *[(v, ctx.name(v)) for v in ctx.vs]]:
        if code in scores.index:
            pillars.add_trace(go.Bar(name=label, x=[ctx.pillar(p) for p in pillar_codes],
                                     y=scores.loc[code, pillar_codes].to_numpy(),
                                     marker_color=COLOURS.get(code, "#555")))
    pillars.add_trace(go.Scatter(name=ctx.t(f"{ctx.peers} 중앙값", f"{ctx.peers} median"),
                                 x=[ctx.pillar(p) for p in pillar_codes], y=median.to_numpy(),
                                 mode="markers", marker={"symbol": "diamond", "size": 12,
                                                         "color": COLOURS["median"]}))
    _layout(pillars, ctx.t("부문별 점수", "Pillar scores"), barmode="group",
            yaxis={"title": ctx.t("점수 (0-100)", "score (0-100)"), "range": [0, 105]})
    pr = {p: int(ranks.loc[u, p]) for p in pillar_codes}
    best = min(pr, key=pr.get)  # type: ignore[arg-type]
    worst = max(pr, key=pr.get)  # type: ignore[arg-type]
    ko = [f"aigap AI 역량 지수에서 {ctx.names_ko.get(u, u)}의 순위는 {n}개국 중 {r}위입니다 "
          f"(점수 {scores.loc[u, root]:.1f}).",
          f"부문별로는 {subject(ctx.pillar_ko(best))} {pr[best]}위로 가장 높고, "
          f"{subject(ctx.pillar_ko(worst))} {pr[worst]}위로 가장 낮습니다."]
    en = [f"{ctx.names_en.get(u, u)} ranks {r} of {n} in the aigap AI capacity index "
          f"(score {scores.loc[u, root]:.1f}).",
          f"Its best pillar is {best} (rank {pr[best]}), its weakest {worst} (rank {pr[worst]})."]
    table = pd.DataFrame({
        ctx.t("부문", "pillar"): [ctx.pillar(p) for p in [*pillar_codes, root]],
        ctx.t("점수", "score"): scores.loc[u, [*pillar_codes, root]].round(1).to_numpy(),
        ctx.t(f"순위({n}개국 중)", f"rank (of {n})"):
            ranks.loc[u, [*pillar_codes, root]].astype(int).to_numpy(),
        ctx.t(f"{ctx.peers} 중앙값", f"{ctx.peers} median"):
            [*median.round(1).to_numpy(), round(float(scores.loc[peers, root].median()), 1)],
    })
    return {"id": "index", "title": ctx.t("종합 순위와 부문별 점수", "Index rank and pillars"),
            "figures": [bar, pillars], "tables": {"pillars": table.to_dict("records")},
            "text": {"ko": ko, "en": en},
            "notes": [ctx.t("지표 구성과 가중치의 근거는 specs/aigap.yaml에 있습니다.",
                            "Indicators, weights and their rationale: specs/aigap.yaml.")],
            "sources": ctx.index_sources}


def gaps_section(ctx: ReportContext) -> dict[str, Any]:
    """Headline gap: the indicator over time for the unit and the comparators, log scale."""
    from aigap.analysis.diagnosis.gap import gap, gap_summary

    code = ctx.headline_indicator
    units = [ctx.unit, *ctx.vs]
    panel = ctx.wh.panel([code], countries=units)
    fig = go.Figure()
    for c in units:
        part = panel[panel["iso3"] == c]
        fig.add_trace(go.Scatter(x=part["year"], y=part["value"] / 1e9, name=ctx.name(c),
                                 mode="lines+markers",
                                 line={"color": COLOURS.get(c, "#555"),
                                       "width": 3 if c == ctx.unit else 2}))
    unit_label = str(ctx.catalogue.loc[code, "unit"])
    _layout(fig, ctx.indicator_name(code),
            yaxis={"type": "log", "title": ctx.t(f"10억 달러 ({unit_label})",
                                                 f"billion {unit_label}")})
    table = gap(ctx.wh, ctx.unit, list(ctx.vs), [code])
    summaries = gap_summary(ctx.wh, ctx.unit, list(ctx.vs), [code], table=table)
    level = table[table["basis"] == "level"].dropna(subset=["ratio"])
    recent = level[level["year"] >= level["year"].max() - 4]
    rec = pd.DataFrame({
        ctx.t("연도", "year"): recent["year"].to_numpy(),
        ctx.t("비교 대상", "vs"): [ctx.name(o) for o in recent["other"]],
        ctx.t("배율", "ratio"): recent["ratio"].round(1).to_numpy(),
        ctx.t("자릿수 차이(log10)", "orders of magnitude"): recent["log10_ratio"].round(2)
        .to_numpy(),
    })
    per_gdp = table[(table["basis"] == "gdp") & table["year"].eq(level["year"].max())]
    notes = sorted({n for n in per_gdp["note"].dropna() if n})[:2]
    return {"id": "gaps", "title": ctx.t("격차: AI 민간투자", "Gap: private AI investment"),
            "figures": [fig], "tables": {"ratios": rec.to_dict("records")},
            "text": {"ko": [s.sentence_ko for s in summaries],
                     "en": [s.sentence_en for s in summaries]},
            "notes": notes, "sources": sorted(set(table["source"].dropna())
                                              | set(table["other_source"].dropna()))}


def trends_section(ctx: ReportContext) -> dict[str, Any]:
    """Growth, convergence and years to close for the headline indicator."""
    from aigap.analysis.diagnosis.trend import trend

    res = trend(ctx.wh, ctx.unit, vs=list(ctx.vs), indicator=ctx.headline_indicator)
    rows = []
    for c in res.comparisons:
        lo_hi = c.years_to_close_ci
        ci = "–" if lo_hi is None else (
            f"{lo_hi[0]:.0f}–{'∞' if np.isinf(lo_hi[1]) else f'{lo_hi[1]:.0f}'}")
        rows.append({ctx.t("비교 대상", "vs"): ctx.name(c.other),
                     ctx.t("현재 배율(추세)", "ratio now (fitted)"): round(c.ratio_now, 1),
                     ctx.t("배율 연간 변화", "ratio change / yr"): f"{c.ratio_change:+.1%}",
                     ctx.t("격차 해소까지(년)", "years to close"):
                         "–" if c.years_to_close is None else round(c.years_to_close, 1),
                     ctx.t("90% 구간", "90% interval"): ci})
    fits = res.fits_frame()
    fig = go.Figure()
    for c in [ctx.unit, *ctx.vs]:
        if c not in res.fits:
            continue
        f = res.fits[c]
        x = np.array(f.years)
        fig.add_trace(go.Scatter(x=x, y=np.array(f.values) / 1e9, mode="markers",
                                 name=ctx.name(c), marker={"color": COLOURS.get(c, "#555")}))
        fitted = np.exp(f.intercept_c + f.slope * (x - f.mean_year)) / 1e9
        fig.add_trace(go.Scatter(x=x, y=fitted, mode="lines", showlegend=False,
                                 line={"color": COLOURS.get(c, "#555"), "dash": "dot"}))
    _layout(fig, ctx.t("로그-선형 추세", "Log-linear trend"),
            yaxis={"type": "log", "title": ctx.t("10억 달러", "US$ bn")})
    return {"id": "trends", "title": ctx.t("추세와 격차 해소 시점", "Trends and years to close"),
            "figures": [fig], "tables": {"convergence": rows},
            "text": {"ko": [c.message_ko for c in res.comparisons],
                     "en": [c.message for c in res.comparisons]},
            "notes": [ctx.t("추세선은 연도에 대한 log(값)의 최소제곱 적합이며, 구간은 기울기의 "
                            "표본분포에서 모의 추출한 것입니다.",
                            "Trend lines are OLS fits of log(value) on year; intervals come "
                            "from simulating the slopes' sampling distributions.")],
            "sources": sorted(set(fits["source"])) if "source" in fits else []}


def peer_section(ctx: ReportContext) -> dict[str, Any]:
    """Peer ranks on the indicators the press quotes."""
    from aigap.analysis.diagnosis.peer_rank import peer_rank

    rows, ko, en, sources = [], [], [], set()
    for code in ["ai_talent_net_migration", "private_ai_investment", "rd_expenditure_pct_gdp",
                 "researchers_rd_per_million", "ai_diffusion"]:
        try:
            pr = peer_rank(ctx.wh, ctx.unit, indicator=code, group=ctx.peers)
        except Exception as exc:
            ctx.errors.append(f"peer rank {code}: {exc}")
            continue
        rows.append({ctx.t("지표", "indicator"): ctx.indicator_name(code),
                     ctx.t("연도", "year"): pr.year,
                     ctx.t("순위", "rank"): pr.rank,
                     ctx.t("데이터 보유국", "with data"): pr.ranked_of,
                     ctx.t("출처", "source"): pr.source})
        ko.append(f"{ctx.indicator_name(code, 'ko')}: {pr.sentence_ko}")
        en.append(f"{ctx.indicator_name(code, 'en')}: {pr.sentence_en}")
        sources.add(pr.source)
    return {"id": "peers", "title": ctx.t(f"{ctx.peers} 내 순위", f"Ranks among {ctx.peers}"),
            "figures": [], "tables": {"ranks": rows}, "text": {"ko": ko, "en": en},
            "notes": [], "sources": sorted(sources)}


def claims_section(ctx: ReportContext) -> dict[str, Any]:
    from aigap.analysis.diagnosis.claims import VERDICT_KO, check_claims

    checks = check_claims(ctx.wh, indices={ctx.spec: (ctx.index, ctx.frame)})
    rows = [{ctx.t("주장", "claim"): (c.text_ko or c.text_en) if ctx.lang == "ko" else c.text_en,
             ctx.t("판정", "verdict"): VERDICT_KO[c.verdict] if ctx.lang == "ko" else c.verdict,
             ctx.t("근거", "finding"): c.finding_ko if ctx.lang == "ko" else c.finding_en,
             "_verdict": c.verdict}
            for c in checks]
    return {"id": "claims", "title": ctx.t("언론 속 주장 검증", "Claims in the press, checked"),
            "figures": [], "tables": {"claims": rows}, "text": {"ko": [], "en": []},
            "notes": [ctx.t("claims.yaml에 자신만의 주장을 추가할 수 있습니다.",
                            "Add your own claims in a YAML file of the same shape.")],
            "sources": sorted({s for c in checks for s in c.sources})}


def tournament_section(ctx: ReportContext) -> dict[str, Any]:
    from aigap.present.tournament import tournament_summary_figure
    from aigap.tournament.simulate import simulate_tournament

    res = simulate_tournament("sovereign-ai", n=100_000, seed=0)
    d = res.to_dict()
    fig = tournament_summary_figure(res, ctx.lang)
    fig.update_layout(font={"family": FONT})
    p, se = d.get("p_best_wins"), d.get("p_best_wins_se")
    ko = [f"기본 설정(5팀→3팀→1팀)에서 실제로 가장 뛰어난 팀이 최종 선정될 확률은 {p:.1%}"
          f"(표준오차 {se:.2%})입니다.",
          f"평가 오차 때문에 최고 팀이 아닌 팀이 뽑힐 확률은 {1 - p:.1%}입니다."]
    en = [f"Under the default design (5 teams -> 3 -> 1) the truly best team is chosen with "
          f"probability {p:.1%} (s.e. {se:.2%}).",
          f"Evaluation noise picks another team {1 - p:.1%} of the time."]
    return {"id": "tournament", "title": ctx.t("소버린 AI 단계 평가 시뮬레이션",
                                               "Sovereign-AI staged evaluation"),
            "figures": [fig], "tables": {}, "text": {"ko": ko, "en": en},
            "notes": [ctx.t("모형의 가정은 docs/tournament.md에 있습니다.",
                            "The model's assumptions: docs/tournament.md.")],
            "sources": []}


def strategy_sections(ctx: ReportContext) -> list[dict[str, Any]]:
    from aigap.present.strategy import (
        frontier_section,
        niche_section,
        partners_section,
    )

    # The analyses return every table they have; the report shows the one a reader needs,
    # with headers in the report's language: (table, [(column, Korean, English), ...]).
    label = "label_ko" if ctx.lang == "ko" else "label_en"
    keep = {"frontier_lag": ("records", [("model", "모델", "model"), ("date", "공개일", "date"),
                                         ("organization", "개발 기관", "organization"),
                                         ("countries", "국가", "countries"),
                                         ("log10_compute", "학습 연산량(log10 FLOP)",
                                          "training compute (log10 FLOP)")]),
            "niche": ("technologies", [(label, "기술 분야", "technology"),
                                       ("mean_score", "평균 점수", "mean score"),
                                       ("world_mean_score", "전체 평균", "all countries"),
                                       ("rca", "RCA", "RCA"),
                                       ("rca_sym", "대칭 RCA", "symmetric RCA")]),
            "partners": ("partners", [("rank", "순위", "rank"), ("partner", "상대국", "partner"),
                                      ("complementarity", "보완성", "complementarity"),
                                      ("co_developed_models", "공동 개발 모델",
                                       "co-developed models"),
                                      ("governance_similarity", "거버넌스 유사성",
                                       "governance similarity"),
                                      ("total", "종합", "total")])}
    extra_sources = {"frontier_lag": [],
                     "niche": [f"belfer_ceti_2025_{t}" for t in
                               ("ai", "biotech", "semicon", "space", "quantum")],
                     "partners": ["tortoise_global_ai_index", "oxford_gairi_2024"]}
    out = []
    # partners judged on this report's own index pillars, not a second profile
    pillars = ctx.index.scores[ctx.pillars]
    spec_year = ctx.index.year
    sections = [frontier_section(ctx.wh, ctx.unit, ctx.lang),
                niche_section(ctx.wh, ctx.unit, ctx.lang),
                partners_section(ctx.wh, ctx.unit, ctx.lang, profile=pillars,
                                 pillar_source=f"aigap index ({spec_year})")]
    for sec in sections:
        name, cols = keep[sec["id"]]
        rows = sec["tables"].get(name, [])[:10]
        sec["tables"] = {name: [{ctx.t(ko, en): r.get(c) for c, ko, en in cols if c in r}
                                for r in rows]}
        prov = sec.get("provenance") or {}
        sec["sources"] = [prov["source"], *extra_sources[sec["id"]]] if "source" in prov \
            else extra_sources[sec["id"]]
        for fig in sec.get("figures", []):
            fig.update_layout(font={"family": FONT})
        out.append(sec)
    return out


def profile_section(ctx: ReportContext) -> dict[str, Any]:
    """Strengths and weaknesses against the peer group (radar)."""
    from aigap.analysis.diagnosis.profile import profile
    from aigap.present.diagnosis import profile_figure

    prof = profile(ctx.unit, ctx.spec, ctx.peers, result=ctx.index)
    fig = profile_figure(prof, ctx.lang, compare=list(ctx.vs))
    fig.update_layout(font={"family": FONT}, height=430)
    frame = prof.to_frame()
    pillars = frame[frame["level"] != "indicator"] if "level" in frame else frame
    table = pd.DataFrame({
        ctx.t("부문", "pillar"): [ctx.pillar(c) for c in pillars["code"]],
        ctx.t("점수", "score"): pillars["value"].round(1).to_numpy(),
        ctx.t("백분위", "percentile"): pillars["percentile"].round(1).to_numpy(),
        ctx.t(f"{ctx.peers} 내 순위", f"rank in {ctx.peers}"): pillars["rank"].to_numpy(),
    })
    return {"id": "profile", "title": ctx.t("강점과 약점", "Strengths and weaknesses"),
            "figures": [fig], "tables": {"profile": table.to_dict("records")},
            "text": {"ko": [prof.sentence("ko")], "en": [prof.sentence("en")]},
            "notes": [ctx.t("백분위: 데이터가 있는 비교 국가 중 해당 국가가 앞서거나 같은 비율. "
                            "75 이상은 강점, 25 이하는 약점으로 봅니다.",
                            "Percentile: share of peers with data the unit beats or ties; "
                            ">= 75 is a strength, <= 25 a weakness.")],
            "sources": ctx.index_sources}


def decompose_section(ctx: ReportContext) -> dict[str, Any]:
    """Which pillars make up the score gap to the leader."""
    from aigap.analysis.diagnosis.decompose import decompose
    from aigap.present.diagnosis import decomposition_figure

    ranks = ctx.index.ranks[ctx.root]
    leader = str(ranks.idxmin())
    other = leader if leader != ctx.unit else str(ranks.sort_values().index[1])
    dec = decompose(other, ctx.unit, ctx.spec, result=ctx.index)
    fig = decomposition_figure(dec, ctx.lang)
    fig.update_layout(font={"family": FONT})
    frame = dec.to_frame("pillar")
    table = pd.DataFrame({
        ctx.t("부문", "pillar"): [ctx.pillar(c) for c in frame["code"]],
        ctx.t("격차 기여(점)", "contribution (points)"): frame["contribution"].round(2),
        ctx.t("비중", "share"): (frame["share"] * 100).round(1).astype(str) + "%",
    })
    return {"id": "decompose", "title": ctx.t(f"{with_(ctx.name(other))}의 점수 격차 분해",
                                              f"What makes up the gap to {ctx.name(other)}"),
            "figures": [fig], "tables": {"decomposition": table.to_dict("records")},
            "text": {"ko": [dec.sentence("ko")], "en": [dec.sentence("en")]},
            "notes": [ctx.t("기여도의 합은 정확히 총 격차와 같습니다(산술평균 집계는 선형 분해, "
                            "비선형 집계는 섀플리 값).",
                            "Contributions add up exactly to the gap (linear for arithmetic "
                            "aggregation, Shapley values otherwise).")],
            "sources": ctx.index_sources}


def robustness_section(ctx: ReportContext) -> dict[str, Any]:
    """How much the rank moves when the index's arbitrary choices change."""
    from aigap.analysis.uncertainty.robustness import robustness
    from aigap.present.uncertainty import rank_interval_figure

    res = robustness(ctx.spec, n=20_000, seed=0, k=3, data=ctx.frame)
    frame = res.to_frame()
    fig = rank_interval_figure(res, ctx.lang, highlight=ctx.unit)
    fig.update_layout(font={"family": FONT})
    row = frame.loc[ctx.unit]
    top = frame.sort_values("median_rank").head(12)
    table = pd.DataFrame({
        ctx.t("국가", "country"): [ctx.name(c) for c in top.index],
        ctx.t("기준 순위", "nominal rank"): top["nominal_rank"].astype(int),
        ctx.t("중앙값 순위", "median rank"): top["median_rank"],
        ctx.t("5–95% 순위 구간", "5–95% rank interval"):
            [f"{int(a)}–{int(b)}" for a, b in zip(top["rank_p05"], top["rank_p95"], strict=True)],
        ctx.t("상위 3위 확률", "P(top 3)"): (top["p_top3"] * 100).round(1).astype(str) + "%",
    })
    ko = [f"지수 구성의 임의적 선택(결측 대체, 정규화, 집계 방식, 가중치 ±25%)을 2만 번 바꿔 "
          f"계산하면 {ctx.names_ko.get(ctx.unit, ctx.unit)}의 순위는 중앙값 "
          f"{row['median_rank']:.0f}위, 90% 구간 {row['rank_p05']:.0f}–{row['rank_p95']:.0f}위"
          f"이며, 상위 3위(AI 3강)에 들 확률은 {row['p_top3']:.0%}입니다."]
    en = [f"Across 20,000 variations of the index's arbitrary choices (imputation, "
          f"normalisation, aggregation, weights +/-25%), {ctx.names_en.get(ctx.unit)} has median "
          f"rank {row['median_rank']:.0f}, 90% interval {row['rank_p05']:.0f}-"
          f"{row['rank_p95']:.0f}, and a {row['p_top3']:.0%} chance of being in the top 3."]
    return {"id": "robustness", "title": ctx.t("순위는 얼마나 견고한가", "How robust is the rank"),
            "figures": [fig], "tables": {"robustness": table.to_dict("records")},
            "text": {"ko": ko, "en": en},
            "notes": [ctx.t("불확실성 설정은 COINr 민감도 분석 예제를 따릅니다 "
                            "(aigap/uncertainty/default.yaml).",
                            "The uncertainty spec mirrors COINr's sensitivity vignette "
                            "(aigap/uncertainty/default.yaml).")],
            "sources": ctx.index_sources}


def targets_section(ctx: ReportContext) -> dict[str, Any]:
    """What it would take to reach the top 3, and the chance of getting there by 2030."""
    from aigap.analysis.targets.scenarios import history_from_warehouse, scenario
    from aigap.analysis.targets.what_it_takes import what_it_takes

    wit = what_it_takes(ctx.spec, ctx.unit, rank=3, data=ctx.frame)
    moves = wit.moves
    table = pd.DataFrame({
        ctx.t("지표", "indicator"): [ctx.indicator_name(c) for c in moves["indicator"]],
        ctx.t("현재", "from"): moves["raw_from"].to_numpy(),
        ctx.t("목표", "to"): moves["raw_to"].to_numpy(),
        ctx.t("변화율(%)", "change (%)"): moves["change_pct"].round(1).to_numpy(),
    })
    history = history_from_warehouse(ctx.wh, ctx.index.framework.indicators)
    sc = scenario(ctx.spec, to=2030, n=5000, seed=0, k=3, data=ctx.frame, history=history)
    return {"id": "targets", "title": ctx.t("AI 3강까지 무엇이 필요한가", "What it takes: top 3"),
            "figures": [], "tables": {"moves": table.to_dict("records")},
            "text": {"ko": [wit.sentence("ko"), sc.sentence(ctx.unit, "ko")],
                     "en": [wit.sentence("en"), sc.sentence(ctx.unit, "en")]},
            "notes": [ctx.t("최소 변화는 정규화 점수 기준 L1 비용을 HiGHS 선형계획으로 푼 것이며, "
                            "다른 국가의 값은 고정합니다. 2030년 전망은 지표별 로그-선형 추세와 "
                            "그 불확실성에서 5,000개 표본을 뽑아 계산합니다.",
                            "The smallest change minimises the L1 change in normalised points "
                            "(HiGHS LP), other countries held fixed. The 2030 outlook samples "
                            "5,000 projected panels from each indicator's log-linear trend.")],
            "sources": ctx.index_sources}
