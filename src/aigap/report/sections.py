"""Report sections. Each returns a plain dict the template renders::

    {"id", "title", "figures": [plotly Figure], "tables": {name: records},
     "text": {"ko": [sentences], "en": [sentences]}, "notes": [...],
     "sources": [dataset ids]}

Sections only read: the warehouse, index results and analyses are computed by the caller
(:class:`ReportContext`) once and shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aigap import present
from aigap.analysis.diagnosis.peers import peer_group, peer_medians
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError
from aigap.i18n import languages, pillar_name
from aigap.i18n import t as tr
from aigap.i18n.numbers import format_ratio
from aigap.present.theme import COUNTRY_COLOURS, HIGHLIGHT, TEMPLATE, country_colour


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
    def members(self) -> list[str]:
        """The peer group's members as of the index's data year (one rule: analysis.peers)."""
        return peer_group(self.peers, self.index.year)[1]

    @cached_property
    def root(self) -> str:
        return str(self.index.framework.root)

    @cached_property
    def catalogue(self) -> pd.DataFrame:
        return self.wh.indicators().set_index("code")

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def t(self, key: str, lang: str | None = None, **fields: Any) -> str:
        """The report's text ``report.<key>`` in the report's language (or ``lang``)."""
        return tr(f"report.{key}", lang or self.lang, **fields)

    def both(self, key: str, **fields: Any) -> dict[str, list[str]]:
        """``report.<key>`` in every catalogue language, for a section's "text"."""
        return {lang: [self.t(key, lang, **fields)] for lang in languages()}

    def col(self, key: str, **fields: Any) -> str:
        """A table column header."""
        return self.t(f"col.{key}", **fields)

    def pillar(self, code: str, lang: str | None = None) -> str:
        return pillar_name(code, lang or self.lang)

    def unit_name(self, lang: str) -> str:
        """The report's country in ``lang``."""
        return self.wh.country_names(lang).get(self.unit, self.unit)

    def indicator_name(self, code: str, lang: str | None = None) -> str:
        col = "name_ko" if (lang or self.lang) == "ko" else "name_en"
        return str(self.catalogue.loc[code, col]) if code in self.catalogue.index else code


def _layout(fig: go.Figure, title: str, **kw: Any) -> go.Figure:
    fig.update_layout(title=title, template=TEMPLATE,
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
        marker_color=[HIGHLIGHT if c == u else COUNTRY_COLOURS["other"] for c in top.index],
        text=[f"{v:.1f}" for v in top.to_numpy()], textposition="outside",
    ))
    _layout(bar, ctx.t("index.bar_title", n=n),
            yaxis={"title": ctx.t("index.yaxis"), "range": [0, 105]})
    # the one peer convention: members as of the index year, the unit not its own peer
    median = peer_medians(scores, u, ctx.members, [*pillar_codes, root])
    pillars = go.Figure()
    for code, label in [(u, ctx.name(u)), *[(v, ctx.name(v)) for v in ctx.vs]]:
        if code in scores.index:
            pillars.add_trace(go.Bar(name=label, x=[ctx.pillar(p) for p in pillar_codes],
                                     y=scores.loc[code, pillar_codes].to_numpy(),
                                     marker_color=country_colour(code, highlight=u)))
    pillars.add_trace(go.Scatter(name=ctx.col("median", peers=ctx.peers),
                                 x=[ctx.pillar(p) for p in pillar_codes],
                                 y=median[pillar_codes].to_numpy(),
                                 mode="markers", marker={"symbol": "diamond", "size": 12,
                                                         "color": COUNTRY_COLOURS["median"]}))
    _layout(pillars, ctx.t("index.pillars_title"), barmode="group",
            yaxis={"title": ctx.t("index.yaxis"), "range": [0, 105]})
    # best / weakest among the pillars that count (a zero-weight pillar is only shown)
    pr = {p: int(ranks.loc[u, p]) for p in pillar_codes if res.framework.weight.get(p, 1.0) > 0}
    best = min(pr, key=pr.get)  # type: ignore[arg-type]
    worst = max(pr, key=pr.get)  # type: ignore[arg-type]
    text = {lang: [ctx.t("index.rank", lang, name=ctx.unit_name(lang), n=n, rank=r,
                         score=scores.loc[u, root]),
                   ctx.t("index.best_worst", lang, best=ctx.pillar(best, lang),
                         best_rank=pr[best], worst=ctx.pillar(worst, lang),
                         worst_rank=pr[worst])]
            for lang in languages()}
    table = pd.DataFrame({
        ctx.col("pillar"): [ctx.pillar(p) for p in [*pillar_codes, root]],
        ctx.col("score"): scores.loc[u, [*pillar_codes, root]].round(1).to_numpy(),
        ctx.col("rank_of", n=n): ranks.loc[u, [*pillar_codes, root]].astype(int).to_numpy(),
        ctx.col("median", peers=ctx.peers):
            median.round(1).to_numpy(),
    })
    return {"id": "index", "title": ctx.t("index.title"),
            "figures": [bar, pillars], "tables": {"pillars": table.to_dict("records")},
            "text": text, "notes": [ctx.t("index.note"), *_provenance_note(ctx, res)],
            "sources": ctx.index_sources}


def _provenance_note(ctx: ReportContext, res: Any) -> list[str]:
    """The data years the index stands on and the units whose rank rests on imputed cells."""
    years = res.data_years() if hasattr(res, "data_years") else None
    if years is None:
        return []
    moved = res.without_imputed().head(8)
    units = ", ".join(f"{ctx.name(r.unit)} {int(r.rank)}->{int(r.rank_without_imputed)}"
                      for r in moved.itertuples()) or "-"
    return [ctx.t("index.provenance", years=f"{years[0]}-{years[1]}", units=units)]


def gaps_section(ctx: ReportContext) -> dict[str, Any]:
    """Headline gap: the indicator over time for the unit and the comparators, log scale,
    on the concept's default series (the other series side by side in the text)."""
    from aigap.analysis.diagnosis.gap import gap, unit_scale
    from aigap.present.text.diagnosis import by_series, newer_warning

    code = ctx.headline_indicator
    units = [ctx.unit, *ctx.vs]
    res = gap(ctx.wh, ctx.unit, vs=list(ctx.vs), indicators=[code])
    chosen = res.choices[code].chosen
    panel = ctx.wh.panel([chosen.indicator], countries=units)
    to_bn = unit_scale(chosen.unit) / 1e9
    unit_label = re.sub(r"^(thousand|million|billion|trillion)\s+", "", chosen.unit)
    fig = go.Figure()
    for c in units:
        part = panel[panel["iso3"] == c]
        fig.add_trace(go.Scatter(x=part["year"], y=part["value"] * to_bn, name=ctx.name(c),
                                 mode="lines+markers",
                                 line={"color": country_colour(c, highlight=ctx.unit),
                                       "width": 3 if c == ctx.unit else 2}))
    _layout(fig, ctx.indicator_name(chosen.indicator),
            yaxis={"type": "log", "title": ctx.t("gaps.yaxis", unit=unit_label)})
    table = res.table
    summaries = res.summaries
    level = table[table["basis"] == "level"].dropna(subset=["ratio"])
    recent = level[level["year"] >= level["year"].max() - 4]
    rec = pd.DataFrame({
        ctx.col("year"): recent["year"].to_numpy(),
        ctx.col("vs"): [ctx.name(o) for o in recent["other"]],
        ctx.col("ratio"): recent["ratio"].round(1).to_numpy(),
        ctx.col("log10"): recent["log10_ratio"].round(2).to_numpy(),
    })
    per_gdp = table[(table["basis"] == "gdp") & table["year"].eq(level["year"].max())]
    notes = sorted({n for n in per_gdp["note"].dropna() if n})[:2]
    return {"id": "gaps", "title": ctx.t("gaps.title"),
            "figures": [fig], "tables": {"ratios": rec.to_dict("records")},
            "text": {lang: [present.sentence(s, lang) for s in summaries]
                     + [x for x in (by_series(res, lang), newer_warning(res, lang)) if x]
                     for lang in languages()},
            "notes": notes, "sources": sorted(set(table["source"].dropna())
                                              | set(table["other_source"].dropna()))}


def trends_section(ctx: ReportContext) -> dict[str, Any]:
    """Growth, convergence, the backtest and a catch-up year only where the data support one,
    for the headline indicator; the newest observed gap beside each projection."""
    from aigap.analysis.diagnosis.trend import trend
    from aigap.present.text.diagnosis import verdict_text, window_lines

    res = trend(ctx.wh, ctx.unit, vs=list(ctx.vs), indicator=ctx.headline_indicator)
    rows = []
    for c in res.comparisons:
        lo_hi = c.years_to_close_ci
        ci = "–" if lo_hi is None else (
            f"{lo_hi[0]:.0f}–{'∞' if np.isinf(lo_hi[1]) else f'{lo_hi[1]:.0f}'}")
        newest = max(c.latest, key=lambda lg: lg.year, default=None)
        bt = c.backtest
        rows.append({ctx.col("vs"): ctx.name(c.other),
                     ctx.col("ratio_now"): round(c.ratio_now, 1),
                     ctx.col("ratio_change"): f"{c.ratio_change:+.1%}",
                     ctx.col("newest_gap"): "–" if newest is None else
                         f"{format_ratio(newest.gap, ctx.lang, 1)} ({newest.year})",
                     ctx.col("backtest"): "–" if bt is None else
                         f"{bt.n_inside}/{len(bt.inside)}",
                     ctx.col("catch_up"): verdict_text(c, ctx.lang),
                     ctx.col("interval90"): ci})
    fits = res.fits_frame()
    fig = go.Figure()
    for c in [ctx.unit, *ctx.vs]:
        if c not in res.fits:
            continue
        f = res.fits[c]
        x = np.array(f.years)
        fig.add_trace(go.Scatter(x=x, y=np.array(f.values) / 1e9, mode="markers",
                                 name=ctx.name(c),
                                 marker={"color": country_colour(c, highlight=ctx.unit)}))
        fig.add_trace(go.Scatter(x=x, y=f.fitted(x) / 1e9, mode="lines", showlegend=False,
                                 line={"color": country_colour(c, highlight=ctx.unit),
                                       "dash": "dot"}))
    _layout(fig, ctx.t("trends.fig_title"), yaxis={"type": "log", "title": ctx.t("trends.yaxis")})
    return {"id": "trends", "title": ctx.t("trends.title"),
            "figures": [fig], "tables": {"convergence": rows},
            "text": {lang: [present.sentence(c, lang) for c in res.comparisons]
                     for lang in languages()},
            "notes": [ctx.t("trends.note"), *window_lines(res, ctx.lang)],
            "sources": sorted(set(fits["source"])) if "source" in fits else []}


def peer_section(ctx: ReportContext) -> dict[str, Any]:
    """Peer ranks on the indicators the press quotes, each on its concept's default series and
    year (the same choice as the index and the claims)."""
    from aigap.analysis.diagnosis.peer_rank import concept_peer_rank

    rows: list[dict[str, Any]] = []
    text: dict[str, list[str]] = {lang: [] for lang in languages()}
    sources = set()
    for code in ["ai_talent_net_migration", "private_ai_investment", "rd_expenditure_pct_gdp",
                 "researchers_rd_per_million", "ai_diffusion"]:
        try:
            pr = concept_peer_rank(ctx.wh, ctx.unit, code, peers=ctx.peers)
        except Exception as exc:
            ctx.errors.append(f"peer rank {code}: {exc}")
            continue
        code = pr.indicator  # the series that answered
        rows.append({ctx.col("indicator"): ctx.indicator_name(code),
                     ctx.col("year"): pr.year,
                     ctx.col("rank"): pr.rank,
                     ctx.col("with_data"): pr.ranked_of,
                     ctx.col("source"): pr.source})
        for lang in text:
            text[lang].append(ctx.t("peers.line", lang, indicator=ctx.indicator_name(code, lang),
                                    sentence=present.sentence(pr, lang)))
        sources.add(pr.source)
    return {"id": "peers", "title": ctx.t("peers.title", peers=ctx.peers),
            "figures": [], "tables": {"ranks": rows}, "text": text,
            "notes": [], "sources": sorted(sources)}


def claims_section(ctx: ReportContext) -> dict[str, Any]:
    from aigap.analysis.diagnosis.claims import check_claims
    from aigap.present.text import claims_frame

    checks = check_claims(ctx.wh, indices={ctx.spec: (ctx.index, ctx.frame)})
    frame = claims_frame(checks, ctx.lang)
    rows = [{ctx.col("claim"): r.claim, ctx.col("verdict"): r.verdict,
             ctx.col("finding"): r.finding, "_verdict": c.verdict,
             "_sources": list(c.sources)}
            for r, c in zip(frame.itertuples(), checks, strict=True)]
    return {"id": "claims", "title": ctx.t("claims.title"),
            "figures": [], "tables": {"claims": rows}, "text": {},
            "notes": [ctx.t("claims.note")],
            "sources": sorted({s for c in checks for s in c.sources})}


def tournament_section(ctx: ReportContext) -> dict[str, Any]:
    """독자 AI 파운데이션 모델 프로젝트 as it runs: the first evaluation, the posterior given it,
    the same under other noise, and the designs for the remaining stages (both languages)."""
    from aigap.present.text.tournament import design_rows, programme_paragraphs
    from aigap.present.tournament import tournament_summary_figure
    from aigap.tournament.simulate import programme_state

    state = programme_state(n=50_000, seed=0)
    fig = tournament_summary_figure(state.posterior, ctx.lang)
    text = {lang: programme_paragraphs(state, lang) for lang in languages()}
    return {"id": "tournament", "title": tr("tournament.programme.title", ctx.lang),
            "figures": [fig], "tables": {"designs": design_rows(state, ctx.lang)},
            "text": text,
            "notes": [tr("tournament.programme.note", ctx.lang)],
            "sources": []}


def strategy_sections(ctx: ReportContext) -> list[dict[str, Any]]:
    from aigap.present.strategy import (
        frontier_section,
        niche_section,
        partners_section,
    )

    # The analyses return every table they have; the report shows the one a reader needs,
    # with headers in the report's language: (table, [(column, header key), ...]).
    label = "label_ko" if ctx.lang == "ko" else "label_en"
    keep = {"frontier_lag": ("records", [("model", "model"), ("date", "date"),
                                         ("organization", "organization"),
                                         ("countries", "countries"),
                                         ("log10_compute", "log10_compute")]),
            "niche": ("technologies", [(label, "technology"), ("mean_score", "mean_score"),
                                       ("world_mean_score", "world_mean_score"),
                                       ("rca", "rca"), ("rca_sym", "rca_sym")]),
            "partners": ("partners", [("rank", "rank"), ("partner", "partner"),
                                      ("complementarity", "complementarity"),
                                      ("co_developed_models", "co_developed_models"),
                                      ("governance_similarity", "governance_similarity"),
                                      ("total", "total")])}
    extra_sources = {"frontier_lag": [],
                     "niche": [f"belfer_ceti_2025_{t}" for t in
                               ("ai", "biotech", "semicon", "space", "quantum")],
                     "partners": ["tortoise_global_ai_index", "oxford_gairi_2024"]}
    out = []
    # partners judged on this report's own index pillars (the same basis as `aigap partners`)
    sections = [frontier_section(ctx.wh, ctx.unit, ctx.lang),
                niche_section(ctx.wh, ctx.unit, ctx.lang),
                partners_section(ctx.wh, ctx.unit, ctx.lang, result=ctx.index)]
    for sec in sections:
        name, cols = keep[sec["id"]]
        rows = sec["tables"].get(name, [])[:10]
        sec["tables"] = {name: [{ctx.col(key): r.get(c) for c, key in cols if c in r}
                                for r in rows]}
        prov = sec.get("provenance") or {}
        sec["sources"] = [prov["source"], *extra_sources[sec["id"]]] if "source" in prov \
            else extra_sources[sec["id"]]
        out.append(sec)
    return out


def profile_section(ctx: ReportContext) -> dict[str, Any]:
    """Strengths and weaknesses against the peer group (radar)."""
    from aigap.analysis.diagnosis.profile import profile
    from aigap.present.diagnosis import profile_figure

    prof = profile(ctx.spec, ctx.unit, peers=ctx.peers, result=ctx.index)
    fig = profile_figure(prof, ctx.lang, compare=list(ctx.vs))
    fig.update_layout(height=430)
    frame = prof.to_frame()
    pillars = frame[frame["level"] != "indicator"] if "level" in frame else frame
    table = pd.DataFrame({
        ctx.col("pillar"): [ctx.pillar(c) for c in pillars["code"]],
        ctx.col("score"): pillars["value"].round(1).to_numpy(),
        ctx.col("percentile"): pillars["percentile"].round(1).to_numpy(),
        ctx.col("rank_in", peers=ctx.peers): pillars["rank"].to_numpy(),
    })
    return {"id": "profile", "title": ctx.t("profile.title"),
            "figures": [fig], "tables": {"profile": table.to_dict("records")},
            "text": {lang: [present.sentence(prof, lang)] for lang in languages()},
            "notes": [ctx.t("profile.note")],
            "sources": ctx.index_sources}


def audit_section(ctx: ReportContext) -> dict[str, Any]:
    """The statistical audit of the index: consistency of each aggregate, flagged
    indicators, and where an indicator's importance differs most from its weight."""
    from aigap.index.audit import audit

    res = ctx.index if not hasattr(ctx.index, "years") else ctx.index[ctx.index.years[-1]]
    a = audit(res)
    agg = a.aggregates.reset_index()
    table = pd.DataFrame({
        ctx.col("aggregate"): [ctx.pillar(c) for c in agg["aggregate"]],
        ctx.col("children"): agg["children"].astype(int),
        ctx.col("cronbach_alpha"): agg["cronbach_alpha"].round(2),
        ctx.col("pc1_share"): (agg["pc1_share"] * 100).round(0),
    })
    imp = a.importance.dropna(subset=["difference"])
    worst = imp.reindex(imp["difference"].abs().sort_values(ascending=False).index).head(5)
    imp_table = pd.DataFrame({
        ctx.col("indicator"): [ctx.indicator_name(c) for c in worst.index],
        ctx.col("weight"): (worst["weight"] * 100).round(1),
        ctx.col("importance"): (worst["importance_share"] * 100).round(1),
    })
    flagged = a.flagged
    text = {lang: [ctx.t("audit.text", lang, n=len(a.stats), flagged=len(flagged),
                         low=sum(a.aggregates["flag_alpha"] == "LOW"),
                         worst=", ".join(ctx.indicator_name(c, lang) for c in
                                         a.most_misweighted()))] for lang in languages()}
    return {"id": "audit", "title": ctx.t("audit.title"), "figures": [],
            "tables": {"aggregates": table.to_dict("records"),
                       "importance": imp_table.to_dict("records")},
            "text": text, "notes": [ctx.t("audit.note")], "sources": ctx.index_sources}


def decompose_section(ctx: ReportContext) -> dict[str, Any]:
    """Which pillars make up the score gap to the leader."""
    from aigap.analysis.diagnosis.decompose import decompose
    from aigap.present.diagnosis import decomposition_figure

    ranks = ctx.index.ranks[ctx.root]
    leader = str(ranks.idxmin())
    other = leader if leader != ctx.unit else str(ranks.sort_values().index[1])
    dec = decompose(ctx.spec, other, vs=ctx.unit, result=ctx.index)
    fig = decomposition_figure(dec, ctx.lang)
    frame = dec.to_frame("pillar")
    table = pd.DataFrame({
        ctx.col("pillar"): [ctx.pillar(c) for c in frame["code"]],
        ctx.col("contribution"): frame["contribution"].round(2),
        ctx.col("share"): (frame["share"] * 100).round(1).astype(str) + "%",
    })
    return {"id": "decompose", "title": ctx.t("decompose.title", other=ctx.name(other)),
            "figures": [fig], "tables": {"decomposition": table.to_dict("records")},
            "text": {lang: [present.sentence(dec, lang)] for lang in languages()},
            "notes": [ctx.t("decompose.note")],
            "sources": ctx.index_sources}


def robustness_section(ctx: ReportContext) -> dict[str, Any]:
    """How much the rank moves when the index's arbitrary choices change."""
    from aigap.analysis.uncertainty.robustness import robustness
    from aigap.present.uncertainty import rank_interval_figure

    res = robustness(ctx.spec, n=20_000, seed=0, k=3, data=ctx.frame)
    frame = res.to_frame()
    fig = rank_interval_figure(res, ctx.lang, highlight=ctx.unit)
    row = frame.loc[ctx.unit]
    top = frame.sort_values("median_rank").head(12)
    table = pd.DataFrame({
        ctx.col("country"): [ctx.name(c) for c in top.index],
        ctx.col("nominal_rank"): top["nominal_rank"].astype(int),
        ctx.col("median_rank"): top["median_rank"],
        ctx.col("rank_interval"):
            [f"{int(a)}–{int(b)}" for a, b in zip(top["rank_p05"], top["rank_p95"], strict=True)],
        ctx.col("p_top3"): (top["p_top3"] * 100).round(1).astype(str) + "%",
    })
    text = {lang: [ctx.t("robustness.text", lang, name=ctx.unit_name(lang),
                         median=row["median_rank"], lo=row["rank_p05"], hi=row["rank_p95"],
                         p=row["p_top3"])] for lang in languages()}
    return {"id": "robustness", "title": ctx.t("robustness.title"),
            "figures": [fig], "tables": {"robustness": table.to_dict("records")},
            "text": text, "notes": [ctx.t("robustness.note")],
            "sources": ctx.index_sources}


def targets_section(ctx: ReportContext) -> dict[str, Any]:
    """What it would take to reach the top 3 by 2030 (moves in raw units, US$, feasibility
    bounds), and the chance of getting there, with what the projection assumed."""
    from aigap.analysis.targets.scenarios import DEFAULT_N, history_from_warehouse, scenario
    from aigap.analysis.targets.what_it_takes import DEFAULT_BY, what_it_takes
    from aigap.i18n.numbers import format_number

    history = history_from_warehouse(ctx.wh, ctx.index.framework.indicators)
    wit = what_it_takes(ctx.spec, ctx.unit, rank=3, by=DEFAULT_BY, data=ctx.frame,
                        history=history)
    moves = wit.moves
    policy = "cost_usd" in moves.columns

    def change(r: pd.Series) -> str:
        v = r["change_abs"] if np.isfinite(r["change_abs"]) else r["raw_to"] - r["raw_today"]
        unit = r["abs_unit_ko"] if ctx.lang == "ko" else r["abs_unit"]
        return f"{'+' if v >= 0 else '-'}{format_number(abs(v), ctx.lang)} {unit}"

    def per_year(r: pd.Series) -> str:
        if not np.isfinite(r["per_year"]):
            return ""
        if r["per_year_kind"] == "% a year":
            return f"{r['per_year']:+.1f}%"
        return format_number(r["per_year"], ctx.lang)

    cols: dict[str, Any] = {
        ctx.col("indicator"): [ctx.indicator_name(c) for c in moves["indicator"]],
        ctx.col("from"): (moves["raw_today"] if policy else moves["raw_from"]).to_numpy(),
        ctx.col("to"): moves["raw_to"].to_numpy(),
    }
    if policy:
        cols[ctx.col("change_abs")] = [change(r) for _, r in moves.iterrows()]
        cols[ctx.col("per_year")] = [per_year(r) for _, r in moves.iterrows()]
        cols[ctx.col("cost_usd")] = moves["cost_usd"].to_numpy()
    else:
        cols[ctx.col("change")] = moves["change_pct"].round(1).to_numpy()
    table = pd.DataFrame(cols)
    sc = scenario(ctx.spec, to=DEFAULT_BY, n=DEFAULT_N, seed=0, k=3, data=ctx.frame,
                  history=history, unit=ctx.unit)
    flagged = sc.assumptions[sc.assumptions["flag"] != ""]
    assumed = pd.DataFrame({
        ctx.col("indicator"): [ctx.indicator_name(c) for c in flagged["indicator"]],
        ctx.col("assumption"): flagged["flag"].to_numpy(),
    })
    return {"id": "targets", "title": ctx.t("targets.title"),
            "figures": [], "tables": {"moves": table.to_dict("records"),
                                      "assumptions": assumed.to_dict("records")},
            "text": {lang: [present.sentence(wit, lang),
                            present.sentence(sc, lang, unit=ctx.unit)] for lang in languages()},
            "notes": [ctx.t("targets.note", n=DEFAULT_N)],
            "sources": ctx.index_sources}
