"""AI Index 2026 chart parsers: real mirror files and constructed bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.data.sources import aiindex2026
from aigap.data.sources.base import PILLARS, TIDY_COLUMNS
from aigap.errors import ConfigError, DataFormatError, UnknownCountryError

BY_ID = {d.id: d for d in aiindex2026.DATASETS}


@pytest.fixture(scope="module")
def parsed() -> dict[str, pd.DataFrame]:
    try:
        root = data_dir()
    except ConfigError:
        pytest.skip("no data mirror")
    return {d.id: d.parse(root / d.relpath) for d in aiindex2026.DATASETS}


def value(df: pd.DataFrame, code: str, iso3: str, year: int) -> float:
    row = df[(df.indicator == code) & (df.iso3 == iso3) & (df.year == year)]
    assert len(row) == 1, (code, iso3, year)
    return float(row["value"].iloc[0])


def test_every_dataset_is_tidy_and_catalogued(parsed: dict[str, pd.DataFrame]) -> None:
    for d in aiindex2026.DATASETS:
        df = parsed[d.id]
        assert list(df.columns[:6]) == TIDY_COLUMNS and "_row" in df.columns
        assert not df.empty, d.id
        assert df["iso3"].str.fullmatch(r"[A-Z]{3}").all(), d.id
        assert not df.duplicated(["indicator", "iso3", "year"]).any(), d.id
        codes = {i.code for i in d.indicators}
        assert set(df["indicator"]) <= codes, d.id
        for ind in d.indicators:
            assert ind.pillar in PILLARS and ind.direction in (1, -1) and ind.unit and ind.name_ko
            if "censored-top15" in d.flags:
                assert ind.top_n == 15
        assert (d.flags == ("censored-top15",)) == all(i.top_n == 15 for i in d.indicators)


def test_known_values(parsed: dict[str, pd.DataFrame]) -> None:
    inv = parsed["aiindex2026_fig_4_2_8"]
    latest = inv[inv.year == 2025]
    assert len(latest) == 15
    assert value(inv, "private_ai_investment_aiindex", "KOR", 2025) == pytest.approx(1.775383542)
    # CHN/USA history from fig 4.2.11 (2013-2023); Europe dropped; 2024 left to the 2025 ed.
    assert set(inv[inv.year < 2025].iso3) == {"CHN", "USA"}
    assert sorted(inv[inv.iso3 == "CHN"].year) == [*range(2013, 2024), 2025]
    mig = parsed["aiindex2026_fig_4_4_24"]
    assert value(mig, "ai_talent_net_migration", "KOR", 2025) == pytest.approx(-0.35437)
    assert sorted(mig.year.unique()) == [2021, 2022, 2023, 2024, 2025]
    assert mig.iso3.nunique() == 50 and "HKG" in set(mig.iso3)
    assert value(parsed["aiindex2026_fig_4_2_12"], "private_ai_investment_cumulative", "KOR",
                 2025) == pytest.approx(10.752440467)
    assert value(parsed["aiindex2026_fig_4_2_13"], "newly_funded_ai_companies_cumulative",
                 "KOR", 2025) == 329
    assert value(parsed["aiindex2026_fig_1_1_3"], "notable_ai_models_cumulative", "KOR",
                 2025) == 20
    assert value(parsed["aiindex2026_fig_1_1_1"], "notable_ai_models", "KOR", 2025) == 5
    dc = parsed["aiindex2026_fig_1_3_1"]
    assert value(dc, "data_centers", "KOR", 2025) == 43
    assert value(dc, "data_centers", "CUW", 2025) == 4 and value(dc, "data_centers", "NLD", 2025)
    assert value(parsed["aiindex2026_fig_1_7_4"], "ai_patents_granted_per_100k", "KOR",
                 2024) == pytest.approx(14.310816598653574)
    ict = parsed["aiindex2026_fig_7_2_10"]
    assert value(ict, "ict_graduates_bachelor", "KOR", 2023) == 19591
    assert value(parsed["aiindex2026_fig_7_2_9"], "ict_graduates_short_cycle", "USA",
                 2022) == 38746
    assert value(parsed["aiindex2026_fig_7_2_12"], "ict_graduates_phd", "KOR", 2023) == 585
    diff = parsed["aiindex2026_fig_4_3_10"]
    assert value(diff, "ai_diffusion", "KOR", 2025) == pytest.approx(30.7)
    assert value(diff, "ai_diffusion", "ARE", 2025) == pytest.approx(64.0)
    assert value(parsed["aiindex2026_fig_4_4_21"], "ai_talent_concentration", "KOR",
                 2025) == pytest.approx(0.01046)


# --- constructed bad files ------------------------------------------------------------------

MIG = BY_ID["aiindex2026_fig_4_4_24"].parse
SIMPLE = BY_ID["aiindex2026_fig_4_2_12"].parse
HEADER = "Total Investment (in Billions of U.S. Dollars),Country\n"


def write(tmp_path: Path, text: str | bytes, name: str = "f.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_missing_column(tmp_path: Path) -> None:
    p = write(tmp_path, "year,country\n1/1/25,Spain\n")
    with pytest.raises(DataFormatError) as e:
        MIG(p)
    assert e.value.file == str(p) and e.value.column == "netflow_per_10K"


def test_non_numeric(tmp_path: Path) -> None:
    p = write(tmp_path, HEADER + "1.5,Spain\nabc,France\n")
    with pytest.raises(DataFormatError) as e:
        SIMPLE(p)
    assert e.value.row == 3 and "abc" in str(e.value) and str(p) in str(e.value)


def test_bad_date(tmp_path: Path) -> None:
    p = write(tmp_path, "year,country,netflow_per_10K\n2025,Spain,1\n")
    with pytest.raises(DataFormatError) as e:
        MIG(p)
    assert e.value.row == 2 and e.value.column == "year"


def test_unknown_country(tmp_path: Path) -> None:
    p = write(tmp_path, HEADER + "1,Spain\n2,Atlantis\n3,Narnia\n")
    with pytest.raises(UnknownCountryError) as e:
        SIMPLE(p)
    assert e.value.names == {"Atlantis": 3, "Narnia": 4}


def test_aggregates_dropped_and_star_stripped(tmp_path: Path) -> None:
    p = write(tmp_path, "year,country,netflow_per_10K\n1/1/25,World,1\n1/1/25,Spain*,2\n")
    df = MIG(p)
    assert df[["iso3", "year", "value"]].values.tolist() == [["ESP", 2025, 2.0]]


def test_duplicate_keys(tmp_path: Path) -> None:
    same = write(tmp_path, HEADER + "1,Spain\n1,Spain\n", "same.csv")
    assert len(SIMPLE(same)) == 1
    diff = write(tmp_path, HEADER + "1,Spain\n2,Spain\n", "diff.csv")
    with pytest.raises(DataFormatError) as e:
        SIMPLE(diff)
    assert "ESP" in str(e.value) and "[2, 3]" in str(e.value) and e.value.row == 3


def test_empty_and_wrong_encoding(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="empty"):
        SIMPLE(write(tmp_path, "", "empty.csv"))
    with pytest.raises(DataFormatError, match="no data rows"):
        SIMPLE(write(tmp_path, HEADER, "header.csv"))
    p = write(tmp_path, HEADER.encode() + b"1,T\xfcrkiye\n", "latin1.csv")
    with pytest.raises(DataFormatError) as e:
        SIMPLE(p)
    assert e.value.row == 2 and "utf-8" in str(e.value)


def test_investment_series_must_agree(tmp_path: Path) -> None:
    cross = write(tmp_path, HEADER + "12.4,China\n", "fig_4.2.8.csv")
    write(tmp_path, "Year,Total investment (in billions of US dollars),Label\n"
          "2023.0,9,China\n2025.0,13,China\n2025.0,20,Europe\n", "fig_4.2.11.csv")
    with pytest.raises(DataFormatError) as e:
        BY_ID["aiindex2026_fig_4_2_8"].parse(cross)
    assert "fig_4.2.11.csv" in e.value.file and e.value.row == 3


def test_data_center_iso_code_checked(tmp_path: Path) -> None:
    p = write(tmp_path, "Country,num_datacenters,iso_code\nSpain,3,ESP\nFrance,4,DEU\n")
    with pytest.raises(DataFormatError) as e:
        BY_ID["aiindex2026_fig_1_3_1"].parse(p)
    assert e.value.row == 3 and e.value.column == "iso_code"
