"""Oxford Insights GAIRI parsers: real mirror files and constructed bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.data.sources import oxford
from aigap.errors import ConfigError, DataFormatError, UnknownCountryError

BY_ID = {d.id: d for d in oxford.DATASETS}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    try:
        root = data_dir()
    except ConfigError:
        pytest.skip("no data mirror")
    frames = []
    for d in oxford.DATASETS:
        df = d.parse(root / d.relpath)
        assert set(df.indicator) <= {i.code for i in d.indicators}, d.id
        assert df.iso3.str.fullmatch(r"[A-Z]{3}").all()
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def test_no_duplicate_keys_across_years(panel: pd.DataFrame) -> None:
    assert not panel.duplicated(["indicator", "iso3", "year"]).any()


def test_korea(panel: pd.DataFrame) -> None:
    s = panel.set_index(["indicator", "iso3", "year"])["value"]
    assert s["gov_ai_readiness_rank", "KOR", 2024] == 3
    assert s["gov_ai_readiness", "KOR", 2024] == pytest.approx(79.97780202)
    assert s["gov_ai_readiness_2025_rank", "KOR", 2025] == 5
    assert s["gov_ai_readiness_2025", "KOR", 2025] == pytest.approx(76.89)
    assert s["gov_ai_readiness_2019_scale10", "KOR", 2019] == pytest.approx(6.839, abs=1e-3)
    assert s["gov_ai_readiness_2019_scale10", "COG", 2019] >= 0  # "Congo (the)" alias
    kor = panel[(panel.iso3 == "KOR") & (panel.indicator == "gov_ai_readiness")]
    assert sorted(kor.year) == [2020, 2021, 2022, 2023, 2024]
    kor_all = panel[panel.iso3 == "KOR"]
    for code in ("government", "technology_sector", "data_infrastructure"):
        assert (kor_all.indicator == f"gov_ai_readiness_{code}").sum() == 5
    assert {"PRK", "USA"} <= set(panel.iso3)


def test_scales(panel: pd.DataFrame) -> None:
    scale10 = panel[panel.indicator == "gov_ai_readiness_2019_scale10"].value
    assert scale10.between(0, 10).all()
    scores = panel[panel.unit == "score 0-100"].value
    assert scores.between(0, 100).all()


HEADER = ("pais_original,year,scale,framework,total_score,government,technology_sector,"
          "data_infrastructure\n")
P2021 = BY_ID["oxford_gairi_2021"].parse


def write(tmp_path: Path, text: str | bytes) -> Path:
    p = tmp_path / "consolidado_2021.csv"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_bad_files(tmp_path: Path) -> None:
    ok = "Republic of Korea,2021,0-100,x,76.5,85,58,86\n"
    assert len(P2021(write(tmp_path, HEADER + ok))) == 4
    with pytest.raises(DataFormatError) as e:
        P2021(write(tmp_path, HEADER.replace(",government", "") + "Chile,2021,0-100,x,1,2,3\n"))
    assert e.value.column == "government"
    with pytest.raises(DataFormatError) as e:
        P2021(write(tmp_path, HEADER + ok + "Chile,2021,0-100,x,--,1,2,3\n"))
    assert e.value.row == 3 and e.value.column == "total_score"
    with pytest.raises(DataFormatError) as e:
        P2021(write(tmp_path, HEADER + "Chile,2022,0-100,x,1,1,2,3\n"))
    assert e.value.column == "year"
    with pytest.raises(UnknownCountryError) as e:
        P2021(write(tmp_path, HEADER + ok + "Freedonia,2021,0-100,x,1,1,2,3\n"))
    assert e.value.names == {"Freedonia": 3}
    with pytest.raises(DataFormatError) as e:
        P2021(write(tmp_path, HEADER + ok + "Korea,2021,0-100,x,70,85,58,86\n"))
    assert "KOR" in str(e.value)
    with pytest.raises(DataFormatError, match="empty"):
        P2021(write(tmp_path, " \n"))
    with pytest.raises(DataFormatError, match="utf-8"):
        P2021(write(tmp_path, HEADER.encode() + b"C\xf4te d'Ivoire,2021,0-100,x,1,1,2,3\n"))
