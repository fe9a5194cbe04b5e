"""The warehouse: provenance, idempotent and all-or-nothing pulls, concurrent readers."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from aigap.data.warehouse import Warehouse, pull
from aigap.errors import AigapError, DataFormatError, WarehouseError
from factories import DATASETS, OWID_INV, assert_same, make_mirror, snapshot


@pytest.fixture()
def mirror(tmp_path: Path) -> Path:
    return make_mirror(tmp_path / "mirror")


def test_pull_keeps_provenance(mirror: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    report = pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    assert report.rows == 8 * 3 + 6 + 3  # world aggregate row dropped
    with Warehouse.open(db) as wh:
        p = wh.panel(["private_ai_investment"], countries=["KOR"], years=[2023])
        assert p["value"].tolist() == [2605634733.0]
        assert p["unit"].iloc[0] == "US$ (constant 2021)"
        assert p["source"].iloc[0] == "owid_cset_private_ai_investment"
        assert "2025" in p["vintage"].iloc[0]
        src = wh.sources().set_index("id")
        assert src.loc["owid_cset_private_ai_investment", "rows"] == 6
        assert len(src.loc["wb_gdp_current_usd", "sha256"]) == 64
        assert bool(src.loc["tortoise_global_ai_index", "vintage_inferred"]) is True
        row = wh.con.execute("SELECT source_row FROM observations WHERE indicator = "
                             "'private_ai_investment' AND iso3='KOR' AND year=2023").fetchone()
        assert row == (5,)  # line 5 of the file: traceable to the source row


def test_pull_is_idempotent(mirror: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    first = snapshot(db)
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    assert_same(first, snapshot(db))


def test_failing_file_leaves_store_unchanged(mirror: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    before = snapshot(db)
    bytes_before = db.read_bytes()
    (mirror / OWID_INV).write_text("Entity,Code,Year,Estimated investment - Field: All\n"
                                   "South Korea,KOR,2023,lots\n")
    with pytest.raises(DataFormatError, match="row 2, column 'Estimated investment"):
        pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    assert db.read_bytes() == bytes_before
    assert_same(before, snapshot(db))
    assert not list(tmp_path.glob(".wh.duckdb*.tmp"))  # no temp file left behind


def test_subset_pull_keeps_other_sources(mirror: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    pull(db_path=db, data_dir=mirror, datasets=["wb_gdp_current_usd"])
    with Warehouse.open(db) as wh:
        assert set(wh.sources()["id"]) == set(DATASETS)


def test_unknown_dataset_is_named(mirror: Path, tmp_path: Path) -> None:
    with pytest.raises(AigapError, match="unknown dataset"):
        pull(db_path=tmp_path / "wh.duckdb", data_dir=mirror, datasets=["nope"])


def test_open_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="aigap data pull"):
        Warehouse.open(tmp_path / "none.duckdb")


def test_reader_keeps_working_during_pull(mirror: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    errors: list[BaseException] = []
    results: list[int] = []
    stop = threading.Event()

    def read_loop() -> None:
        # a separate process, as a second user would be
        code = (
            "import sys; from aigap.data.warehouse import Warehouse\n"
            "for _ in range(15):\n"
            f"    wh = Warehouse.open({str(db)!r}); n = len(wh.panel(['gdp_current_usd'])); "
            "wh.close(); print(n)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120)
        if out.returncode:
            errors.append(RuntimeError(out.stderr))
        results.extend(int(x) for x in out.stdout.split())
        stop.set()

    t = threading.Thread(target=read_loop)
    t.start()
    while not stop.is_set():
        pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    t.join()
    assert not errors, errors
    assert results and set(results) == {3}


def test_panel_rejects_unknown_inputs(mirror: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    with Warehouse.open(db) as wh:
        with pytest.raises(AigapError, match="did you mean private_ai_investment"):
            wh.panel(["private_ai_investmnt"])
        with pytest.raises(AigapError, match="XXX"):
            wh.panel(["private_ai_investment"], countries=["KOR", "XXX"])


# --- the real mirror ------------------------------------------------------------------------

def test_real_mirror_korea_usa_china_investment(real_wh: Warehouse) -> None:
    p = real_wh.panel(["private_ai_investment"], countries=["KOR", "USA", "CHN"],
                      years=range(2019, 2024))
    assert len(p) == 15
    v = p.set_index(["iso3", "year"])["value"]
    assert v[("KOR", 2023)] == pytest.approx(2605634733)
    # "one or two more zeros": the US invests well over 10x Korea
    assert v[("USA", 2023)] / v[("KOR", 2023)] > 10


def test_real_mirror_has_no_aggregates_or_unknown_codes(real_wh: Warehouse) -> None:
    known = set(real_wh.countries()["iso3"])
    codes = {r[0] for r in real_wh.con.execute("SELECT DISTINCT iso3 FROM observations")
             .fetchall()}
    assert codes <= known, codes - known


def test_real_mirror_every_indicator_is_catalogued(real_wh: Warehouse) -> None:
    cat = real_wh.indicators()
    used = {r[0] for r in real_wh.con.execute("SELECT DISTINCT indicator FROM observations")
            .fetchall()}
    assert used <= set(cat["code"])
    assert cat["name_ko"].map(lambda s: any("가" <= ch <= "힣" for ch in s)).all()
    assert set(cat["direction"]) <= {1, -1}


def test_real_mirror_oecd_has_38_members_with_korean_names(real_wh: Warehouse) -> None:
    oecd = real_wh.countries("OECD")
    assert len(oecd) == 38
    assert oecd.set_index("iso3").loc["KOR", "name_ko"] == "한국"
