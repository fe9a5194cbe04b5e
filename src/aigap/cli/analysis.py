"""`aigap gap | trend | peer-rank`: a unit's gap, its trend and its rank among peers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from aigap import present
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
from aigap.cli.data import DB_OPTION, open_warehouse
from aigap.errors import AigapError
from aigap.i18n import t
from aigap.jsonsafe import json_safe


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
        out += list(range(min(a, b), max(a, b) + 1))
    return out


def _window(spec: str | None) -> tuple[int | None, int | None] | None:
    if not spec:
        return None
    m = re.fullmatch(r"\s*(\d{4})?\s*-\s*(\d{4})?\s*", spec)
    if not m:
        raise AigapError(f"bad window {spec!r}; use e.g. 2015-2023, 2018- or -2022")
    return (int(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None)


def _records(df: pd.DataFrame) -> list[dict[str, object]]:
    """JSON records through the one cleaner (NaN and inf become null)."""
    return json_safe(df)  # type: ignore[no-any-return]


BASIS_CHOICES = {"all": None, "level": "level", "capita": "per capita", "gdp": "per GDP"}


def gap_cmd(
    unit: Annotated[str, typer.Argument(help="the unit (ISO3), e.g. KOR")],
    vs: Annotated[list[str], typer.Option("--vs", help="units to compare with: --vs USA CHN")],
    indicator: Annotated[list[str], typer.Option("--indicator", "-i", help="indicator code(s)")],
    years: Annotated[str | None, typer.Option("--years", help="e.g. 2019-2023")] = None,
    basis: Annotated[str, typer.Option("--basis", help="all, level, capita or gdp")] = "all",
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Difference, ratio and orders of magnitude against others, per year (also per capita
    and per GDP for totals), with source and vintage of both sides."""
    from aigap.analysis.diagnosis.gap import gap, gap_summary

    if basis not in BASIS_CHOICES:
        raise AigapError(f"unknown basis {basis!r}; choose from {', '.join(BASIS_CHOICES)}")
    inds = _split(indicator)
    others = _split(vs)
    with open_warehouse(db) as wh:
        per = ("capita", "gdp") if basis in ("all", "capita", "gdp") else ()
        table = gap(wh, unit, others, inds, years=_years(years), per=per)
        summary = gap_summary(wh, unit, others, inds, table=table)
        names = wh.country_names(lang.value)
    if BASIS_CHOICES[basis]:
        table = table[table["basis"] == BASIS_CHOICES[basis]].reset_index(drop=True)
    sentences = [present.sentence(s, lang.value) for s in summary]
    if fmt is OutputFormat.json:
        emit_json({"rows": _records(table), "summary": [present.document(s) for s in summary]})
        return
    if fmt is OutputFormat.csv:
        emit(table, fmt)
        return
    for (ind, b), grp in table.groupby(["indicator", "basis"], sort=False):
        if grp["year"].isna().all():  # a skipped basis: one line, no table
            console.print(f"[dim]{ind}: {grp['note'].iloc[0]}[/]", highlight=False)
            continue
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
                    caption.append(f"{col}: {val}")
                view = view.drop(columns=col)
        vintages = sorted((set(grp["vintage"]) | set(grp["other_vintage"])) - {""})
        caption.append("vintage: " + " | ".join(vintages))
        emit(view, fmt, title=f"{ind} ({b}, {grp['measure_unit'].iloc[0]})",
             caption="\n".join(caption))
    for s in sentences:
        console.print(s, highlight=False)


def trend_cmd(
    unit: Annotated[str, typer.Argument(help="the unit (ISO3), e.g. KOR")],
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="indicator code")],
    vs: Annotated[list[str] | None, typer.Option("--vs", help="units to compare with")] = None,
    window: Annotated[str | None, typer.Option("--window", help="e.g. 2015-2023")] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="years to project")] = 5,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """CAGR, log-linear growth with 90% intervals, convergence and years to close a gap."""
    from aigap.analysis.diagnosis.trend import trend

    with open_warehouse(db) as wh:
        res = trend(wh, unit, _split(vs), indicator, window=_window(window))
        names = wh.country_names(lang.value)
    fits = res.fits_frame()
    comp = res.comparisons_frame()
    if fmt is OutputFormat.json:
        out = present.document(res)
        out["projection"] = _records(res.projection(horizon))
        emit_json(out)
        return
    if fmt is OutputFormat.csv:
        emit(fits.merge(comp.drop(columns=["iso3"]).rename(columns={"other": "iso3"}),
                        on="iso3", how="left") if not comp.empty else fits, fmt)
        return
    lg = lang.value
    emit(fits.assign(country=fits["iso3"].map(lambda i: names.get(i, i)))[
        ["country", "first_year", "last_year", "n", "cagr", "growth", "growth_lo", "growth_hi",
         "slope_se", "source", "note"]],
        fmt, title=t("cli.trend.title", lg, indicator=res.indicator, unit=res.measure_unit),
        caption="vintage: " + " | ".join(sorted({f.vintage for f in res.fits.values()}))
        + "; growth = exp(OLS log slope) - 1 with 90% CI")
    if not comp.empty:
        emit(comp.assign(other=comp["other"].map(lambda i: names.get(i, i)),
                         close_year=comp["close_year"].round().astype("Int64"))[
            ["other", "reference_year", "ratio", "ratio_change", "status", "years_to_close",
             "years_lo", "years_hi", "close_year", "p_close"]],
            fmt, title=t("cli.trend.convergence", lg))
        for c in res.comparisons:
            console.print(present.sentence(c, lg), highlight=False)
    if horizon > 0:
        proj = res.projection(horizon)
        emit(proj.assign(iso3=proj["iso3"].map(lambda i: names.get(i, i))),
             fmt, title=t("cli.trend.projection", lg))


def peer_rank_cmd(
    unit: Annotated[str, typer.Argument(help="the unit (ISO3), e.g. KOR")],
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="indicator code")],
    group: Annotated[str, typer.Option("--group", "-g", help="OECD, G7, G20, EU27, ASEAN or "
                                       "a list such as KOR,JPN,DEU")] = "OECD",
    year: Annotated[int | None, typer.Option("--year", help="default: latest year of the "
                                             "unit")] = None,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Rank within a peer group, naming members without data (or not in a top-N chart)."""
    from aigap.analysis.diagnosis.peer_rank import peer_rank

    with open_warehouse(db) as wh:
        res = peer_rank(wh, unit, indicator, group, year)
        names = wh.country_names(lang.value)
    if fmt is OutputFormat.json:
        emit_json(present.document(res))
        return
    if fmt is OutputFormat.csv:
        emit(res.table, fmt)
        return
    table = res.table.assign(country=res.table["iso3"].map(lambda i: names.get(i, i)))
    for col in ("rank", "latest_year"):  # Int64 <NA> would print as "<NA>"
        if col in table:
            table[col] = table[col].map(lambda v: "–" if pd.isna(v) else str(int(v)))
    emit(table.drop(columns=["vintage"]), fmt,
         title=f"{res.indicator} — {res.group} {res.year}",
         caption="vintage: " + " | ".join(sorted(set(res.table["vintage"]) - {""})))
    console.print(present.sentence(res, lang.value), highlight=False)


def register(app: typer.Typer) -> None:
    app.command("gap")(user_errors(gap_cmd))
    app.command("trend")(user_errors(trend_cmd))
    app.command("peer-rank")(user_errors(peer_rank_cmd))
