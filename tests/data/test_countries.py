from __future__ import annotations

import pandas as pd
import pytest

from aigap.data import countries as c
from aigap.errors import AigapError, UnknownCountryError


def test_group_sizes_today() -> None:
    assert len(c.group_members("OECD")) == 38
    assert len(c.group_members("EU27")) == 27
    assert len(c.group_members("G7")) == 7
    assert len(c.group_members("G20")) == 19  # the EU and the AU are members but not countries
    assert "TLS" in c.group_members("ASEAN")


def test_membership_is_dated() -> None:
    assert "COL" not in c.group_members("OECD", 2019)
    assert "COL" in c.group_members("OECD", 2020)
    assert "GBR" in c.group_members("EU", 2019)
    assert "GBR" not in c.group_members("EU", 2020)
    assert "TLS" not in c.group_members("ASEAN", 2024)


def test_unknown_group_is_named() -> None:
    with pytest.raises(AigapError, match="unknown group 'NATO'"):
        c.group_members("NATO")


@pytest.mark.parametrize(
    ("name", "iso3"),
    [("South Korea", "KOR"), ("Korea", "KOR"), ("Republic of Korea (the)", "KOR"),
     ("Korea (Republic of)", "KOR"), ("Korea, Rep.", "KOR"), ("Australia*", "AUS"),
     ("Türkiye", "TUR"), ("United States of America", "USA"), ("Hong Kong", "HKG"),
     ("Democratic People's Republic of Korea", "PRK")],
)
def test_publisher_names_map_to_iso3(name: str, iso3: str) -> None:
    assert c.name_to_iso3(name) == iso3


def test_aggregates_are_marked_not_mapped() -> None:
    assert c.name_to_iso3("World") == ""
    assert c.name_to_iso3("Europe") == ""


def test_unknown_names_are_listed_with_rows() -> None:
    names = pd.Series(["Korea", "Atlantis", "France", "Narnia"])
    with pytest.raises(UnknownCountryError) as err:
        c.names_to_iso3(names, file="x.csv", column="Country", rows=[2, 3, 4, 5])
    assert err.value.names == {"Atlantis": 3, "Narnia": 5}
    assert "x.csv" in str(err.value) and "'Country'" in str(err.value)


def test_korean_names_are_natural() -> None:
    t = c.country_table().set_index("iso3")
    assert t.loc["KOR", "name_ko"] == "한국"
    assert t.loc["USA", "name_ko"] == "미국"
    assert t.loc["RUS", "name_ko"] == "러시아"
    assert t.loc["TWN", "name_ko"] == "대만"
    # every OECD member has a Korean name written in Hangul
    for iso in c.group_members("OECD"):
        assert any("가" <= ch <= "힣" for ch in t.loc[iso, "name_ko"]), iso


def test_check_iso3_rejects_unknown_codes() -> None:
    assert c.check_iso3(["kor", "USA"]) == ["KOR", "USA"]
    with pytest.raises(AigapError, match="ZZZ"):
        c.check_iso3(["KOR", "ZZZ"])
