"""Figures of the diagnosis analyses: decomposition waterfall and profile radar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import plotly.graph_objects as go

from aigap.analysis.diagnosis.decompose import Decomposition
from aigap.analysis.diagnosis.profile import (
    Profile,
    country_names,
    group_en,
    group_ko,
    percentile_among,
)
from aigap.i18n.korean import with_


def decomposition_figure(dec: Decomposition, lang: str = "en", level: str = "pillar"
                         ) -> go.Figure:
    """Waterfall from unit b's score through the contributions to unit a's score."""

    ko = lang == "ko"
    na, nb = dec.names_ko if ko else dec.names_en
    rows = dec.to_frame(level)
    labels = list(rows["name_ko" if ko else "name"])
    x = [nb, *labels, na]
    y = [dec.score_b, *rows["contribution"], dec.score_a]
    measure = ["absolute", *["relative"] * len(rows), "total"]
    fig = go.Figure(go.Waterfall(
        x=x, y=y, measure=measure, text=[f"{v:+.1f}" if m == "relative" else f"{v:.1f}"
                                         for v, m in zip(y, measure, strict=True)],
        textposition="outside", connector={"line": {"color": "lightgrey"}}))
    title = (f"{nb}에서 {na}까지: 종합점수 격차 {dec.gap:+.1f}점의 분해" if ko else
             f"From {nb} to {na}: the {dec.gap:+.1f}-point gap by "
             f"{'pillar' if level == 'pillar' else level}")
    fig.update_layout(title=title, template="plotly_white", showlegend=False,
                      yaxis_title="종합점수" if ko else "index score")
    return fig


_FIG = {
    "en": {"median": "peer median", "score": "pillar score (0-100)",
           "percentile": "percentile among peers"},
    "ko": {"median": "비교국 중앙값", "score": "부문 점수(0~100)",
           "percentile": "비교국 내 백분위"},
}


def profile_figure(prof: Profile, lang: str = "en", compare: Sequence[str] = ("USA", "CHN"),
                   metric: Literal["score", "percentile"] = "score") -> go.Figure:
    """Radar of the unit's pillars against the peers' median and, optionally, other units.

    ``metric="score"``: pillar scores (the median is the peers' median score);
    ``"percentile"``: percentiles among the same peers (the median is the 50th percentile).
    Units of ``compare`` missing from the index are left out.
    """

    ko = lang == "ko"
    t = _FIG["ko" if ko else "en"]
    names_en, names_ko = country_names()
    names = names_ko if ko else names_en
    theta = list(prof.pillars["name_ko" if ko else "name"])
    codes = list(prof.pillars["code"])
    peers = [m for m in prof.members if m != prof.unit and m in prof.scores.index]

    def series(unit: str) -> list[float]:
        if metric == "score":
            return [float(prof.scores.at[unit, c]) for c in codes]
        others = [m for m in peers if m != unit]
        return [percentile_among(float(prof.scores.at[unit, c]),
                                 prof.scores.loc[others, c].to_numpy(dtype=float))[0]
                for c in codes]

    median = (list(prof.pillars["peer_median"]) if metric == "score" else [50.0] * len(codes))
    fig = go.Figure()
    closed = [*theta, theta[0]]
    fig.add_trace(go.Scatterpolar(r=[*median, median[0]], theta=closed, name=t["median"],
                                  line={"dash": "dash", "color": "grey"}))
    for other in compare:
        if other in prof.scores.index and other != prof.unit:
            r = series(other)
            fig.add_trace(go.Scatterpolar(r=[*r, r[0]], theta=closed,
                                          name=names.get(other, other), opacity=0.7))
    r = series(prof.unit)
    who = names.get(prof.unit, prof.unit)
    fig.add_trace(go.Scatterpolar(r=[*r, r[0]], theta=closed, name=who, fill="toself",
                                  line={"width": 3}))
    grp = group_ko(prof) if ko else group_en(prof)
    fig.update_layout(
        title=f"{with_(grp)} 비교한 {who}" if ko else f"{who} compared with {grp}",
        polar={"radialaxis": {"range": [0, 100], "title": {"text": t[metric]}}},
        template="plotly_white", legend_title_text="")
    return fig
