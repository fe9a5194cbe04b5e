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
from aigap.cli.lazy import lazy_group
from aigap.errors import AigapError
from aigap.i18n import t

if TYPE_CHECKING:  # the warehouse (DuckDB, pandas) loads when a command runs, not at start-up
    import pandas as pd

    from aigap.data.warehouse import Warehouse

# `aigap data kosis|kipris` (HTTP clients, pandas) load when one of them runs.
OFFICIAL = {
    "kosis": ("aigap.cli.official", "One KOSIS table, printed (key in KOSIS_API_KEY; "
              "AIGAP_KOSIS_URL overrides the URL)."),
    "kipris": ("aigap.cli.official", "KIPO patent applications in an IPC class, counted (key "
               "in KIPRIS_API_KEY)."),
}
data_app = typer.Typer(help="Load the public datasets and inspect the warehouse.",
                       no_args_is_help=True, cls=lazy_group(OFFICIAL))

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


def _labels(keys: list[str], prefix: str, lang: str) -> dict[str, str]:
    """Column (or value) -> its label in ``lang`` (``<prefix>.<key>`` of the catalogue)."""
    return {k: t(f"{prefix}.{k}", lang) for k in keys}


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
    lg = lang.value
    counts = df["change"].value_counts()
    moved = "changed" if by == "edition" else "revised"
    changes = _labels([moved, "added", "removed"], "cli.data.diff.change", lg)
    parts = ", ".join(t("cli.data.diff.part", lg, change=word, n=int(counts.get(k, 0)))
                      for k, word in changes.items())
    caption = t("cli.data.diff.caption", lg, parts=parts, unchanged=a["unchanged"])
    sources = sorted(set(df["old_source"].dropna()) | set(df["new_source"].dropna()))
    if sources:
        caption += t("cli.data.diff.sources", lg, items=", ".join(sources))
    title = f"{a['label']}: {a['old']} → {a['new']}" + (f" ({unit.upper()})" if unit else "")
    if df.empty:
        console.print(f"[bold]{title}[/]", highlight=False)
        if not a["shared"] and not all_indicators:
            caption = t("cli.data.diff.none_shared", lg)
        console.print(t("cli.data.diff.no_changes", lg, caption=caption), highlight=False)
        return
    out = df[["change", "indicator", "iso3", "year",
              *(["old_year"] if "old_year" in df else []), "old", "new", "difference",
              "change_pct", "unit"]]
    words = _labels(["revised", "changed", "added", "removed"], "cli.data.diff.change", lg)
    cols = _labels(["change", "old", "new", "change_pct", "unit", "old_year"],
                   "cli.data.diff.col", lg)
    out = out.assign(change=out["change"].map(lambda c: words.get(c, c))).rename(columns=cols)
    render(out, fmt, lang, title=title, caption=caption)


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
    lg = lang.value
    out = out.rename(columns=_labels(["index", "edition", "published", "of_n", "scale",
                                      "reported_by", "source_url"], "cli.data.published.col",
                                     lg))
    title = t("cli.data.published.title", lg) + (f" — {unit.upper()}" if unit else "")
    render(out, fmt, lang, title=title, caption=t("cli.data.published.caption", lg))
    if df.empty:
        console.print("[yellow]no published ranks match[/]")


@data_app.command("records")
@user_errors
def records_cmd(
    table: Annotated[str | None, typer.Argument(help="a record table; none: list them")]
    = None,
    unit: Annotated[list[str] | None, typer.Option(
        "--unit", "-u", help="ISO3 code(s) of the table's country column (KOR or KOR,USA)")]
    = None,
    vintage: Annotated[list[str] | None, typer.Option("--vintage", help="only this vintage "
                                                      "(repeatable)")] = None,
    where: Annotated[list[str] | None, typer.Option(
        "--where", "-w", metavar="COLUMN=VALUE",
        help="keep rows whose COLUMN equals VALUE (a|b: any of them; NULL: missing; on a list "
        "column: the list holds it); repeatable, all must hold")] = None,
    columns: Annotated[str | None, typer.Option("--columns", "-c", help="comma-separated "
                                                "columns to show (default: all)")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="at most N rows "
                                              "(default 50 in a table, all otherwise)")]
    = None,
    describe: Annotated[bool, typer.Option("--describe", help="the table's columns: type and "
                                           "meaning")] = False,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Record-level tables (TOP500 systems, GPU clusters, AI models, data centres, ML
    hardware): list them, or show one table's rows filtered by country, vintage and columns."""
    with open_warehouse(db) as wh:
        if table is None:
            df = wh.record_tables()
            if fmt is OutputFormat.table:
                df = df.assign(vintages=df["vintages"].map(_span))[
                    ["table", "rows", "country_column", "vintages", "description"]]
            render(df, fmt, lang, title=t("cli.data.record_tables", lang.value))
            return
        if describe:
            render(wh.record_columns(table), fmt, lang,
                   title=t("cli.data.records", lang.value, table=table))
            return
        types = dict(zip(*wh.record_columns(table)[["column", "type"]].T.to_numpy(),
                         strict=True))
        types.update(source="VARCHAR", vintage="VARCHAR", source_row="INTEGER")
        df = wh.records(
            table, country=_split(unit), vintage=vintage,
            columns=[c.strip() for c in columns.split(",") if c.strip()] if columns else None,
            where=parse_where(where or [], types))
    for col in df.columns:  # DuckDB DATE comes back as a timestamp: show the date only
        if types.get(col) == "DATE":
            df[col] = df[col].dt.strftime("%Y-%m-%d").where(df[col].notna(), None)
    total = len(df)
    cap = limit if limit is not None else (50 if fmt is OutputFormat.table else None)
    shown = df.head(cap) if cap is not None else df
    caption = t("cli.data.records_shown", lang.value, shown=len(shown), total=total)
    render(shown, fmt, lang, title=t("cli.data.records", lang.value, table=table),
           caption=caption)
    if df.empty and fmt is OutputFormat.table:
        console.print(f"[yellow]{t('cli.data.records_none', lang.value)}[/]")


def _span(vintages: list[str]) -> str:
    """A table's vintages in one cell: the only one, or first .. last (count)."""
    vs = list(vintages)
    if len(vs) <= 2:
        return "; ".join(vs)
    return f"{vs[0]} .. {vs[-1]} ({len(vs)})"


def parse_where(clauses: list[str], types: dict[str, str]) -> dict[str, object]:
    """``COLUMN=VALUE`` filters as ``Warehouse.records(where=...)`` takes them, each value
    converted to its column's type (so ``rank=18`` compares as a number).

    ``a|b`` is any of the values, ``NULL`` a missing value. Unknown columns and values that
    are not of the column's type raise a :class:`AigapError` naming them; the values reach
    DuckDB as parameters only.
    """
    from aigap.data.catalogue import near_matches

    out: dict[str, object] = {}
    for clause in clauses:
        col, sep, text = clause.partition("=")
        col = col.strip()
        if not sep or not col:
            raise AigapError(f"--where {clause!r}: write COLUMN=VALUE (e.g. iso3=KOR)")
        if col not in types:
            raise AigapError(f"--where {clause!r}: no column {near_matches([col], types)}; "
                             "columns: " + ", ".join(types))
        if col in out:
            raise AigapError(f"--where names {col!r} twice; use {col}=a|b for any of several")
        if text.strip() == "NULL":
            out[col] = None
            continue
        vals = [_typed(v.strip(), types[col], clause) for v in text.split("|")]
        out[col] = vals if len(vals) > 1 else vals[0]
    return out


def _typed(text: str, sql_type: str, clause: str) -> object:
    """One filter value as the Python value of a DuckDB column type (lists: the element)."""
    import datetime as dt

    base = sql_type.removesuffix("[]").upper()
    try:
        if base in ("INTEGER", "BIGINT", "SMALLINT"):
            return int(text)
        if base in ("DOUBLE", "FLOAT", "REAL") or base.startswith("DECIMAL"):
            return float(text)
        if base == "BOOLEAN":
            low = text.lower()
            if low not in ("true", "false"):
                raise ValueError
            return low == "true"
        if base == "DATE":
            return dt.date.fromisoformat(text)
    except ValueError:
        raise AigapError(f"--where {clause!r}: {text!r} is not a {base.lower()} value") \
            from None
    return text


@data_app.command("concepts")
@user_errors
def concepts_cmd(
    concept: Annotated[str | None, typer.Argument(help="one concept or indicator code")] = None,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Concepts and the series that measure them, with each series' coverage; * marks the
    default series (docs/concepts.md)."""
    import pandas as pd

    from aigap.data.concepts import choose_series, concepts, resolve
    from aigap.present.text.diagnosis import concept_name, series_label

    codes = [resolve(concept)[0].code] if concept else list(concepts())
    rows = []
    with open_warehouse(db) as wh:
        for code in codes:
            ch = choose_series(wh, code)
            for cov in [ch.chosen, *[a.coverage for a in ch.alternatives]]:
                last = cov.last_year
                rows.append({
                    "concept": code, "name": concept_name(code, lang.value),
                    "kind": cov.kind, "series": series_label(cov.series, lang.value),
                    "id": cov.series, "default": "*" if cov is ch.chosen else "",
                    "indicator": cov.indicator, "measure_unit": cov.unit,
                    "first_year": cov.first_year, "last_year": last,
                    "units_last_year": cov.units_per_year.get(last) if last else None,
                    "censored_years": ", ".join(map(str, cov.censored_years)),
                    "top_n": cov.top_n, "flags": ", ".join(cov.flags),
                    "vintages": "; ".join(cov.vintages)})
    df = pd.DataFrame(rows)
    if fmt is OutputFormat.table:  # narrow: the years held, and flags that say censoring
        df = df.assign(years=[f"{a}-{b}" if a else "–" for a, b in
                              zip(df["first_year"], df["last_year"], strict=True)])[
            ["name" if concept else "concept", "id", "default", "indicator", "measure_unit",
             "years", "units_last_year", "flags"]]
    render(df, fmt, lang, title=t("cli.data.concepts", lang.value))


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
