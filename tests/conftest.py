"""Shared fixtures: an isolated AIGAP_HOME and one warehouse pulled from the real mirror."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aigap import config


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's real warehouse or cache.

    AIGAP_DB is set (empty = unset) so that a CLI ``--db``, which writes os.environ, is undone
    after each test instead of leaking into the next.
    """
    monkeypatch.setenv("AIGAP_HOME", str(tmp_path_factory.mktemp("aigap_home")))
    monkeypatch.setenv("AIGAP_DB", "")


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The real data mirror (../shared/data); CI has it beside the clone."""
    return config.data_dir()


@pytest.fixture(scope="session")
def real_db(tmp_path_factory: pytest.TempPathFactory, mirror_dir: Path) -> Path:
    """A warehouse pulled once from the real mirror, shared read-only by the tests."""
    from aigap.data.warehouse import pull

    db = tmp_path_factory.mktemp("real_wh") / "warehouse.duckdb"
    pull(db_path=db, data_dir=mirror_dir)
    return db


@pytest.fixture()
def real_wh(real_db: Path) -> Iterator[object]:
    from aigap.data.warehouse import Warehouse

    with Warehouse.open(real_db) as wh:
        yield wh
