"""`aigap data ...`: pull the datasets into the warehouse and look at what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    emit,
    err_console,
    user_errors,
)
from aigap.data.warehouse import Warehouse, pull

data_app = typer.Typer(help="Load the public datasets and inspect the warehouse.",
                       no_args_is_help=True)

DB_OPTION = typer.Option(None, "--db",
                         help="warehouse file (default: $AIGAP_HOME/warehouse.duckdb)")


def open_warehouse(db: Path | None) -> Warehouse:
    return Warehouse.open(db)


@data_app.command("pull")
@user_errors
def pull_cmd(
    live: Annotated[bool, typer.Option("--live", help="fetch from the internet (cached)")] = False,
    source: Annotated[list[str] | None, typer.Option("--source", "-s",
                                                     help="only these dataset ids")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir",
                                                  help="mirror folder (default "
                                                  "$AIGAP_DATA_DIR or ../shared/data)")] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="with --live: ignore the cache")]
    = False,
    accept_outliers: Annotated[Path | None, typer.Option(
        "--accept-outliers", metavar="FILE",
        help="YAML list of reviewed outliers to let through (dataset, indicator, iso3, year, "
        "reason); recorded in the warehouse's exceptions table")] = None,
    db: Path | None = DB_OPTION,
) -> None:
    """Load every dataset of the local mirror (or the internet with --live) into the warehouse."""
    resolver = None
    if live:
        from aigap.data.live_pull import live_resolver

        resolver = live_resolver(data_dir=data_dir, refresh=refresh)
    with Progress(
        TextColumn("[bold]{task.description:<45}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err_console, transient=True,
    ) as bar:
        task = bar.add_task("pull", total=None)

        def on_progress(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        report = pull(db_path=db, data_dir=data_dir, datasets=source, resolver=resolver,
                      progress=on_progress, accept_outliers=accept_outliers)
    for ds_id, msg in report.warnings:
        err_console.print(f"[yellow]warning[/] {ds_id}: {msg}", highlight=False)
    for ds_id, msg in report.skipped:
        err_console.print(f"[yellow]skipped[/] {ds_id}: {msg}", highlight=False)
    for ds_id, what, reason, origin in dict.fromkeys(report.exceptions):
        if origin.startswith("accepted"):
            err_console.print(f"[yellow]accepted outlier[/] {ds_id} {what}: {reason}",
                              highlight=False, soft_wrap=True)
    console.print(
        f"[green]loaded[/] {report.rows:,} observations from {len(report.loaded)} datasets "
        f"into {report.db_path}"
    )


@data_app.command("sources")
@user_errors
def sources_cmd(fmt: OutputFormat = FORMAT_OPTION, db: Path | None = DB_OPTION) -> None:
    """Publisher, file, sha256, vintage, licence and rows loaded of every source."""
    with open_warehouse(db) as wh:
        df = wh.sources()
    if fmt is OutputFormat.table:
        df = df.assign(
            sha256=df["sha256"].str[:12],
            vintage=[v + (" (inferred)" if inf else "") for v, inf in
                     zip(df["vintage"], df["vintage_inferred"], strict=True)],
            flags=df["flags"].map(lambda f: ", ".join(f) if f is not None else ""),
        )[["id", "publisher", "file", "sha256", "vintage", "flags", "licence", "rows", "origin"]]
    else:
        df = df.assign(flags=df["flags"].map(list), loaded_at=df["loaded_at"].astype(str))
    emit(df, fmt, title="Sources in the warehouse")


@data_app.command("indicators")
@user_errors
def indicators_cmd(
    pillar: Annotated[str | None, typer.Option("--pillar", help="e.g. Talent")] = None,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """The indicator catalogue (names in English or Korean) with data coverage."""
    with open_warehouse(db) as wh:
        df = wh.indicators(pillar)
    name = "name_ko" if lang is Lang.ko else "name_en"
    if fmt is OutputFormat.table:
        df = df[["code", name, "pillar", "direction", "unit", "n_countries", "first_year",
                 "last_year", "source"]]
        df = df.rename(columns={name: "이름" if lang is Lang.ko else "name"})
    emit(df, fmt, title="지표 목록" if lang is Lang.ko else "Indicators")


@data_app.command("countries")
@user_errors
def countries_cmd(
    group: Annotated[str | None, typer.Option("--group", "-g",
                                              help="OECD, G7, G20, EU27 or ASEAN")] = None,
    year: Annotated[int | None, typer.Option("--year", help="membership in that year")] = None,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Countries with ISO codes, English and Korean names and groups."""
    with open_warehouse(db) as wh:
        df = wh.countries(group, year)
    df = df.assign(groups=df["groups"].map(lambda g: ", ".join(g) if g is not None else ""))
    if fmt is OutputFormat.table:
        first = ["iso3", "name_ko", "name_en"] if lang is Lang.ko else ["iso3", "name_en",
                                                                         "name_ko"]
        df = df[[*first, "groups"]]
    title = f"{group or 'All'} ({len(df)})"
    emit(df, fmt, title=title)


@data_app.command("show")
@user_errors
def show_cmd(
    indicator: Annotated[list[str], typer.Argument(help="indicator code(s)")],
    countries: Annotated[list[str] | None, typer.Option("--countries", "-c",
                                                        help="ISO3 codes")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="first year")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="last year")] = None,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Observations of one or more indicators, with unit, source and vintage."""
    with open_warehouse(db) as wh:
        df = wh.panel(indicator, countries=_split(countries))
        names = wh.country_names(lang.value)
        cat = wh.indicators().set_index("code")
    if year_from is not None:
        df = df[df["year"] >= year_from]
    if year_to is not None:
        df = df[df["year"] <= year_to]
    df = df.assign(country=df["iso3"].map(names)).reset_index(drop=True)
    if fmt is not OutputFormat.table:
        emit(df, fmt)
        return
    for code, part in df.groupby("indicator", sort=False):
        wide = part.pivot(index="year", columns="iso3", values="value")
        wide.columns = [f"{c} {names.get(c, '')}".strip() for c in wide.columns]
        wide = wide.reset_index()
        src = ", ".join(f"{s} ({v})" for s, v in
                        part[["source", "vintage"]].drop_duplicates().itertuples(index=False))
        title_name = cat.loc[code, "name_ko" if lang is Lang.ko else "name_en"]
        emit(wide, fmt, title=f"{title_name} [{part['unit'].iloc[0]}]",
             caption=f"source: {src}")
    missing = set(_split(countries) or []) - set(df["iso3"])
    if missing and countries:
        console.print(f"[yellow]no data for[/] {', '.join(sorted(missing))}")
    if df.empty:
        console.print("[yellow]no observations match[/]")


def _split(values: list[str] | None) -> list[str] | None:
    """Accept both `-c KOR -c USA` and `-c KOR,USA`."""
    if not values:
        return None
    out: list[str] = []
    for v in values:
        out += [p for p in v.replace(",", " ").split() if p]
    return [p.upper() for p in out]


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")


__all__ = ["DB_OPTION", "open_warehouse", "register"]
_ = pd  # pandas is used through the warehouse frames
