"""Warehouse.records(): record tables, filters, validation, and lossless round trips."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.analysis.strategy.frontier import load_epoch_models
from aigap.data.sources import epoch
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError, WarehouseError

APRIL = epoch.VINTAGE


def test_tables_with_vintages(real_wh: Warehouse) -> None:
    t = real_wh.record_tables().set_index("table")
    assert set(t.index) == {"top500_systems", "gpu_clusters", "epoch_models", "published_ranks",
                           "data_centers", "data_center_timelines", "ml_hardware"}
    assert t.loc["top500_systems", "rows"] == 49 * 500
    assert t.loc["top500_systems", "vintages"][0] == "TOP500 2000-06"
    assert t.loc["top500_systems", "vintages"][-1] == "TOP500 2025-06"
    assert t.loc["epoch_models", "country_column"] == "countries"
    assert "h100_equivalents" in t.loc["gpu_clusters", "columns"]
    cols = real_wh.record_columns("gpu_clusters").set_index("column")
    assert cols.loc["site", "type"] == "VARCHAR" and "Builds Upon" in cols.loc["site",
                                                                               "description"]


def test_filters(real_wh: Warehouse) -> None:
    # list-valued country column: a co-developed model matches each of its countries
    both = real_wh.records("epoch_models", country="KOR", vintage=APRIL)
    assert len(both) > 5 and both["countries"].map(lambda cs: "KOR" in cs).all()
    multi = real_wh.records("epoch_models", country=["KOR", "USA"], vintage=APRIL)
    assert len(multi) > len(both)
    lang = real_wh.records("epoch_models", vintage=APRIL, where={"domains": "Language"},
                           columns=["domains"])
    assert lang["domains"].map(lambda d: "Language" in d).all()
    sel = real_wh.records("gpu_clusters", country="KOR",
                          where={"status": ["Planned", "Existing"], "certainty": "Confirmed"},
                          columns=["name", "status", "certainty"])
    assert list(sel.columns) == ["name", "status", "certainty"]
    assert set(sel["status"]) <= {"Planned", "Existing"} and (sel["certainty"] == "Confirmed"
                                                                ).all()
    unknown = real_wh.records("gpu_clusters", where={"iso3": None}, columns=["country"])
    assert len(unknown) > 50 and unknown["country"].isna().all()
    everything = real_wh.records("gpu_clusters")
    assert {"source", "vintage", "source_row"} <= set(everything.columns)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"table": "top500"}, "unknown record table 'top500'; tables: data_center_timelines ("),
    ({"table": "gpu_clusters", "columns": ["h100_equivalent"]},
     "no column 'h100_equivalent' (did you mean h100_equivalents"),
    ({"table": "gpu_clusters", "where": {"statu": "Existing"}}, "no column 'statu'"),
    ({"table": "top500_systems", "vintage": "2025-06"}, "its vintages: TOP500 2000-06"),
    ({"table": "top500_systems", "where": {"rank": "first"}}, "cannot filter"),
])
def test_bad_arguments(real_wh: Warehouse, kwargs: dict[str, object], fragment: str) -> None:
    table = kwargs.pop("table")
    with pytest.raises(WarehouseError) as err:
        real_wh.records(str(table), **kwargs)  # type: ignore[arg-type]
    assert fragment in str(err.value)


def test_bad_country(real_wh: Warehouse) -> None:
    with pytest.raises(AigapError, match="unknown country code"):
        real_wh.records("top500_systems", country="XXQ")


def test_april_models_round_trip_exactly(real_wh: Warehouse, mirror_dir: Path) -> None:
    """The analyses read the warehouse now; what they get is what the parser read."""
    em = load_epoch_models(real_wh, APRIL)
    direct = epoch.read_models(mirror_dir / epoch.RELPATH)
    got = em.models[direct.columns]
    for col in direct.columns:
        pd.testing.assert_series_equal(got[col], direct[col], obj=col)
    assert em.vintage == APRIL and em.source == "epoch_notable_models"
    late = load_epoch_models(real_wh, "Epoch AI data bundle, late 2025 (models to 2025-11-24)")
    assert len(late.models) == 965 and late.source == "epoch_2025_12_notable_models"
    with pytest.raises(WarehouseError, match="its vintages"):
        load_epoch_models(real_wh, "1999")


def test_no_analysis_module_imports_a_parser() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "aigap" / "analysis"
    offenders = [p.name for p in src.rglob("*.py") if "aigap.data.sources" in p.read_text()]
    assert offenders == []


def test_old_warehouse_without_record_tables(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "old.duckdb"
    duckdb.connect(str(db)).close()
    with Warehouse.open(db) as wh:
        assert wh.record_tables().empty
        with pytest.raises(WarehouseError, match="has none: run `aigap data pull`"):
            wh.records("top500_systems")
