"""IMF AI Preparedness Index (AIPI), 2023 index (``raw/imf_aipi/aipidata.xlsx``).

One sheet ``AIPI``: a title band on row 1, the columns on row 2. The index (0-1) is the sum of
four pillar *contributions*, each at most 0.25 (equal weights of pillar scores on 0-1), so the
file is checked on load: every contribution in [0, 0.25], and where the index is published the
four contributions must add up to it (to 1e-6); a file where they do not is rejected, naming
the row. Economies whose index is 'NA' (9 in this copy, Taiwan among them) are missing, never
zero; their published pillar contributions are kept, with a note.

The publisher's header misspells one pillar ``Digitial Infrastructure``; both spellings are
accepted (mapped explicitly). ``iso3`` is authoritative: the file names both Congos "Congo".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aigap.data.countries import name_to_iso3, names_to_iso3
from aigap.data.sources.aiindex2026 import finish
from aigap.data.sources.base import Dataset, Indicator, read_excel_checked, tidy
from aigap.errors import DataFormatError

PUBLISHER = "International Monetary Fund, AI Preparedness Index (DataMapper AIPI)"
LICENCE = "IMF terms of use (attribution: IMF AI Preparedness Index, Cazzaniga et al. 2024)"
RELPATH = "raw/imf_aipi/aipidata.xlsx"
SHEET = "AIPI"
YEAR = 2023
TOLERANCE = 1e-6  # the cells are stored as float32-rounded doubles; sums agree to 1e-16 today
MAX_CONTRIBUTION = 0.25

# The publisher's spelling -> ours (the correct spelling is accepted as is).
HEADER_FIXES = {"Digitial Infrastructure": "Digital Infrastructure"}
# Names the file gives to two economies; the iso3 column tells them apart.
AMBIGUOUS_NAMES = frozenset({"Congo"})

INDEX_COL = "AIPI"
PILLARS = {
    # column: (code suffix, English, Korean, aigap pillar)
    "Digital Infrastructure": ("digital_infrastructure", "Digital Infrastructure",
                               "디지털 인프라", "Infrastructure & Compute"),
    "Innovation and Economic Integration": ("innovation_economic_integration",
                                            "Innovation and Economic Integration",
                                            "혁신·경제 통합", "Investment & Commercial"),
    "Human Capital and Labor Market Policies": ("human_capital_labor_policies",
                                                "Human Capital and Labor Market Policies",
                                                "인적자본·노동시장 정책", "Talent"),
    "Regulation and Ethics": ("regulation_ethics", "Regulation and Ethics", "규제·윤리",
                              "Government & Policy"),
}
CONTRIBUTION_UNIT = "contribution to AIPI (0-0.25)"

INDEX = Indicator(
    code="imf_aipi", name_en="IMF AI Preparedness Index", name_ko="IMF AI 준비도 지수",
    pillar="Context", direction=1, unit="index 0-1",
    description="IMF AI Preparedness Index 2023 (174 economies): the sum of four pillar "
    "contributions (digital infrastructure; innovation and economic integration; human "
    "capital and labour-market policies; regulation and ethics), each at most 0.25. Checked "
    "on load: the contributions add up to the index. 'NA' in the file = missing.",
    licence=LICENCE)
PILLAR_INDS = {
    col: Indicator(
        code=f"imf_aipi_{suffix}", name_en=f"IMF AIPI: {en}", name_ko=f"IMF AI 준비도: {ko}",
        pillar=pillar, direction=1, unit=CONTRIBUTION_UNIT,
        description=f"{en} pillar of the IMF AI Preparedness Index 2023, as its weighted "
        "contribution to the index (pillar score x 0.25, so at most 0.25); the four "
        "contributions add up to imf_aipi.", licence=LICENCE)
    for col, (suffix, en, ko, pillar) in PILLARS.items()
}


def _check_names(df: pd.DataFrame, iso3: pd.Series, path: Path) -> None:
    """A country name that resolves must agree with its iso3 (catches a shifted column)."""
    for name, code, row in zip(df["Country"], iso3, df["_row"], strict=True):
        name = str(name).strip()
        if name in AMBIGUOUS_NAMES:
            continue
        resolved = name_to_iso3(name)
        if resolved and resolved != code:
            raise DataFormatError(path, f"iso3 {code!r} disagrees with {name!r} -> {resolved}",
                                  row=int(row), column="iso3")


def parse(path: Path) -> pd.DataFrame:
    """The index and its four pillar contributions, year 2023, one row per economy."""
    path = Path(path)
    cols = [INDEX_COL, *PILLARS]
    df = read_excel_checked(path, ["Country", "iso3", "type", *cols], sheet=SHEET,
                            numeric=cols, rename=HEADER_FIXES)
    codes = df["iso3"].astype(str).str.strip()
    iso3 = names_to_iso3(codes, file=path, column="iso3", rows=df["_row"])
    blank = iso3 == ""
    if blank.any():  # an aggregate or empty code where an economy is expected
        i = int(blank.to_numpy().nonzero()[0][0])
        raise DataFormatError(path, f"iso3 {codes.iloc[i]!r} is not an economy",
                              row=int(df["_row"].iloc[i]), column="iso3")
    _check_names(df, iso3, path)
    for col in cols:
        top = 1.0 if col == INDEX_COL else MAX_CONTRIBUTION
        bad = df[(df[col] < 0) | (df[col] > top)]
        if not bad.empty:
            raise DataFormatError(path, f"{bad[col].iloc[0]} outside [0, {top}]",
                                  row=int(bad["_row"].iloc[0]), column=col)
    scored = df[INDEX_COL].notna()
    parts = df[list(PILLARS)]
    gap = scored & parts.isna().any(axis=1)
    if gap.any():
        r = df[gap].iloc[0]
        col = next(c for c in PILLARS if pd.isna(r[c]))
        raise DataFormatError(path, f"AIPI {r[INDEX_COL]} is given but this pillar is "
                              "missing, so the sum cannot be checked", row=int(r["_row"]),
                              column=col)
    diff = (parts.sum(axis=1) - df[INDEX_COL]).abs()
    off = scored & (diff > TOLERANCE)
    if off.any():
        r = df[off].iloc[0]
        raise DataFormatError(
            path, f"the four pillar contributions add up to {parts.loc[r.name].sum():.6f}, "
            f"not to AIPI {r[INDEX_COL]:.6f} ({r['Country']})", row=int(r["_row"]),
            column=INDEX_COL)
    group = "IMF economy group " + df["type"].astype(str).str.strip()
    note_unscored = group.where(scored, group + "; AIPI not published (pillars incomplete)")
    out = [tidy(df, indicator=INDEX.code, iso3=iso3, year=YEAR, value=df[INDEX_COL],
                unit=INDEX.unit, note=group)]
    out += [tidy(df, indicator=ind.code, iso3=iso3, year=YEAR, value=df[col], unit=ind.unit,
                 note=note_unscored) for col, ind in PILLAR_INDS.items()]
    return finish(pd.concat(out, ignore_index=True), path)


DATASETS: list[Dataset] = [
    Dataset(
        id="imf_aipi", publisher=PUBLISHER, relpath=RELPATH, licence=LICENCE,
        vintage="AIPI 2023 index (published 2024)", vintage_inferred=True, parse=parse,
        description="IMF AI Preparedness Index 2023 and its four pillar contributions, 174 "
        "economies (9 without an index value).", indicators=(INDEX, *PILLAR_INDS.values())),
]
