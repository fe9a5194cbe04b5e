"""`aigap what-it-takes` and `aigap scenario`: the cheapest route to a rank, and projected ranks."""

from __future__ import annotations

import math

import pandas as pd
import typer

from aigap import present
from aigap.analysis.targets.scenarios import scenario as run_scenario
from aigap.analysis.targets.what_it_takes import what_it_takes as run_what_it_takes
from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    emit,
    emit_json,
    user_errors,
)
from aigap.errors import SpecError
from aigap.i18n import t

SPEC_OPTION = typer.Option("aigap", "--spec", "-s",
                           help="shipped spec name or path to a YAML spec")

_MOVE_COLUMNS = ("indicator", "name", "pillar", "raw_from", "raw_to", "change_pct",
                 "normalised_from", "normalised_to", "score_gain", "treatment")
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


def what_it_takes(
    unit: str = typer.Argument(..., help="unit code, e.g. KOR"),
    rank: int = typer.Option(3, "--rank", "-k", help="target rank (reach rank <= k)"),
    spec: str = SPEC_OPTION,
    year: int | None = typer.Option(None, "--year", "-y", help="year of a panel (default latest)"),
    cost: str | None = typer.Option(None, "--cost", help="cost per normalised point, e.g. "
                                    "'private_ai_investment=2,ai_talent=0.5' (default 1)"),
    bound: str | None = typer.Option(None, "--bound", help="raw bounds, e.g. 'x=0:100,y=:5e9'"),
    max_growth: float | None = typer.Option(None, "--max-growth",
                                            help="max improvement a year, e.g. 0.3 = +30%"),
    years: int | None = typer.Option(None, "--years", help="years over which --max-growth "
                                     "compounds (default 1)"),
    cap_at_leader: bool = typer.Option(True, "--cap-at-leader/--fixed-goalposts",
                                       help="cap each indicator at the best other unit"),
    move_imputed: bool = typer.Option(True, "--move-imputed/--freeze-imputed",
                                      help="may imputed values move?"),
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Cheapest indicator changes (in raw units) that lift UNIT to rank <= k, others fixed."""
    if max_growth is not None and max_growth < 0:
        raise SpecError("--max-growth must be >= 0")
    res = run_what_it_takes(spec, unit, rank=rank, cost=parse_cost(cost),
                            bounds=parse_bounds(bound), max_growth=max_growth, years=years,
                            cap_at_leader=cap_at_leader, move_imputed=move_imputed, year=year)
    sentence = present.sentence(res, lang.value)
    if fmt is OutputFormat.json:
        emit_json({**res.to_dict(), "sentence": sentence})
        return
    lab = _labels("moves", _MOVE_COLUMNS, lang.value)
    table = res.moves[list(lab)].rename(columns=lab)
    if fmt is OutputFormat.csv:
        emit(table, fmt)
        return
    title = (f"{res.unit_name} → top {rank} ({res.spec}"
             f"{'' if res.year is None else f', {res.year}'})")
    caption = (f"method: {res.method}; cost {res.cost:.3f}; optimality gap {res.gap:.2g}; "
               f"engine re-run rank: {res.verified_rank if res.verified_rank else '–'}")
    if len(table):
        emit(table, fmt, title=title, caption=caption)
    console.print(sentence, highlight=False, soft_wrap=True)
    for note in res.notes:
        console.print(f"[dim]note: {note}[/]", highlight=False, soft_wrap=True)


def scenario(
    spec: str = SPEC_OPTION,
    to: int = typer.Option(2030, "--to", help="target year"),
    n: int = typer.Option(2000, "--n", help="number of sampled futures"),
    seed: int = typer.Option(0, "--seed", help="random seed (reproducible)"),
    what_if: str | None = typer.Option(None, "--what-if", help="e.g. "
                                       "'KOR.private_ai_investment*2,USA.x+5,CHN.y=0.3'"),
    k: int = typer.Option(3, "--k", help="report P(rank <= k)"),
    unit: str = typer.Option("KOR", "--unit", "-u", help="unit described in the summary"),
    top: int = typer.Option(15, "--top", help="rows to show (0 = all)"),
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Projected rank distribution at --to from each indicator's trend, and P(top k)."""
    res = run_scenario(spec, to=to, n=n, seed=seed, what_if=what_if, k=k)
    units = set(res.table["unit"].str.upper())
    sentence = present.sentence(res, lang.value, unit=unit) if unit.upper() in units else None
    if fmt is OutputFormat.json:
        emit_json({**res.to_dict(), "sentence": sentence})
        return
    lab = _labels("scenario", _SCEN_COLUMNS, lang.value)
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
    if fmt is OutputFormat.csv:
        emit(table, fmt)
        return
    title = f"{res.spec}: projected ranks in {res.to} (n = {res.n}, seed {res.seed})"
    emit(table, fmt, title=title, caption="; ".join(res.notes) or None)
    if sentence:
        console.print(sentence, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `what-it-takes` and `scenario` to the aigap CLI."""
    app.command("what-it-takes")(user_errors(what_it_takes))
    app.command("scenario")(user_errors(scenario))
