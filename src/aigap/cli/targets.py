"""`aigap what-it-takes` and `aigap scenario`: the cheapest route to a rank, and projected ranks.

Both print their result through the one ``render()``: JSON and CSV are the result itself
(``to_dict()`` with its sentences, ``to_frame()``); the table shows the columns a reader needs.
"""

from __future__ import annotations

import math
from pathlib import Path

import typer

from aigap import present
from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    render,
    user_errors,
)
from aigap.errors import SpecError
from aigap.i18n import t

SPEC_OPTION = typer.Option("aigap", "--spec", "-s",
                           help="shipped spec name or path to a YAML spec")

# index points, others held fixed (--costs none) and policy units (the default)
_MOVE_COLUMNS = ("indicator", "name", "pillar", "raw_from", "raw_to", "change_pct",
                 "normalised_from", "normalised_to", "score_gain", "treatment")
_POLICY_COLUMNS = ("indicator", "name", "raw_today", "raw_to", "abs_unit", "change_abs",
                   "per_year", "per_year_kind", "cost_usd", "bound")
_OPTION_COLUMNS = ("option", "name", "feasible", "raw_from", "raw_to", "cost_usd", "bound")
_SCEN_COLUMNS = ("unit", "name", "current_rank", "central_rank", "median_rank", "rank_p05",
                 "rank_p95", "score_median")


def _labels(group: str, columns: tuple[str, ...], lang: str) -> dict[str, str]:
    return {c: t(f"cli.{group}.{c}", lang) for c in columns}


def _pairs(text: str | None, what: str) -> dict[str, str]:
    """``a=1,b=2`` -> {"a": "1", "b": "2"} with a one-line error on bad syntax."""
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise SpecError(f"{what}: expected indicator=value, got {part.strip()!r}")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _num(v: str, what: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise SpecError(f"{what}: {v!r} is not a number") from None
    if not math.isfinite(x):
        raise SpecError(f"{what}: {v!r} is not a finite number")
    return x


def parse_cost(text: str | None) -> dict[str, float] | None:
    pairs = _pairs(text, "--cost")
    return {k: _num(v, "--cost") for k, v in pairs.items()} or None


def parse_bounds(text: str | None) -> dict[str, tuple[float | None, float | None]] | None:
    """``ind=lo:hi`` (either side may be empty) in raw units."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for k, v in _pairs(text, "--bound").items():
        if ":" not in v:
            raise SpecError(f"--bound: expected indicator=lo:hi, got {k}={v}")
        lo, hi = v.split(":", 1)
        out[k] = (_num(lo, "--bound") if lo.strip() else None,
                  _num(hi, "--bound") if hi.strip() else None)
    return out or None


def _by(text: str) -> int | None:
    if text.strip().lower() in ("none", "now", "fixed"):
        return None
    try:
        return int(text)
    except ValueError:
        raise SpecError(f"--by: expected a year (e.g. 2030) or 'none', got {text!r}") from None


def what_it_takes(
    unit: str = typer.Argument(..., help="unit code, e.g. KOR"),
    rank: int = typer.Option(3, "--rank", "-k", help="target rank (reach rank <= k)"),
    spec: str = SPEC_OPTION,
    by: str = typer.Option("2030", "--by", help="target year: the others move on their "
                           "projected paths ('none' = others held at today's values)"),
    costs: str | None = typer.Option(None, "--costs", help="cost assumptions (YAML, the "
                                     "layout of the shipped costs.yaml); 'none' = index points"),
    include_levers: bool = typer.Option(False, "--include-levers", help="let indicators that "
                                        "policy cannot move (governance estimates, perception "
                                        "scores) move too"),
    margin: float = typer.Option(0.1, "--margin", help="allowed margin beyond the best observed "
                                 "value, as a fraction of the observed range"),
    no_caps: bool = typer.Option(False, "--no-caps", help="drop the feasibility bounds (best "
                                 "observed value, fastest sustained growth)"),
    year: int | None = typer.Option(None, "--year", "-y", help="year of a panel (default latest)"),
    cost: str | None = typer.Option(None, "--cost", help="with --costs none: cost per normalised "
                                    "point, e.g. 'private_ai_investment=2' (default 1)"),
    bound: str | None = typer.Option(None, "--bound", help="raw bounds, e.g. 'x=0:100,y=:5e9'"),
    max_growth: float | None = typer.Option(None, "--max-growth",
                                            help="max improvement a year, e.g. 0.3 = +30%"),
    years: int | None = typer.Option(None, "--years", help="years over which --max-growth "
                                     "compounds (default: to --by, else 1)"),
    cap_at_leader: bool = typer.Option(True, "--cap-at-leader/--fixed-goalposts",
                                       help="cap each indicator at the best other unit"),
    move_imputed: bool = typer.Option(True, "--move-imputed/--freeze-imputed",
                                      help="may imputed values move?"),
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """What it takes for UNIT to reach rank <= k by a year: moves in each indicator's own unit,
    their cost in US$ and the feasibility bound that binds (docs/targets.md)."""
    from aigap.analysis.targets.what_it_takes import what_it_takes as run_what_it_takes

    if max_growth is not None and max_growth < 0:
        raise SpecError("--max-growth must be >= 0")
    if margin < 0:
        raise SpecError("--margin must be >= 0")
    book: str | Path | None = "default"
    if costs is not None:
        book = None if costs.strip().lower() == "none" else Path(costs)
    res = run_what_it_takes(spec, unit, rank=rank, by=_by(by), costs=book,
                            include_levers=include_levers, margin=None if no_caps else margin,
                            growth=not no_caps, cost=parse_cost(cost),
                            bounds=parse_bounds(bound), max_growth=max_growth, years=years,
                            cap_at_leader=cap_at_leader, move_imputed=move_imputed, year=year)
    if fmt is not OutputFormat.table:
        render(res, fmt, lang)
        return
    lg = lang.value
    policy = "cost_usd" in res.moves.columns
    cols = _POLICY_COLUMNS if policy else _MOVE_COLUMNS
    lab = _labels("moves", cols, lg)
    title = (f"{res.unit_name} → top {rank} ({res.spec}"
             f"{'' if res.year is None else f', {res.year}'}"
             f"{'' if res.by is None else f', by {res.by}'})")
    caption = (f"method: {res.method}; optimality gap {res.gap:.2g}; engine re-run rank: "
               f"{res.verified_rank if res.verified_rank else '–'}"
               + (f"; costs: {res.costs_file}" if res.costs_file else ""))
    if len(res.moves):
        render(res.moves[list(lab)].rename(columns=lab), fmt, lang, title=title,
               caption=caption)
    if policy and len(res.options):
        olab = _labels("options", _OPTION_COLUMNS, lg)
        render(res.options[[c for c in olab if c in res.options.columns]].rename(columns=olab),
               fmt, lang, title=t("cli.options.title", lg))
    console.print(present.sentence(res, lg), highlight=False, soft_wrap=True)
    for note in res.notes:
        console.print(f"[dim]note: {note}[/]", highlight=False, soft_wrap=True)


def scenario(
    spec: str = SPEC_OPTION,
    to: int = typer.Option(2030, "--to", help="target year"),
    n: int | None = typer.Option(None, "--n", help="number of sampled futures (default: "
                                 "aigap.analysis.targets.scenarios.DEFAULT_N)"),
    seed: int = typer.Option(0, "--seed", help="random seed (reproducible)"),
    what_if: str | None = typer.Option(None, "--what-if", help="e.g. "
                                       "'KOR.private_ai_investment*2,USA.x+5,CHN.y=0.3'"),
    k: int = typer.Option(3, "--k", help="report P(rank <= k)"),
    unit: str = typer.Option("KOR", "--unit", "-u", help="unit described in the summary"),
    top: int = typer.Option(15, "--top", help="rows to show (0 = all)"),
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Projected rank distribution at --to from each indicator's trend, and P(top k); says what
    it held constant, where it did not extrapolate, and how its top 10 fared in a backtest."""
    import pandas as pd

    from aigap.analysis.targets.scenarios import DEFAULT_N
    from aigap.analysis.targets.scenarios import scenario as run_scenario

    res = run_scenario(spec, to=to, n=DEFAULT_N if n is None else n, seed=seed,
                       what_if=what_if, k=k, unit=unit)
    if fmt is not OutputFormat.table:
        render(res, fmt, lang)
        return
    lg = lang.value
    lab = _labels("scenario", _SCEN_COLUMNS, lg)
    p_cols = [c for c in res.table.columns if c.startswith(res.p_col)]
    cols = [*lab, *p_cols]
    if "median_rank_baseline" in res.table.columns:
        cols.append("median_rank_baseline")
    table = res.table[cols].rename(columns=lab)
    for c in table.columns:  # ranks read better as integers
        if c in (lab["current_rank"], lab["central_rank"]):
            table[c] = pd.array(table[c].round(), dtype="Int64")
    if top:
        table = table.head(top)
    title = f"{res.spec}: projected ranks in {res.to} (n = {res.n}, seed {res.seed})"
    render(table, fmt, lang, title=title, caption="; ".join(res.notes) or None)
    flagged = res.assumptions[res.assumptions["flag"] != ""] if len(res.assumptions) else None
    if flagged is not None and len(flagged):
        alab = _labels("assumptions", ("indicator", "editions", "model", "flag"), lg)
        render(flagged[list(alab)].rename(columns=alab), fmt, lang,
               title=t("cli.assumptions.title", lg))
    if unit.upper() in set(res.table["unit"].str.upper()):
        console.print(present.sentence(res, lg), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `what-it-takes` and `scenario` to the aigap CLI."""
    app.command("what-it-takes")(user_errors(what_it_takes))
    app.command("scenario")(user_errors(scenario))
