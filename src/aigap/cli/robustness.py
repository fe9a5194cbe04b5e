"""`aigap robustness` and `aigap sensitivity`: how stable are the ranks, and what moves them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded when a command runs: `aigap --help` stays quick
    pass
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
from aigap.i18n.store import raw


def _labels(lang: str) -> dict[str, str]:
    keys = ("unit", "name", "nominal", "median", "interval", "ptop", "score", "shift", "factor",
            "title", "sens")
    # "ptop" keeps its {k} field: it is filled per column below
    return {k: t(f"cli.robustness.{k}", lang) if k != "ptop" else
            str(raw("cli.robustness.ptop", lang)) for k in keys}


SPEC_OPTION = typer.Option("asem", "--spec", "-s", help="shipped spec name or path to a YAML spec")
UNIT_OPTION = typer.Option(None, "--unit", "-u", help="unit code to highlight, e.g. KOR")
UNC_OPTION = typer.Option(None, "--uncertainty", help="uncertainty spec YAML (default: COINr "
                          "vignette assumptions)")
SEED_OPTION = typer.Option(0, "--seed", help="random seed (same seed, same numbers)")
SCHED_OPTION = typer.Option(None, "--scheduler", help="Dask: 'local' (LocalCluster) or a "
                            "scheduler address; default: this process")
WORKERS_OPTION = typer.Option(2, "--workers", help="Dask LocalCluster worker processes")
YEAR_OPTION = typer.Option(None, "--year", "-y", help="year of a panel spec (default: latest)")


def _unc(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _unit(code: str | None, units: list[str]) -> str | None:
    if code is None:
        return None
    for u in (code, code.upper()):
        if u in units:
            return u
    raise SpecError(f"--unit {code!r} is not a unit of this index (e.g. {', '.join(units[:6])})")


def robustness_cmd(
    spec: str = SPEC_OPTION,
    n: int = typer.Option(10_000, "--n", "-n", help="number of Monte Carlo replications"),
    unit: str | None = UNIT_OPTION,
    uncertainty: Path | None = UNC_OPTION,
    seed: int = SEED_OPTION,
    top_k: int = typer.Option(3, "--top-k", help="also report P(rank <= k)"),
    scheduler: str | None = SCHED_OPTION,
    workers: int = WORKERS_OPTION,
    year: int | None = YEAR_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Monte Carlo rank intervals: median rank, 5–95% interval and P(top 3) of every unit."""
    import pandas as pd

    from aigap.analysis.uncertainty.robustness import prepare, robustness
    from aigap.mc import make_backend

    st = prepare(spec, _unc(uncertainty), year=year)
    hi = _unit(unit, st.engine.units)
    with progress_bar("Monte Carlo", fmt is OutputFormat.table) as bar:
        res = robustness(spec, n=n, seed=seed, k=top_k, setup=st,
                         backend=make_backend(scheduler, workers), progress=bar)
    if fmt is not OutputFormat.table:  # the result's to_dict() / to_frame() (k = --top-k)
        render(res, fmt, lang)
        return
    df = res.to_frame(k=top_k)
    lab = _labels(lang.value)
    ptop = [f"p_top{k}" for k in dict.fromkeys([3, top_k])]
    out = pd.DataFrame({
        lab["unit"]: [f"▶ {u}" if u == hi else u for u in df.index],
        lab["name"]: df["name"].to_numpy(),
        lab["nominal"]: df["nominal_rank"].astype("Int64").to_numpy(),
        lab["median"]: df["median_rank"].to_numpy(),
        lab["interval"]: [f"{lo:g}–{up:g}" for lo, up in zip(df["rank_p05"], df["rank_p95"],
                                                               strict=True)],
        **{lab["ptop"].format(k=c.removeprefix("p_top")): df[c].to_numpy() for c in ptop},
        lab["score"]: df["score_mean"].to_numpy(),
        lab["shift"]: df["mean_abs_shift"].to_numpy(),
    })
    cap = (f"{res.n:,} replications, seed {res.seed}, {res.n_failed:,} failed "
           f"(geometric aggregation of values <= 0); uncertainty: "
           f"{res.uncertainty.name if res.uncertainty else '-'}; mean |rank shift| "
           f"{res.mean_abs_shift:.2f}")
    render(out, fmt, lang, title=f"{lab['title']} — {res.index_name} ({res.spec_name})",
           caption=cap)
    if hi is not None:
        r = df.loc[hi]
        console.print(f"[bold]{hi}[/]: {lab['nominal']} {r['nominal_rank']:g}, {lab['median']} "
                      f"{r['median_rank']:g}, {lab['interval']} {r['rank_p05']:g}–"
                      f"{r['rank_p95']:g}, {lab['ptop'].format(k=3)} {r['p_top3']:.1%}")
    for w in res.warnings:
        console.print(f"[yellow]warning:[/] {w}")


def sensitivity_cmd(
    spec: str = SPEC_OPTION,
    n: int = typer.Option(1024, "--n", "-n", help="Sobol base sample (power of 2); runs = n x "
                          "(factors + 2)"),
    unit: str | None = UNIT_OPTION,
    uncertainty: Path | None = UNC_OPTION,
    seed: int = SEED_OPTION,
    scheduler: str | None = SCHED_OPTION,
    workers: int = WORKERS_OPTION,
    year: int | None = YEAR_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Sobol first-order and total indices of each assumption (on the mean rank shift, and on
    --unit's rank)."""
    import pandas as pd

    from aigap.analysis.uncertainty.robustness import prepare
    from aigap.analysis.uncertainty.sensitivity import SHIFT, sensitivity
    from aigap.mc import make_backend

    st = prepare(spec, _unc(uncertainty), year=year)
    hi = _unit(unit, st.engine.units)
    with progress_bar("Sobol", fmt is OutputFormat.table) as bar:
        res = sensitivity(spec, hi, n=n, seed=seed, setup=st,
                          backend=make_backend(scheduler, workers), progress=bar)
    if fmt is OutputFormat.json:
        render(res, fmt, lang)
        return
    targets = [SHIFT] + ([hi] if hi else [])
    df = res.indices[res.indices["target"].isin(targets)].reset_index(drop=True)
    if fmt is OutputFormat.csv:
        render(df, fmt, lang)
        return
    lab = _labels(lang.value)
    for tgt in targets:
        sub = df[df["target"] == tgt]
        title = (f"{lab['sens']} — {lab['shift'] if tgt == SHIFT else tgt + ' rank'} "
                 f"({res.spec_name})")
        table = pd.DataFrame({
            lab["factor"]: sub["factor"].to_numpy(),
            "S1": sub["S1"].to_numpy(), "S1 ±95%": sub["S1_conf"].to_numpy(),
            "ST": sub["ST"].to_numpy(), "ST ±95%": sub["ST_conf"].to_numpy()})
        render(table, fmt, lang, title=title)
    console.print(f"[dim]n = {res.n:,} ({res.n_runs:,} runs), seed {res.seed}[/]")
    for w in res.warnings:
        console.print(f"[yellow]warning:[/] {w}")


def register(app: typer.Typer) -> None:
    """Add `robustness` and `sensitivity` to the aigap CLI."""
    app.command("robustness")(user_errors(robustness_cmd))
    app.command("sensitivity")(user_errors(sensitivity_cmd))
