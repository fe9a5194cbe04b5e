"""explain(): indicator contributions sum to the index score."""

from __future__ import annotations

import numpy as np
import pytest

from aigap.errors import SpecError
from aigap.index import build_index


def test_arithmetic_contributions_are_weight_times_value(asem):
    ex = asem.explain("KOR")
    score = asem.index["KOR"]
    assert ex["contribution"].sum() == pytest.approx(score, rel=1e-12)
    # a missing indicator has weight 0 and contributes 0 (its weight went to its siblings)
    np.testing.assert_allclose(ex["contribution"], np.nan_to_num(ex["weight"] * ex["value"]),
                               rtol=1e-12)
    # effective weight = 1/n_ind(pillar) * 1/n_pillars(sub-index) * 1/2
    lpi = ex.set_index("indicator").loc["LPI"]
    assert lpi["weight"] == pytest.approx(1 / 8 * 1 / 5 * 1 / 2)
    assert lpi["level2"] == "Physical" and lpi["level3"] == "Conn" and lpi["level4"] == "Index"


def test_missing_values_get_zero_weight_and_sum_holds(asem):
    raw = asem.dataset("Raw")
    unit = raw.index[raw.isna().any(axis=1)][0]
    ex = asem.explain(unit).set_index("indicator")
    miss = raw.columns[raw.loc[unit].isna()]
    assert (ex.loc[miss, "weight"] == 0).all()
    assert ex["weight"].sum() == pytest.approx(1.0)
    assert ex["contribution"].sum() == pytest.approx(asem.index[unit], rel=1e-12)


def test_geometric_log_contributions_sum():
    res = build_index("asem-geometric")
    for u in ("KOR", "DEU", "MMR"):
        ex = res.explain(u)
        assert ex["contribution"].sum() == pytest.approx(res.index[u], rel=1e-10)
        # log-shares: each contribution is I * w * log(x) / log(I)
        idx = res.index[u]
        np.testing.assert_allclose(ex["contribution"],
                                   idx * ex["weight"] * np.log(ex["value"]) / np.log(idx),
                                   rtol=1e-9)


def test_unknown_unit(asem):
    with pytest.raises(SpecError, match="unit 'XXX' not in this build"):
        asem.explain("XXX")
