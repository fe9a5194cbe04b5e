"""`aigap rank` and `aigap explain`: index scores, and why a unit scores what it does."""

from __future__ import annotations

import functools

import pandas as pd
import typer

from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    emit,
    user_errors,
)
from aigap.errors import SpecError
from aigap.i18n import t
from aigap.index import IndexResult
from aigap.index.pipeline import build_latest


def _labels(lang: str) -> dict[str, str]:
    keys = ("rank", "unit", "name", "score", "indicator", "value", "weight", "contribution")
    return {k: t(f"cli.index.{k}", lang) for k in keys}


SPEC_OPTION = typer.Option("asem", "--spec", "-s", help="shipped spec name or path to a YAML spec")
YEAR_OPTION = typer.Option(None, "--year", "-y", help="year of a panel spec (default: latest)")


def _result(spec: str, year: int | None) -> IndexResult:
    return build_latest(spec, year=year)


def _level_number(res: IndexResult, level: str) -> int:
    top = res.framework.n_levels
    named = {"index": top, "pillar": 2, "indicator": 1}
    if level.lower() in named:
        return named[level.lower()]
    try:
        n = int(level)
    except ValueError:
        raise SpecError(f"--level must be index, pillar, indicator or a number 1..{top}; "
                        f"got {level!r}") from None
    if not 1 <= n <= top:
        raise SpecError(f"--level {n} out of range 1..{top}")
    return n


def rank(
    spec: str = SPEC_OPTION,
    top: int = typer.Option(10, "--top", "-n", min=0, help="number of units to show (0 = all)"),
    level: str = typer.Option("index", "--level", "-l",
                              help="index, pillar, indicator or a level number"),
    year: int | None = YEAR_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Rank units by the index; --level adds one column per aggregate of that level."""
    lab = _labels(lang.value)
    res = _result(spec, year)
    lv = _level_number(res, level)
    fw = res.framework
    agg = res.dataset("Aggregated")
    idx = agg[fw.root].sort_values(ascending=False, kind="stable")
    ranks = idx.rank(ascending=False, method="min")
    out = pd.DataFrame({
        lab["rank"]: ranks.astype("Int64"),
        lab["unit"]: idx.index,
        lab["name"]: [_unit_name(res, u, lang.value) for u in idx.index],
        lab["score"]: idx.to_numpy(),
    })
    if lv != fw.n_levels:
        for code in res.level_codes(lv):
            out[code] = agg.loc[idx.index, code].to_numpy()
    if top:
        out = out.head(top)
    root_name = fw.names.get(fw.root, fw.root)
    if lang is Lang.ko and res.spec.title_ko:
        root_name = res.spec.title_ko
    title = f"{root_name} — {res.spec.name}"
    if res.year is not None:
        title += f" ({res.year})"
    emit(out, fmt, title=title)


def _unit_name(res: IndexResult, unit: str, lang: str) -> str:
    """The unit's name in ``lang``: Korean country names for ISO3 units, else the data's."""
    if lang == "ko":
        ko = _korean_country_names().get(unit)
        if ko:
            return ko
    return res.unit_names.get(unit, "")


@functools.cache
def _korean_country_names() -> dict[str, str]:
    from aigap.data.countries import country_table

    t = country_table()
    return dict(zip(t["iso3"], t["name_ko"], strict=True))


def explain(
    unit: str = typer.Argument(..., help="unit code, e.g. KOR"),
    spec: str = SPEC_OPTION,
    year: int | None = YEAR_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Decompose a unit's index score into indicator contributions (they sum to the score)."""
    lab = _labels(lang.value)
    res = _result(spec, year)
    fw = res.framework
    ex = res.explain(unit.upper() if unit.upper() in res.dataset("Aggregated").index else unit)
    lvl_cols = [f"level{lv}" for lv in range(2, fw.n_levels)]
    ex = ex.sort_values([*lvl_cols, "contribution"], ascending=[True] * len(lvl_cols) + [False])
    rename = {"indicator": lab["indicator"], "value": lab["value"], "weight": lab["weight"],
              "contribution": lab["contribution"]}
    for lv in range(2, fw.n_levels):
        codes = fw.at_level(lv)
        rename[f"level{lv}"] = "pillar" if lv == 2 else ("sub-index" if len(codes) > 1 else
                                                          f"level {lv}")
    table = ex.drop(columns=[f"level{fw.n_levels}", "name"]).rename(columns=rename)
    score = ex.attrs["index_score"]
    name = res.unit_names.get(ex.attrs["unit"], ex.attrs["unit"])
    if fmt is not OutputFormat.table:
        emit(table, fmt)
        return
    emit(table, fmt, title=f"{name}: {fw.names.get(fw.root, fw.root)} = {score:.3f}",
         caption=_method_caption(res))
    # roll-up per aggregate: how much of the index each pillar / sub-index carries
    rows = []
    for lv in range(fw.n_levels - 1, 1, -1):
        col = f"level{lv}"
        for code, c in ex.groupby(col)["contribution"].sum().items():
            rows.append({"level": lv, "code": code, "name": fw.names.get(code, code),
                         lab["score"]: float(res.dataset("Aggregated").at[ex.attrs["unit"], code]),
                         lab["contribution"]: float(c)})
    if rows:
        emit(pd.DataFrame(rows), fmt, title=f"{name}: contributions by aggregate")
    console.print(f"sum of contributions = {ex['contribution'].sum():.6f}; "
                  f"index score = {score:.6f}")


def _method_caption(res: IndexResult) -> str:
    methods = {res.aggregation.method_for(lv) for lv in range(2, res.framework.n_levels + 1)}
    if methods == {"arithmetic"}:
        return "contribution = effective weight x normalised value (exact)"
    return ("contribution: arithmetic levels w*y; geometric levels log-shares "
            "y_p*w*log(y)/log(y_p); others proportional w*y shares")


def register(app: typer.Typer) -> None:
    """Add `rank` and `explain` to the aigap CLI."""
    app.command("rank")(user_errors(rank))
    app.command("explain")(user_errors(explain))
