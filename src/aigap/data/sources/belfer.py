"""Belfer Center Critical and Emerging Technologies Index 2025 - DRAFT dashboard copy.

Files in ``raw/belfer_ceti_2025`` come from a developer's dashboard repository, not from an
official Belfer release: every dataset is flagged ``draft``. Year = 2025 throughout. The
"Europe" / "European powers" rows are aggregates and are dropped.

Sector sheets (AI, Biotech, Semicon, Space, Quantum) give sub-pillars normalised 0-1
(leader = 1); a value outside [0, 1] or a non-numeric cell is an error. The Summary sheet is
known to hold Excel error cells (``#REF!``, ``#N/A``) because the xlsx lost its links; these
are read as missing and the gap is named in the note of the country's remaining rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from aigap.data.sources.aiindex2026 import finish, iso3_column
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy, to_numeric_checked
from aigap.errors import DataFormatError

PUBLISHER = "Belfer Center (Harvard Kennedy School), Critical and Emerging Technologies Index"
LICENCE = "not stated (draft dashboard copy; verify before public use)"
VINTAGE = "CETI 2025 draft (dashboard data, May-Jun 2025)"
DIR = "raw/belfer_ceti_2025"
YEAR = 2025
FLAGS = ("draft",)
ALIASES = {"European powers": "World"}  # aggregate row of the Summary sheet -> dropped
EXCEL_ERRORS = ("#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")

SECTORS = {
    # key: (file, English, Korean)
    "ai": ("ceti_2025_ai.csv", "AI", "인공지능"),
    "biotech": ("ceti_2025_biotech.csv", "Biotechnology", "바이오"),
    "semicon": ("ceti_2025_semicon.csv", "Semiconductors", "반도체"),
    "space": ("ceti_2025_space.csv", "Space", "우주"),
    "quantum": ("ceti_2025_quantum.csv", "Quantum", "양자"),
}
SUBPILLAR_KO = {
    "Economic Resources": "경제적 자원", "Human Capital": "인적 자본",
    "Global Player": "국제적 영향력", "Regulatory": "규제 환경", "Security": "안보",
    "Computing Power": "컴퓨팅 파워", "Algorithms": "알고리즘", "Data": "데이터",
    "Accuracy of Top Models": "최상위 모델 정확도", "Agricultural Technology": "농업 기술",
    "Vaccine Research": "백신 연구", "Pharmaceutical Production": "의약품 생산",
    "Genetic Engineering": "유전공학", "Raw Materials and Wafers": "원자재·웨이퍼",
    "Chip Design and Tools": "칩 설계·설계도구", "Manufacturing": "제조(팹)",
    "Equipment": "장비", "Assembly and Testing (OSAT)": "조립·테스트(OSAT)",
    "Domestic Launch Capability": "자국 발사 능력", "Science and Exploration": "과학·탐사",
    "PNT": "위성항법(PNT)", "Telecommunications": "위성통신", "Remote Sensing": "원격탐사",
    "Policy Environment": "정책 환경", "Quantum Sensing": "양자 센싱",
    "Quantum Communications": "양자 통신", "Quantum Computing": "양자 컴퓨팅",
}
# Sub-pillar columns per sheet, in file order. "Raw Score" columns of the Space/Quantum sheets
# are not read here: the Summary sheet carries the same raw scores (one source per key).
SUBPILLARS = {
    "ai": ["Economic Resources", "Human Capital", "Global Player", "Regulatory",
           "Computing Power", "Algorithms", "Data", "Accuracy of Top Models"],
    "biotech": ["Economic Resources", "Security", "Human Capital", "Global Player",
                "Regulatory", "Agricultural Technology", "Vaccine Research",
                "Pharmaceutical Production", "Genetic Engineering"],
    "semicon": ["Economic Resources", "Human Capital", "Global Player", "Regulatory",
                "Raw Materials and Wafers", "Chip Design and Tools", "Manufacturing",
                "Equipment", "Assembly and Testing (OSAT)"],
    "space": ["Economic Resources", "Human Capital", "Security", "Global Player",
              "Regulatory", "Domestic Launch Capability", "Science and Exploration", "PNT",
              "Telecommunications", "Remote Sensing"],
    "quantum": ["Economic Resources", "Security", "Human Capital", "Global Player",
                "Policy Environment", "Quantum Sensing", "Quantum Communications",
                "Quantum Computing"],
}
# Where an AI sub-pillar sits in aigap's pillars; other sectors' sub-pillars are Context.
AI_PILLAR = {
    "Economic Resources": "Investment & Commercial", "Human Capital": "Talent",
    "Global Player": "Context", "Regulatory": "Government & Policy",
    "Computing Power": "Infrastructure & Compute", "Algorithms": "Research",
    "Data": "Infrastructure & Compute", "Accuracy of Top Models": "Research",
}
UNIT01 = "score 0-1 (leader = 1)"


def slug(text: str) -> str:
    """snake_case code fragment of a column title."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _ind(code: str, en: str, ko: str, pillar: str, unit: str, desc: str) -> Indicator:
    return Indicator(code=code, name_en=en, name_ko=ko, pillar=pillar, direction=1, unit=unit,
                     description=desc + " Draft dashboard data.", licence=LICENCE)


def _sub_indicator(sector: str, col: str) -> Indicator:
    _, en, ko = SECTORS[sector]
    return _ind(f"ceti_{sector}_{slug(col)}", f"CETI {en}: {col}",
                f"CETI {ko}: {SUBPILLAR_KO[col]}",
                AI_PILLAR[col] if sector == "ai" else "Context", UNIT01,
                f"Belfer CETI 2025 {en} sub-pillar '{col}', normalised 0-1 (leader = 1).")


SUB_INDS = {s: {c: _sub_indicator(s, c) for c in cols} for s, cols in SUBPILLARS.items()}

SUMMARY_COLS = {
    # column: (code, English, Korean, unit)
    "AI": ("ceti_ai_summary_score", "CETI AI sector score (summary sheet)",
           "CETI 인공지능 부문 점수(요약)", "score (draft summary)"),
    "Biotech": ("ceti_biotech_summary_score", "CETI biotech sector score (summary sheet)",
                "CETI 바이오 부문 점수(요약)", "score (draft summary)"),
    "Semiconductors": ("ceti_semicon_summary_score",
                       "CETI semiconductor sector score (summary sheet)",
                       "CETI 반도체 부문 점수(요약)", "score (draft summary)"),
    "Space": ("ceti_space_raw_score", "CETI space raw score", "CETI 우주 부문 원점수",
              "sum of 10 sub-pillar scores (0-10)"),
    "Quantum": ("ceti_quantum_raw_score", "CETI quantum raw score", "CETI 양자 부문 원점수",
                "sum of 8 sub-pillar scores (0-8)"),
    "Total": ("ceti_summary_total", "CETI total (summary sheet)", "CETI 종합 점수(요약)",
              "score (draft summary)"),
}
SUMMARY_INDS = {
    col: _ind(code, en, ko, "Context", unit,
              f"Belfer CETI 2025 Summary sheet column '{col}'. In the mirrored draft the AI, "
              "Biotech, Semiconductors and Total columns are all #REF! (missing).")
    for col, (code, en, ko, unit) in SUMMARY_COLS.items()
}
TOTAL = _ind("ceti_total_score", "CETI overall score (dashboard)", "CETI 종합 점수",
             "Context", "score 0-1",
             "Belfer CETI 2025 overall totalScore per country from the dashboard source "
             "(mainData.ts, 16 May 2025; developer comments mark values as provisional).")
AI_WEIGHTED = _ind(
    "ceti_ai_weighted_score_derived", "CETI AI sector score (re-weighted, derived)",
    "CETI 인공지능 부문 점수(가중합 재계산)", "Context", "score 0-1",
    "Sum of the eight AI sub-pillars times the dashboard's default weights, computed by the "
    "mirror's curator; not an official Belfer number.")


def parse_sector(sector: str) -> Callable[[Path], pd.DataFrame]:
    """Parser of one sector sheet: its sub-pillars, each checked to lie in [0, 1]."""
    cols = SUBPILLARS[sector]

    def parse(path: Path) -> pd.DataFrame:
        path = Path(path)
        df = read_csv_checked(path, ["Country", *cols], numeric=cols)
        for col in cols:
            out_of_range = df[col].notna() & ~df[col].between(0, 1)
            if out_of_range.any():
                i = int(np.flatnonzero(out_of_range.to_numpy())[0])
                raise DataFormatError(path, f"value {df[col].iloc[i]} outside [0, 1]",
                                      row=int(df["_row"].iloc[i]), column=col)
        iso3 = iso3_column(df, "Country", path, ALIASES)
        parts = [tidy(df, indicator=SUB_INDS[sector][c].code, iso3=iso3, year=YEAR,
                      value=df[c], unit=UNIT01, note="draft") for c in cols]
        return finish(pd.concat(parts, ignore_index=True), path)

    parse.__doc__ = f"CETI 2025 {SECTORS[sector][1]} sheet: sub-pillars 0-1."
    return parse


def parse_summary(path: Path) -> pd.DataFrame:
    """Summary sheet: Excel error cells -> missing, named in the note of the country's rows."""
    path = Path(path)
    df = read_csv_checked(path, list(SUMMARY_COLS))
    name_col = df.columns[0]  # the sheet's country column has an empty header
    if name_col in SUMMARY_COLS:
        raise DataFormatError(path, "first column must hold country names", column=name_col)
    errors: dict[int, list[str]] = {}
    for col in SUMMARY_COLS:
        cells = df[col].astype(str).str.strip()
        is_err = cells.isin(EXCEL_ERRORS)
        for i in np.flatnonzero(is_err.to_numpy()):
            errors.setdefault(int(i), []).append(f"{col}={cells.iloc[i]}")
        # Only Excel error cells are tolerated; any other text is still an error.
        df[col] = to_numeric_checked(cells.where(~is_err, ""), path, col, df["_row"])
    notes = pd.Series(
        ["draft; Excel error cells read as missing: " + ", ".join(errors[i]) if i in errors
         else "draft" for i in range(len(df))], index=df.index)
    iso3 = iso3_column(df, name_col, path, ALIASES)
    parts = [tidy(df, indicator=ind.code, iso3=iso3, year=YEAR, value=df[col], unit=ind.unit,
                  note=notes) for col, ind in SUMMARY_INDS.items()]
    return finish(pd.concat(parts, ignore_index=True), path)


def _two_column(column: str, country: str, ind: Indicator, note: str
                ) -> Callable[[Path], pd.DataFrame]:
    def parse(path: Path) -> pd.DataFrame:
        path = Path(path)
        df = read_csv_checked(path, [country, column], numeric=[column])
        iso3 = iso3_column(df, country, path, ALIASES)
        return finish(tidy(df, indicator=ind.code, iso3=iso3, year=YEAR, value=df[column],
                           unit=ind.unit, note=note), path)

    parse.__doc__ = f"CETI 2025 ``{ind.code}``."
    return parse


def _dataset(id_: str, file: str, parse: Callable[[Path], pd.DataFrame],
             indicators: tuple[Indicator, ...], desc: str,
             flags: tuple[str, ...] = FLAGS) -> Dataset:
    return Dataset(id=id_, publisher=PUBLISHER, relpath=f"{DIR}/{file}", licence=LICENCE,
                   vintage=VINTAGE, parse=parse, flags=flags, description=desc,
                   indicators=indicators)


DATASETS: list[Dataset] = [
    *[
        _dataset(f"belfer_ceti_2025_{s}", file, parse_sector(s),
                 tuple(SUB_INDS[s].values()),
                 f"CETI 2025 {en} sheet: {len(SUBPILLARS[s])} sub-pillars (0-1), 25 countries "
                 "(Europe aggregate dropped).")
        for s, (file, en, _) in SECTORS.items()
    ],
    _dataset("belfer_ceti_2025_summary", "ceti_2025_summary.csv", parse_summary,
             tuple(SUMMARY_INDS.values()),
             "CETI 2025 Summary sheet. The draft xlsx holds #REF! in AI/Biotech/Semiconductors/"
             "Total (broken links) and #N/A on the 'European powers' row; these are read as "
             "missing with a note rather than rejected, because the draft is known to contain "
             "them. Space/Quantum raw scores are usable."),
    _dataset("belfer_ceti_2025_total", "ceti_2025_dashboard_totalscore_may2025.csv",
             _two_column("totalScore", "country", TOTAL, "draft dashboard value"), (TOTAL,),
             "CETI 2025 overall score per country from the dashboard's mainData.ts."),
    _dataset("belfer_ceti_2025_ai_weighted", "ceti_2025_ai_weighted_score_derived.csv",
             _two_column("ai_weighted_score_derived", "country", AI_WEIGHTED,
                         "derived: sub-pillars x dashboard default weights"), (AI_WEIGHTED,),
             "AI sector score re-computed from the sub-pillars with the dashboard's default "
             "weights (derived, not official).", flags=("draft", "derived")),
]
