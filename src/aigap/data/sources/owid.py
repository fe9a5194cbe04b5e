"""Our World in Data grapher CSVs (Entity, Code, Year, <value column>): CSET AI series."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from aigap.data.countries import names_to_iso3
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy
from aigap.errors import DataFormatError

LICENCE = "CC BY 4.0 (OWID); underlying CSET/ETO data CC BY-NC 4.0"
PUBLISHER = "CSET Country Activity Tracker via Our World in Data"

PRIVATE_INVESTMENT = Indicator(
    code="private_ai_investment",
    name_en="Annual private investment in AI (CSET)",
    name_ko="연간 AI 민간투자(CSET 추정)",
    pillar="Investment & Commercial",
    direction=1,
    unit="US$ (constant 2021)",
    description=(
        "VC, private-equity and M&A investment into privately held AI companies, CSET estimate "
        "from Crunchbase with undisclosed deals imputed; inflation-adjusted to 2021 US$."
    ),
    licence=LICENCE,
)
PATENTS_PER_MILLION = Indicator(
    code="ai_patent_applications_per_million",
    name_en="AI patent applications per million people (CSET)",
    name_ko="인구 100만 명당 AI 특허 출원(CSET)",
    pillar="Research",
    direction=1,
    unit="per million people",
    description="AI patent families per million inhabitants, CSET Country Activity Tracker.",
    licence=LICENCE,
)


def grapher_parser(
    indicator: Indicator, value_column: str, *, allow_zero: bool = True
) -> Callable[[Path], pd.DataFrame]:
    """A parser for one grapher CSV whose value column is ``value_column``."""

    def parse(path: Path) -> pd.DataFrame:
        df = read_csv_checked(path, ["Entity", "Code", "Year", value_column],
                              numeric=["Year", value_column])
        # OWID leaves Code empty for regions and uses OWID_* codes for its own aggregates.
        code = df["Code"].str.strip()
        aggregate = code.str.startswith("OWID_") | (code == "")
        named = names_to_iso3(df["Entity"], file=path, column="Entity", rows=df["_row"])
        named_country = named != ""
        mismatch = (~aggregate) & named_country & (named != code)
        if mismatch.any():
            i = int(mismatch.to_numpy().nonzero()[0][0])
            raise DataFormatError(
                path,
                f"Code {code.iloc[i]!r} does not match Entity {df['Entity'].iloc[i]!r} "
                f"({named.iloc[i]})",
                row=int(df["_row"].iloc[i]), column="Code",
            )
        keep = (~aggregate) & named_country
        df = df[keep]
        if not allow_zero and (df[value_column] == 0).any():
            raise DataFormatError(path, "zero values not allowed", column=value_column)
        return tidy(df, indicator=indicator.code, iso3=df["Code"].str.strip(),
                    year=df["Year"].astype(int), value=df[value_column], unit=indicator.unit)

    return parse


DATASETS = [
    Dataset(
        id="owid_cset_private_ai_investment",
        publisher=PUBLISHER,
        relpath="raw/owid_cset_ai/private-investment-in-artificial-intelligence-cset.csv",
        licence=LICENCE,
        vintage="OWID grapher, downloaded early 2025 (years 2014-2023)",
        vintage_inferred=True,
        parse=grapher_parser(PRIVATE_INVESTMENT, "Estimated investment - Field: All"),
        description="Annual private investment in AI by country, constant 2021 US$.",
        indicators=(PRIVATE_INVESTMENT,),
    ),
    Dataset(
        id="owid_cset_ai_patents",
        publisher=PUBLISHER,
        relpath="raw/owid_cset_ai/artificial-intelligence-patents-submitted-per-million.csv",
        licence=LICENCE,
        vintage="OWID grapher, older vintage (slug withdrawn later; years 2014-2019)",
        vintage_inferred=True,
        parse=grapher_parser(PATENTS_PER_MILLION,
                             "Patent applications per 1 million people - Field: All"),
        description="AI patent applications per million people.",
        indicators=(PATENTS_PER_MILLION,),
    ),
]
