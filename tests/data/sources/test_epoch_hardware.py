"""Epoch AI ML hardware: records with the designer's country, accelerators designed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.data.sources import epoch_hardware as hw
from aigap.data.warehouse import Warehouse
from aigap.errors import DataFormatError


def test_hardware_real(real_wh: Warehouse) -> None:
    recs = real_wh.records("ml_hardware")
    assert len(recs) == 170
    assert recs["designer_iso3"].value_counts(dropna=False).to_dict() == {
        "USA": 121, "CHN": 47, "JPN": 1, None: 1}
    groq = recs.set_index("name").loc["GroqChip LPU v1"]
    assert groq["designer"] is None and groq["designer_iso3"] is None  # kept, not guessed
    ascend = real_wh.records("ml_hardware", country="CHN", where={"designer": "Huawei"})
    assert len(ascend) == 19
    n = real_wh.panel(["ml_accelerators_designed"]).groupby("iso3")["value"].sum()
    dated = recs[recs["release_date"].notna() & recs["designer_iso3"].notna()]
    assert n.to_dict() == dated["designer_iso3"].value_counts().to_dict()
    assert "KOR" not in n.index  # no Korean-designed accelerator tracked: absent, not zero


def _file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    cols = [*hw.TEXT, "Release date", *hw.NUMERIC]
    p = tmp_path / "ml_hardware.csv"
    pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows]).to_csv(p, index=False)
    return p


def test_unknown_designer_names_the_row(tmp_path: Path) -> None:
    p = _file(tmp_path, [{"Hardware name": "H100", "Manufacturer": "NVIDIA"},
                         {"Hardware name": "ATOM", "Manufacturer": "Rebellions"}])
    with pytest.raises(DataFormatError, match="'Rebellions' has no country") as e:
        hw.read_hardware(p)
    assert (e.value.row, e.value.column) == (3, "Manufacturer")


def test_counts_per_release_year(tmp_path: Path) -> None:
    p = _file(tmp_path, [
        {"Hardware name": "A", "Manufacturer": "NVIDIA", "Release date": "2023-03-01"},
        {"Hardware name": "B", "Manufacturer": "AMD", "Release date": "2023-11"},
        {"Hardware name": "C", "Manufacturer": "Huawei", "Release date": "2024"},
        {"Hardware name": "D", "Manufacturer": "Huawei"},  # no date: kept, not counted
        {"Hardware name": "E", "Manufacturer": ""},  # no designer: kept, not counted
    ])
    recs = hw.read_hardware(p)
    assert len(recs) == 5
    out = hw.derive_hardware(recs, p).set_index(["iso3", "year"])["value"]
    assert out.to_dict() == {("CHN", 2024): 1.0, ("USA", 2023): 2.0}


def test_negative_spec_is_an_error(tmp_path: Path) -> None:
    p = _file(tmp_path, [{"Hardware name": "A", "Manufacturer": "NVIDIA", "TDP (W)": "-700"}])
    with pytest.raises(DataFormatError, match="negative"):
        hw.read_hardware(p)
