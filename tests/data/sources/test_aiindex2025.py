"""AI Index 2025 derived tables: real mirror files and constructed bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.data.sources import aiindex2025, aiindex2026
from aigap.data.sources.base import VINTAGE_ONLY
from aigap.errors import ConfigError, DataFormatError, UnknownCountryError

BY_ID = {d.id: d for d in aiindex2025.DATASETS}


@pytest.fixture(scope="module")
def root() -> Path:
    try:
        return data_dir()
    except ConfigError:
        pytest.skip("no data mirror")


def test_real_files(root: Path) -> None:
    frames = []
    for d in aiindex2025.DATASETS:
        df = d.parse(root / d.relpath)
        assert "derived" in d.flags
        assert set(df.indicator) <= {i.code for i in d.indicators}
        assert df.iso3.str.fullmatch(r"[A-Z]{3}").all()
        assert not df.duplicated(["indicator", "iso3", "year"]).any()
        frames.append(df)
    df = pd.concat(frames).set_index(["indicator", "iso3", "year"])["value"]
    assert df["private_ai_investment_aiindex", "KOR", 2024] == pytest.approx(1.326995968)
    assert df["private_ai_investment_cumulative", "KOR", 2024] == pytest.approx(8.962056925)
    assert df["newly_funded_ai_companies", "KOR", 2024] == 52
    assert df["newly_funded_ai_companies_cumulative", "USA", 2024] == 6956
    assert df["ai_patents_granted_per_100k", "KOR", 2023] == pytest.approx(17.26851235)


def test_no_key_shared_with_2026_edition(root: Path) -> None:
    """The warehouse rejects a key held by two sources: the two editions must not overlap in
    observations (a dataset kept as a vintage only is exempt: overlapping is its point)."""
    old = pd.concat(d.parse(root / d.relpath) for d in aiindex2025.DATASETS)
    new = pd.concat(d.parse(root / d.relpath) for d in aiindex2026.DATASETS
                    if VINTAGE_ONLY not in d.flags)
    both = old.merge(new, on=["indicator", "iso3", "year"])
    assert both.empty, both
    side = [d for d in aiindex2026.DATASETS if VINTAGE_ONLY in d.flags]
    revised = old.merge(pd.concat(d.parse(root / d.relpath) for d in side),
                        on=["indicator", "iso3", "year"])
    assert set(revised["iso3"]) == {"CHN", "USA"} and set(revised["year"]) == {2024}


def write(tmp_path: Path, text: str | bytes) -> Path:
    p = tmp_path / "stanford_ai_patents.csv"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


PATENTS = BY_ID["aiindex2025_patents"].parse
HEADER = "iso3,ai_patents_per100k,year,source\n"


def test_duplicate_rows(tmp_path: Path) -> None:
    assert len(PATENTS(write(tmp_path, HEADER + "KOR,17.2,2023,x\nKOR,17.2,2023,x\n"))) == 1
    with pytest.raises(DataFormatError) as e:
        PATENTS(write(tmp_path, HEADER + "KOR,17.2,2023,x\nKOR,18,2023,x\n"))
    assert "KOR" in str(e.value) and e.value.row == 3


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError) as e:
        PATENTS(write(tmp_path, "iso3,year\nKOR,2023\n"))
    assert e.value.column == "ai_patents_per100k"
    with pytest.raises(DataFormatError) as e:
        PATENTS(write(tmp_path, HEADER + "KOR,n/a?,2023,x\n"))
    assert e.value.row == 2 and e.value.column == "ai_patents_per100k"
    with pytest.raises(DataFormatError) as e:
        PATENTS(write(tmp_path, HEADER + "KOR,1,2022,x\n"))
    assert e.value.column == "year"
    with pytest.raises(UnknownCountryError) as e:
        PATENTS(write(tmp_path, HEADER + "KOR,1,2023,x\nXXX,2,2023,x\n"))
    assert e.value.names == {"XXX": 3}
    with pytest.raises(DataFormatError, match="empty"):
        PATENTS(write(tmp_path, ""))
    with pytest.raises(DataFormatError, match="utf-8"):
        PATENTS(write(tmp_path, HEADER.encode() + b"KOR,1,2023,\xe9\n"))
