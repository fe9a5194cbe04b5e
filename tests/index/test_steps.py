"""Unit tests of the registered step methods (pure NumPy) against COINr's definitions."""

from __future__ import annotations

import numpy as np
import pytest

from aigap.index.methods import aggregate as agg
from aigap.index.methods import impute, normalise, screen, stats, treat

NAN = np.nan


def test_winsorise_counts_like_coinr():
    # COINr's documented example: 1..10 plus two outliers
    x = np.array([*range(1, 11), 30, 100], dtype=float)
    y, nwin, imax, imin = treat.winsorise(x, winmax=5)
    # 100 -> 30 (the next highest value); then the test passes
    assert nwin == 1 and imax.tolist() == [11] and imin.size == 0
    assert y[11] == y[10] == 30
    assert stats.passes_skew_kurt(stats.skew(y), stats.kurt(y), 2, 3.5)
    # a second round hits both tied points: the count accumulates through the tie
    x2 = np.array([*range(1, 31), 200, 1000], dtype=float)
    y2, nwin2, imax2, _ = treat.winsorise(x2, winmax=5)
    assert nwin2 == 2 and sorted(imax2.tolist()) == [30, 31] and y2[30] == y2[31] == 30


def test_winsorise_low_side_and_nan_kept():
    x = np.array([-100, *range(1, 15), NAN], dtype=float)
    y, nwin, _imax, imin = treat.winsorise(x)
    assert nwin == 1 and imin.tolist() == [0] and y[0] == 1 and np.isnan(y[-1])


def test_minmax_and_constant_column():
    X = np.array([[1.0, 5], [3, 5], [NAN, 5], [2, 5]])
    N = normalise.n_minmax(X, 0, 100)
    np.testing.assert_allclose(N[:, 0], [0, 100, NAN, 50])
    assert np.isnan(N[:, 1]).all()  # COINr: range 0 -> NaN


def test_rank_prank_borda_ties_min():
    x = np.array([[3.0], [1], [3], [NAN], [2]])
    np.testing.assert_array_equal(normalise.n_rank(x)[:, 0], [3, 1, 3, NAN, 2])
    np.testing.assert_array_equal(normalise.n_borda(x)[:, 0], [2, 0, 2, NAN, 1])
    np.testing.assert_allclose(normalise.n_prank(x)[:, 0], [2 / 3, 0, 2 / 3, NAN, 1 / 3])


def test_goalposts_direction_and_truncation():
    X = np.array([[0.0, 0], [5, 5], [20, 20]])
    d = np.array([1.0, -1])  # methods see x * direction, as in COINr
    y = normalise.n_goalposts(X * d, goalposts={"a": (0.0, 10.0), "b": (0.0, 10.0)},
                              codes=["a", "b"], direction=d, scale=100)
    np.testing.assert_allclose(y, [[0, 100], [50, 50], [100, 0]])


def test_dist2ref_targ_fracmax():
    x = np.array([[1.0], [2], [4]])
    units = ["u0", "u1", "u2"]
    np.testing.assert_allclose(normalise.n_dist2ref(x, "u1", units=units)[:, 0], [0, 1, 3])
    np.testing.assert_allclose(normalise.n_dist2ref(x, "u1", units=units, cap_max=True)[:, 0],
                               [0, 1, 1])
    got = normalise.n_dist2targ(x, {"a": 3.0}, framework=None, codes=["a"],
                                direction=np.ones(1))
    np.testing.assert_allclose(got[:, 0], [0, 0.5, 1.5])
    np.testing.assert_allclose(normalise.n_fracmax(x)[:, 0], [0.25, 0.5, 1])
    np.testing.assert_allclose(normalise.n_dist2max(x)[:, 0], [0, 1 / 3, 1])


def test_impute_group_mean_and_median():
    X = np.array([[1.0], [NAN], [3], [10], [NAN], [30], [NAN]])
    g = np.array(["a", "a", "a", "b", "b", "b", None], dtype=object)
    np.testing.assert_allclose(impute.group_mean(X, groups=g)[:, 0], [1, 2, 3, 10, 20, 30, NAN])
    np.testing.assert_allclose(impute.indicator_median(X)[:, 0][[1, 4, 6]], [6.5] * 3)


def test_screen_units_and_indicators():
    X = np.array([[1.0, NAN, NAN], [1, 2, 3], [0, 0, NAN]])
    assert screen.screen_units(X, 2 / 3).tolist() == [False, True, True]
    assert screen.screen_units(X, 0.5, nonzero_thresh=0.5).tolist() == [False, True, False]
    assert screen.screen_indicators(X, 0.6).tolist() == [True, True, False]


def test_aggregate_reweights_missing_and_dat_thresh():
    X = np.array([[10.0, NAN, 40], [NAN, NAN, NAN]])
    W = np.array([[1.0], [1], [2]])
    np.testing.assert_allclose(agg.aggregate(X, W)[:, 0], [30, NAN])
    assert np.isnan(agg.aggregate(X, W, dat_thresh=0.7)[0, 0])  # 2/3 available < 0.7
    np.testing.assert_allclose(agg.aggregate(X, W, "harmonic")[0, 0], 3 / (1 / 10 + 2 / 40))
    np.testing.assert_allclose(agg.aggregate(X, W, "geometric")[0, 0], (10 * 40**2) ** (1 / 3))
    with pytest.raises(ValueError, match="<= 0"):
        agg.aggregate(np.array([[0.0, 1, 1]]), W, "geometric")


def test_median_and_copeland():
    X = np.array([[1.0, 2, 3, 4], [4, 3, 2, 1], [5, 5, 5, 5]])
    W = np.ones((4, 1))
    np.testing.assert_allclose(agg.aggregate(X, W, "median")[:, 0], [2.5, 2.5, 5])
    # naive Copeland (COINr a_copeland): each pairwise outranking share (wins + half ties)
    # becomes +1 / 0 / -1 (> 0.5, = 0.5, < 0.5) before the row sums
    c = agg.copeland(X, np.ones(4))
    naive = [sum(np.sign(np.mean(X[i] > X[j]) + np.mean(X[i] == X[j]) / 2 - 0.5)
                 for j in range(3) if j != i) for i in range(3)]
    np.testing.assert_allclose(c, naive)
    np.testing.assert_allclose(c, [-1, -1, 2])


def test_rank_desc():
    np.testing.assert_array_equal(stats.rank_desc(np.array([5.0, 9, 5, NAN])), [2, 1, 2, NAN])
