"""COINr's ASEM example (51 countries, 49 indicators): the reference data set for index parity.

Files under ``<data_dir>/asem/`` (see PROVENANCE.md there): ``iData.csv`` (one row per unit),
``iData_panel.csv`` (same units over 2018-2022) and ``iMeta.csv`` (the index structure).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aigap.config import data_dir as _data_dir
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy
from aigap.errors import DataFormatError

ID = "coinr_asem"
META_COLUMNS = ["Level", "iCode", "iName", "Direction", "Weight", "Unit", "Target",
                "Denominator", "Parent", "Type"]
_META_NUMERIC = ["Level", "Direction", "Weight", "Target"]
_TYPES = {"Indicator", "Aggregate", "Group", "Denominator"}


def read_imeta(path: Path) -> pd.DataFrame:
    """Read and check ``iMeta.csv`` (codes unique, known types, directions +-1, weights >= 0)."""
    meta = read_csv_checked(path, META_COLUMNS, numeric=_META_NUMERIC)
    for col in ("iCode", "iName", "Unit", "Denominator", "Parent", "Type"):
        meta[col] = meta[col].str.strip()
    bad = meta[~meta["Type"].isin(_TYPES)]
    if not bad.empty:
        r = bad.iloc[0]
        raise DataFormatError(path, f"unknown Type {r['Type']!r} (expected {sorted(_TYPES)})",
                              row=int(r["_row"]), column="Type")
    dup = meta[meta["iCode"].duplicated()]
    if not dup.empty:
        r = dup.iloc[0]
        raise DataFormatError(path, f"duplicate iCode {r['iCode']!r}", row=int(r["_row"]),
                              column="iCode")
    ind = meta[meta["Type"] == "Indicator"]
    bad_dir = ind[~ind["Direction"].isin([1.0, -1.0])]
    if not bad_dir.empty:
        r = bad_dir.iloc[0]
        raise DataFormatError(path, f"Direction of {r['iCode']!r} must be 1 or -1",
                              row=int(r["_row"]), column="Direction")
    levelled = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    bad_w = levelled[levelled["Weight"].isna() | (levelled["Weight"] < 0)]
    if not bad_w.empty:
        r = bad_w.iloc[0]
        raise DataFormatError(path, f"Weight of {r['iCode']!r} must be a number >= 0",
                              row=int(r["_row"]), column="Weight")
    return meta.drop(columns="_row").reset_index(drop=True)


def read_idata(path: Path, meta: pd.DataFrame) -> pd.DataFrame:
    """Read ``iData.csv`` / ``iData_panel.csv``; every iMeta indicator/denominator is a column."""
    numeric_codes = meta.loc[meta["Type"].isin(["Indicator", "Denominator"]), "iCode"].tolist()
    group_codes = meta.loc[meta["Type"] == "Group", "iCode"].tolist()
    df = read_csv_checked(path, ["uName", "uCode", "Time", *group_codes, *numeric_codes],
                          numeric=["Time", *numeric_codes])
    df["uCode"] = df["uCode"].str.strip()
    key = df[["uCode", "Time"]]
    dup = df[key.duplicated()]
    if not dup.empty:
        r = dup.iloc[0]
        raise DataFormatError(path, f"duplicate unit {r['uCode']!r} in year {int(r['Time'])}",
                              row=int(r["_row"]), column="uCode")
    if df["Time"].isna().any():
        r = df[df["Time"].isna()].iloc[0]
        raise DataFormatError(path, "missing Time", row=int(r["_row"]), column="Time")
    df["Time"] = df["Time"].astype(int)
    return df.drop(columns="_row").reset_index(drop=True)


def read_asem(
    data_dir: Path | None = None, panel: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """COINr's ASEM ``(iData, iMeta)``; ``panel=True`` gives the 5-year panel instead of 2018."""
    base = Path(data_dir) if data_dir is not None else _data_dir()
    folder = base / "asem" if (base / "asem").is_dir() else base
    meta = read_imeta(folder / "iMeta.csv")
    data = read_idata(folder / ("iData_panel.csv" if panel else "iData.csv"), meta)
    return data, meta


def _parse(path: Path) -> pd.DataFrame:
    """Tidy long frame of every indicator in iData (codes ``asem_<icode>``)."""
    meta = read_imeta(path.parent / "iMeta.csv")
    data = read_idata(path, meta)
    ind = meta[meta["Type"] == "Indicator"]
    frames = [
        tidy(data, indicator=f"asem_{code.lower()}", iso3=data["uCode"], year=data["Time"],
             value=data[code], unit=unit)
        for code, unit in zip(ind["iCode"], ind["Unit"], strict=True)
    ]
    return pd.concat(frames, ignore_index=True)


# iCode: (English name, Korean name, direction, unit) as in COINr's iMeta. The ASEM example is
# not about AI: it is held in the warehouse as reference data for engine parity (pillar Context).
_ASEM_INDICATORS: dict[str, tuple[str, str, int, str]] = {
    "LPI": ("Logistics Performance Index", "물류성과지수", 1, "Score 1-5"),
    "Flights": ("International flights passenger capacity", "국제선 여객 수송 능력", 1,
                "Thousand seats"),
    "Ship": ("Liner Shipping Connectivity Index", "정기선 해운 연결성 지수", 1, "Score"),
    "Bord": ("Border crossings", "국경 통과 지점", 1, "Number of crossings"),
    "Elec": ("Trade in electricity", "전력 교역", 1, "TWh"),
    "Gas": ("Trade in gas", "가스 교역", 1, "Billion tonnes"),
    "ConSpeed": ("Average connection speed", "평균 인터넷 속도", 1, "Mbps"),
    "Cov4G": ("Population covered by at least a 4G mobile network",
              "4G 이상 이동통신 인구 커버리지", 1, "Percent"),
    "Goods": ("Trade in goods", "상품 교역", 1, "Trillion USD"),
    "Services": ("Trade in services", "서비스 교역", 1, "Million USD"),
    "FDI": ("Foreign direct investment", "외국인직접투자", 1, "Billion USD"),
    "PRemit": ("Personal remittances (received and paid)", "개인 송금(수취·지급)", 1,
               "Million USD"),
    "ForPort": ("Foreign portfolio investment liabilities and assets",
                "해외 포트폴리오 투자(자산·부채)", 1, "Million USD"),
    "Embs": ("Embassies network", "대사관 네트워크", 1, "Number"),
    "IGOs": ("Participation in international intergovernmental organisations",
             "국제기구 참여", 1, "Number"),
    "UNVote": ("UN voting alignment", "유엔 표결 일치도", 1, "Score"),
    "CostImpEx": ("Cost to export/import", "수출입 비용", -1, "Current USD"),
    "Tariff": ("Mean tariff rate", "평균 관세율", -1, "Percent"),
    "TBTs": ("Technical barriers to trade", "무역기술장벽", -1,
             "Number of measures (initiated, in force)"),
    "TIRcon": ("Signatory of TIR Convention", "TIR 협약 가입 여부", 1, "(1 (yes)/0 (no))"),
    "RTAs": ("Regional trade agreements", "지역무역협정", 1, "Number of bilateral connections"),
    "Visa": ("Visa-free or visa-on-arrival", "무비자·도착비자 입국 가능 국가", 1,
             "Number of countries"),
    "StMob": ("International student mobility in tertiary education", "고등교육 국제 학생 이동", 1,
              "Thousands international students"),
    "Research": ("Research outputs with international collaborations", "국제 공동연구 성과", 1,
                 "Number"),
    "Pat": ("Patents with foreign co-inventor", "해외 공동발명 특허", 1, "Number"),
    "CultServ": ("Trade in cultural services", "문화 서비스 교역", 1, "Million USD"),
    "CultGood": ("Trade in cultural goods", "문화 상품 교역", 1, "Million USD"),
    "Tourist": ("Tourist arrivals at national borders", "입국 관광객", 1, "Number of people"),
    "MigStock": ("Migrant stock", "이주민 인구", 1, "Thousands people"),
    "Lang": ("Common languages users", "공용어 사용자", 1, "Score"),
    "Renew": ("Renewable energy in total final energy consumption", "최종에너지 중 재생에너지 비중",
              1, "Percent"),
    "PrimEner": ("Primary energy use per GDP", "GDP 대비 1차 에너지 사용량", -1,
                 "kg of oil equivalent per $1000 GDP (constant 2011 PPP)"),
    "CO2": ("CO2 emissions per capita", "1인당 이산화탄소 배출량", -1, "Tonnes per capita"),
    "MatCon": ("Domestic material consumption per capita", "1인당 국내 물질 소비량", -1,
               "Tonnes per capita"),
    "Forest": ("Net forest loss", "순 산림 손실", -1, "Percent"),
    "Poverty": ("Population living below the international poverty line", "국제 빈곤선 이하 인구",
                -1, "Percent"),
    "Palma": ("Palma Index", "팔마 지수(소득 불평등)", -1, "Ratio"),
    "TertGrad": ("Tertiary graduates", "고등교육 졸업자", 1, "Percent"),
    "FreePress": ("Freedom of the press", "언론 자유(점수가 낮을수록 자유)", -1, "Score"),
    "TolMin": ("Tolerance for minorities", "소수자 관용(점수가 낮을수록 관용적)", -1, "Score"),
    "NGOs": ("Presence of international non-governmental organisations", "국제 NGO 사무국 수", 1,
             "Number of secretariats per 1,000 inhabitants"),
    "CPI": ("Corruption Perceptions Index", "부패인식지수", 1, "Score"),
    "FemLab": ("Female labour-force participation", "여성 경제활동 참가", 1, "Ratio"),
    "WomParl": ("Women's participation in national parliaments", "여성 국회의원 비율", 1,
                "Percent"),
    "PubDebt": ("Public debt as a percentage of GDP", "GDP 대비 공공부채", -1, "Percent"),
    "PrivDebt": ("Private debt, loans and debt securities as percentage of GDP",
                 "GDP 대비 민간부채", -1, "Percent"),
    "GDPGrow": ("GDP per capita growth", "1인당 GDP 성장률", 1, "Percent"),
    "RDExp": ("R&D expenditure as a percentage of GDP", "GDP 대비 연구개발비", 1, "Percent"),
    "NEET": ("Proportion of youth not in education, employment or training",
             "니트(NEET) 청년 비율", -1, "Percent"),
}

SIGNED = frozenset({"GDPGrow"})  # a growth rate: negative in a recession

INDICATORS = tuple(
    Indicator(code=f"asem_{code.lower()}", name_en=f"ASEM: {en}", name_ko=f"ASEM: {ko}",
              pillar="Context", direction=direction, unit=unit,
              description=f"COINr ASEM example indicator {code} ({en}), data year 2018.",
              licence="MIT", signed=code in SIGNED)
    for code, (en, ko, direction, unit) in _ASEM_INDICATORS.items()
)


DATASETS: list[Dataset] = [
    Dataset(
        id=ID,
        publisher="COINr (William Becker) / ASEM",
        relpath="asem/iData.csv",
        licence="MIT",
        vintage="COINr 1.1.14 (2025-04-04), data year 2018",
        parse=_parse,
        description="ASEM Sustainable Connectivity example of the R package COINr: 51 countries, "
                    "49 indicators (reference data for index-engine parity).",
        extra_files=("asem/iMeta.csv",),
        indicators=INDICATORS,
    )
]
