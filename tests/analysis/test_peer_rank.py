"""peer_rank: ties, members without data, censored top-N charts, custom groups, real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.analysis.diagnosis.peer_rank import PeerRankError, peer_rank, rank_in_group
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import AigapError
from aigap.i18n.numbers import ordinal
from aigap.present import sentence

NAMES = {"KOR": "South Korea", "USA": "United States", "JPN": "Japan", "DEU": "Germany",
         "FRA": "France", "GBR": "United Kingdom", "ITA": "Italy", "CAN": "Canada",
         "CHN": "China"}


@pytest.fixture()
def wh(tmp_path: Path):
    """R&D % of GDP in 2023: KOR and JPN tie at 3.0; CAN has only 2022; CHN not in the G7."""
    data = {"USA": 3.5, "KOR": 3.0, "JPN": 3.0, "DEU": 3.1, "FRA": 2.2, "GBR": 2.9,
            "ITA": 1.3, "CHN": 2.6}
    rows = [f"{c},2023,{NAMES[c]},{v},GB.XPD.RSDV.GD.ZS,rd_expenditure_pct_gdp"
            for c, v in data.items()]
    rows.append("CAN,2022,Canada,1.7,GB.XPD.RSDV.GD.ZS,rd_expenditure_pct_gdp")
    path = tmp_path / "m/raw/world_bank_wdi/rd_expenditure_pct_gdp.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(["iso3,year,country_name,value,wb_indicator,canonical_name",
                               *rows]) + "\n")
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=tmp_path / "m", datasets=["wb_rd_expenditure_pct_gdp"])
    with Warehouse.open(db) as w:
        yield w


def test_ties_and_members_without_data(wh: Warehouse) -> None:
    r = peer_rank(wh, "JPN", "rd_expenditure_pct_gdp", "G7")
    assert r.year == 2023 and r.rank == 3 and r.tied_with == []  # KOR is not in the G7
    assert r.n_members == 7 and r.n_with_data == 6 and r.without_data == ["CAN"]
    assert sentence(r, "en") == ("JPN ranks 3rd of 6 G7 members with data in 2023 "
                             "(1 without data: Canada).")
    assert "G7 국가 중 데이터가 있는 6개국 가운데 3위" in sentence(r, "ko")
    assert "캐나다" in sentence(r, "ko")
    assert r.table.set_index("iso3").loc["CAN", "latest_year"] == 2022


def test_tie_reported_with_custom_group(wh: Warehouse) -> None:
    r = peer_rank(wh, "KOR", "rd_expenditure_pct_gdp", ["USA", "KOR", "JPN", "DEU"])
    assert r.group == "custom" and r.rank == 3 and r.tied_with == ["JPN"]
    assert "tied with Japan" in sentence(r, "en") and "공동 순위" in sentence(r, "ko")


def test_non_member_is_ranked_with_the_group(wh: Warehouse) -> None:
    r = peer_rank(wh, "KOR", "rd_expenditure_pct_gdp", "G7")
    assert not r.unit_is_member and r.rank == 3 and r.ranked_of == 7
    assert "not a member" in sentence(r, "en")


def test_direction_minus_one_ranks_low_values_first() -> None:
    v = pd.DataFrame({"iso3": ["A1", "B1", "C1"], "value": [5.0, 3.0, 9.0]})
    r = rank_in_group(v, "A1", ["A1", "B1", "C1"], direction=-1)
    assert r.rank == 2


def test_censored_top_n_wording_and_bounds() -> None:
    members = ["KOR", "USA", "JPN", "DEU", "FRA"]
    v = pd.DataFrame({"iso3": ["USA", "CHN", "JPN"], "value": [10.0, 8.0, 5.0]})
    absent = rank_in_group(v, "KOR", members, top_n=15, group="OECD", year=2025)
    assert absent.rank is None and absent.rank_bounds == (3, 5)
    assert absent.not_in_top_n == ["DEU", "FRA"] and absent.without_data == []
    assert "not in the top 15" in sentence(absent, "en") and "between 3rd and 5th" in \
        sentence(absent, "en")
    assert "상위 15개국에 들지 못해" in sentence(absent, "ko")
    listed = rank_in_group(v, "JPN", members, top_n=15, group="OECD", year=2025)
    assert listed.rank == 2 and listed.ranked_of == 5
    assert "not in the top 15 and rank below" in sentence(listed, "en")
    assert set(listed.table.loc[listed.table["status"] == "not in top 15", "iso3"]) == \
        {"KOR", "DEU", "FRA"}


def test_supplied_values_and_errors(wh: Warehouse) -> None:
    scores = pd.Series({"KOR": 70.0, "USA": 90.0, "JPN": 60.0})
    r = peer_rank(wh, "KOR", group=["KOR", "USA", "JPN"], values=scores)
    assert r.rank == 2 and r.source == "supplied values"
    with pytest.raises(PeerRankError, match="CAN has no value"):
        peer_rank(wh, "CAN", "rd_expenditure_pct_gdp", "G7", year=2023)
    with pytest.raises(AigapError, match="unknown group"):
        peer_rank(wh, "KOR", "rd_expenditure_pct_gdp", "G8")
    assert [ordinal(i) for i in (1, 2, 3, 4, 11, 12, 13, 21, 22, 31)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "31st"]


def test_real_oecd_rank(real_wh: Warehouse) -> None:
    r = peer_rank(real_wh, "KOR", "private_ai_investment", "OECD")
    assert r.year == 2023 and r.n_members == 38
    assert r.n_with_data + len(r.without_data) == 38
    assert 1 <= r.rank <= 10  # Korea is among the larger OECD investors
    assert f"of {r.n_with_data} OECD members with data in 2023" in sentence(r, "en")
    assert r.source == "owid_cset_private_ai_investment"
