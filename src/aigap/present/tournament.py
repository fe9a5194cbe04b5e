"""The tournament simulator's words, tables and figures: designs, stage outcomes and sweeps."""

from __future__ import annotations

import math
import re
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
    ProgrammeState,
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


def cost_unit_label(cfg: TournamentConfig, lang: str = "en") -> str:
    """The config's cost unit in ``lang``: catalogue key ``tournament.cost_unit.<slug>``
    (``KRW bn (illustrative)`` → ``krw_bn_illustrative``); an unknown unit stays as written."""
    slug = re.sub(r"[^a-z0-9]+", "_", cfg.cost_unit.lower()).strip("_")
    return t_or(f"tournament.cost_unit.{slug}", lang_of(lang), cfg.cost_unit)


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


# ------------------------------------------------------------------- the running programme


def _rule_text(st: Stage, lang: str) -> str:
    text = rule_label(st.rule, lang)
    if st.eligibility is not None:
        text += t("tournament.rule.eligibility", lang_of(lang), name=_named(st.eligibility, lang))
    return text


def programme_view(state: ProgrammeState, lang: str = "en") -> dict[str, Any]:
    """Everything the dashboard's programme page shows, as plain data in ``lang``: the
    programme as it runs (stages, teams, who advanced, published points), the posterior,
    the noise sweep, the designs from the current state and the assumptions behind them.

    Probabilities are raw numbers (the page rounds them); words come from the catalogue.
    """
    lang = lang_of(lang)
    res, cfg = state.posterior, state.posterior.config
    obs = res.observed
    done = sorted(obs.alive) if obs is not None else []
    status: dict[int, str] = {}
    for s in done:
        assert obs is not None
        status.update({i: "removed_by_rule" for i in obs.removed_by_rule[s]})
        status.update({i: "cut" for i in obs.removed_by_score[s]})
        status.update({i: "advanced" for i in obs.alive[s]})
    last = done[-1] if done else -1
    for i, tm in enumerate(cfg.teams):
        if tm.enters_at > last:
            status[i] = "entrant" if tm.enters_at > 0 else status.get(i, "selected")
    published: dict[int, list[dict[str, Any]]] = {}
    mean_points = []
    for pt in obs.points if obs is not None else ():
        ev = cfg.stage_evaluation(pt.stage)
        if pt.kind == "mean":
            continue
        comp = (ev.components or [])[pt.component].name if pt.component is not None else None
        published.setdefault(pt.teams[0], []).append({
            "stage": cfg.stages[pt.stage].id or cfg.stages[pt.stage].name,
            "kind": pt.kind, "component": comp,
            "component_label": _component_name(comp, lang) if comp else None,
            "value": pt.value, "censored": pt.censored})
    if obs is not None:
        # the mean as announced (the conditioning moves capped teams out of it)
        mean_points = [{"stage": cfg.stages[s].id or cfg.stages[s].name,
                        "label": stage_label(cfg.stages[s], lang), "value": v}
                       for s, v in obs.means]
    teams = []
    for i, tm in enumerate(cfg.teams):
        row = res.teams.iloc[i]
        pts = published.get(i, [])
        comps = [p for p in pts if p["kind"] == "component"]
        n_comp = len(cfg.stage_evaluation(cfg.stage_index(comps[0]["stage"])).components or []
                     ) if comps else 0
        total = next((p["value"] for p in pts if p["kind"] == "total"), None)
        if total is None and comps and len(comps) == n_comp:
            total = round(math.fsum(p["value"] for p in comps), 6)
        teams.append({
            "name": tm.name, "label": team_label(cfg, i, lang), "status": status.get(i, ""),
            "status_label": t(f"tournament.view.status.{status.get(i) or 'selected'}", lang),
            "enters_at": tm.enters_at, "note": tm.note,
            "p_truly_best": float(row["p_truly_best"]), "p_win": float(row["p_win"]),
            "p_funded_end": float(row["p_funded_end"]),
            "published": pts, "published_total": total})
    stages = []
    for s, st in enumerate(cfg.stages):
        rec: dict[str, Any] = {
            "id": st.id, "label": stage_label(st, lang), "date": st.date,
            "rule": _rule_text(st, lang), "done": s in done,
            "p_best_removed_by_rule": float(res.stages["p_best_removed_by_rule"].iloc[s]),
            "p_best_removed_by_score": float(res.stages["p_best_removed_by_score"].iloc[s]),
            "expected_alive": float(res.stages["expected_alive"].iloc[s])}
        if obs is not None and s in obs.alive:
            rec.update({k: [team_label(cfg, i, lang) for i in v] for k, v in (
                ("advanced", obs.alive[s]), ("removed_by_rule", obs.removed_by_rule[s]),
                ("removed_by_score", obs.removed_by_score[s]))})
        stages.append(rec)
    by_rule = sum(stages[s]["p_best_removed_by_rule"] for s in done)
    by_score = sum(stages[s]["p_best_removed_by_score"] for s in done)
    posterior = {
        "p_best_wins": res.p_best_wins, "p_best_wins_se": res.p_best_wins_se,
        "p_best_survives": res.p_best_survives, "p_best_survives_se": res.p_best_survives_se,
        "p_best_eliminated": by_rule + by_score,
        "p_best_eliminated_by_rule": by_rule, "p_best_eliminated_by_score": by_score,
        "expected_regret": res.expected_regret, "expected_regret_se": res.expected_regret_se,
        "n": res.n, "n_proposed": res.n_proposed, "acceptance": res.acceptance}
    sweep = [{"noise_scale": v, "p_best_wins": r.p_best_wins, "p_best_wins_se": r.p_best_wins_se,
              "p_best_survives": r.p_best_survives, "expected_regret": r.expected_regret}
             for v, r in zip(state.sweep.values, state.sweep.results, strict=True)]
    return {
        "programme": t("tournament.programme.name", lang),
        "title": config_title(cfg, lang), "config": cfg.name, "lang": lang,
        "path": cfg.stage_path(), "seed": res.seed,
        "observed": obs.source if obs is not None else None,
        "source": obs.reference if obs is not None else None,
        "units": t("tournament.view.units", lang),
        "cost_unit": cost_unit_label(cfg, lang),
        "status_labels": {k: t(f"tournament.view.status.{k}", lang) for k in (
            "advanced", "removed_by_rule", "cut", "entrant", "selected")},
        "stages": stages, "teams": teams, "mean_scores": mean_points,
        "posterior": posterior, "sweep": sweep,
        "designs": _designs_view(state, lang),
        "assumptions": assumptions(cfg, lang),
    }


def _designs_view(state: ProgrammeState, lang: str) -> dict[str, Any] | None:
    cmp = state.designs
    if cmp is None:
        return None
    f = cmp.frame()
    rows = []
    for d, (_, r) in zip(cmp.designs, f.iterrows(), strict=True):
        rows.append({
            "name": d.name, "label": design_label(d, lang), "path": str(r["path"]),
            **{k: float(r[k]) for k in (
                "p_best_wins", "p_best_wins_se", "p_best_survives", "p_best_survives_se",
                "expected_regret", "objective_value", "objective_value_se", "vs_first",
                "vs_first_se", "expected_cost")},
            "within_budget": bool(r["within_budget"]), "recommended": d.name == cmp.best})
    return {"budget": cmp.budget, "objective": cmp.objective.value,
            "objective_label": label(cmp.objective.value, lang), "best": cmp.best,
            "cost_unit": cost_unit_label(state.posterior.config, lang), "rows": rows}


def assumptions(cfg: TournamentConfig, lang: str = "en") -> list[dict[str, Any]]:
    """The model's unpublished inputs, each labelled as an assumption, with its value."""
    lang = lang_of(lang)
    out: list[dict[str, Any]] = []

    def add(key: str, value: str) -> None:
        out.append({"key": key, "label": t(f"tournament.view.assume.{key}", lang),
                    "value": value})

    first = cfg.teams[0]
    m0, sd0 = first.prior.resolve(cfg.benchmark_scale)
    add("prior", f"N({m0:g}, {sd0:g}²)")
    for i, tm in enumerate(cfg.teams):
        if tm.enters_at > 0:
            m, sd = tm.prior.resolve(cfg.benchmark_scale)
            add("entrant_prior", f"{team_label(cfg, i, lang)}: N({m:+g}, {sd:g}²)")
    g = first.growth
    add("growth", f"{g.mean:g} ± {g.rate_sd:g}, {t('tournament.view.shock', lang)} {g.shock_sd:g}")
    ev = cfg.stage_evaluation(0)
    for c in ev.components or []:
        panel = (f", {t('tournament.view.judges', lang, n=c.judges)}, ρ = {c.correlation:g}"
                 if c.judges > 1 else "")
        add("noise", f"{_component_name(c.name, lang)}: sd {c.noise_sd:g}{panel}")
    add("noise_total", f"{ev.effective_sd:.2f}")
    add("bias", f"{cfg.persistent_bias_sd:g}")
    if cfg.score_scale is not None:
        sc = cfg.score_scale
        add("score_scale", t("tournament.view.scale", lang, unit=sc.unit, center=sc.center,
                             center_sd=sc.center_sd))
    for st in cfg.stages:
        if st.eligibility is not None:
            add("p_fail", f"{stage_label(st, lang)}: {st.eligibility.p_fail:g}")
    add("schedule", " → ".join(f"{stage_label(st, lang)} ({rule_label(st.rule, lang)})"
                               for st in cfg.stages if st.date is None))
    unit = cost_unit_label(cfg, lang)
    add("costs", " / ".join(f"{st.cost_per_team:g}" for st in cfg.stages) + f" {unit}"
        + (f"; {t('tournament.view.budget', lang, budget=cfg.budget, unit=unit)}"
           if cfg.budget is not None else ""))
    return out


def _component_name(name: str, lang: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return t_or(f"tournament.view.component.{slug}", lang_of(lang), name)
