"""Golden test: the `asem` spec reproduces COINr's own output for its default build."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.mark.parametrize("name", ["Raw", "Normalised", "Aggregated"])
def test_asem_matches_coinr_reference(asem, asem_dir, name):
    ref = pd.read_csv(asem_dir / "reference" / f"{name}.csv").set_index("uCode")
    ours = asem.dataset(name)
    assert sorted(ours.index) == sorted(ref.index)
    assert set(ref.columns) <= set(ours.columns)
    got = ours.loc[ref.index, ref.columns].to_numpy(dtype=float)
    want = ref.to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    # reference has 15 significant digits
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_aggregated_has_every_code(asem, asem_dir):
    meta = pd.read_csv(asem_dir / "iMeta.csv")
    codes = meta.loc[meta["Type"].isin(["Indicator", "Aggregate"]), "iCode"]
    agg = asem.dataset("Aggregated")
    assert set(agg.columns) == set(codes)
    assert agg.index.name == "uCode" and len(agg) == 51


def test_scores_and_ranks(asem):
    s, r = asem.scores, asem.ranks
    assert s.shape == (51, 11) and r.shape == s.shape
    assert r["Index"].min() == 1
    assert r["Index"].idxmin() == s["Index"].idxmax()
    # ties share the best rank ('min')
    tied = asem.dataset("Aggregated")["LPI"].rank(ascending=False, method="min")
    assert tied.max() <= 51
