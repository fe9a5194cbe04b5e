"""NCSES AI articles: real mirror file and constructed bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.data.sources import ncses
from aigap.errors import ConfigError, DataFormatError, UnknownCountryError

DS = ncses.DATASETS[0]


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    try:
        root = data_dir()
    except ConfigError:
        pytest.skip("no data mirror")
    return DS.parse(root / DS.relpath)


def test_real_file(parsed: pd.DataFrame) -> None:
    assert DS.flags == ("low-confidence", "derived")
    assert set(parsed.indicator) == {"ai_articles"}
    assert parsed.iso3.str.fullmatch(r"[A-Z]{3}").all()
    assert not parsed.duplicated(["indicator", "iso3", "year"]).any()
    assert (parsed.year.min(), parsed.year.max()) == (2003, 2022)
    s = parsed.set_index(["iso3", "year"]).value
    assert s["KOR", 2022] == 2569 and s["KOR", 2003] == 298
    assert {"GBR", "CIV", "PRK", "XKX", "VAT"} <= set(parsed.iso3)
    assert "AUS" in set(parsed.iso3) and s["AUS", 2022] < s["USA", 2022]  # not Oceania
    assert "PSE" not in set(parsed.iso3)


def test_clean_name() -> None:
    assert ncses.clean_name("C&#244;te d&#8217;Ivoire") == "Côte d'Ivoire"
    assert ncses.clean_name("EU-27<sup>b</sup>") == "EU-27"


HEADER = "entity,ncses_hierarchy_path_as_stored,year,ai_articles_whole_count\n"


def write(tmp_path: Path, text: str | bytes) -> Path:
    p = tmp_path / "ai_articles.csv"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_regions_dropped_unknown_reported(tmp_path: Path) -> None:
    df = DS.parse(write(tmp_path, HEADER + "World,World,2003,10\nAustralia/Oceania,x,2003,5\n"
                        "Serbia<sup>c</sup>,x,2003,4\n"))
    assert df[["iso3", "value"]].values.tolist() == [["SRB", 4.0]]
    with pytest.raises(UnknownCountryError) as e:
        DS.parse(write(tmp_path, HEADER + "World,World,2003,10\nMars Colony,x,2003,1\n"))
    assert e.value.names == {"Mars Colony": 3}


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError) as e:
        DS.parse(write(tmp_path, "entity,year\nChile,2003\n"))
    assert e.value.column == "ai_articles_whole_count"
    with pytest.raises(DataFormatError) as e:
        DS.parse(write(tmp_path, HEADER + "Chile,x,2003,12a\n"))
    assert e.value.row == 2 and e.value.column == "ai_articles_whole_count"
    with pytest.raises(DataFormatError) as e:
        DS.parse(write(tmp_path, HEADER + "Chile,x,2003,1\nChile,y,2003,2\n"))
    assert "CHL" in str(e.value) and e.value.row == 3
    with pytest.raises(DataFormatError, match="empty"):
        DS.parse(write(tmp_path, ""))
    with pytest.raises(DataFormatError, match="utf-8"):
        DS.parse(write(tmp_path, HEADER.encode() + b"C\xf4te d'Ivoire,x,2003,1\n"))
