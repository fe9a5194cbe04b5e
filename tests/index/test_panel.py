"""Panel builds over the 5-year ASEM panel, with and without pooled normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from aigap.errors import SpecError
from aigap.index import PanelResult, Spec, build_index, load_spec


def _panel_spec(global_panel: bool) -> Spec:
    raw = load_spec("asem").model_dump(by_alias=True, exclude_none=True)
    raw["data"] = {"source": "asem", "panel": True}
    raw["steps"][0]["global_panel"] = global_panel
    return Spec.from_dict(raw)


def test_panel_per_year_and_pooled(asem_dir):
    per_year = build_index(_panel_spec(False))
    pooled = build_index(_panel_spec(True))
    assert isinstance(per_year, PanelResult) and per_year.years == [2018, 2019, 2020, 2021, 2022]
    for y in per_year.years:
        N = per_year[y].dataset("Normalised")
        assert np.allclose(N.min(), 0) and np.allclose(N.max(), 100)
    stacked = pooled.dataset("Normalised")
    assert np.allclose(stacked.min(), 0) and np.allclose(stacked.max(), 100)
    # with pooled goalposts at least one year does not reach 0/100 on some indicator
    assert any(not np.allclose(pooled[y].dataset("Normalised").max(), 100) for y in pooled.years)
    long = pooled.scores
    assert set(long["year"]) == set(pooled.years) and len(long) == 5 * 51
    # the single-year pick is computed inside the panel
    one = build_index(_panel_spec(True), year=2020)
    np.testing.assert_allclose(one.index, pooled[2020].index)


def test_panel_unknown_year(asem_dir):
    with pytest.raises(SpecError, match="no data for year 1999"):
        build_index(_panel_spec(True), year=1999)
