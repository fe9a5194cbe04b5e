"""Streaming robustness statistics: tallies give the numbers the raw replications give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigap.analysis.uncertainty import robustness as rb
from aigap.analysis.uncertainty.robustness import Tally, prepare, robustness

from .test_robustness import toy_spec

TOY = pd.DataFrame({"x1": [10.0, 8.0, 6.0, 1.0, 5.0], "x2": [2.0, 3.0, 9.0, 7.0, np.nan]},
                   index=list("ABCDE"))
UNC = {"weights": [{"level": 2, "spread": 0.6}], "imputation": ["none", "indicator_mean"]}


@pytest.fixture(scope="module")
def setup() -> rb.Setup:
    return prepare(toy_spec(), UNC, data=TOY)


def test_tally_statistics_equal_raw_replications(setup: rb.Setup) -> None:
    res = robustness(toy_spec(), n=3 * rb.BLOCK + 5, seed=2, setup=setup,
                     keep_replications=True)
    assert res.ranks is not None and res.failed is not None
    R = res.ranks[~res.failed].astype(float)
    R[R == 0] = np.nan
    df = res.to_frame().reindex(res.units)
    with np.errstate(invalid="ignore"):
        q = np.nanquantile(R, [0.5, 0.05, 0.95], axis=0, method="inverted_cdf")
        shift = np.nanmean(np.abs(R - res.nominal_rank), axis=0)
    np.testing.assert_array_equal(df["median_rank"], q[0])
    np.testing.assert_array_equal(df["rank_p05"], q[1])
    np.testing.assert_array_equal(df["rank_p95"], q[2])
    np.testing.assert_array_equal(df["p_top3"], (R <= 3).mean(axis=0))
    np.testing.assert_array_equal(df["mean_abs_shift"], shift)
    assert res.mean_abs_shift == pytest.approx(float(np.nanmean(res.shift)), rel=1e-13)
    plain = robustness(toy_spec(), n=3 * rb.BLOCK + 5, seed=2, setup=setup)
    assert plain.ranks is None and plain.scores is None
    pd.testing.assert_frame_equal(plain.to_frame(), res.to_frame())
    with pytest.raises(rb.SpecError, match="keep_replications"):
        _ = plain.shift


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_rank_quantiles_equal_numpy_inverted_cdf(m: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ranks = rng.integers(0, m + 1, size=(n, m)).astype(np.uint16)  # 0 = unranked
    failed = rng.random(n) < 0.1
    out = {"ranks": ranks, "failed": failed, "scores": rng.random((n, m)).astype(np.float32)}
    t = Tally.of_block(out, np.arange(1.0, m + 1))
    R = ranks[~failed].astype(float)
    R[R == 0] = np.nan
    qs = [0.5, 0.05, 0.95, 0.0, 1.0, 0.3]
    with np.errstate(invalid="ignore"), rb.quiet_nan_warnings():
        want = np.nanquantile(R, qs, axis=0, method="inverted_cdf") if len(R) else \
            np.full((len(qs), m), np.nan)
    np.testing.assert_array_equal(t.rank_quantiles(qs), want)


def test_score_sketch_beyond_the_exact_budget(setup: rb.Setup,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    exact = robustness(toy_spec(), n=2 * rb.BLOCK, seed=5, setup=setup).to_frame()
    monkeypatch.setattr(rb, "EXACT_SCORES", 0)
    res = robustness(toy_spec(), n=2 * rb.BLOCK, seed=5, setup=setup)
    assert res.tally.scores is None and res.tally.sketch is not None
    got = res.to_frame()
    span = (exact["score_p95"] - exact["score_p05"]).abs().max()
    for c in ("score_p05", "score_p95", "score_mean"):
        np.testing.assert_allclose(got[c], exact[c], atol=0.02 * span)
    rank_cols = ["median_rank", "rank_p05", "rank_p95", "p_top3", "mean_abs_shift"]
    pd.testing.assert_frame_equal(got[rank_cols], exact[rank_cols])


def test_sketch_bins_preserve_order() -> None:
    v = np.array([-1e30, -3.5, -1e-20, -0.0, 0.0, 1e-20, 2.0, 2.01, 7e30], dtype=np.float32)
    b = rb._sketch_bin(v)
    assert (np.diff(b) >= 0).all() and b[0] < b[-1]
    lo = rb._bin_value(b)
    assert (lo <= v.astype(float) + 1e-300).all()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_rank_rows_near_ties_nan_and_huge_values(rows: int, m: int, seed: int) -> None:
    """Near-ties (equal in float32, not in float64), true ties and NaN rank as pandas does."""
    rng = np.random.default_rng(seed)
    S = rng.choice([1.0, 1.0 + 1e-12, 1.0 + 2e-12, 2.0, np.nan, 0.5], size=(rows, m))
    S[rng.random(S.shape) < 0.5] = rng.random() * 10
    want = pd.DataFrame(S.T).rank(ascending=False, method="min").to_numpy().T
    np.testing.assert_array_equal(rb.rank_rows(S), want)
    np.testing.assert_array_equal(rb.rank_rows(S * 1e300), want)  # beyond float32
