"""NSF/NCSES AI-related S&E articles, whole counting, 2003-2022 (low confidence).

``raw/nsf_ncses_ai_articles/ai_articles_whole_count_by_country_2003_2022.csv`` is a
reshape of a scraped copy of Science and Engineering Indicators table APBS-1: the scrape lost
the year column and the region hierarchy (see PROVENANCE). Hence the flags ("low-confidence",
"derived"); use it for cross-checks only.

Entity names carry HTML (``C&#244;te d&#8217;Ivoire``, footnote marks ``<sup>a</sup>``),
cleaned before mapping. Regions and other non-country rows are dropped by an explicit list of
the names present in the file; any other name the mapper cannot resolve is reported.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from aigap.data.sources.aiindex2026 import finish, iso3_column
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy

RELPATH = "raw/nsf_ncses_ai_articles/ai_articles_whole_count_by_country_2003_2022.csv"
LICENCE = "Public domain (U.S. federal statistics)"
VALUE = "ai_articles_whole_count"

# Regions and groups of table APBS-1 (after cleaning), dropped on purpose.
REGIONS = frozenset({
    "World", "North America", "Central America and Caribbean", "South America", "Europe",
    "EU-27 and UK", "EU-27", "Other Europe", "Other Europe, 2020", "Middle East", "Africa",
    "Asia", "Australia/Oceania", "Unassigned",
})
# Rows that are not a current ISO 3166 country, dropped with the regions: a dissolved state,
# and two Palestinian territories the table reports separately (both would map to PSE).
NON_COUNTRIES = frozenset({"Serbia and Montenegro", "Gaza Stripe", "West Banke"})

ARTICLES = Indicator(
    code="ai_articles", name_en="AI-related S&E articles (whole count)",
    name_ko="AI 관련 과학기술 논문 수(완전계수)", pillar="Research", direction=1,
    unit="count (whole counting)",
    description="AI-related science and engineering articles (Scopus 'Artificial "
    "Intelligence' journals/proceedings), whole counting by author address, 2003-2022 "
    "(NCSES SEI table APBS-1 via a scraped, reshaped copy: low confidence).",
    licence=LICENCE)


def clean_name(name: str) -> str:
    """Entity name without HTML entities and footnote markers."""
    text = html.unescape(re.sub(r"<sup>.*?</sup>", "", str(name)))
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


def parse(path: Path) -> pd.DataFrame:
    """Country-year AI article counts; regions dropped by name, unknown names reported."""
    path = Path(path)
    df = read_csv_checked(path, ["entity", "year", VALUE], numeric=["year", VALUE])
    df["entity"] = df["entity"].map(clean_name)
    aliases = dict.fromkeys(REGIONS | NON_COUNTRIES, "World")  # "World" -> '' -> dropped
    iso3 = iso3_column(df, "entity", path, aliases)
    out = tidy(df, indicator=ARTICLES.code, iso3=iso3, year=df["year"], value=df[VALUE],
               unit=ARTICLES.unit, note="low confidence: reshaped scrape of SEI APBS-1")
    return finish(out, path)


DATASETS: list[Dataset] = [
    Dataset(
        id="ncses_ai_articles", publisher="U.S. NSF, National Center for Science and "
        "Engineering Statistics (Science and Engineering Indicators; Science-Metrix/Scopus)",
        relpath=RELPATH, licence=LICENCE,
        vintage="SEI 2024 table APBS-1 (Scopus accessed Apr 2023), scraped copy of Mar 2025",
        parse=parse, vintage_inferred=True, flags=("low-confidence", "derived"),
        description="AI-related articles by country, whole counting, 2003-2022. Year and "
        "entity reconstructed from a scrape that lost them (20 rows per entity).",
        indicators=(ARTICLES,),
    ),
]
