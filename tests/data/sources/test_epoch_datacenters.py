"""Epoch AI frontier data centres: country from the address, coordinates as the check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aigap.data.sources import epoch_datacenters as dc
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import DataFormatError

SITES_HEADER = ["Handle", "Title", "Project", "Address", "Latitude", "Longitude", "Owner",
                "Users", "Investors", "Construction companies", "Energy companies",
                "Current H100 equivalents", "Current power (MW)",
                "Current total capital cost (2025 USD billions)"]
TL_HEADER = ["Date", "Data center", "Construction status", *dc.TIMELINE_NUMERIC]


# --- real mirror ---------------------------------------------------------------------------
def test_sites_real(real_wh: Warehouse) -> None:
    sites = real_wh.records("data_centers")
    assert len(sites) == 17
    assert sites["iso3"].value_counts().to_dict() == {"USA": 15, "CHN": 1, "ARE": 1}
    assert sites["coordinates_checked"].all()  # every site resolved and inside its box
    zb = sites.set_index("handle").loc["Alibaba Zhangbei Zhangjiakou Hebei"]
    assert zb["country_from"] == "China" and zb["latitude"] == pytest.approx(41.185, abs=1e-3)
    assert real_wh.records("data_centers", where={"iso3": None}).empty
    h100 = real_wh.panel(["frontier_dc_h100e"], years=[2025]).set_index("iso3")["value"]
    assert h100["USA"] == pytest.approx(sites.loc[sites.iso3 == "USA", "h100_equivalents"]
                                        .sum())
    n = real_wh.panel(["frontier_dc_sites"], years=[2025]).set_index("iso3")["value"]
    assert n.to_dict() == {"ARE": 1, "CHN": 1, "USA": 15}
    assert "KOR" not in n.index  # none tracked: absent, never zero


def test_timeline_state_at_snapshot_matches_current(mirror_dir: Path) -> None:
    folder = mirror_dir / dc.DIR / "data_centers"
    sites = dc.read_sites(folder / "data_centers.csv").set_index("handle")
    lines = dc.read_timelines(folder / "data_center_timelines.csv")
    state = dc.timeline_state(lines, dc.SNAPSHOT).set_index("handle").reindex(sites.index)
    for col in ("h100_equivalents", "power_mw", "capital_cost_usd_bn"):
        # Epoch rounds one published capital cost (Abilene: 8 vs 8.07)
        np.testing.assert_allclose(state[col], sites[col], rtol=0.01, err_msg=col)
    assert lines["projected"].sum() == (lines["date"] > dc.SNAPSHOT).sum() > 0
    assert set(lines["iso3"]) == {"USA", "CHN", "ARE"}


def test_history_and_projection(real_wh: Warehouse) -> None:
    chn = real_wh.panel(["frontier_dc_h100e"], countries=["CHN"]).set_index("year")["value"]
    assert chn.index.min() == 2016 and chn.loc[2016] == 0  # land clearing only
    assert chn.is_monotonic_increasing and chn.loc[2025] > chn.loc[2020]
    proj = real_wh.panel(["frontier_dc_h100e_projected"]).set_index("iso3")
    assert set(proj["year"]) == {2025}
    assert proj.loc["ARE", "value"] > 1e6  # Stargate UAE, 0 today
    cat = real_wh.indicator("frontier_dc_capex")
    assert cat["name_ko"] and "2025" in cat["unit"] and "tracked" in cat["description"]


# --- addresses and coordinates -------------------------------------------------------------
@pytest.mark.parametrize(("address", "iso3"), [
    ("55001 Larrison Blvd, New Carlisle, IN 46552", "USA"),
    ("Holly Ridge, LA 71269", "USA"),
    ("Madison Mega Site Canton, Mississippi Madison County", "USA"),
    ("1 Main St, Santa Fe, New Mexico", "USA"),
    ("Zhangbei County, Zhangjiakou, Hebei, China, 076471", "CHN"),
    ("Al Dhafrah, Abu Dhabi, United Arab Emirates", "ARE"),
    ("123 Teheran-ro, Gangnam-gu, Seoul, South Korea", "KOR"),
    ("Nowhere Road, Atlantis", None),
    ("", None),
])
def test_address_country(address: str, iso3: str | None) -> None:
    assert dc.address_country(address)[0] == iso3


def test_puerto_rico_is_not_a_state() -> None:
    assert dc.address_country("1 Calle, San Juan, Puerto Rico")[0] == "PRI"


@pytest.mark.parametrize(("text", "axis", "value"), [
    ("32°35'25\"N", "latitude", 32.590278), ("90°05'35\"W", "longitude", -90.093056),
    ("41°11'6.6732\"N", "latitude", 41.185187), (" 32°29'59\"N", "latitude", 32.499722),
    ("-33.5", "latitude", -33.5), ("", "latitude", np.nan),
])
def test_parse_coordinate(text: str, axis: str, value: float) -> None:
    got = dc.parse_coordinate(text, axis)
    assert (np.isnan(got) and np.isnan(value)) or got == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize("text", ["32°35'25\"E", "95.0", "north", "12°75'00\"N"])
def test_bad_latitude(text: str) -> None:
    with pytest.raises(ValueError, match=r"hemisphere|within|not a coordinate|below 60"):
        dc.parse_coordinate(text, "latitude")


@given(st.integers(0, 89), st.integers(0, 59), st.floats(0, 59.999), st.sampled_from("NS"))
def test_dms_round_trip(deg: int, mins: int, secs: float, hemi: str) -> None:
    text = f"{deg}°{mins}'{secs:.3f}\"{hemi}"
    value = (deg + mins / 60 + float(f"{secs:.3f}") / 3600) * (1 if hemi == "N" else -1)
    assert dc.parse_coordinate(text, "latitude") == pytest.approx(value, abs=1e-9)


# --- constructed files ---------------------------------------------------------------------
def _site(handle: str, address: str, lat: str, lon: str, h100: str = "100") -> list[str]:
    return [handle, handle, "", address, lat, lon, "Owner", "", "", "", "", h100, "10", "1"]


def _write(folder: Path, sites: list[list[str]], lines: list[list[str]] | None = None
           ) -> Path:
    d = folder / dc.DIR / "data_centers"
    d.mkdir(parents=True)
    pd.DataFrame(sites, columns=SITES_HEADER).to_csv(d / "data_centers.csv", index=False)
    if lines is None:
        lines = [["2024-01-01", s[0], "operational", "10", s[11], "1", "1", "0.5", "0.5", "",
                  "", "", "0"] for s in sites]
    pd.DataFrame(lines, columns=TL_HEADER).to_csv(d / "data_center_timelines.csv",
                                                  index=False)
    return d


def test_coordinates_outside_the_country_are_an_error(tmp_path: Path) -> None:
    d = _write(tmp_path, [_site("A", "1 Road, Austin, TX 78701", "37°33'N", "126°58'E")])
    with pytest.raises(DataFormatError, match=r"says USA .* outside its bounding box") as e:
        dc.read_sites(d / "data_centers.csv")
    assert e.value.row == 2 and e.value.column == "Address"


def test_unresolved_address_is_kept_null_and_counted(tmp_path: Path) -> None:
    d = _write(tmp_path, [_site("A", "1 Road, Austin, TX 78701", "30°16'N", "97°44'W"),
                          _site("B", "Somewhere, Atlantis", "10°00'N", "10°00'E")])
    sites = dc.read_sites(d / "data_centers.csv")
    assert sites["iso3"].tolist() == ["USA", None]
    assert dc.unresolved(sites)["handle"].tolist() == ["B"]
    ind = dc.derive_sites(sites, d)
    assert set(ind["iso3"]) == {"USA"}  # the unresolved site enters no country


def test_country_without_a_box_is_kept_unchecked(tmp_path: Path) -> None:
    d = _write(tmp_path, [_site("A", "Reykjavik, Iceland", "64°08'N", "21°56'W")])
    sites = dc.read_sites(d / "data_centers.csv")
    assert sites["iso3"].tolist() == ["ISL"] and not sites["coordinates_checked"].any()


@pytest.mark.parametrize(("change", "match", "column"), [
    (lambda s, t: s[0].__setitem__(4, "95°N"), "within", "Latitude"),
    (lambda s, t: s[0].__setitem__(11, "-5"), "negative", None),
    (lambda s, t: s.append(list(s[0])), "not unique", "Handle"),
    (lambda s, t: t[0].__setitem__(1, "Ghost site"), "not in data_centers.csv", "Data center"),
    (lambda s, t: t[0].__setitem__(0, "soon"), "not a date", "Date"),
])
def test_bad_files_name_the_place(tmp_path: Path, change: object, match: str,
                                  column: str | None) -> None:
    sites = [_site("A", "1 Road, Austin, TX 78701", "30°16'N", "97°44'W")]
    lines = [["2024-01-01", "A", "operational", "10", "100", "1", "1", "0.5", "0.5", "", "",
              "", "0"]]
    change(sites, lines)  # type: ignore[operator]
    d = _write(tmp_path, sites, lines)
    with pytest.raises(DataFormatError, match=match) as e:
        dc.read_timelines(d / "data_center_timelines.csv")
    assert e.value.row is not None
    if column:
        assert e.value.column == column


def test_pull_constructed_is_all_or_nothing(tmp_path: Path) -> None:
    d = _write(tmp_path, [_site("A", "1 Road, Austin, TX 78701", "30°16'N", "97°44'W")])
    db = tmp_path / "wh.duckdb"
    ids = [x.id for x in dc.DATASETS]
    pull(db_path=db, data_dir=tmp_path, datasets=ids)
    with Warehouse.open(db) as wh:
        assert wh.records("data_centers")["iso3"].tolist() == ["USA"]
        assert wh.records("data_center_timelines")["projected"].tolist() == [False]
    (d / "data_centers.csv").write_text((d / "data_centers.csv").read_text()
                                        .replace("TX 78701", "Atlantis 1").replace("30°16'N",
                                                                                 "95°N"))
    with pytest.raises(DataFormatError):
        pull(db_path=db, data_dir=tmp_path, datasets=ids)
    with Warehouse.open(db) as wh:  # the store is as it was
        assert wh.records("data_centers")["iso3"].tolist() == ["USA"]
