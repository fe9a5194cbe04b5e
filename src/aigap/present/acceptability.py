"""Figure of rank acceptability (SMAA): a heat map of P(unit holds rank r)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from aigap.analysis.uncertainty.acceptability import AcceptabilityResult
from aigap.i18n import t
from aigap.present.names import local_name
from aigap.present.theme import TEMPLATE


def acceptability_figure(result: AcceptabilityResult, lang: str = "en", top: int = 15,
                         highlight: str | None = "KOR") -> Any:
    """Units (best expected rank first, ``top`` of them plus ``highlight``) x ranks 1..top."""
    df = result.to_frame(ranks=top)
    rows = df.head(top)
    if highlight in df.index and highlight not in rows.index:
        rows = df.loc[[*rows.index, highlight]]
    cols = [c for c in rows.columns if c[0] == "b" and c[1:].isdigit()]
    ylab = [f"<b>{local_name(u, lang, n)}</b>" if u == highlight else local_name(u, lang, n)
            for u, n in zip(rows.index, rows["name"], strict=True)]
    lab = {k: t(f"acceptability.figure.{k}", lang) for k in ("title", "rank", "share")}
    fig = go.Figure(go.Heatmap(
        z=rows[cols].to_numpy(), x=[c[1:] for c in cols], y=ylab, colorscale="Blues",
        zmin=0, zmax=1, colorbar={"title": lab["share"], "tickformat": ".0%"},
        hovertemplate=f"%{{y}}<br>{lab['rank']} %{{x}}: %{{z:.1%}}<extra></extra>"))
    fig.update_layout(title=f"{lab['title']} — {result.index_name} (n = {result.n_ok:,})",
                      xaxis_title=lab["rank"], yaxis={"autorange": "reversed"},
                      height=max(360, 22 * len(rows) + 140), template=TEMPLATE)
    return fig
