"""`aigap data kosis` and `aigap data kipris`: Korean official statistics from their APIs.

Both print what they fetch (table, CSV or JSON) and keep the raw answers in the HTTP cache;
neither writes the warehouse. The warehouse holds one number per (catalogued indicator,
country, year) and is rebuilt whole, all or nothing, by `aigap data pull` from registered
datasets; an ad-hoc KOSIS table (rows by classification, not by country) or a patent search
does not fit that model, so there is no --save.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pandas as pd
import typer
from typer.models import OptionInfo

from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    emit,
    progress_bar,
    user_errors,
)
from aigap.data.live.kipris import (
    DEFAULT_MAX_LOOKUPS,
    DEFAULT_MAX_PAGES,
    PatentQuery,
    applicant_countries,
    counts_by_applicant,
    counts_by_country,
    counts_by_year,
    search_patents,
)
from aigap.data.live.kosis import KosisRequest, KosisTable, fetch_kosis
from aigap.i18n import t

REFRESH_OPTION = typer.Option("--refresh", help="ask the server again instead of the cache")


def _obj(level: int) -> OptionInfo:
    return typer.Option(f"--obj{level}", help=f"objL{level} classification codes joined by + "
                        "or ALL")


@user_errors
def kosis_cmd(
    org: Annotated[str, typer.Option("--org", help="orgId, e.g. 101 (Statistics Korea), "
                                     "127 (Ministry of Science and ICT)")],
    table: Annotated[str, typer.Option("--table", help="tblId, e.g. DT_127005_005")],
    period_from: Annotated[str, typer.Option("--from", help="first period (startPrdDe), "
                                             "e.g. 2015, 201501")],
    period_to: Annotated[str, typer.Option("--to", help="last period (endPrdDe)")],
    item: Annotated[str, typer.Option("--item", help="itmId codes joined by + or ALL")] = "ALL",
    obj1: Annotated[str, _obj(1)] = "ALL",
    obj2: Annotated[str | None, _obj(2)] = None,
    obj3: Annotated[str | None, _obj(3)] = None,
    obj4: Annotated[str | None, _obj(4)] = None,
    obj5: Annotated[str | None, _obj(5)] = None,
    obj6: Annotated[str | None, _obj(6)] = None,
    obj7: Annotated[str | None, _obj(7)] = None,
    obj8: Annotated[str | None, _obj(8)] = None,
    period: Annotated[str, typer.Option("--period", help="prdSe: Y, H, Q, M, D, IR or F")] = "Y",
    refresh: Annotated[bool, REFRESH_OPTION] = False,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """One KOSIS table, printed (key in KOSIS_API_KEY; AIGAP_KOSIS_URL overrides the URL)."""
    levels = [obj1, obj2, obj3, obj4, obj5, obj6, obj7, obj8]
    req = KosisRequest.build(org, table, start=period_from, end=period_to, items=item,
                             levels=levels, period=period)
    result = fetch_kosis(req, refresh=refresh)
    if fmt is not OutputFormat.table:
        emit(result.frame, fmt)
        return
    emit(_kosis_display(result, lang), fmt, title=f"{result.table_name} (KOSIS {org}/{table})",
         caption=_kosis_caption(result))


def _kosis_display(result: KosisTable, lang: Lang) -> pd.DataFrame:
    """Period, names in the chosen language (Korean where English is missing), value, unit."""
    df = result.frame
    first, second = ("ko", "en") if lang is Lang.ko else ("en", "ko")

    def names(stem: str) -> pd.Series:
        return df[f"{stem}_{first}"].where(df[f"{stem}_{first}"] != "", df[f"{stem}_{second}"])

    lg = lang.value
    out = pd.DataFrame({t("cli.official.col.period", lg): df["period"],
                        t("cli.official.col.item", lg): names("item")})
    for col in df.columns:
        if col[0] == "c" and col[1:].isdigit():
            out[t("cli.official.col.class", lg, n=col[1:])] = names(col)
    # Headers of their own: the shared table of headers (cli.header) reads "unit" as a country.
    out[t("cli.official.col.value", lg)] = df["value"]
    out[t("cli.official.col.unit", lg)] = names("unit")
    return out


def _kosis_caption(result: KosisTable) -> str:
    missing = int(result.frame["value"].isna().sum())
    # The parameters rather than the URL: a URL this long is broken across lines.
    query = dict(result.request.query())
    asked = ", ".join(f"{k} {query[k].replace(' ', '+')}" for k in query
                      if k not in ("method", "format", "jsonVD"))
    parts = [f"source: KOSIS ({asked})"]
    if result.last_changed:
        parts.append(f"last changed {result.last_changed}")
    parts.append(f"fetched {result.fetched_at}" + (" (cached)" if result.from_cache else ""))
    if missing:
        parts.append(f"{missing} value(s) not published ('-')")
    return " · ".join(parts)


class KiprisBy(StrEnum):
    year = "year"
    applicant = "applicant"
    applicant_country = "applicant-country"


@user_errors
def kipris_cmd(
    year_from: Annotated[int, typer.Option("--from", help="first application year")],
    year_to: Annotated[int, typer.Option("--to", help="last application year")],
    ipc: Annotated[str, typer.Option("--ipc", help="IPC class, e.g. G06N (AI), "
                                     "'G06N 3/08'")] = "G06N",
    by: Annotated[KiprisBy, typer.Option("--by", help="count by year, applicant or "
                                         "applicant-country")] = KiprisBy.year,
    top: Annotated[int, typer.Option("--top", help="with --by applicant: rows shown")] = 20,
    utility: Annotated[bool, typer.Option("--utility", help="include utility models")] = False,
    max_pages: Annotated[int, typer.Option("--max-pages", help="refuse searches needing more "
                                           "pages of 500")] = DEFAULT_MAX_PAGES,
    max_lookups: Annotated[int, typer.Option("--max-lookups", help="with --by "
                                             "applicant-country: refuse when more uncached "
                                             "bibliography calls are needed")]
    = DEFAULT_MAX_LOOKUPS,
    refresh: Annotated[bool, REFRESH_OPTION] = False,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """KIPO patent applications in an IPC class, counted (key in KIPRIS_API_KEY)."""
    query = PatentQuery(ipc, year_from, year_to, patents=True, utility=utility)
    found = search_patents(query, refresh=refresh, max_pages=max_pages)
    kinds = "patent and utility-model" if utility else "patent"
    years = f"in {year_from}" if year_from == year_to else f"{year_from}-{year_to}"
    title = f"KIPRIS Plus: {query.ipc_code} {kinds} applications filed {years}"
    caption = (f"{found.total_count:,} applications in {found.pages} page(s); source: KIPRIS "
               f"Plus getAdvancedSearch; fetched {found.fetched_at}"
               + (" (cached)" if found.from_cache else ""))
    if found.frame.empty:
        console.print(f"[yellow]no applications match[/] ({title})")
        return
    if by is KiprisBy.year:
        out = counts_by_year(found.frame)
    elif by is KiprisBy.applicant:
        out = counts_by_applicant(found.frame, top)
        title += f", top {len(out)} applicants"
    else:
        with progress_bar("applicant countries", fmt is OutputFormat.table) as progress:
            countries = applicant_countries(found.frame["application_number"], refresh=refresh,
                                            max_lookups=max_lookups, progress=progress)
        out = counts_by_country(found.frame, countries, lang=lang.value)
        title += ", by first applicant's country"
        caption += "; countries from getBibliographyDetailInfoSearch"
        if fmt is OutputFormat.table:
            out = out.assign(share=(out["share"] * 100).round(1)).rename(
                columns={"share": "share %"})
    emit(out, fmt, title=title, caption=caption)


def register(app: typer.Typer) -> None:
    """Add `kosis` and `kipris` to ``app`` (the `data` group loads them on first use)."""
    app.command("kosis")(kosis_cmd)
    app.command("kipris")(kipris_cmd)
