"""Invariants of the COINr-parity methods (hypothesis): Copeland, genmean, denominate,
dat_thresh membership and infinite values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from aigap.index import Spec, build_index
from aigap.index.batched import batched_scores, default_weights
from aigap.index.methods import aggregate as agg
from aigap.index.pipeline import aggregate_tree

from .conftest import small_data, small_spec

values = st.floats(-50, 50, allow_nan=False).map(lambda v: round(v, 1))  # ties happen
weights = arrays(float, st.integers(2, 5), elements=st.floats(0.1, 5))


@st.composite
def panels(draw, nan: bool = False):
    w = draw(weights)
    n = draw(st.integers(2, 8))
    elems = st.one_of(values, st.just(np.nan)) if nan else values
    X = draw(arrays(float, (n, w.size), elements=elems))
    return X, w


def _majority(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Naive pairwise majority: +1 / 0 / -1 for each ordered pair (shared indicators)."""
    n = X.shape[0]
    M = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ok = ~(np.isnan(X[i]) | np.isnan(X[j]))
            win = w[ok & (X[i] > X[j])].sum() if i != j else 0.0
            lose = w[ok & (X[i] < X[j])].sum() if i != j else 0.0
            M[i, j] = 0 if np.isclose(win, lose, rtol=0, atol=1e-12) else np.sign(win - lose)
    return M


@settings(max_examples=60, deadline=None)
@given(panels(nan=True))
def test_copeland_is_a_function_of_the_pairwise_majority(case):
    X, w = case
    np.testing.assert_array_equal(agg.copeland(X, w), _majority(X, w).sum(axis=1))


@settings(max_examples=60, deadline=None)
@given(panels(), st.integers(0, 2**31 - 1))
def test_copeland_invariant_to_monotone_transforms_and_weight_scale(case, seed):
    X, w = case
    rng = np.random.default_rng(seed)
    # a strictly increasing map per column keeps every pairwise comparison
    Y = np.exp(X / 25) * rng.uniform(0.5, 2, X.shape[1]) + rng.uniform(-3, 3, X.shape[1])
    np.testing.assert_array_equal(agg.copeland(Y, 3.0 * w), agg.copeland(X, w))


@settings(max_examples=60, deadline=None)
@given(panels(nan=True), st.randoms(use_true_random=False))
def test_copeland_permuting_units_permutes_scores(case, rnd):
    X, w = case
    perm = list(range(X.shape[0]))
    rnd.shuffle(perm)
    np.testing.assert_array_equal(agg.copeland(X[perm], w), agg.copeland(X, w)[perm])


positive = arrays(float, st.tuples(st.integers(1, 6), st.integers(1, 5)),
                  elements=st.floats(0.01, 100))


@settings(max_examples=60, deadline=None)
@given(positive, st.integers(0, 2**31 - 1))
def test_genmean_p1_is_arithmetic_and_p_to_0_is_geometric(X, seed):
    W = np.random.default_rng(seed).uniform(0.1, 3, (X.shape[1], 2))
    ar = agg.aggregate(X, W, "arithmetic")
    ge = agg.aggregate(X, W, "geometric")
    np.testing.assert_allclose(agg.aggregate(X, W, "genmean", params={"p": 1}), ar, rtol=1e-12)
    np.testing.assert_allclose(agg.aggregate(X, W, "genmean", params={"p": 1e-9}), ge,
                               rtol=1e-6)
    np.testing.assert_array_equal(agg.aggregate(X, W, "genmean", params={"p": 0}), ge)
    # the power mean grows with p
    lo = agg.aggregate(X, W, "genmean", params={"p": -1})
    hi = agg.aggregate(X, W, "genmean", params={"p": 3})
    assert np.all(lo <= ge * (1 + 1e-12)) and np.all(ar <= hi * (1 + 1e-12))


@settings(max_examples=25, deadline=None)
@given(st.floats(1e-3, 1e6), st.floats(0.1, 1e3), st.integers(0, 1000))
def test_denominating_by_a_constant_keeps_minmax_scores(c, scale, seed):
    data = small_data(seed=seed).assign(D=c)
    plain = build_index(small_spec(), data)
    steps = [{"step": "denominate", "by": "D", "indicators": ["i1", "i4"], "scale": scale},
             {"step": "normalise", "method": "minmax"}, {"step": "aggregate"}]
    den = build_index(small_spec(steps), data)
    raw = den.dataset("Raw")
    d = den.dataset("Denominated")
    # only the listed indicators change, each over d / scale
    np.testing.assert_allclose(d[["i1", "i4"]], raw[["i1", "i4"]] * scale / c, rtol=1e-12)
    pd.testing.assert_frame_equal(d.drop(columns=["i1", "i4"]), raw.drop(columns=["i1", "i4"]))
    np.testing.assert_allclose(den.dataset("Aggregated"), plain.dataset("Aggregated"),
                               rtol=1e-9, atol=1e-9)


def _spec_zero_weight(dat_thresh: float) -> Spec:
    sp = small_spec(steps=[{"step": "normalise"}, {"step": "aggregate",
                                                   "dat_thresh": dat_thresh}],
                    weights=[1, 0, 1, 1, 1, 1])
    return sp


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 1000), st.sampled_from([0.5, 0.67, 0.8, 1.0]))
def test_dat_thresh_counts_zero_weight_children_everywhere(seed, thresh):
    """Pipeline and batched evaluator (robustness' engine) count a zero-weight child as a
    member of its group, as COINr does."""
    data = small_data(seed=seed, missing=0.25)
    res = build_index(_spec_zero_weight(thresh), data)
    fw = res.framework
    X = res.dataset("Normalised")[fw.indicators].to_numpy(dtype=float)
    batch = batched_scores(X, fw, {lv: default_weights(fw, lv, 1) for lv in (2, 3)},
                           res.aggregation, all_levels=True)[0]
    np.testing.assert_allclose(batch, aggregate_tree(X, fw, res.aggregation), rtol=1e-12)
    P1 = res.dataset("Aggregated")["P1"].to_numpy()
    share = (~np.isnan(X[:, :3])).sum(axis=1) / 3  # i1 (weight 0) counts among 3 children
    assert np.all(np.isnan(P1[share < thresh]))


def test_infinite_child_stays_in_its_branch():
    X = np.array([[np.inf, 1.0, 2.0, 3.0], [1.0, 2.0, np.inf, -np.inf]])
    W = np.array([[1.0, 0], [1.0, 0], [0, 1.0], [0, 1.0]])
    y = agg.aggregate(X, W, "arithmetic")
    np.testing.assert_array_equal(y, [[np.inf, 2.5], [1.5, np.nan]])
    assert np.isinf(agg.aggregate(X[:1], W, "genmean", params={"p": 2})[0, 0])
