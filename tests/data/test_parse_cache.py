"""The pull's parse cache and bulk writes: a file parsed and checked before by the same code
is not parsed again, and nothing stored depends on whether the cache was used."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigap import config
from aigap.data import warehouse
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import DataFormatError
from factories import DATASETS, OWID_INV, assert_same, make_mirror, snapshot


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ids of the datasets actually parsed."""
    calls: list[str] = []
    real = warehouse._parse_dataset

    def spy(ds, rf, records=None):  # type: ignore[no-untyped-def]
        calls.append(ds.id)
        return real(ds, rf, records)

    monkeypatch.setattr(warehouse, "_parse_dataset", spy)
    return calls


def test_second_pull_parses_nothing_and_stores_the_same(tmp_path: Path,
                                                        counted: list[str]) -> None:
    mirror = make_mirror(tmp_path / "m")
    pull(db_path=tmp_path / "a.duckdb", data_dir=mirror, datasets=DATASETS)
    assert sorted(counted) == sorted(DATASETS)
    counted.clear()
    pull(db_path=tmp_path / "b.duckdb", data_dir=mirror, datasets=DATASETS)
    assert counted == []  # every frame from the cache
    pull(db_path=tmp_path / "c.duckdb", data_dir=mirror, datasets=DATASETS, parse_cache=False)
    assert sorted(counted) == sorted(DATASETS)
    a, b, c = (snapshot(tmp_path / f"{x}.duckdb") for x in "abc")
    assert_same(a, b)
    assert_same(a, c)


def test_changed_file_is_parsed_again(tmp_path: Path, counted: list[str]) -> None:
    mirror = make_mirror(tmp_path / "m")
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    counted.clear()
    f = mirror / OWID_INV
    f.write_text(f.read_text().replace("2605634733", "2705634733"))
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    assert counted == ["owid_cset_private_ai_investment"]
    with Warehouse.open(db) as wh:
        kor = wh.panel(["private_ai_investment"], countries=["KOR"], years=[2023])
        assert kor["value"].iloc[0] == 2705634733
    # one entry per dataset: the older parse of the changed file is gone
    entries = list((config.cache_dir() / "pull").glob("owid_cset_private_ai_investment-*"))
    assert len(entries) == 1


def test_new_code_or_broken_entry_is_parsed_again(tmp_path: Path, counted: list[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = make_mirror(tmp_path / "m")
    pull(db_path=tmp_path / "wh.duckdb", data_dir=mirror, datasets=DATASETS)
    counted.clear()
    for entry in (config.cache_dir() / "pull").glob("tortoise*"):
        entry.write_bytes(b"not a pickle")
    pull(db_path=tmp_path / "wh.duckdb", data_dir=mirror, datasets=DATASETS)
    assert counted == ["tortoise_global_ai_index"]
    counted.clear()
    monkeypatch.setattr(warehouse, "code_fingerprint", lambda: "another aigap")
    pull(db_path=tmp_path / "wh.duckdb", data_dir=mirror, datasets=DATASETS)
    assert sorted(counted) == sorted(DATASETS)


def test_a_bad_file_is_never_cached(tmp_path: Path) -> None:
    mirror = make_mirror(tmp_path / "m")
    f = mirror / OWID_INV
    f.write_text(f.read_text().replace("2605634733", "lots"))
    for _ in range(2):
        with pytest.raises(DataFormatError, match="lots"):
            pull(db_path=tmp_path / "wh.duckdb", data_dir=mirror, datasets=DATASETS)
    assert not list((config.cache_dir() / "pull").glob("owid*"))


def test_fingerprint_covers_the_parsers() -> None:
    warehouse.code_fingerprint.cache_clear()
    assert len(warehouse.code_fingerprint()) == 64
    assert warehouse.code_fingerprint() == warehouse.code_fingerprint()
