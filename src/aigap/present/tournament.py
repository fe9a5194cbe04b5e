"""The tournament simulator's words, tables and figures: designs, stage outcomes and sweeps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aigap.i18n import lang_of, t, t_or
from aigap.present.theme import COUNTRY_COLOURS, TEMPLATE
from aigap.tournament.model import Rule, Stage, TournamentConfig
from aigap.tournament.simulate import (
    SUMMARY_METRICS,
    DesignComparison,
    SweepResult,
    TournamentResult,
    prop_se,
)


def label(key: str, lang: str = "en") -> str:
    """A metric, column or figure title in ``lang`` (the key itself if unknown)."""
    return t_or(f"tournament.label.{key}", lang_of(lang), key)


def rule_label(rule: Rule, lang: str = "en") -> str:
    """A stage's cut rule in words: "keep top 3" / "상위 3팀 유지"."""
    lang = lang_of(lang)
    fields = rule.model_dump()
    kind = fields.pop("type")
    if kind == "portfolio":
        fields["distinct"] = t("tournament.rule.distinct", lang) \
            if fields.get("distinct_approaches") else ""
    return t(f"tournament.rule.{kind}", lang, **fields)


def _named(obj: Any, lang: str) -> str:
    """``name_<lang>`` of a team, stage or config when it has one, else ``name``."""
    own = getattr(obj, f"name_{lang_of(lang)}", None)
    return str(own or obj.name)


def team_label(cfg: TournamentConfig, i: int, lang: str) -> str:
    return _named(cfg.teams[i], lang)


def stage_label(st: Stage, lang: str) -> str:
    return _named(st, lang)


def config_title(cfg: TournamentConfig, lang: str) -> str:
    own = getattr(cfg, f"title_{lang_of(lang)}", None)
    return str(own or cfg.display_title)


def design_label(design: Any, lang: str) -> str:
    own = getattr(design, f"label_{lang_of(lang)}", None)
    return str(own or design.label)


# ----------------------------------------------------------------------------------- tables


def summary_table(res: TournamentResult, lang: str = "en") -> pd.DataFrame:
    """Metric, value and MC standard error of the headline estimates, labelled in ``lang``
    (conditioned on observed results: also how many simulated programmes agree with them)."""
    rows = [(label(k, lang), getattr(res, k), getattr(res, k + "_se")) for k in SUMMARY_METRICS]
    if res.observed is not None:
        rows += [(label("n_used", lang), float(res.n), np.nan),
                 (label("acceptance", lang), res.acceptance, np.nan)]
    return pd.DataFrame(rows, columns=[label("metric", lang), label("value", lang),
                                       label("se", lang)])


def teams_table(res: TournamentResult, lang: str = "en") -> pd.DataFrame:
    df = res.teams.reset_index()
    # columns that only say something for a running programme or one with entrants
    if res.observed is None:
        df = df.drop(columns=["mean_first_score"])
    if not df["enters_at"].any():
        df = df.drop(columns=["enters_at"])
    df["team"] = [team_label(res.config, i, lang) for i in range(len(df))]
    return df.rename(columns={c: label(c, lang) for c in df.columns})


def stages_table(res: TournamentResult, lang: str = "en") -> pd.DataFrame:
    df = res.stages.copy()
    df["stage"] = [stage_label(s, lang) for s in res.config.stages]
    df["rule"] = [rule_label(s.rule, lang) + (t("tournament.rule.eligibility", lang_of(lang),
                                                name=_named(s.eligibility, lang))
                                              if s.eligibility else "")
                  for s in res.config.stages]
    return df.rename(columns={c: label(c, lang) for c in df.columns})


def designs_table(cmp: DesignComparison, lang: str = "en") -> pd.DataFrame:
    """One row per design with the design's name and "within budget" in ``lang``."""
    df = cmp.frame()
    df["design"] = [design_label(d, lang) for d in cmp.designs]
    df["within_budget"] = [label("yes" if w else "no", lang) for w in df["within_budget"]]
    return df


def comparison_figure(comparison: DesignComparison, lang: str = "en") -> Any:
    """Designs side by side: selection probabilities, regret and cost (±1.96 MC s.e.)."""

    names = [design_label(d, lang) for d in comparison.designs]
    res = comparison.results
    fig = make_subplots(rows=1, cols=3, subplot_titles=[
        label("fig_selection", lang), label("fig_regret", lang), label("fig_cost", lang)])
    for key, color in (("p_best_wins", "#1f77b4"), ("p_best_survives", "#9ecae1")):
        fig.add_trace(go.Bar(
            x=names, y=[getattr(r, key) for r in res], name=label(key, lang),
            marker_color=color,
            error_y={"type": "data", "array": [1.96 * getattr(r, key + "_se") for r in res]},
        ), row=1, col=1)
    fig.add_trace(go.Bar(
        x=names, y=[r.expected_regret for r in res], name=label("expected_regret", lang),
        marker_color="#d62728",
        error_y={"type": "data", "array": [1.96 * r.expected_regret_se for r in res]},
    ), row=1, col=2)
    fig.add_trace(go.Bar(
        x=names, y=[r.expected_cost for r in res], name=label("expected_cost", lang),
        marker_color=[COUNTRY_COLOURS["leader"] if d.name == comparison.best
                      else COUNTRY_COLOURS["median"] for d in comparison.designs],
        error_y={"type": "data", "array": [1.96 * r.expected_cost_se for r in res]},
    ), row=1, col=3)
    if comparison.budget is not None:
        fig.add_hline(y=comparison.budget, line_dash="dash", row=1, col=3,
                      annotation_text=t("figure.tournament.budget", lang_of(lang)))
    fig.update_yaxes(range=[0, 1], row=1, col=1)
    fig.update_layout(title=f"{label('fig_compare', lang)} ({label('error_bars', lang)})",
                      barmode="group", legend={"orientation": "h", "y": -0.25},
                      template=TEMPLATE)
    return fig


def tournament_summary_figure(result: TournamentResult, lang: str = "en") -> Any:
    """One design: P(win) vs P(truly best) per team, and the best team's survival by stage."""

    cfg = result.config
    teams = [team_label(cfg, i, lang) for i in range(len(cfg.teams))]
    fig = make_subplots(rows=1, cols=2, subplot_titles=[
        label("fig_team_win", lang), label("fig_best_alive", lang)])
    fig.add_trace(go.Bar(x=teams, y=result.teams["p_win"], name=label("p_win", lang),
                         error_y={"type": "data", "array": 1.96 * result.teams["p_win_se"]}),
                  row=1, col=1)
    fig.add_trace(go.Bar(x=teams, y=result.teams["p_truly_best"],
                         name=label("p_truly_best", lang)), row=1, col=1)
    p = result.stages["p_best_alive"].to_numpy()
    fig.add_trace(go.Scatter(
        x=[stage_label(s, lang) for s in cfg.stages], y=p, mode="lines+markers",
        name=label("p_best_alive", lang),
        error_y={"type": "data", "array": 1.96 * prop_se(p, result.n)},
    ), row=1, col=2)
    fig.update_yaxes(range=[0, 1])
    title = config_title(cfg, lang)
    fig.update_layout(title=f"{title} — {label('p_best_wins', lang)} "
                            f"{result.p_best_wins:.3f} ± {1.96 * result.p_best_wins_se:.3f}",
                      barmode="group", legend={"orientation": "h", "y": -0.2},
                      template=TEMPLATE)
    return fig


def sweep_figure(sweep: SweepResult, lang: str = "en") -> Any:
    """Selection probabilities (with 95% MC bands) and regret against the swept parameter."""

    x = sweep.values
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for key in ("p_best_wins", "p_best_survives"):
        y = np.array([getattr(r, key) for r in sweep.results])
        se = np.array([getattr(r, key + "_se") for r in sweep.results])
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=label(key, lang),
                                 error_y={"type": "data", "array": 1.96 * se}),
                      secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=[r.expected_regret for r in sweep.results],
                             mode="lines+markers", line={"dash": "dot"},
                             name=label("expected_regret", lang)), secondary_y=True)
    fig.update_xaxes(title_text=label(sweep.param, lang))
    fig.update_yaxes(title_text=label("p_best_wins", lang), range=[0, 1], secondary_y=False)
    fig.update_yaxes(title_text=label("expected_regret", lang), secondary_y=True)
    fig.update_layout(title=f"{label('fig_sweep', lang)} {label(sweep.param, lang)}",
                      template=TEMPLATE)
    return fig
