"""Figures of the uncertainty analyses: rank intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from aigap.analysis.uncertainty.robustness import RobustnessResult
from aigap.errors import SpecError
from aigap.i18n import languages, t
from aigap.present.theme import COUNTRY_COLOURS, HIGHLIGHT, TEMPLATE


def rank_interval_figure(result: RobustnessResult, lang: str = "en",
                         highlight: str | None = "KOR") -> Any:
    """Plotly chart: per unit the 5–95% rank interval, median and nominal rank.

    Units are ordered by median rank (best at the top); ``highlight`` is drawn in red.
    """

    if lang not in languages():
        raise SpecError(f"lang must be one of {', '.join(languages())} (got {lang!r})")
    lab = {k: t(f"figure.rank_interval.{k}", lang)
           for k in ("title", "interval", "median", "nominal", "rank", "replications")}
    df = result.to_frame()
    ylab = [f"{n} ({u})" if n != u else u for u, n in zip(df.index, df["name"], strict=True)]
    hot = np.array([u == highlight for u in df.index])
    colour = np.where(hot, HIGHLIGHT, COUNTRY_COLOURS["USA"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=df["median_rank"], y=ylab, mode="markers", name=lab["median"],
        marker={"color": colour, "size": np.where(hot, 11, 7)},
        error_x={"type": "data", "symmetric": False,
                 "array": df["rank_p95"] - df["median_rank"],
                 "arrayminus": df["median_rank"] - df["rank_p05"], "color": "#7f7f7f",
                 "thickness": 1.5, "width": 3},
        customdata=np.stack([df["rank_p05"], df["rank_p95"], df["p_top3"]], axis=-1),
        hovertemplate=(f"%{{y}}<br>{lab['median']}: %{{x}}<br>{lab['interval']}: "
                       "%{customdata[0]}–%{customdata[1]}<br>P(≤3): %{customdata[2]:.1%}"
                       "<extra></extra>")))
    fig.add_trace(go.Scatter(x=df["nominal_rank"], y=ylab, mode="markers", name=lab["nominal"],
                             marker={"symbol": "x", "color": "#000000", "size": 6}))
    title = f"{lab['title']} — {result.index_name} (n = {result.n:,} {lab['replications']})"
    fig.update_layout(
        title=title, xaxis_title=f"{lab['rank']} ({lab['interval']})",
        yaxis={"autorange": "reversed", "tickfont": {"size": 10}},
        height=max(400, 18 * len(df) + 120), template=TEMPLATE,
        legend={"orientation": "h", "y": -0.08})
    if highlight is not None and highlight in df.index:
        fig.update_yaxes(tickmode="array", tickvals=ylab,
                         ticktext=[f"<b>{t}</b>" if h else t
                                   for t, h in zip(ylab, hot, strict=True)])
    return fig
