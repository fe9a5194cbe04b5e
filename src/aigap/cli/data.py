"""`aigap data ...`: pull the datasets into the warehouse and look at what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    err_console,
    render,
    user_errors,
)
from aigap.errors import AigapError
from aigap.i18n import t

if TYPE_CHECKING:  # the warehouse (DuckDB, pandas) loads when a command runs, not at start-up
    import pandas as pd

    from aigap.data.warehouse import Warehouse

data_app = typer.Typer(help="Load the public datasets and inspect the warehouse.",
                       no_args_is_help=True)

DB_OPTION = typer.Option(None, "--db",
                         help="warehouse file (default: $AIGAP_HOME/warehouse.duckdb)")


def open_warehouse(db: Path | None) -> Warehouse:
    from aigap.data.warehouse import Warehouse

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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from aigap.data.warehouse import pull

    resolver = None
    if live:
        from aigap.data.live_pull import live_resolver

        resolver = live_resolver(data_dir=data_dir, refresh=refresh)
    with Progress(
        TextColumn("[bold]{task.description:<45}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err_console.get(), transient=True,
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
    render(df, fmt, "en", title="Sources in the warehouse", caption=_flag_legend(df["flags"]))


def _flag_legend(flags: pd.Series) -> str | None:
    """'flag: meaning' for the flags present (a table caption)."""
    from aigap.data.sources.base import FLAG_MEANINGS

    seen = sorted({f for fl in flags for f in (fl.split(", ") if isinstance(fl, str) else fl)
                   if f})
    return "; ".join(f"{f}: {FLAG_MEANINGS.get(f, '')}" for f in seen) or None


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
        df = df.rename(columns={name: t("cli.data.name", lang.value)})
    render(df, fmt, lang, title=t("cli.data.indicators", lang.value))


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
    render(df, fmt, lang, title=title)


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
    if year_from is not None and year_to is not None and year_from > year_to:
        raise AigapError(f"--from {year_from} is after --to {year_to}")
    with open_warehouse(db) as wh:
        df = wh.panel(indicator, countries=_split(countries))
        names = wh.country_names(lang.value)
        cat = wh.indicators().set_index("code")
        flags = dict(wh.sources()[["id", "flags"]].itertuples(index=False))
    if year_from is not None:
        df = df[df["year"] >= year_from]
    if year_to is not None:
        df = df[df["year"] <= year_to]
    if df.empty:  # a user error (exit 2), as the README promises
        window = (f" in {year_from}-{year_to}" if year_from and year_to else
                  f" from {year_from} on" if year_from else f" up to {year_to}" if year_to else "")
        raise AigapError(f"no observations of {', '.join(indicator)}{window}"
                         + (f" for {', '.join(_split(countries) or [])}" if countries else ""))
    df = df.assign(country=df["iso3"].map(names)).reset_index(drop=True)
    if fmt is not OutputFormat.table:
        render(df, fmt, lang)
        return
    for code, part in df.groupby("indicator", sort=False):
        wide = part.pivot(index="year", columns="iso3", values="value")
        wide.columns = [f"{c} {names.get(c, '')}".strip() for c in wide.columns]
        wide = wide.reset_index()
        src = ", ".join(f"{s} ({v})" + (f" [{', '.join(flags[s])}]" if len(flags.get(s, ()))
                                         else "")
                        for s, v in
                        part[["source", "vintage"]].drop_duplicates().itertuples(index=False))
        title_name = cat.loc[code, "name_ko" if lang is Lang.ko else "name_en"]
        render(wide, fmt, lang, title=f"{title_name} [{part['unit'].iloc[0]}]",
             caption=f"source: {src}")
    missing = set(_split(countries) or []) - set(df["iso3"])
    if missing and countries:
        console.print(f"[yellow]no data for[/] {', '.join(sorted(missing))}")


DIFF_KO = {"change": "변경", "old": "이전 값", "new": "새 값", "change_pct": "변화율(%)",
           "unit": "단위", "old_year": "이전 연도"}
CHANGE_KO = {"revised": "수정", "changed": "변동", "added": "추가", "removed": "삭제"}


@data_app.command("diff")
@user_errors
def diff_cmd(
    source: Annotated[str | None, typer.Option(
        "--source", "-s", help="source family (aiindex, oxford, epoch ...) or dataset id")] = None,
    indicator: Annotated[str | None, typer.Option("--indicator", "-i",
                                                  help="indicator code")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="ISO3, e.g. KOR")] = None,
    old: Annotated[str | None, typer.Option("--old", help="older vintage (default: the "
                                            "second newest; part of its name is enough)")]
    = None,
    new: Annotated[str | None, typer.Option("--new", help="newer vintage (default: the "
                                            "newest)")] = None,
    all_indicators: Annotated[bool, typer.Option(
        "--all", help="also indicators that only one of the two vintages publishes")] = False,
    by: Annotated[str, typer.Option(
        "--by", help="year: the same year revised; edition: editions that hold one year "
        "each (an index's 2023 vs 2024 edition)")] = "year",
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """What changed between two vintages of a source or an indicator: added, removed and
    revised values (old, new, difference)."""
    with open_warehouse(db) as wh:
        df = wh.diff(source=source, indicator=indicator, unit=unit, old=old, new=new,
                     all_indicators=all_indicators, by=by)
    a = df.attrs
    if fmt is not OutputFormat.table:
        render(df, fmt, lang)
        return
    ko = lang is Lang.ko
    counts = df["change"].value_counts()
    moved = "changed" if by == "edition" else "revised"
    parts = [(k, int(counts.get(k, 0))) for k in (moved, "added", "removed")]
    if ko:
        caption = ", ".join(f"{CHANGE_KO[k]} {n}" for k, n in parts) + \
            f", 변동 없음 {a['unchanged']} (삭제 = 이전 시점에만 있고 새 시점에는 없는 값)"
    else:
        caption = ", ".join(f"{n} {k}" for k, n in parts) + \
            f", {a['unchanged']} unchanged (removed = in the old vintage, not in the new one)"
    sources = sorted(set(df["old_source"].dropna()) | set(df["new_source"].dropna()))
    if sources:
        caption += ("; 출처: " if ko else "; sources: ") + ", ".join(sources)
    title = f"{a['label']}: {a['old']} → {a['new']}" + (f" ({unit.upper()})" if unit else "")
    if df.empty:
        console.print(f"[bold]{title}[/]", highlight=False)
        if not a["shared"] and not all_indicators:
            caption = ("두 시점에 공통된 지표가 없습니다(--all: 모든 값)" if ko else
                       "no indicator is in both vintages (--all lists every value)")
        console.print(("변경된 값이 없습니다; " if ko else "no changes; ") + caption,
                      highlight=False)
        return
    out = df[["change", "indicator", "iso3", "year",
              *(["old_year"] if "old_year" in df else []), "old", "new", "difference",
              "change_pct", "unit"]]
    if ko:
        out = out.assign(change=out["change"].map(CHANGE_KO)).rename(columns=DIFF_KO)
    render(out, fmt, lang, title=title, caption=caption)


PUBLISHED_KO = {"index": "지수", "edition": "판", "published": "발표일", "of_n": "대상 수",
                "scale": "척도", "reported_by": "보도", "source_url": "URL"}


@data_app.command("published")
@user_errors
def published_cmd(
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="ISO3, or EUU for the "
                                             "EU (an aggregate unit)")] = None,
    index: Annotated[str | None, typer.Option("--index", help="part of an index name, e.g. "
                                              "oxford, tortoise, belfer")] = None,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Headline ranks as the index publishers released them, each with the article that
    reports it (the reference for claims and recomputed rankings)."""
    from aigap.data.countries import aggregate_unit_name

    with open_warehouse(db) as wh:
        df = wh.published_ranks(unit=unit, index=index)
        names = wh.country_names(lang.value)
    name = [aggregate_unit_name(c, lang.value) if agg else names.get(c, u)
            for c, u, agg in zip(df["iso3"], df["unit"], df["aggregate"], strict=True)]
    df = df.assign(country=name)
    if fmt is not OutputFormat.table:
        render(df, fmt, lang)
        return
    out = df.assign(reported_by=df["source_publisher"] + ", " + df["source_date"])[
        ["index", "edition", "published", "level", "iso3", "country", "rank", "of_n", "score",
         "scale", "reported_by", "source_url"]]
    ko = lang is Lang.ko
    if ko:
        out = out.rename(columns=PUBLISHED_KO)
    title = ("발표된 순위" if ko else "Published ranks") + (f" — {unit.upper()}" if unit else "")
    caption = ("보도된 발표 수치(기사별 출처); EUU 등 집합 단위는 여러 나라를 한 단위로 매긴 것"
               if ko else "as released by the publishers and printed in the cited articles; "
               "aggregate units (EUU: the EU) are groups of countries ranked as one unit")
    render(out, fmt, lang, title=title, caption=caption)
    if df.empty:
        console.print("[yellow]no published ranks match[/]")


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
