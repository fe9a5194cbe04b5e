"""Stanford AI Index 2026: the country-level public chart data (``raw/stanford_ai_index_2026``).

Only charts that hold per-country numbers are read. Top-15 charts are censored: a country
absent from them is "not in the top 15", never zero (``Indicator.top_n``).

Also home of small helpers the other AI/index source modules share (:func:`iso3_column`,
:func:`check_unique`), so every module maps names and rejects conflicting keys the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from aigap.data.countries import names_to_iso3
from aigap.data.sources.base import VINTAGE_ONLY, Dataset, Indicator, read_csv_checked, tidy
from aigap.errors import DataFormatError

PUBLISHER = "Stanford HAI, AI Index Report 2026"
LICENCE = "CC BY-ND 4.0"
VINTAGE = "AI Index 2026 (Apr 2026)"
DIR = "raw/stanford_ai_index_2026"


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def iso3_column(
    df: pd.DataFrame,
    column: str,
    path: Path,
    aliases: Mapping[str, str] | None = None,
) -> pd.Series:
    """ISO3 codes of a name column ('' = aggregate).

    ``aliases`` rewrite exact names first: to an ISO3 code, or to "World" for an aggregate the
    shared mapper does not know (it returns '' for "World").
    """
    names = df[column].astype(str).str.strip()
    if aliases:
        names = names.map(lambda n: aliases.get(n, n))
    return names_to_iso3(names, file=path, column=column, rows=df["_row"])


def check_unique(out: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Drop exact duplicate (indicator, iso3, year) rows; raise if a key has two values."""
    key = ["indicator", "iso3", "year"]
    dup = out.duplicated(key, keep=False)
    if dup.any():
        for k, grp in out[dup].groupby(key, sort=False):
            if grp["value"].nunique(dropna=False) > 1:
                rows = grp["_row"].tolist() if "_row" in grp else []
                vals = grp["value"].tolist()
                raise DataFormatError(
                    path,
                    f"duplicate key (indicator, iso3, year)={tuple(k)} with different values "
                    f"{vals} at rows {rows}",
                    row=int(rows[1]) if len(rows) > 1 else None,
                )
        out = out.drop_duplicates(key, keep="first")
    return out.reset_index(drop=True)


def countries_only(out: pd.DataFrame) -> pd.DataFrame:
    """Drop aggregate rows (iso3 '')."""
    return out[out["iso3"] != ""].reset_index(drop=True)


def finish(out: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Aggregates out, duplicate keys checked, sorted."""
    out = check_unique(countries_only(out), path)
    return out.sort_values(["indicator", "iso3", "year"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------------------------


def _ind(code: str, en: str, ko: str, pillar: str, unit: str, desc: str, *,
         direction: int = 1, top_n: int | None = None, signed: bool = False) -> Indicator:
    return Indicator(code=code, name_en=en, name_ko=ko, pillar=pillar, direction=direction,
                     unit=unit, description=desc, licence=LICENCE, top_n=top_n, signed=signed)


INVESTMENT = _ind(
    "private_ai_investment_aiindex", "Private AI investment (AI Index/Quid)",
    "민간 AI 투자액(AI 인덱스)", "Investment & Commercial", "billion US$ (current)",
    "Annual private investment in AI companies by country of the company (Quid data as "
    "published in the AI Index). 2025: top 15 countries; CHN/USA also 2013-2023.", top_n=15)
INVESTMENT_CUM = _ind(
    "private_ai_investment_cumulative", "Cumulative private AI investment since 2013",
    "민간 AI 투자 누적액(2013년 이후)", "Investment & Commercial",
    "billion US$ (current), cumulative from 2013 to the year",
    "Sum of annual private AI investment 2013 to the observation year (2025 here: "
    "cumulative 2013-2025), top 15 countries.", top_n=15)
COMPANIES_CUM = _ind(
    "newly_funded_ai_companies_cumulative", "Newly funded AI companies since 2013 (cumulative)",
    "신규 투자유치 AI 기업 수 누적(2013년 이후)", "Investment & Commercial",
    "count, cumulative from 2013 to the year",
    "Number of newly funded AI companies summed from 2013 to the observation year (2025 "
    "here: cumulative 2013-2025), top 15 countries.", top_n=15)
TALENT_CONC = _ind(
    "ai_talent_concentration", "AI talent concentration (LinkedIn)",
    "AI 인재 집중도(링크드인 회원 중 AI 인재 비중)", "Talent",
    "share of LinkedIn members (0-1)",
    "Share of LinkedIn members with AI engineering talent, 2025, top 15 countries.", top_n=15)
NET_MIGRATION = _ind(
    "ai_talent_net_migration", "Net AI talent migration (LinkedIn)",
    "AI 인재 순유입(링크드인 회원 1만 명당)", "Talent", "per 10,000 LinkedIn members",
    "Net flow of AI talent (arrivals minus departures) per 10,000 LinkedIn members, "
    "2021-2025, 50 countries (fig 4.4.24).", signed=True)
MODELS_CUM = _ind(
    "notable_ai_models_cumulative", "Notable AI models since 2003 (cumulative, AI Index)",
    "주목할 만한 AI 모델 수 누적(2003년 이후, AI 인덱스)", "Research",
    "count, cumulative from 2003 to the year",
    "Notable machine learning models by country of the developing organisations (Epoch AI "
    "data in the AI Index), cumulative 2003-2025; countries with at least one model.")
MODELS = _ind(
    "notable_ai_models", "Notable AI models released (AI Index)",
    "주목할 만한 AI 모델 수(AI 인덱스)", "Research", "count",
    "Notable machine learning models released in the year by country (Epoch AI data in the "
    "AI Index); countries with at least one model.")
DATA_CENTERS = _ind(
    "data_centers", "Data centres", "데이터센터 수", "Infrastructure & Compute", "count",
    "Number of data centres by country (AI Index 2026, 97 economies); year 2025 is the "
    "edition's snapshot year.")
PATENTS = _ind(
    "ai_patents_granted_per_100k", "Granted AI patents per 100,000 inhabitants",
    "인구 10만 명당 AI 특허 등록 건수", "Research", "per 100,000 inhabitants",
    "Granted AI patents per 100,000 inhabitants by country; 2024 in the 2026 edition "
    "(top 15).", top_n=15)
DIFFUSION = _ind(
    "ai_diffusion", "AI diffusion (Microsoft)", "AI 확산율(생산가능인구 중 AI 사용자 비중)",
    "Investment & Commercial", "% of working-age population",
    "Share of the working-age population using AI, H2 2025 (Microsoft AI Economy Institute, "
    "in the AI Index 2026, 144 economies).")

# ICT graduates: the CSVs carry no title. Level inferred from magnitudes and the sibling chart
# fig 7.2.13 (levels SC/B/M/PhD): US 2023 = 39k (short-cycle, i.e. US associate degrees),
# 123k (bachelor's), 86k (master's), 2.9k (PhD) - only this order is plausible.
ICT_LEVELS = {
    "7.2.9": ("short_cycle", "short-cycle tertiary", "단기 고등교육(전문학사)"),
    "7.2.10": ("bachelor", "bachelor's", "학사"),
    "7.2.11": ("master", "master's", "석사"),
    "7.2.12": ("phd", "doctoral (PhD)", "박사"),
}
ICT = {
    fig: _ind(
        f"ict_graduates_{slug}", f"New ICT graduates, {en}", f"ICT 분야 신규 졸업자 수({ko})",
        "Talent", "count",
        f"New {en} graduates in information and communication technologies, 2022 and 2023, "
        "top 15 countries (AI Index 2026 ch. 7; level inferred from the figure sequence and "
        "magnitudes, the CSV has no title).", top_n=15)
    for fig, (slug, en, ko) in ICT_LEVELS.items()
}


# ---------------------------------------------------------------------------------------------
# Parsers
# ---------------------------------------------------------------------------------------------


def _cross_section(
    path: Path, value_col: str, country_col: str, ind: Indicator, year: int,
    note: str = "", scale: float = 1.0,
) -> pd.DataFrame:
    df = read_csv_checked(path, [value_col, country_col], numeric=[value_col])
    iso3 = iso3_column(df, country_col, path)
    out = tidy(df, indicator=ind.code, iso3=iso3, year=year, value=df[value_col] * scale,
               unit=ind.unit, note=note)
    return finish(out, path)


def _simple(value_col: str, country_col: str, ind: Indicator, year: int, note: str = ""
            ) -> Callable[[Path], pd.DataFrame]:
    def parse(path: Path) -> pd.DataFrame:
        return _cross_section(Path(path), value_col, country_col, ind, year, note)

    parse.__doc__ = f"Parse one AI Index 2026 chart into ``{ind.code}`` ({year})."
    return parse


INVEST_COL = "Total Investment (in Billions of U.S. Dollars)"
SERIES_COL = "Total investment (in billions of US dollars)"


def parse_investment(path: Path) -> pd.DataFrame:
    """fig 4.2.8 (2025, top 15) plus the CHN/USA history of fig 4.2.11 (same measure).

    fig 4.2.11's 2025 values must equal fig 4.2.8's (checked, then dropped as duplicates);
    its 2024 values are dropped because the AI Index 2025 edition supplies 2024 for 84
    countries under the same code (one source per key); Europe is an aggregate.
    """
    path = Path(path)
    cross = _cross_section(path, INVEST_COL, "Country", INVESTMENT, 2025, "top 15 in 2025")
    spath = path.parent / "fig_4.2.11.csv"
    series = parse_investment_series(spath)
    latest = series[series["year"] == 2025].merge(cross, on=["iso3", "year"], how="left",
                                                  suffixes=("", "_x"))
    bad = latest[(latest["value"] - latest["value_x"]).abs() > 1e-6]
    if not bad.empty:
        r = bad.iloc[0]
        raise DataFormatError(
            spath, f"2025 value for {r.iso3} ({r.value}) differs from fig_4.2.8 ({r.value_x})",
            row=int(r["_row"]), column=SERIES_COL)
    history = series[series["year"] <= 2023]
    return finish(pd.concat([cross, history], ignore_index=True), path)


def parse_investment_series(path: Path) -> pd.DataFrame:
    """fig 4.2.11: China and US private AI investment 2013-2025 (Europe is an aggregate).

    Loaded on its own as a vintage only: its 2024 values are the 2026 edition's revision of
    the numbers the AI Index 2025 tables give for 2024 (`aigap data diff --source aiindex`).
    """
    path = Path(path)
    df = read_csv_checked(path, ["Year", SERIES_COL, "Label"], numeric=["Year", SERIES_COL])
    iso3 = iso3_column(df, "Label", path)
    series = countries_only(tidy(df, indicator=INVESTMENT.code, iso3=iso3,
                                 year=df["Year"].astype("Int64"), value=df[SERIES_COL],
                                 unit=INVESTMENT.unit, note="fig 4.2.11 series"))
    return check_unique(series, path)


MIGRATION_COL = "netflow_per_10K"


def parse_net_migration(path: Path) -> pd.DataFrame:
    """fig 4.4.24: net AI talent migration 2021-2025; year cells like ``1/1/21``; ``*`` =
    highlighted in the chart (stripped)."""
    path = Path(path)
    df = read_csv_checked(path, ["year", "country", MIGRATION_COL], numeric=[MIGRATION_COL])
    dates = pd.to_datetime(df["year"].str.strip(), format="%m/%d/%y", errors="coerce")
    if dates.isna().any():
        i = int(dates.isna().to_numpy().nonzero()[0][0])
        raise DataFormatError(path, f"not a m/d/yy date: {df['year'].iloc[i]!r}",
                              row=int(df["_row"].iloc[i]), column="year")
    df["country"] = df["country"].str.replace("*", "", regex=False).str.strip()
    iso3 = iso3_column(df, "country", path)
    out = tidy(df, indicator=NET_MIGRATION.code, iso3=iso3, year=dates.dt.year,
               value=df[MIGRATION_COL], unit=NET_MIGRATION.unit)
    return finish(out, path)


def parse_data_centers(path: Path) -> pd.DataFrame:
    """fig 1.3.1: data centres by country; the file's ``iso_code`` is cross-checked."""
    path = Path(path)
    df = read_csv_checked(path, ["Country", "num_datacenters", "iso_code"],
                          numeric=["num_datacenters"])
    iso3 = iso3_column(df, "Country", path)
    # The publisher files Curacao under NLD (its kingdom); we keep Curacao as CUW so it does
    # not collide with the Netherlands' own row.
    known_diff = {("Curacao", "NLD")}
    for name, code, given, row in zip(df["Country"], iso3, df["iso_code"].str.strip(),
                                      df["_row"], strict=True):
        if code and code != given and (name.strip(), given) not in known_diff:
            raise DataFormatError(path, f"iso_code {given!r} disagrees with {name!r} -> {code}",
                                  row=int(row), column="iso_code")
    out = tidy(df, indicator=DATA_CENTERS.code, iso3=iso3, year=2025,
               value=df["num_datacenters"], unit=DATA_CENTERS.unit,
               note="snapshot in the AI Index 2026; year = edition's data year")
    return finish(out, path)


def _ict_parser(ind: Indicator) -> Callable[[Path], pd.DataFrame]:
    def parse(path: Path) -> pd.DataFrame:
        path = Path(path)
        df = read_csv_checked(path, ["Country", "2022", "2023"], numeric=["2022", "2023"])
        iso3 = iso3_column(df, "Country", path)
        parts = [tidy(df, indicator=ind.code, iso3=iso3, year=y, value=df[str(y)],
                      unit=ind.unit, note="top 15 (ranked on 2023)") for y in (2022, 2023)]
        return finish(pd.concat(parts, ignore_index=True), path)

    parse.__doc__ = f"Parse an AI Index 2026 ICT graduates chart into ``{ind.code}``."
    return parse


def _dataset(fig: str, chapter: int, parse: Callable[[Path], pd.DataFrame],
             indicators: tuple[Indicator, ...], description: str, *,
             top15: bool = False, extra: tuple[str, ...] = ()) -> Dataset:
    return Dataset(
        id=f"aiindex2026_fig_{fig.replace('.', '_')}",
        publisher=PUBLISHER,
        relpath=f"{DIR}/ch{chapter}/fig_{fig}.csv",
        licence=LICENCE,
        vintage=VINTAGE,
        parse=parse,
        flags=("censored-top15",) if top15 else (),
        description=description,
        extra_files=extra,
        indicators=indicators,
    )


DATASETS: list[Dataset] = [
    _dataset("4.2.8", 4, parse_investment, (INVESTMENT,),
             "Private AI investment by country, 2025 (top 15), with the China/US 2013-2023 "
             "series of fig 4.2.11 (Europe aggregate dropped).", top15=True,
             extra=(f"{DIR}/ch4/fig_4.2.11.csv",)),
    replace(
        _dataset("4.2.11", 4, parse_investment_series, (replace(INVESTMENT, top_n=None),),
                 "China/US private AI investment 2013-2025, kept as a vintage beside the AI "
                 "Index 2025 tables (its 2024 values revise theirs); in observations only via "
                 "fig 4.2.8, which takes 2013-2023 and 2025 from it."),
        flags=(VINTAGE_ONLY,)),
    _dataset("4.2.12", 4, _simple(INVEST_COL, "Country", INVESTMENT_CUM, 2025,
                                  "cumulative 2013-2025"), (INVESTMENT_CUM,),
             "Cumulative private AI investment 2013-25, top 15 countries.", top15=True),
    _dataset("4.2.13", 4, _simple("Number of Companies", "Country", COMPANIES_CUM, 2025,
                                  "cumulative 2013-2025"), (COMPANIES_CUM,),
             "Cumulative newly funded AI companies 2013-25, top 15 countries.", top15=True),
    _dataset("4.4.21", 4, _simple("AI talent concentration", "Country", TALENT_CONC, 2025),
             (TALENT_CONC,), "LinkedIn AI talent concentration 2025, top 15.", top15=True),
    _dataset("4.4.24", 4, parse_net_migration, (NET_MIGRATION,),
             "LinkedIn net AI talent migration per 10,000 members, 2021-2025, 50 countries. "
             "fig 4.4.23 (2025 top 15) is NOT loaded: its values disagree with this panel's "
             "2025 values (e.g. Germany 0.167 vs 1.086), so it is a different cut."),
    _dataset("1.1.3", 1, _simple("Number of notable machine learning models",
                                 "Geographic area", MODELS_CUM, 2025, "cumulative 2003-2025"),
             (MODELS_CUM,), "Notable ML models by country, cumulative 2003-25 (30 countries)."),
    _dataset("1.1.1", 1, _simple("Number of notable machine learning models in 2025",
                                 "Geographic area", MODELS, 2025), (MODELS,),
             "Notable ML models by country released in 2025."),
    _dataset("1.3.1", 1, parse_data_centers, (DATA_CENTERS,),
             "Data centres by country (97 economies). fig 1.3.2 (top 15) holds the same "
             "numbers and is not loaded separately."),
    _dataset("1.7.4", 1, _simple('Granted AI patents (per 100,000 inhabitants)', "Country",
                                 PATENTS, 2024), (PATENTS,),
             "Granted AI patents per 100,000 inhabitants, 2024, top 15.", top15=True),
    *[
        _dataset(fig, 7, _ict_parser(ind), (ind,),
                 f"New ICT {ICT_LEVELS[fig][1]} graduates by country, 2022-2023, top 15.",
                 top15=True)
        for fig, ind in ICT.items()
    ],
    _dataset("4.3.10", 4, _simple("H2 2025 AI Diffusion (%)", "Country", DIFFUSION, 2025,
                                  "H2 2025"), (DIFFUSION,),
             "Microsoft AI diffusion, H2 2025, 144 economies. fig 4.3.1 holds the same values "
             "but is Mac Roman encoded and has an ambiguous 'Congo' row, so 4.3.10 is used."),
]
