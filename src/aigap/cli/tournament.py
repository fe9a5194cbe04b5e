"""`aigap tournament`: how likely is a staged-evaluation programme to keep the best team?"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded when a command runs: `aigap --help` stays quick
    import pandas as pd
import typer

from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    progress_bar,
    render,
    user_errors,
)
from aigap.errors import SpecError
from aigap.i18n import t

HELP = """Simulate a staged evaluation (e.g. the sovereign-AI programme, 5 teams cut to 1).

Reports the probability that the truly best team wins or survives, the expected regret,
per-team win probabilities, the diversity kept and the expected cost, all with Monte Carlo
standard errors. `--compare` runs several designs side by side; `--sweep` varies one parameter
(noise, noise_scale, bias or stages). See docs/tournament.md for the model.
"""


def _with_se(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Merge ``x`` and ``x_se`` into one "value ± 1.96 s.e." text column for display."""
    import pandas as pd

    from aigap.present.tournament import label

    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        if col.endswith("_se"):
            continue
        if f"{col}_se" in df.columns:
            out[label(col, lang)] = [f"{v:.3f} ± {1.96 * s:.3f}"
                                     for v, s in zip(df[col], df[f"{col}_se"], strict=True)]
        else:
            out[label(col, lang)] = df[col]
    return out


def tournament(
    config: str = typer.Option(
        "sovereign-ai-2026", "--config", "-c",
        help="YAML path or shipped name (sovereign-ai-2026, sovereign-ai-generic)"
    ),
    compare: str | None = typer.Option(
        None, "--compare", help="designs YAML (path or shipped name `designs`)"
    ),
    sweep: str | None = typer.Option(
        None, "--sweep", help="PARAM=START:STOP:COUNT, e.g. noise=0.1:1.0:10 or stages=1:4"
    ),
    n: int = typer.Option(200_000, "--n", "-n", min=2, help="tournaments per design"),
    seed: int = typer.Option(0, "--seed", min=0, help="random seed (same seed, same numbers)"),
    budget: float | None = typer.Option(
        None, "--budget", help="budget for picking the best design (default: from the YAML)"
    ),
    objective: str | None = typer.Option(
        None, "--objective", help="best_funded (default) or winner: what the design maximises"
    ),
    observed: str = typer.Option(
        "default", "--observed",
        help="results YAML to condition on (default: the file the config names, e.g. the "
             "January 2026 results; `none`: ignore results)"
    ),
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show a progress bar"),
) -> None:
    """Simulate a staged-evaluation programme and report how often it keeps the best team."""
    _run(config, compare, sweep, n, seed, budget, objective, fmt, lang, progress, observed)


@user_errors
def _run(config: str, compare: str | None, sweep: str | None, n: int, seed: int,
         budget: float | None, objective: str | None, fmt: OutputFormat, lang: Lang,
         show_progress: bool, observed: str = "default") -> None:
    # Imported here so `aigap --help` stays fast (NumPy/pandas/pydantic load on demand).
    from aigap.present import tournament as pt
    from aigap.tournament import simulate as tm

    if compare and sweep:
        raise SpecError("--compare and --sweep cannot be combined: run them separately")
    if objective is not None and objective not in {o.value for o in tm.Objective}:
        raise SpecError(f"--objective {objective!r}: use best_funded or winner")
    cfg = tm.load_config(config)
    lg = lang.value
    enabled = show_progress and fmt is OutputFormat.table

    if compare:
        tm.load_designs(cfg, compare)  # validate before simulating
        with progress_bar("designs", enabled) as cb:
            cmp = tm.compare_designs(cfg, compare, n, seed, budget=budget,
                                     objective=objective, observed=observed, progress=cb)
        if fmt is OutputFormat.json:
            render(cmp, fmt, lang)
            return
        frame = pt.designs_table(cmp, lg)
        if fmt is OutputFormat.csv:
            render(frame, fmt, lang)
            return
        budget_txt = f"{cmp.budget:g} {pt.cost_unit_label(cfg, lg)}" \
            if cmp.budget is not None else "–"
        caption = (f"n = {n:,}, seed {seed}; ± = 1.96 MC s.e.; budget {budget_txt}; "
                   f"{pt.label('objective_value', lg)}: {pt.label(cmp.objective.value, lg)}")
        render(_with_se(frame, lg), fmt, lang, title=pt.label("fig_compare", lg), caption=caption)
        if cmp.best is not None:
            best = next(d for d in cmp.designs if d.name == cmp.best)
            msg = t("tournament.best_design", lg, name=pt.design_label(best, lg))
        else:
            msg = t("tournament.no_design", lg)
        console.print(msg)
        return

    if sweep:
        param, values = tm.parse_sweep(sweep)
        with progress_bar(param, enabled) as cb:
            sw = tm.sweep_tournament(cfg, (param, values), n, seed, observed=observed,
                                     progress=cb)
        if fmt is OutputFormat.json:
            render(sw, fmt, lang)
            return
        frame = sw.frame()
        if fmt is OutputFormat.csv:
            render(frame, fmt, lang)
            return
        render(_with_se(frame, lg), fmt, lang,
             title=f"{pt.label('fig_sweep', lg)} {pt.label(param, lg)}",
             caption=f"{cfg.display_title}; n = {n:,}, seed {seed}; ± = 1.96 MC s.e.")
        return

    with progress_bar("tournaments", enabled) as cb:
        res = tm.simulate_tournament(cfg, n, seed, observed=observed, progress=cb)
    if fmt is OutputFormat.json:
        render(res, fmt, lang)
        return
    if fmt is OutputFormat.csv:
        render(res.long_frame(), fmt, lang)
        return
    title = pt.config_title(cfg, lg)
    path = cfg.stage_path()
    render(pt.summary_table(res, lg), fmt, lang,
           title=title if path in title else f"{title} ({path})",
           caption=f"n = {n:,}, seed {seed}; capability in {cfg.units}; "
                   f"cost in {pt.cost_unit_label(cfg, lg)}")
    render(pt.teams_table(res, lg), fmt, lang)
    render(pt.stages_table(res, lg), fmt, lang)


def register(app: typer.Typer) -> None:
    app.command("tournament", help=HELP)(tournament)
