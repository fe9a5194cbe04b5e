"""Tortoise Media, The Global AI Index (62-country edition, seven pillars)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aigap.data.countries import names_to_iso3
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy

LICENCE = "© Tortoise Media; all rights reserved (internal analysis with attribution only)"
# The file has no year column. Its top 10 matches the edition published Dec 2021.
YEAR = 2021

_PILLARS = {
    # column: (code suffix, English, Korean, aigap pillar)
    "Talent": ("talent", "Talent", "인재", "Talent"),
    "Infrastructure": ("infrastructure", "Infrastructure", "인프라", "Infrastructure & Compute"),
    "Operating Environment": (
        "operating_environment", "Operating environment", "운영 환경", "Government & Policy",
    ),
    "Research": ("research", "Research", "연구", "Research"),
    "Development": ("development", "Development", "개발", "Research"),
    "Government Strategy": (
        "government_strategy", "Government strategy", "정부 전략", "Government & Policy",
    ),
    "Commercial": ("commercial", "Commercial", "상업화", "Investment & Commercial"),
    "Total score": ("total", "Total score", "종합 점수", "Context"),
}

INDICATORS = tuple(
    Indicator(
        code=f"tortoise_{suffix}",
        name_en=f"Tortoise Global AI Index: {en}",
        name_ko=f"토터스 글로벌 AI 지수: {ko}",
        pillar=pillar,
        direction=1,
        unit="score 0-100 (leader = 100)",
        description=(
            f"Tortoise Global AI Index {en.lower()} score, normalised so the best country scores "
            "100 (62-country edition, inferred Dec 2021)."
        ),
        licence=LICENCE,
    )
    for suffix, en, ko, pillar in _PILLARS.values()
)


def parse(path: Path) -> pd.DataFrame:
    """One row per country and pillar (plus the total)."""
    df = read_csv_checked(path, ["Country", *_PILLARS], numeric=list(_PILLARS))
    iso3 = names_to_iso3(df["Country"], file=path, column="Country", rows=df["_row"])
    df = df.assign(iso3=iso3)
    df = df[df["iso3"] != ""]
    parts = []
    for col, (suffix, *_rest) in _PILLARS.items():
        parts.append(
            tidy(
                df,
                indicator=f"tortoise_{suffix}",
                iso3=df["iso3"],
                year=YEAR,
                value=df[col],
                unit="score 0-100 (leader = 100)",
                note="edition year inferred (Dec 2021)",
            )
        )
    return pd.concat(parts, ignore_index=True)


DATASETS = [
    Dataset(
        id="tortoise_global_ai_index",
        publisher="Tortoise Media, The Global AI Index",
        relpath="raw/tortoise_global_ai_index/AI_index_db.csv",
        licence=LICENCE,
        vintage="Dec 2021 edition (62 countries)",
        vintage_inferred=True,
        parse=parse,
        description="Seven pillar scores and total score for 62 countries.",
        indicators=INDICATORS,
    )
]
