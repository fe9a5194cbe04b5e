"""World Bank WDI and WGI per-indicator files (iso3, year, country_name, value, wb_indicator)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from aigap.data.countries import known_iso3
from aigap.data.sources.base import Dataset, Indicator, read_csv_checked, tidy
from aigap.errors import DataFormatError

LICENCE = "CC BY 4.0 (World Bank open data)"
VINTAGE = "World Bank API v2, last updated 2026-04-08"
# Codes the WGI files still use for some economies, mapped to ISO 3166.
LEGACY_CODES = {"ADO": "AND", "ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "WBG": "PSE",
                "KSV": "XKX"}
COLUMNS = ["iso3", "year", "country_name", "value", "wb_indicator", "canonical_name"]

# canonical name: (WB code, English, Korean, pillar, direction, unit)
WDI: dict[str, tuple[str, str, str, str, int, str]] = {
    "gdp_current_usd": ("NY.GDP.MKTP.CD", "GDP", "국내총생산(GDP)", "Context", 1,
                        "US$ (current)"),
    "gdp_per_capita_ppp": ("NY.GDP.PCAP.PP.CD", "GDP per capita, PPP", "1인당 GDP(구매력평가)",
                           "Context", 1, "international $ (current, PPP)"),
    "gdp_growth_annual_pct": ("NY.GDP.MKTP.KD.ZG", "GDP growth", "경제성장률", "Context", 1,
                              "% per year"),
    "inflation_consumer_prices": ("FP.CPI.TOTL.ZG", "Consumer price inflation", "소비자물가 상승률",
                                  "Context", -1, "% per year"),
    "unemployment_rate": ("SL.UEM.TOTL.ZS", "Unemployment rate", "실업률", "Context", -1,
                          "% of labour force"),
    "population": ("SP.POP.TOTL", "Population", "인구", "Context", 1, "people"),
    "labor_force": ("SL.TLF.TOTL.IN", "Labour force", "경제활동인구", "Context", 1, "people"),
    "exports_pct_gdp": ("NE.EXP.GNFS.ZS", "Exports of goods and services", "재화·서비스 수출",
                        "Context", 1, "% of GDP"),
    "trade_pct_gdp": ("NE.TRD.GNFS.ZS", "Trade", "무역 규모", "Context", 1, "% of GDP"),
    "fdi_net_inflows": ("BX.KLT.DINV.CD.WD", "Foreign direct investment, net inflows",
                        "외국인직접투자 순유입", "Investment & Commercial", 1, "US$ (current)"),
    "fdi_pct_gdp": ("BX.KLT.DINV.WD.GD.ZS", "Foreign direct investment, net inflows (% of GDP)",
                    "GDP 대비 외국인직접투자 순유입", "Investment & Commercial", 1, "% of GDP"),
    "gross_capital_formation_pct_gdp": ("NE.GDI.TOTL.ZS", "Gross capital formation",
                                        "총자본형성", "Context", 1, "% of GDP"),
    "internet_penetration": ("IT.NET.USER.ZS", "Internet users", "인터넷 이용률",
                             "Infrastructure & Compute", 1, "% of population"),
    "mobile_subscriptions_per100": ("IT.CEL.SETS.P2", "Mobile subscriptions",
                                    "이동통신 가입 회선(100명당)", "Infrastructure & Compute", 1,
                                    "per 100 people"),
    "fixed_broadband_per100": ("IT.NET.BBND.P2", "Fixed broadband subscriptions",
                               "유선 초고속인터넷 가입(100명당)", "Infrastructure & Compute", 1,
                               "per 100 people"),
    "secure_servers_per_1m": ("IT.NET.SECR.P6", "Secure internet servers",
                              "보안 인터넷 서버(100만 명당)", "Infrastructure & Compute", 1,
                              "per million people"),
    "electric_consumption_kwh_pc": ("EG.USE.ELEC.KH.PC", "Electric power consumption",
                                    "1인당 전력 소비량", "Infrastructure & Compute", 1,
                                    "kWh per capita"),
    "tertiary_education_enrollment": ("SE.TER.ENRR", "Tertiary school enrolment",
                                      "고등교육 취학률", "Talent", 1, "% gross"),
    "education_expenditure_pct_gdp": ("SE.XPD.TOTL.GD.ZS", "Government expenditure on education",
                                      "정부 교육 지출", "Talent", 1, "% of GDP"),
    "rd_expenditure_pct_gdp": ("GB.XPD.RSDV.GD.ZS", "R&D expenditure", "연구개발(R&D) 투자",
                               "Research", 1, "% of GDP"),
    "researchers_rd_per_million": ("SP.POP.SCIE.RD.P6", "Researchers in R&D",
                                   "인구 100만 명당 연구원 수", "Research", 1,
                                   "per million people"),
    "patent_applications_residents": ("IP.PAT.RESD", "Patent applications, residents",
                                      "내국인 특허 출원", "Research", 1, "count"),
    "high_tech_exports_pct_manufactured": ("TX.VAL.TECH.MF.ZS", "High-technology exports",
                                           "첨단기술 제품 수출 비중", "Investment & Commercial", 1,
                                           "% of manufactured exports"),
    "ict_goods_exports_pct": ("TX.VAL.ICTG.ZS.UN", "ICT goods exports", "ICT 상품 수출 비중",
                              "Investment & Commercial", 1, "% of goods exports"),
    "ict_service_exports_pct": ("BX.GSR.CCIS.ZS", "ICT service exports", "ICT 서비스 수출 비중",
                                "Investment & Commercial", 1, "% of service exports"),
}

# Worldwide Governance Indicators: estimate and its standard error.
_WGI = {
    "control_of_corruption": ("CC", "Control of corruption", "부패 통제"),
    "government_effectiveness": ("GE", "Government effectiveness", "정부 효과성"),
    "political_stability": ("PV", "Political stability", "정치적 안정성"),
    "regulatory_quality": ("RQ", "Regulatory quality", "규제 품질"),
    "rule_of_law": ("RL", "Rule of law", "법치"),
    "voice_accountability": ("VA", "Voice and accountability", "표현의 자유와 책임성"),
}
for _name, (_c, _en, _ko) in _WGI.items():
    WDI[_name] = (f"{_c}.EST", f"{_en} (WGI)", f"{_ko}(WGI)", "Government & Policy", 1,
                  "estimate (-2.5 to 2.5)")
    WDI[f"{_name}_se"] = (f"{_c}.STD.ERR", f"{_en} (WGI), standard error",
                          f"{_ko}(WGI) 표준오차", "Context", -1, "standard error")


# Net quantities: negative values are real (disinvestment, inventories drawn down).
SIGNED = frozenset({"fdi_net_inflows", "fdi_pct_gdp", "gross_capital_formation_pct_gdp"})
# Series whose genuine year-to-year swings trip the plausibility rule (aigap.data.validate).
PLAUSIBILITY_WAIVERS = {
    "high_tech_exports_pct_manufactured": (
        "a share of very small export bases: it moves 100-10,000x between years in WDI itself "
        "(Qatar 1.8% in 2018, 0.0025% in 2019; Cabo Verde, Gambia, St Vincent)"),
}


def indicator(canonical: str) -> Indicator:
    wb, en, ko, pillar, direction, unit = WDI[canonical]
    return Indicator(code=canonical, name_en=en, name_ko=ko, pillar=pillar, direction=direction,
                     unit=unit, description=f"World Bank {_collection(wb)} series {wb}.",
                     licence=LICENCE, signed=canonical in SIGNED,
                     plausibility_waiver=PLAUSIBILITY_WAIVERS.get(canonical, ""))


def _collection(wb_code: str) -> str:
    return "WGI" if wb_code.endswith((".EST", ".STD.ERR")) else "WDI"


def wb_parser(canonical: str) -> Callable[[Path], pd.DataFrame]:
    wb_code = WDI[canonical][0]
    unit = WDI[canonical][5]

    def parse(path: Path) -> pd.DataFrame:
        df = read_csv_checked(path, COLUMNS, numeric=["year", "value"])
        wrong = df["wb_indicator"].str.strip() != wb_code
        if wrong.any():
            i = int(wrong.to_numpy().nonzero()[0][0])
            raise DataFormatError(
                path, f"expected only {wb_code}, found {df['wb_indicator'].iloc[i]!r} "
                "(mixed series in one file)", row=int(df["_row"].iloc[i]), column="wb_indicator")
        iso3 = df["iso3"].str.strip().str.upper().replace(LEGACY_CODES)
        unknown = ~iso3.isin(known_iso3())
        if unknown.any():
            i = int(unknown.to_numpy().nonzero()[0][0])
            bad = sorted(set(iso3[unknown]))
            raise DataFormatError(path, f"unknown ISO3 code(s) {bad} (aggregates are not "
                                  "expected in this file)", row=int(df["_row"].iloc[i]),
                                  column="iso3")
        return tidy(df, indicator=canonical, iso3=iso3, year=df["year"].astype(int),
                    value=df["value"], unit=unit)

    return parse


DATASETS = [
    Dataset(
        id=f"wb_{name}",
        publisher="World Bank, " + ("Worldwide Governance Indicators" if _collection(code) == "WGI"
                                    else "World Development Indicators"),
        relpath=f"raw/world_bank_wdi/{name}.csv",
        licence=LICENCE,
        vintage=VINTAGE,
        parse=wb_parser(name),
        description=f"{WDI[name][1]} ({code})",
        indicators=(indicator(name),),
    )
    for name, (code, *_r) in WDI.items()
]
