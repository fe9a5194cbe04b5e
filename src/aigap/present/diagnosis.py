"""Figures of the diagnosis analyses: decomposition waterfall, profile radar and the gap on
every series of a concept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import plotly.graph_objects as go

from aigap.analysis.diagnosis.decompose import Decomposition
from aigap.analysis.diagnosis.gap import GapResult
from aigap.analysis.diagnosis.profile import Profile, country_names, percentile_among
from aigap.i18n import t
from aigap.present.names import attr, column
from aigap.present.text.diagnosis import group_phrase
from aigap.present.theme import COUNTRY_COLOURS, HIGHLIGHT, TEMPLATE


def decomposition_figure(dec: Decomposition, lang: str = "en", level: str = "pillar"
                         ) -> go.Figure:
    """Waterfall from unit b's score through the contributions to unit a's score."""

    na, nb = attr(dec, "names", lang)
    rows = dec.to_frame(level)
    labels = list(rows[column(rows.columns, "name", lang)])
    x = [nb, *labels, na]
    y = [dec.score_b, *rows["contribution"], dec.score_a]
    measure = ["absolute", *["relative"] * len(rows), "total"]
    fig = go.Figure(go.Waterfall(
        x=x, y=y, measure=measure, text=[f"{v:+.1f}" if m == "relative" else f"{v:.1f}"
                                         for v, m in zip(y, measure, strict=True)],
        textposition="outside", connector={"line": {"color": "lightgrey"}}))
    lev = t("figure.decomposition.level_pillar", lang) if level == "pillar" else level
    title = t("figure.decomposition.title", lang, a=na, b=nb, gap=dec.gap, level=lev)
    fig.update_layout(title=title, template=TEMPLATE, showlegend=False,
                      yaxis_title=t("figure.decomposition.yaxis", lang))
    return fig


def profile_figure(prof: Profile, lang: str = "en", compare: Sequence[str] = ("USA", "CHN"),
                   metric: Literal["score", "percentile"] = "score") -> go.Figure:
    """Radar of the unit's pillars against the peers' median and, optionally, other units.

    ``metric="score"``: pillar scores (the median is the peers' median score);
    ``"percentile"``: percentiles among the same peers (the median is the 50th percentile).
    Units of ``compare`` missing from the index are left out.
    """

    names_en, names_ko = country_names()
    names = names_ko if lang == "ko" else names_en
    theta = list(prof.pillars[column(prof.pillars.columns, "name", lang)])
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
    fig.add_trace(go.Scatterpolar(r=[*median, median[0]], theta=closed,
                                  name=t("figure.profile.median", lang),
                                  line={"dash": "dash", "color": COUNTRY_COLOURS["median"]}))
    for other in compare:
        if other in prof.scores.index and other != prof.unit:
            r = series(other)
            fig.add_trace(go.Scatterpolar(r=[*r, r[0]], theta=closed,
                                          name=names.get(other, other), opacity=0.7,
                                          line={"color": COUNTRY_COLOURS.get(other)}))
    r = series(prof.unit)
    who = names.get(prof.unit, prof.unit)
    fig.add_trace(go.Scatterpolar(r=[*r, r[0]], theta=closed, name=who, fill="toself",
                                  line={"width": 3, "color": HIGHLIGHT}))
    fig.update_layout(
        title=t("figure.profile.title", lang, who=who, grp=group_phrase(prof, lang)),
        polar={"radialaxis": {"range": [0, 100],
                              "title": {"text": t(f"figure.profile.{metric}", lang)}}},
        template=TEMPLATE, legend_title_text="")
    return fig


def gap_figure(res: GapResult, lang: str = "en") -> go.Figure:
    """The ratio other / unit by year on a log scale: the chosen series solid, every other
    series of the concept dashed, one colour per comparator."""
    from aigap.present.text.diagnosis import series_label

    names_en, names_ko = country_names()
    names = names_ko if lang == "ko" else names_en
    chosen = {s.indicator: s.series for s in res.summaries}
    level = res.table[res.table["basis"] == "level"].assign(
        series=lambda d: d["indicator"].map(chosen).fillna(""))
    frames = [(level, "solid")]
    if not res.alternative_table.empty:
        frames.append((res.alternative_table, "dash"))
    fig = go.Figure()
    for frame, dash in frames:
        rows = frame.dropna(subset=["ratio"])
        for (series, other), part in rows.groupby(["series", "other"], sort=False):
            fig.add_trace(go.Scatter(
                x=part["year"], y=part["ratio"], mode="lines+markers",
                name=f"{names.get(str(other), other)} · {series_label(str(series), lang)}",
                line={"dash": dash, "color": COUNTRY_COLOURS.get(str(other))}))
    who = names.get(res.unit, res.unit)
    fig.update_layout(title=t("figure.gap.title", lang, who=who), template=TEMPLATE,
                      yaxis={"type": "log", "title": t("figure.gap.yaxis", lang, who=who)},
                      legend_title_text="")
    return fig
