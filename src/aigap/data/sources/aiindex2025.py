"""Stanford AI Index 2025, ISO3-keyed reshapes (``raw/stanford_ai_index_2025_derived``).

A third party kept only the geographies on its 86-country study list, so a missing country
is "not in the file", not zero. Codes are shared with the 2026 edition where the measure is
the same; years differ (2024 here, 2025 there), so no (indicator, iso3, year) key is held
by two sources. The 2026 module drops its own CHN/USA 2024 values for that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from aigap.data.countries import names_to_iso3
from aigap.data.sources.aiindex2026 import (
    COMPANIES_CUM,
    INVESTMENT,
    INVESTMENT_CUM,
    PATENTS,
    finish,
)
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy
from aigap.errors import DataFormatError

PUBLISHER = (
    "Stanford HAI, AI Index Report 2025 (ISO3 reshape by tiasturias/Research_LeyIA_DataScience)"
)
LICENCE = "CC BY-ND 4.0"
VINTAGE = "AI Index 2025 (Apr 2025)"
DIR = "raw/stanford_ai_index_2025_derived"
NOTE = "AI Index 2025 edition; third-party ISO3 reshape (unmapped geographies dropped)"

# Same measures as the 2026 edition; these files are not top-15 charts (67-91 geographies).
INVESTMENT_25 = replace(
    INVESTMENT, top_n=None,
    description="Annual private investment in AI companies by country of the company (Quid "
    "data in the AI Index 2025, fig 4.3.8), 2024.")
INVESTMENT_CUM_25 = replace(
    INVESTMENT_CUM, top_n=None,
    description="Sum of annual private AI investment 2013-2024 (AI Index 2025 fig 4.3.9; "
    "cumulative 2013-2024).")
COMPANIES_CUM_25 = replace(
    COMPANIES_CUM, top_n=None,
    description="Newly funded AI companies summed 2013-2024 (AI Index 2025 fig 4.3.13; "
    "cumulative 2013-2024).")
COMPANIES_25 = Indicator(
    code="newly_funded_ai_companies", name_en="Newly funded AI companies",
    name_ko="신규 투자유치 AI 기업 수", pillar="Investment & Commercial", direction=1,
    unit="count", description="Number of AI companies receiving their first private funding "
    "in the year (AI Index 2025 fig 4.3.12), 2024.", licence=LICENCE)
PATENTS_25 = replace(
    PATENTS, top_n=None,
    description="Granted AI patents per 100,000 inhabitants (AI Index 2025 fig 1.2.4), 2023.")


def _iso3(df: pd.DataFrame, path: Path) -> pd.Series:
    # The column already holds ISO3 codes; the mapper validates them (and would drop
    # aggregates) so a typo cannot enter the warehouse.
    return names_to_iso3(df["iso3"].str.strip(), file=path, column="iso3", rows=df["_row"])


def _check_year(df: pd.DataFrame, path: Path, expected: int) -> None:
    bad = df[df["year"] != expected]
    if not bad.empty:
        raise DataFormatError(path, f"year {bad['year'].iloc[0]} where {expected} expected",
                              row=int(bad["_row"].iloc[0]), column="year")


def parse_investment(path: Path) -> pd.DataFrame:
    """Private AI investment 2024 and cumulative 2013-2024 (bn US$)."""
    path = Path(path)
    cols = ["iso3", "ai_investment_usd_bn_cumulative", "ai_investment_usd_bn_2024", "year"]
    df = read_csv_checked(path, cols, numeric=cols[1:])
    _check_year(df, path, 2024)
    iso3 = _iso3(df, path)
    out = pd.concat([
        tidy(df, indicator=INVESTMENT_25.code, iso3=iso3, year=2024,
             value=df["ai_investment_usd_bn_2024"], unit=INVESTMENT_25.unit, note=NOTE),
        tidy(df, indicator=INVESTMENT_CUM_25.code, iso3=iso3, year=2024,
             value=df["ai_investment_usd_bn_cumulative"], unit=INVESTMENT_CUM_25.unit,
             note="cumulative 2013-2024; " + NOTE),
    ], ignore_index=True)
    return finish(out, path)


def parse_startups(path: Path) -> pd.DataFrame:
    """Newly funded AI companies 2024 and cumulative 2013-2024."""
    path = Path(path)
    cols = ["iso3", "ai_startups_cumulative", "ai_startups_2024", "year"]
    df = read_csv_checked(path, cols, numeric=cols[1:])
    _check_year(df, path, 2024)
    iso3 = _iso3(df, path)
    out = pd.concat([
        tidy(df, indicator=COMPANIES_25.code, iso3=iso3, year=2024,
             value=df["ai_startups_2024"], unit=COMPANIES_25.unit, note=NOTE),
        tidy(df, indicator=COMPANIES_CUM_25.code, iso3=iso3, year=2024,
             value=df["ai_startups_cumulative"], unit=COMPANIES_CUM_25.unit,
             note="cumulative 2013-2024; " + NOTE),
    ], ignore_index=True)
    return finish(out, path)


def parse_patents(path: Path) -> pd.DataFrame:
    """Granted AI patents per 100k inhabitants, 2023 (PROVENANCE notes a repeated KOR row:
    exact repeats are dropped, conflicting ones raise)."""
    path = Path(path)
    df = read_csv_checked(path, ["iso3", "ai_patents_per100k", "year"],
                          numeric=["ai_patents_per100k", "year"])
    _check_year(df, path, 2023)
    out = tidy(df, indicator=PATENTS_25.code, iso3=_iso3(df, path), year=2023,
               value=df["ai_patents_per100k"], unit=PATENTS_25.unit, note=NOTE)
    return finish(out, path)


def _dataset(id_: str, file: str, parse: Callable[[Path], pd.DataFrame],
             indicators: tuple[Indicator, ...], desc: str) -> Dataset:
    return Dataset(id=id_, publisher=PUBLISHER, relpath=f"{DIR}/{file}", licence=LICENCE,
                   vintage=VINTAGE, parse=parse, flags=("derived",), description=desc,
                   indicators=indicators)


DATASETS: list[Dataset] = [
    _dataset("aiindex2025_investment", "stanford_ai_investment.csv", parse_investment,
             (INVESTMENT_25, INVESTMENT_CUM_25),
             "AI Index 2025 figs 4.3.8/4.3.9: private AI investment 2024 and 2013-24 sum."),
    _dataset("aiindex2025_startups", "stanford_ai_startups.csv", parse_startups,
             (COMPANIES_25, COMPANIES_CUM_25),
             "AI Index 2025 figs 4.3.12/4.3.13: newly funded AI companies 2024 and 2013-24."),
    _dataset("aiindex2025_patents", "stanford_ai_patents.csv", parse_patents, (PATENTS_25,),
             "AI Index 2025 fig 1.2.4: granted AI patents per 100k inhabitants, 2023."),
]
