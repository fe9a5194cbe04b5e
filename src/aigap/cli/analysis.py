"""`aigap gap | trend | peer-rank`: a unit's gap, its trend and its rank among peers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import pandas as pd

    from aigap.data.concepts import SeriesChoice
    from aigap.data.warehouse import Warehouse

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
from aigap.cli.data import DB_OPTION, open_warehouse
from aigap.cli.render import cell_word, header
from aigap.errors import AigapError
from aigap.i18n import t


def _split(values: list[str] | None) -> list[str]:
    """`--vs USA,CHN` and `--vs USA --vs CHN` alike."""
    out: list[str] = []
    for v in values or []:
        out += [p.strip() for p in v.split(",") if p.strip()]
    return out


def _years(spec: str | None) -> list[int] | None:
    """'2019-2023', '2019,2021' or '2023'."""
    if not spec:
        return None
    out: list[int] = []
    for part in spec.split(","):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", part)
        if not m:
            raise AigapError(f"bad years {spec!r}; use e.g. 2019-2023 or 2019,2021")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if a > b:
            raise AigapError(f"reversed years {part.strip()!r}; use e.g. {b}-{a}")
        out += list(range(a, b + 1))
    return out


def _window(spec: str | None) -> tuple[int | None, int | None] | None:
    """'2016:2023' (or 2016-2023), '2018:' or ':2022'."""
    if not spec:
        return None
    m = re.fullmatch(r"\s*(\d{4})?\s*[-:]\s*(\d{4})?\s*", spec)
    if not m:
        raise AigapError(f"bad window {spec!r}; use e.g. 2016:2023, 2018: or :2022")
    a, b = (int(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None)
    if a is not None and b is not None and a > b:
        raise AigapError(f"reversed window {spec.strip()!r}; use e.g. {b}-{a}")
    return a, b


BASIS_CHOICES = {"all": None, "level": "level", "capita": "per capita", "gdp": "per GDP"}
SERIES_OPTION = typer.Option(
    None, "--series", help="another series of the concept than the default (e.g. cset, "
    "aiindex); `aigap data concepts` lists them")


def gap_cmd(
    unit: Annotated[str, typer.Argument(help="the unit (ISO3), e.g. KOR")],
    vs: Annotated[list[str], typer.Option("--vs", help="units to compare with: --vs USA CHN")],
    indicator: Annotated[list[str], typer.Option("--indicator", "-i", help="indicator code(s)")],
    years: Annotated[str | None, typer.Option("--years", help="e.g. 2019-2023")] = None,
    basis: Annotated[str, typer.Option("--basis", help="all, level, capita or gdp")] = "all",
    series: str | None = SERIES_OPTION,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Difference, ratio and orders of magnitude against others, per year (also per capita
    and per GDP for totals), with source and vintage of both sides.

    A concept (private_ai_investment) answers from its default series, the newest with a
    value for every unit named (docs/concepts.md); the other series are shown side by side.
    """
    from aigap.analysis.diagnosis.gap import gap, gap_summary

    if basis not in BASIS_CHOICES:
        raise AigapError(f"unknown basis {basis!r}; choose from {', '.join(BASIS_CHOICES)}")
    inds = _split(indicator)
    others = _split(vs)
    with open_warehouse(db) as wh:
        per = ("capita", "gdp") if basis in ("all", "capita", "gdp") else ()
        res = gap(wh, unit, vs=others, indicators=inds, years=_years(years), per=per,
                  series=series)
        summary = gap_summary(wh, unit, others, inds, table=res)
        names = wh.country_names(lang.value)
    table = res.table
    if BASIS_CHOICES[basis]:
        table = table[table["basis"] == BASIS_CHOICES[basis]].reset_index(drop=True)
    if fmt is not OutputFormat.table:
        render(table if fmt is OutputFormat.csv else {**present.document(res), "rows": table},
               fmt, lang)
        return
    _gap_tables(table, unit, names, fmt, lang)
    lg = lang.value
    for ch in res.choices.values():
        console.print(present.sentence(ch, lg), highlight=False)
    side = res.series_frame()
    many = side.groupby("concept")["series"].nunique()
    side = side[side["concept"].isin(many[many > 1].index)]
    if not side.empty:
        render(side.assign(other=side["other"].map(lambda i: names.get(i, i)),
                           chosen=side["chosen"].map({True: "*", False: ""}))[
            ["series", "chosen", "year", "other", "ratio", "log10_ratio", "measure_unit",
             "vintage", "flags"]], fmt, lang, title=t("cli.gap.series_title", lg))
    for s in summary:
        console.print(present.sentence(s, lg), highlight=False)
    from aigap.present.text.diagnosis import by_series, newer_warning

    for line in (by_series(res, lg), newer_warning(res, lg)):
        if line:
            console.print(line, highlight=False)


def _gap_tables(table: pd.DataFrame, unit: str, names: dict[str, str], fmt: OutputFormat,
                lang: Lang) -> None:
    """The long gap table, one table per indicator and basis (the years before the unit's
    first value are left out of the view; CSV and JSON keep every row)."""
    import pandas as pd

    for (ind, b), grp in table.groupby(["indicator", "basis"], sort=False):
        if grp["year"].isna().all():  # a skipped basis: one line, no table
            console.print(f"[dim]{ind}: {grp['note'].iloc[0]}[/]", highlight=False)
            continue
        first = grp.loc[grp["value"].notna(), "year"].min()
        skipped = ""
        if first is not pd.NA and not pd.isna(first) and (grp["year"] < first).any():
            skipped = t("cli.gap.skipped", lang.value, lo=int(grp["year"].min()),
                        hi=int(first) - 1, who=unit.upper())
            grp = grp[grp["year"] >= first]
        view = grp.assign(other=grp["other"].map(lambda i: names.get(i, i)))[
            ["year", "other", "value", "other_value", "difference", "ratio", "log10_ratio",
             "source", "other_source", "note"]]
        view = view.rename(columns={"value": unit.upper()})
        # Columns that say the same on every row go to the caption: the table stays readable.
        caption = []
        own_source = view["source"].iloc[0]
        for col in ("source", "other_source", "note"):
            uniq = set(view[col])
            if len(uniq) == 1:
                val = uniq.pop()
                if val and not (col == "other_source" and val == own_source):
                    caption.append(f"{header(col, lang.value)}: {val}")
                view = view.drop(columns=col)
        vintages = sorted((set(grp["vintage"]) | set(grp["other_vintage"])) - {""})
        caption.append(f"{header('vintage', lang.value)}: " + " | ".join(vintages))
        if skipped:
            caption.append(skipped)
        render(view, fmt, lang,
               title=f"{ind} ({cell_word(b, lang.value)}, {grp['measure_unit'].iloc[0]})",
             caption="\n".join(caption))


def trend_cmd(
    unit: Annotated[str, typer.Argument(help="the unit (ISO3), e.g. KOR")],
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="indicator code")],
    vs: Annotated[list[str] | None, typer.Option("--vs", help="units to compare with")] = None,
    window: Annotated[str | None, typer.Option(
        "--window", help="fit years, e.g. 2016:2023, 2018: or :2022 (default: the window "
        "rule, docs/trends.md)")] = None,
    model: Annotated[str, typer.Option(
        "--model", help="auto (linear for signed or bounded indicators), log or linear")
    ] = "auto",
    holdout: Annotated[int | None, typer.Option(
        "--holdout", help="years held out of the backtest (default: up to 3)")] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="years to project")] = 5,
    series: str | None = SERIES_OPTION,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Growth with 90% intervals, a backtest of each fit, convergence, and a catch-up year only
    when the data support one."""
    from aigap.analysis.diagnosis.trend import trend
    from aigap.present.text.diagnosis import verdict_text, window_lines

    with open_warehouse(db) as wh:
        res = trend(wh, unit, vs=_split(vs), indicator=indicator, window=_window(window),
                    model=model, holdout=holdout, series=series)
        names = wh.country_names(lang.value)
        choice, side = _series_context(wh, unit, _split(vs), indicator, series)
    if fmt is OutputFormat.json:
        render({**present.document(res), "projection": res.projection(horizon),
                "newest": res.latest_frame(), "series": choice.to_dict(),
                "alternatives": side}, fmt, lang)
        return
    if fmt is OutputFormat.csv:
        render(res, fmt, lang)
        return
    fits = res.fits_frame()
    comp = res.comparisons_frame()
    lg = lang.value
    growth = t("cli.trend.growth_log" if res.model == "log" else "cli.trend.growth_linear", lg)
    rate = ["cagr", "growth", "growth_lo", "growth_hi"] if res.model == "log" else \
        ["slope", "slope_se"]
    render(fits.assign(country=fits["iso3"].map(lambda i: names.get(i, i)))[
        ["country", "first_year", "last_year", "n", *rate, "backtest", "note"]],
        fmt, lang, title=t("cli.trend.title", lg, indicator=res.indicator, unit=res.measure_unit),
        caption="\n".join([
            f"{header('source', lg)}: " + " | ".join(sorted({f.source for f in res.fits.values()}))
            + f"; {header('vintage', lg)}: "
            + " | ".join(sorted({f.vintage for f in res.fits.values()})),
            growth, *window_lines(res, lg)]))
    if not comp.empty:
        render(comp.assign(other=comp["other"].map(lambda i: names.get(i, i)),
                           catch_up=[verdict_text(c, lg) for c in res.comparisons])[
            ["other", "reference_year", "ratio" if res.model == "log" else "gap",
             "ratio_change" if res.model == "log" else "log_ratio_slope", "status",
             "catch_up", "years_lo", "years_hi", "p_close", "backtest"]],
            fmt, lang, title=t("cli.trend.convergence" if res.model == "log"
                               else "cli.trend.convergence_linear", lg))
        for c in res.comparisons:
            console.print(present.sentence(c, lg), highlight=False)
        newest = res.latest_frame()
        if not newest.empty:
            render(newest.assign(other=newest["other"].map(lambda i: names.get(i, i)))[
                ["other", "series", "year", "value", "other_value", "gap", "fitted", "lo", "hi",
                 "consistent"]], fmt, lang, title=t("cli.trend.newest", lg))
    if horizon > 0:
        proj = res.projection(horizon)
        render(proj.assign(iso3=proj["iso3"].map(lambda i: names.get(i, i))),
             fmt, lang, title=t("cli.trend.projection", lg))
    console.print(present.sentence(choice, lg), highlight=False)
    if side.get(f"by_series_{lg}"):
        console.print(side[f"by_series_{lg}"], highlight=False)


def _series_context(wh: Warehouse, unit: str, vs: list[str], indicator: str,
                    series: str | None) -> tuple[SeriesChoice, dict[str, str]]:
    """The trend's series choice and, with comparators, the newest gap on every series of
    the concept side by side (``by_series_<lang>``)."""
    from aigap.analysis.diagnosis.gap import gap
    from aigap.data.concepts import choose_series
    from aigap.i18n import languages
    from aigap.present.text.diagnosis import by_series

    choice = choose_series(wh, indicator, units=[unit.upper(), *[v.upper() for v in vs]],
                           purpose="trend", series=series)
    if not vs or len(choice.concept.series) < 2:
        return choice, {}
    side = gap(wh, unit, vs=vs, indicators=[indicator], per=(), series=choice.series)
    return choice, {f"by_series_{lg}": by_series(side, lg) for lg in languages()}


def peer_rank_cmd(
    unit: Annotated[str, typer.Argument(help="the unit (ISO3), e.g. KOR")],
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="indicator code")],
    group: Annotated[str, typer.Option("--peers", "--group", "-g", "-p",
                                       help="OECD, G7, G20, EU27, ASEAN or a list such as "
                                       "KOR,JPN,DEU (--group: the older name)")] = "OECD",
    year: Annotated[int | None, typer.Option("--year", help="default: latest year of the "
                                             "unit")] = None,
    series: str | None = SERIES_OPTION,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Rank within a peer group, naming members without data (or not in a top-N chart)."""
    from aigap.analysis.diagnosis.peer_rank import concept_peer_rank

    with open_warehouse(db) as wh:  # a concept answers from its default series (docs/concepts.md)
        res = concept_peer_rank(wh, unit, indicator, peers=group, year=year, series=series)
        names = wh.country_names(lang.value)
    if fmt is not OutputFormat.table:
        render(res, fmt, lang)
        return
    table = res.table.assign(country=res.table["iso3"].map(lambda i: names.get(i, i)))
    render(table.drop(columns=["vintage"]), fmt, lang,
         title=f"{res.indicator} — {res.group} {res.year}",
         caption=f"{header('vintage', lang.value)}: "
         + " | ".join(sorted(set(res.table["vintage"]) - {""})))
    console.print(present.sentence(res, lang.value), highlight=False)


def register(app: typer.Typer) -> None:
    app.command("gap")(user_errors(gap_cmd))
    app.command("trend")(user_errors(trend_cmd))
    app.command("peer-rank")(user_errors(peer_rank_cmd))
