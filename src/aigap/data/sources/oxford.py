"""Oxford Insights Government AI Readiness Index 2019-2025 (``raw/oxford_insights_gairi``).

The per-year files are read (not ``consolidado_final.csv``, which stacks the same numbers).
Three frameworks, three families of codes, because their scores are not comparable:

* 2019 (4 clusters, 11 indicators, scale 0-10): ``gov_ai_readiness_2019_scale10``. Kept on its
  own 0-10 scale: multiplying by 10 would suggest a comparability the framework does not have.
* 2020-2024 (3 pillars, 10 dimensions, 0-100): ``gov_ai_readiness`` and pillar codes; the
  2024 official rank as ``gov_ai_readiness_rank``.
* 2025 (6 pillars, 14 dimensions, 0-100): ``gov_ai_readiness_2025*``. **Unverified**: the
  mirror's 2025 file disagrees with the publisher's release of 22 Dec 2025 (Korea 8th of 195
  and China 6th there; 5th and 8th in the file), so the dataset is flagged ``unverified`` and
  every 2025 value carries a note saying so (the published ranks are in ``published_ranks``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from aigap.data.sources.aiindex2026 import finish, iso3_column
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy
from aigap.errors import DataFormatError

PUBLISHER = "Oxford Insights, Government AI Readiness Index"
LICENCE = "Oxford Insights open data (licence not stated; cite Oxford Insights)"
DIR = "raw/oxford_insights_gairi"
COUNTRY = "pais_original"

# UN-style names the shared mapper does not resolve. "Congo (the)" is the Republic of the
# Congo in UN usage (the DRC is "Democratic Republic of the Congo (the)").
ALIASES = {"Congo (the)": "COG"}

SCORE = "score 0-100"
UNVERIFIED_2025 = ("UNVERIFIED: this 2025 file disagrees with the publisher's release of "
                   "22 Dec 2025 (Korea 8th of 195, China 6th there; 5th and 8th here)")
PILLAR_KO = {
    "government": "정부",
    "technology_sector": "기술산업",
    "data_infrastructure": "데이터·인프라",
}
PILLAR_EN = {
    "government": "Government",
    "technology_sector": "Technology Sector",
    "data_infrastructure": "Data & Infrastructure",
}
PILLARS_2025 = {
    # column: (code suffix, English, Korean)
    "policy_capacity": ("policy_capacity", "Policy Capacity", "정책 역량"),
    "ai_infrastructure": ("ai_infrastructure", "AI Infrastructure", "AI 인프라"),
    "governance_2025": ("governance", "Governance", "거버넌스"),
    "public_sector_adoption": ("public_sector_adoption", "Public Sector Adoption",
                               "공공부문 AI 도입"),
    "development_diffusion": ("development_diffusion", "Development & Diffusion",
                              "AI 개발·확산"),
    "resilience": ("resilience", "Resilience", "회복력"),
}


def _ind(code: str, en: str, ko: str, unit: str, desc: str, direction: int = 1) -> Indicator:
    return Indicator(code=code, name_en=en, name_ko=ko, pillar="Government & Policy",
                     direction=direction, unit=unit, description=desc, licence=LICENCE)


TOTAL_2019 = _ind(
    "gov_ai_readiness_2019_scale10", "Government AI Readiness 2019 (0-10 scale)",
    "정부 AI 준비도 지수 2019(10점 척도)", "score 0-10",
    "Oxford Insights 2019 edition total score (4 clusters, 11 indicators), on its original "
    "0-10 scale; not comparable with the 2020-2024 or 2025 scores.")
TOTAL = _ind(
    "gov_ai_readiness", "Government AI Readiness Index", "정부 AI 준비도 지수", SCORE,
    "Oxford Insights total score, 2020-2024 framework (3 pillars, 10 dimensions).")
PILLAR_INDS = {
    col: _ind(f"gov_ai_readiness_{col}", f"Government AI Readiness: {PILLAR_EN[col]} pillar",
              f"정부 AI 준비도: {PILLAR_KO[col]} 부문", SCORE,
              f"Oxford Insights {PILLAR_EN[col]} pillar score, 2020-2024 framework.")
    for col in PILLAR_EN
}
RANK_2024 = _ind(
    "gov_ai_readiness_rank", "Government AI Readiness rank", "정부 AI 준비도 순위",
    "rank (1 = best)", "Oxford Insights rank, 2024 edition (`ranking_detail`; the source "
    "ranks 106 of 188 countries).", direction=-1)
TOTAL_2025 = _ind(
    "gov_ai_readiness_2025", "Government AI Readiness Index (2025 framework)",
    "정부 AI 준비도 지수(2025 개편)", SCORE,
    "Oxford Insights 2025 total score, new 6-pillar/14-dimension framework; not comparable "
    "with 2020-2024. " + UNVERIFIED_2025 + ".")
RANK_2025 = _ind(
    "gov_ai_readiness_2025_rank", "Government AI Readiness rank (2025 framework)",
    "정부 AI 준비도 순위(2025 개편)", "rank (1 = best)",
    "Oxford Insights 2025 rank (195 countries). " + UNVERIFIED_2025 + ".", direction=-1)
PILLAR_2025_INDS = {
    col: _ind(f"gov_ai_readiness_2025_{suffix}",
              f"Government AI Readiness 2025: {en} pillar",
              f"정부 AI 준비도(2025 개편): {ko}", SCORE,
              f"Oxford Insights 2025 {en} pillar score (6-pillar framework). "
              + UNVERIFIED_2025 + ".")
    for col, (suffix, en, ko) in PILLARS_2025.items()
}


def _read(path: Path, columns: list[str], year: int) -> tuple[pd.DataFrame, pd.Series]:
    df = read_csv_checked(path, [COUNTRY, "year", *columns], numeric=["year", *columns])
    bad = df[df["year"] != year]
    if not bad.empty:
        raise DataFormatError(path, f"year {bad['year'].iloc[0]:g} in a {year} file",
                              row=int(bad["_row"].iloc[0]), column="year")
    return df, iso3_column(df, COUNTRY, path, ALIASES)


def _frame(df: pd.DataFrame, iso3: pd.Series, year: int,
           codes: dict[str, Indicator], note: str = "") -> pd.DataFrame:
    parts = [tidy(df, indicator=ind.code, iso3=iso3, year=year, value=df[col], unit=ind.unit,
                  note=note) for col, ind in codes.items()]
    return pd.concat(parts, ignore_index=True)


def parse_2019(path: Path) -> pd.DataFrame:
    """2019 edition: total score on the original 0-10 scale."""
    path = Path(path)
    df, iso3 = _read(path, ["total_score"], 2019)
    return finish(_frame(df, iso3, 2019, {"total_score": TOTAL_2019}, "2019 framework"), path)


def _parser_2020_2024(year: int) -> Callable[[Path], pd.DataFrame]:
    codes = {"total_score": TOTAL, **PILLAR_INDS}

    def parse(path: Path) -> pd.DataFrame:
        path = Path(path)
        cols = list(codes) + (["ranking_detail"] if year == 2024 else [])
        df, iso3 = _read(path, cols, year)
        out = _frame(df, iso3, year, codes)
        if year == 2024:
            out = pd.concat([out, _frame(df, iso3, year, {"ranking_detail": RANK_2024})],
                            ignore_index=True)
        return finish(out, path)

    parse.__doc__ = f"{year} edition: total and three pillar scores (0-100)."
    return parse


def parse_2025(path: Path) -> pd.DataFrame:
    """2025 edition (new framework): total, rank and six pillar scores."""
    path = Path(path)
    codes = {"total_score": TOTAL_2025, "rank": RANK_2025, **PILLAR_2025_INDS}
    df, iso3 = _read(path, list(codes), 2025)
    return finish(_frame(df, iso3, 2025, codes, "2025 framework; " + UNVERIFIED_2025), path)


def _dataset(year: int, file: str, parse: Callable[[Path], pd.DataFrame],
             indicators: tuple[Indicator, ...], desc: str,
             flags: tuple[str, ...] = ()) -> Dataset:
    return Dataset(
        id=f"oxford_gairi_{year}", publisher=PUBLISHER, relpath=f"{DIR}/{file}",
        licence=LICENCE, vintage=f"Government AI Readiness Index {year}", parse=parse,
        description=desc + " CSV extraction of the official xlsx by "
        "tiasturias/Research_LeyIA_DataScience (values copied).", indicators=indicators,
        flags=flags)


_PILLARS = (TOTAL, *PILLAR_INDS.values())
DATASETS: list[Dataset] = [
    _dataset(2019, "consolidado_2019.csv", parse_2019, (TOTAL_2019,),
             "GAIRI 2019 total score, 0-10 scale, 194 countries."),
    *[
        _dataset(y, f"consolidado_{y}{'_pillars' if y == 2023 else ''}.csv",
                 _parser_2020_2024(y), (*_PILLARS, RANK_2024) if y == 2024 else _PILLARS,
                 f"GAIRI {y} total and pillar scores (0-100).")
        for y in (2020, 2021, 2022, 2023, 2024)
    ],
    _dataset(2025, "consolidado_2025.csv", parse_2025,
             (TOTAL_2025, RANK_2025, *PILLAR_2025_INDS.values()),
             "GAIRI 2025 (new framework): rank, total and six pillar scores (0-100). "
             + UNVERIFIED_2025 + "; probably a pre-release version.", flags=("unverified",)),
]
