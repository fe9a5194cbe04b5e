"""gap and gap_summary: known answers on constructed warehouses, and the real one."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from aigap.analysis.diagnosis.gap import gap, gap_summary, intensive_reason, normalised_units
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import AigapError
from aigap.present import sentence

OWID = "raw/owid_cset_ai/private-investment-in-artificial-intelligence-cset.csv"
PATENTS = "raw/owid_cset_ai/artificial-intelligence-patents-submitted-per-million.csv"
NAMES = {"KOR": "South Korea", "USA": "United States", "CHN": "China", "JPN": "Japan"}


def _owid(root: Path, rel: str, col: str, data: dict[str, dict[int, float]]) -> None:
    rows = [f"{NAMES[c]},{c},{y},{v!r}" for c, s in data.items() for y, v in s.items()]
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text("\n".join([f"Entity,Code,Year,{col}", *rows]) + "\n")


def _wb(root: Path, name: str, code: str, data: dict[str, dict[int, float]]) -> None:
    rows = [f"{c},{y},{NAMES[c]},{v!r},{code},{name}" for c, s in data.items()
            for y, v in s.items()]
    path = root / f"raw/world_bank_wdi/{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(["iso3,year,country_name,value,wb_indicator,canonical_name",
                               *rows]) + "\n")


@pytest.fixture()
def wh(tmp_path: Path):
    """KOR 1e9 and USA 3e10 in 2022-2023; KOR lacks 2021; population and GDP in 2023 only."""
    root = tmp_path / "mirror"
    _owid(root, OWID, "Estimated investment - Field: All", {
        "KOR": {2022: 1e9, 2023: 2e9}, "USA": {2021: 5e10, 2022: 3e10, 2023: 4e10},
    })
    _owid(root, PATENTS, "Patent applications per 1 million people - Field: All",
          {"KOR": {2019: 100.0}, "USA": {2019: 50.0}})
    _wb(root, "population", "SP.POP.TOTL", {"KOR": {2023: 5e7}, "USA": {2023: 4e8}})
    _wb(root, "gdp_current_usd", "NY.GDP.MKTP.CD", {"KOR": {2023: 2e12}, "USA": {2023: 2e13}})
    _wb(root, "fdi_net_inflows", "BX.KLT.DINV.CD.WD",
        {"KOR": {2023: 0.0, 2022: 1e9}, "USA": {2023: 1e10, 2022: 0.0}})
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=root, datasets=[
        "owid_cset_private_ai_investment", "owid_cset_ai_patents", "wb_population",
        "wb_gdp_current_usd", "wb_fdi_net_inflows"])
    with Warehouse.open(db) as w:
        yield w


def _row(df, basis: str, year: int):
    sub = df[(df["basis"] == basis) & (df["year"] == year)]
    assert len(sub) == 1
    return sub.iloc[0]


def test_ratio_difference_and_orders_of_magnitude(wh: Warehouse) -> None:
    df = gap(wh, "KOR", vs=["USA"], indicators=["private_ai_investment"]).to_frame()
    r = _row(df, "level", 2022)
    assert r["ratio"] == pytest.approx(30.0)
    assert r["log10_ratio"] == pytest.approx(math.log10(30))
    assert r["difference"] == pytest.approx(2.9e10)
    assert r["source"] == r["other_source"] == "owid_cset_private_ai_investment"
    assert "2025" in r["vintage"] and r["other_vintage"] == r["vintage"]
    assert r["measure_unit"] == "US$ (constant 2021)"


def test_missing_year_is_an_explicit_row(wh: Warehouse) -> None:
    df = gap(wh, "KOR", vs=["USA"], indicators=["private_ai_investment"]).to_frame()
    r = _row(df, "level", 2021)
    assert math.isnan(r["value"]) and r["other_value"] == 5e10 and math.isnan(r["ratio"])
    assert r["note"] == "KOR has no value in 2021"


def test_per_capita_and_per_gdp_units_and_mismatch_note(wh: Warehouse) -> None:
    df = gap(wh, "KOR", vs=["USA"], indicators=["private_ai_investment"]).to_frame()
    pc = _row(df, "per capita", 2023)
    assert pc["value"] == pytest.approx(40.0) and pc["other_value"] == pytest.approx(100.0)
    assert pc["measure_unit"] == "US$ (constant 2021) per person"
    assert pc["source"] == "owid_cset_private_ai_investment / wb_population"
    g = _row(df, "per GDP", 2023)
    assert g["value"] == pytest.approx(0.1) and g["other_value"] == pytest.approx(0.2)
    assert g["measure_unit"] == "% of GDP"
    assert "constant 2021" in g["note"] and "current US$" in g["note"]
    # level exists in 2022 but population does not: say so, never fill
    pc22 = _row(df, "per capita", 2022)
    assert math.isnan(pc22["value"]) and "no population for KOR in 2022" in pc22["note"]


def test_intensive_indicator_skips_normalisation(wh: Warehouse) -> None:
    df = gap(wh, "KOR", vs=["USA"], indicators=["ai_patent_applications_per_million"]).to_frame()
    skipped = df[df["basis"] != "level"]
    assert set(skipped["basis"]) == {"per capita", "per GDP"}
    assert skipped["year"].isna().all() and skipped["note"].str.contains("skipped").all()
    assert _row(df, "level", 2019)["ratio"] == pytest.approx(0.5)


def test_zero_values_give_nan_with_note(wh: Warehouse) -> None:
    df = gap(wh, "KOR", vs=["USA"], indicators=["fdi_net_inflows"], per=()).to_frame()
    z = _row(df, "level", 2023)  # KOR is 0
    assert math.isnan(z["ratio"]) and math.isnan(z["log10_ratio"])
    assert "KOR is 0 in 2023" in z["note"]
    o = _row(df, "level", 2022)  # USA is 0: ratio 0, log undefined
    assert o["ratio"] == 0 and math.isnan(o["log10_ratio"]) and "log ratio" in o["note"]


def test_summary_latest_common_year_sentence(wh: Warehouse) -> None:
    (s,) = gap_summary(wh, "KOR", ["USA"], ["private_ai_investment"])
    assert s.year == 2023 and s.ratio == pytest.approx(20.0)
    assert "20.0x" in sentence(s, "en") and "1.30 orders of magnitude" in sentence(s, "en")
    assert "20.0배" in sentence(s, "ko") and "미국" in sentence(s, "ko")


def test_user_errors(wh: Warehouse) -> None:
    with pytest.raises(AigapError, match="unknown country"):
        gap(wh, "KOR", vs=["XXX"], indicators=["private_ai_investment"])
    with pytest.raises(AigapError, match="unknown indicator"):
        gap(wh, "KOR", vs=["USA"], indicators=["private_ai_invest"])
    with pytest.raises(AigapError, match="itself"):
        gap(wh, "KOR", vs=["KOR"], indicators=["private_ai_investment"])


def test_unit_rules() -> None:
    assert intensive_reason("US$ (constant 2021)", "private_ai_investment") is None
    assert intensive_reason("count") is None
    for unit in ("% of GDP", "per million people", "score 0-100 (leader = 100)"):
        assert intensive_reason(unit)
    assert intensive_reason("international $ (current, PPP)", "gdp_per_capita_ppp")
    assert normalised_units("billion US$ (current)") == ("US$ (current) per person", "% of GDP")


def test_real_korea_usa_2023(real_wh: Warehouse) -> None:
    df = gap(real_wh, "KOR", vs=["USA", "CHN"], indicators=["private_ai_investment"],
             series="cset").to_frame()
    r = df[(df["basis"] == "level") & (df["year"] == 2023) & (df["other"] == "USA")].iloc[0]
    assert r["ratio"] > 10 and 1 < r["log10_ratio"] < 2
    (usa, chn) = gap_summary(real_wh, "KOR", ["USA", "CHN"], ["private_ai_investment"],
                             table=gap(real_wh, "KOR", vs=["USA", "CHN"], per=(),
                                       indicators=["private_ai_investment"], series="cset"))
    assert usa.year == 2023 and "29.8x" in sentence(usa, "en")
    assert chn.ratio > 1
