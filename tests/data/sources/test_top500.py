"""TOP500 lists: facts from the real mirror through the warehouse, and constructed lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aigap import config
from aigap.data.sources import top500
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import DataFormatError, UnknownCountryError

JUNE_2025 = "TOP500 2025-06"


def obs(wh: Warehouse, code: str) -> pd.Series:
    df = wh.panel([code])
    return df.set_index(["iso3", "year"])["value"]


# --- real mirror ---------------------------------------------------------------------------
def test_korea_june_2025(real_wh: Warehouse) -> None:
    kor = real_wh.records("top500_systems", country="KOR", vintage=JUNE_2025)
    assert len(kor) == 15
    best = kor.sort_values("rank").iloc[0]
    assert best["rank"] == 18 and best["name"] == "SSC-24"
    assert best["site"] == "Samsung Electronics"
    assert obs(real_wh, "top500_systems_jun")["KOR", 2025] == 15
    assert obs(real_wh, "top500_best_rank_jun")["KOR", 2025] == 18


def test_june_2025_counts(real_wh: Warehouse) -> None:
    s = obs(real_wh, "top500_systems_jun")
    assert (s["USA", 2025], s["CHN", 2025], s["DEU", 2025]) == (175, 47, 41)
    assert s.xs(2025, level="year").sum() == 500


def test_missing_lists_are_missing_not_zero(real_wh: Warehouse) -> None:
    for code, year in (("top500_systems_jun", 2021), ("top500_systems_nov", 2022),
                       ("top500_systems_nov", 2025), ("top500_rmax_share_jun", 2021)):
        panel = real_wh.panel([code], years=[year])
        assert panel.empty, (code, year)
    # a published list where Korea has no system: zero, not missing
    s = obs(real_wh, "top500_systems_jun")
    assert s["KOR", 2009] == 0
    assert ("KOR", 2009) not in obs(real_wh, "top500_best_rank_jun").index
    lists = real_wh.records("top500_systems", columns=["list_date"])["list_date"]
    dates = set(pd.to_datetime(lists).dt.strftime("%Y-%m"))
    assert len(dates) == 49 and {"2021-06", "2022-11", "2025-11"}.isdisjoint(dates)
    assert lists.value_counts().eq(500).all()


def test_units_are_tflops_across_the_switch(real_wh: Warehouse) -> None:
    top = real_wh.records("top500_systems", where={"rank": 1},
                          columns=["list_date", "name", "rmax_tflops"])
    r = top.assign(d=pd.to_datetime(top["list_date"]).dt.strftime("%Y-%m")).set_index("d")
    # Sunway TaihuLight led 2016-11 (GFlop/s file) and 2017-06 (TFlop/s file): one value
    assert r.loc["2016-11", "rmax_tflops"] == pytest.approx(r.loc["2017-06", "rmax_tflops"],
                                                            rel=1e-6)
    assert r.loc["2016-11", "rmax_tflops"] == pytest.approx(93014.59, rel=1e-4)
    assert r.loc["2018-11", "rmax_tflops"] == pytest.approx(143500)
    assert r.loc["2020-06", "rmax_tflops"] == pytest.approx(415530)
    assert r.loc["2025-06", "rmax_tflops"] == pytest.approx(1742000)


def test_spellings_and_shares(real_wh: Warehouse) -> None:
    recs = real_wh.records("top500_systems", where={"country": ["Korea, South",
                                                                "Saudia Arabia"]},
                           columns=["country", "iso3"])
    assert dict(recs.drop_duplicates().values) == {"Korea, South": "KOR", "Saudia Arabia": "SAU"}
    share = real_wh.panel(["top500_rmax_share_nov"])
    assert np.allclose(share.groupby("year")["value"].sum(), 100)
    src = real_wh.sources().set_index("id").loc["top500"]
    assert src["file"] == "raw/top500" and len(src["sha256"]) == 64


# --- constructed lists ---------------------------------------------------------------------
MODERN = ["Rank", "Name", "Computer", "Site", "Manufacturer", "Country", "Year", "Segment",
          "Total Cores", "Accelerator/Co-Processor", "Rmax [TFlop/s]", "Rpeak [TFlop/s]",
          "Power (kW)"]
OLD = ["Rank", "Site", "Manufacturer", "Computer", "Country", "Year", "Processors", "RMax",
       "RPeak", "Segment"]


def make_list(n: int = top500.SYSTEMS_PER_LIST, header: list[str] = MODERN,
              countries: tuple[str, ...] = ("United States", "China", "Korea, South")
              ) -> pd.DataFrame:
    rmax = np.linspace(1000, 10, n)
    cols = {"Rank": np.arange(1, n + 1), "Name": [f"sys{i}" for i in range(n)],
            "Computer": "box", "Site": "lab", "Manufacturer": "vendor",
            "Country": [countries[i % len(countries)] for i in range(n)], "Year": 2020,
            "Segment": "Research", "Total Cores": 1000, "Processors": 1000,
            "Accelerator/Co-Processor": None, "Rmax [TFlop/s]": rmax,
            "Rpeak [TFlop/s]": rmax * 1.5, "RMax": rmax * 1000, "RPeak": rmax * 1500,
            "Power (kW)": 100.0}
    return pd.DataFrame({h: cols[h] for h in header})


def write_list(root: Path, df: pd.DataFrame, year: int, month: int, *,
               blank_first_row: bool = False) -> Path:
    path = root / top500.RELDIR / f"TOP500_{year}{month:02d}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_excel(path, sheet_name=str(top500.edition(year, month)), index=False,
                startrow=1 if blank_first_row else 0)
    return path


@pytest.fixture()
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    write_list(root, make_list(), 2020, 6)
    write_list(root, make_list(header=OLD, countries=("United States", "Japan")), 2007, 11,
               blank_first_row=True)
    return root


def test_constructed_layouts(tmp_path: Path, mirror: Path) -> None:
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=["top500"])
    with Warehouse.open(db) as wh:
        recs = wh.records("top500_systems")
        old = recs[recs["vintage"] == "TOP500 2007-11"]
        assert len(old) == 500 and old["name"].isna().all()  # no Name column then
        assert old["rmax_tflops"].max() == pytest.approx(1000)  # GFlop/s -> TFlop/s
        assert old["source_row"].min() == 3  # header on row 2, first system on row 3
        s = obs(wh, "top500_systems_jun")
        # Korea is on the 2020 list only; Japan only on the 2007 list (a November one)
        assert s["KOR", 2020] == sum(i % 3 == 2 for i in range(500))
        assert s["JPN", 2020] == 0
        assert obs(wh, "top500_systems_nov")["KOR", 2007] == 0
        assert not wh.panel(["top500_systems_nov"], years=[2020]).shape[0]


def test_parse_cache_is_keyed_by_content(mirror: Path) -> None:
    folder = mirror / top500.RELDIR
    first = top500.read_records(folder)
    assert list((config.cache_dir() / "parsed").glob("*.parquet"))
    pd.testing.assert_frame_equal(first, top500.read_records(folder), check_dtype=False)
    df = make_list()
    df.loc[0, "Rmax [TFlop/s]"] = 5000.0
    write_list(mirror, df, 2020, 6)
    changed = top500.read_records(folder)
    assert changed["rmax_tflops"].max() == 5000.0  # an edited file is never served stale


def corrupt_missing_column(root: Path) -> None:
    write_list(root, make_list().drop(columns=["Country"]), 2020, 6)


def corrupt_renamed_column(root: Path) -> None:
    write_list(root, make_list().rename(columns={"Rmax [TFlop/s]": "Rmax"}), 2020, 6)


def corrupt_unknown_country(root: Path) -> None:
    df = make_list()
    df.loc[9, "Country"] = "Atlantis"
    write_list(root, df, 2020, 6)


def corrupt_short_list(root: Path) -> None:
    write_list(root, make_list(n=499), 2020, 6)


def corrupt_text_rmax(root: Path) -> None:
    df = make_list()
    df["Rmax [TFlop/s]"] = df["Rmax [TFlop/s]"].astype(object)
    df.loc[4, "Rmax [TFlop/s]"] = "n/a"
    write_list(root, df, 2020, 6)


def corrupt_not_a_spreadsheet(root: Path) -> None:
    (root / top500.RELDIR / "TOP500_202006.xlsx").write_text("Rank,Name\n1,x\n")


CASES = [
    ("missing column", corrupt_missing_column, DataFormatError, ["missing column(s) ['Country']"]),
    ("renamed column", corrupt_renamed_column, DataFormatError,
     ["'Rmax' has no unit", "Rmax [TFlop/s]"]),
    ("unknown country", corrupt_unknown_country, UnknownCountryError, ["'Atlantis' (row 11)"]),
    ("short list", corrupt_short_list, DataFormatError, ["499 systems"]),
    ("non-numeric", corrupt_text_rmax, DataFormatError, ["row 6", "non-numeric value 'n/a'"]),
    ("not a spreadsheet", corrupt_not_a_spreadsheet, DataFormatError,
     ["cannot read the spreadsheet"]),
]


@pytest.mark.parametrize(("name", "corrupt", "etype", "fragments"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_list_is_named_and_store_unchanged(tmp_path: Path, mirror: Path, name: str,
                                               corrupt: object, etype: type[Exception],
                                               fragments: list[str]) -> None:
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=["top500"])
    before = db.read_bytes()
    corrupt(mirror)  # type: ignore[operator]
    with pytest.raises(etype) as err:
        pull(db_path=db, data_dir=mirror, datasets=["top500"])
    msg = str(err.value)
    assert "TOP500_202006.xlsx" in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)
    assert db.read_bytes() == before
