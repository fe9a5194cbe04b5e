"""`aigap rank` and `aigap explain`: index scores, and why a unit scores what it does."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import typer

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

if TYPE_CHECKING:  # loaded when a command runs: `aigap --help` stays quick
    from aigap.index import IndexResult


def _labels(lang: str) -> dict[str, str]:
    keys = ("rank", "unit", "name", "score", "indicator", "value", "weight", "contribution")
    return {k: t(f"cli.index.{k}", lang) for k in keys}


SPEC_OPTION = typer.Option("asem", "--spec", "-s", help="shipped spec name or path to a YAML spec")
YEAR_OPTION = typer.Option(None, "--year", "-y", help="year of a panel spec (default: latest)")


def _result(spec: str, year: int | None) -> IndexResult:
    from aigap.index.pipeline import build_latest

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


SPECS_OPTION = typer.Option(["asem"], "--spec", "-s",
                            help="shipped spec name or path to a YAML spec; give two or more "
                                 "(--spec aigap-scale --spec aigap-intensity) to rank them side "
                                 "by side")

# one letter per cell flag (IndexResult.cells); the legend is the i18n key cli.index.legend
MARKERS = {"imputed": "i", "zero-filled": "z", "floor-filled": "f", "censored-top15": "c",
           "winsorised": "w", "draft": "d", "unverified": "u", "low-confidence": "l"}


def rank(
    spec: list[str] = SPECS_OPTION,
    top: int = typer.Option(10, "--top", "-n", min=0, help="number of units to show (0 = all)"),
    level: str = typer.Option("index", "--level", "-l",
                              help="index, pillar, indicator or a level number"),
    year: int | None = YEAR_OPTION,
    cells: bool = typer.Option(False, "--cells",
                               help="the long form: each cell's value, data years, source and "
                                    "flags for the units shown"),
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Rank units by the index; --level adds one column per aggregate of that level. Every
    row carries its cells' flags (legend below the table) and the title the data years."""
    lab = _labels(lang.value)
    results = [_result(s, year) for s in spec]
    if len(results) > 1:
        _rank_side_by_side(results, top, fmt, lang)
        return
    res = results[0]
    lv = _level_number(res, level)
    fw = res.framework
    agg = res.dataset("Aggregated")
    idx = agg[fw.root].sort_values(ascending=False, kind="stable")
    shown = idx.index[:top] if top else idx.index
    if cells:
        _render_cells(res, list(shown), fmt, lang)
        return
    import pandas as pd

    marks = _cell_marks(res)
    out = pd.DataFrame({
        lab["rank"]: idx.rank(ascending=False, method="min").astype("Int64"),
        lab["unit"]: idx.index,
        lab["name"]: [_unit_name(res, u, lang.value) for u in idx.index],
        lab["score"]: idx.to_numpy(),
    })
    if lv == 1:  # indicator columns: each value with its cell's markers
        for code in res.level_codes(1):
            out[code] = [_marked(agg.at[u, code], marks.get((u, code), "")) for u in idx.index]
    elif lv != fw.n_levels:
        for code in res.level_codes(lv):
            out[code] = agg.loc[idx.index, code].to_numpy()
    caption = None
    if res.provenance is not None:  # warehouse data: every row carries its cells' flags
        out[t("cli.index.flags", lang.value)] = [_row_marks(marks, u, fw.indicators)
                                                 for u in idx.index]
        caption = _caption(res, shown, lang.value)
    out = out.head(top) if top else out
    render(out, fmt, lang, title=_title(res, lang.value), caption=caption)


def _title(res: IndexResult, lang: str) -> str:
    fw = res.framework
    root_name = fw.names.get(fw.root, fw.root)
    if lang == "ko" and res.spec.title_ko:
        root_name = res.spec.title_ko
    title = f"{root_name} — {res.spec.name}"
    years = res.data_years()
    if years is not None:
        span = str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"
        title += " (" + t("cli.index.data_years", lang, years=span) + ")"
    return title


def _caption(res: IndexResult, shown: Any, lang: str) -> str:
    """The marker legend and the shown units whose rank depends on imputed cells."""
    parts = [t("cli.index.legend", lang)]
    moved = res.without_imputed()
    moved = moved[moved["unit"].isin(list(shown))]
    if len(moved):
        units = ", ".join(f"{r.unit} {int(r.rank)}->{int(r.rank_without_imputed)}"
                          for r in moved.itertuples())
        parts.append(t("cli.index.imputed_moves", lang, units=units))
    return "\n".join(parts)


def _cell_marks(res: IndexResult) -> dict[tuple[str, str], str]:
    cells = res.cells()
    return {(u, c): "".join(sorted({MARKERS[f] for f in fl if f in MARKERS}))
            for u, c, fl in zip(cells["unit"], cells["indicator"], cells["flags"], strict=True)}


def _row_marks(marks: dict[tuple[str, str], str], unit: str, codes: list[str]) -> str:
    """A unit's flags: each marker letter with the number of its cells that carry it."""
    counts: dict[str, int] = {}
    for c in codes:
        for m in marks.get((unit, c), ""):
            counts[m] = counts.get(m, 0) + 1
    order = list(MARKERS.values())
    return " ".join(f"{m}{counts[m]}" for m in order if m in counts)


def _marked(value: float, marks: str) -> str:
    return f"{value:.1f}" + (f" [{marks}]" if marks else "")


def _render_cells(res: IndexResult, units: list[str], fmt: OutputFormat, lang: Lang) -> None:
    cells = res.cells()
    cells = cells[cells["unit"].isin(units)].copy()
    cells["unit"] = pd_categorical(cells["unit"], units)
    cells = cells.sort_values(["unit", "indicator"], kind="stable")
    cells["years"] = [_span(a, b) for a, b in zip(cells["year_from"], cells["year"], strict=True)]
    cells["flags"] = [", ".join(f) for f in cells["flags"]]
    out = cells[["unit", "indicator", "raw", "years", "source", "flags"]]
    render(out.astype({"unit": str}), fmt, lang, title=_title(res, lang.value),
           caption=t("cli.index.legend", lang.value))


def pd_categorical(values: Any, order: list[str]) -> Any:
    import pandas as pd

    return pd.Categorical(values, categories=order, ordered=True)


def _span(a: Any, b: Any) -> str:
    import pandas as pd

    if pd.isna(b):
        return ""
    return str(int(b)) if pd.isna(a) or int(a) == int(b) else f"{int(a)}-{int(b)}"


def _rank_side_by_side(results: list[IndexResult], top: int, fmt: OutputFormat,
                       lang: Lang) -> None:
    """Two or more specs (editions) ranked side by side, sorted by the first."""
    import pandas as pd

    lab = _labels(lang.value)
    first = results[0]
    order = first.index.sort_values(ascending=False, kind="stable").index
    units = [*order, *sorted(set().union(*(r.index.index for r in results[1:])) - set(order))]
    out = pd.DataFrame({lab["unit"]: units,
                        lab["name"]: [_unit_name(first, u, lang.value) for u in units]})
    for res in results:
        name = res.spec.name
        out[f"{name} {lab['rank']}"] = res.ranks[res.framework.root].reindex(units).astype(
            "Int64").to_numpy()
        out[f"{name} {lab['score']}"] = res.index.reindex(units).to_numpy()
        marks = _cell_marks(res)
        out[f"{name} {t('cli.index.flags', lang.value)}"] = [
            _row_marks(marks, u, res.framework.indicators) for u in units]
    if top:
        out = out.head(top)
    years = [y for y in (r.data_years() for r in results) if y is not None]
    title = " | ".join(r.spec.name for r in results)
    if years:
        lo, hi = min(y[0] for y in years), max(y[1] for y in years)
        title += " (" + t("cli.index.data_years", lang.value, years=f"{lo}-{hi}") + ")"
    editions = {r.spec.edition for r in results}
    parts = [t("cli.index.editions", lang.value)] if {"scale", "intensity"} <= editions else []
    parts.append(t("cli.index.legend", lang.value))
    render(out, fmt, lang, title=title, caption="\n".join(parts))


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
    import pandas as pd

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
        render(table, fmt, lang)
        return
    render(table, fmt, lang, title=f"{name}: {fw.names.get(fw.root, fw.root)} = {score:.3f}",
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
        render(pd.DataFrame(rows), fmt, lang, title=f"{name}: contributions by aggregate")
    console.print(f"sum of contributions = {ex['contribution'].sum():.6f}; "
                  f"index score = {score:.6f}")


def _method_caption(res: IndexResult) -> str:
    methods = {res.aggregation.method_for(lv) for lv in range(2, res.framework.n_levels + 1)}
    if methods == {"arithmetic"}:
        return "contribution = effective weight x normalised value (exact)"
    return ("contribution: arithmetic levels w*y; geometric levels log-shares "
            "y_p*w*log(y)/log(y_p); others proportional w*y shares")


EDITIONS_OPTION = typer.Option(["aigap-scale", "aigap-intensity"], "--spec", "-s",
                               help="aigap builds to compare (default: both editions)")
UNIT_OPTION = typer.Option("KOR", "--unit", "-u", help="unit whose ranks are set side by side")


def validate_index(
    spec: list[str] = EDITIONS_OPTION,
    unit: str = UNIT_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """aigap's editions against the published AI indices: Spearman rank correlation over the
    common countries (Tortoise 2021, Oxford 2024, Belfer CETI draft, IMF AIPI), the units
    that disagree most, and each published headline rank beside aigap's."""
    from aigap.analysis.diagnosis.validation import validate_index as run_validation
    from aigap.data.countries import check_iso3
    from aigap.data.warehouse import Warehouse

    code = check_iso3([unit])[0]
    results = {s: _result(s, None) for s in spec}
    with Warehouse.open() as wh:
        v = run_validation(results, wh, unit=code)
    if fmt is not OutputFormat.table:
        render(v.correlations, fmt, lang)
        render(v.headlines, fmt, lang)
        return
    corr = v.correlations.drop(columns=["note"])
    corr["p_value"] = [("<0.001" if p < 0.001 else f"{p:.3f}") if p == p else "" for p in
                       corr["p_value"]]
    render(corr, fmt, lang,
           title=t("cli.index.validate.title", lang.value),
           caption="; ".join(sorted({n for n in v.correlations["note"] if n})))
    render(v.disagreements, fmt, lang)
    render(_compact_headlines(v.headlines, code, list(results)), fmt, lang,
           title=t("cli.index.validate.headline", lang.value))


def _compact_headlines(heads: Any, unit: str, specs: list[str]) -> Any:
    """The headline ranks of one unit as 'rank/of' strings, aigap's with the common-unit rank
    in brackets; rows aigap has no counterpart for (other technologies) left out."""
    import pandas as pd

    h = heads[heads["iso3"] == unit]
    h = h[h[[f"{s} rank" for s in specs]].notna().any(axis=1)]
    out = pd.DataFrame({"index": h["index"], "edition": h["edition"], "level": h["level"],
                        "published": [f"{r}/{n}" for r, n in zip(h["rank"], h["of_n"],
                                                                  strict=True)]})
    for s in specs:
        common = h[f"{s} rank (common units)"]
        out[s] = [f"{r}/{n}" + ("" if pd.isna(c) else f" ({c} common)")
                  for r, n, c in zip(h[f"{s} rank"], h[f"{s} of"], common, strict=True)]
    return out.reset_index(drop=True)


def register(app: typer.Typer) -> None:
    """Add `rank`, `explain` and `validate-index` to the aigap CLI."""
    app.command("rank")(user_errors(rank))
    app.command("explain")(user_errors(explain))
    app.command("validate-index")(user_errors(validate_index))
