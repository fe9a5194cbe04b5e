"""Column statistics with COINr's definitions (sample sd, e1071 type-2 skewness/kurtosis).

Definitions follow COINr 1.1.x (R package by W. Becker). Units x indicators, NaN = missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np


def quiet_nan_warnings() -> warnings.catch_warnings:
    """Silence 'Mean of empty slice' warnings (an all-NaN column stays NaN, by design)."""
    return warnings.catch_warnings(action="ignore", category=RuntimeWarning)


def colstat(X: np.ndarray, fn: Callable[..., np.ndarray]) -> np.ndarray:
    """``fn(X, axis=0)`` with NaN warnings silenced (an all-NaN column gives NaN)."""
    with np.errstate(invalid="ignore"), quiet_nan_warnings():
        return fn(X, axis=0)


def _deviations(x: np.ndarray, min_n: int) -> tuple[int, np.ndarray, np.float64] | None:
    """(n, deviations from the mean, their sum of squares) of the non-NaN values; None with
    fewer than ``min_n`` values or no spread (the moment is then undefined)."""
    v = x[~np.isnan(x)]
    if v.size < min_n:
        return None
    d = v - v.mean()
    s2 = np.dot(d, d)
    return None if s2 == 0 else (v.size, d, s2)


def skew(x: np.ndarray) -> float:
    """COINr ``skew`` (e1071 type 2 = Excel's SKEW) of the non-NaN values; NaN if < 3 values."""
    dev = _deviations(x, 3)
    if dev is None:
        return float("nan")
    n, d, s2 = dev
    g = np.sqrt(n) * np.sum(d**3) / s2**1.5
    return float(g * np.sqrt(n * (n - 1)) / (n - 2))


def kurt(x: np.ndarray) -> float:
    """COINr ``kurt`` (e1071 type 2 = Excel's KURT, excess kurtosis); NaN if < 4 values."""
    dev = _deviations(x, 4)
    if dev is None:
        return float("nan")
    n, d, s2 = dev
    r = n * np.sum(d**4) / s2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def skew_kurt_cols(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise :func:`skew` and :func:`kurt` in one vectorised pass."""
    mask = ~np.isnan(X)
    n = mask.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mask, X, 0.0).sum(axis=0) / n
        d = np.where(mask, X - mean, 0.0)
        d2 = d * d
        s2 = d2.sum(axis=0)
        s3 = (d2 * d).sum(axis=0)
        s4 = (d2 * d2).sum(axis=0)
        sk = np.sqrt(n) * s3 / s2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * s4 / s2**2
        kt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    sk[(n < 3) | (s2 == 0)] = np.nan
    kt[(n < 4) | (s2 == 0)] = np.nan
    return sk, kt


def passes_skew_kurt(sk: float, kt: float, skew_thresh: float, kurt_thresh: float) -> bool | None:
    """COINr ``check_SkewKurt``: pass if |skew| < t_s OR kurt < t_k; None when undefined (NA)."""
    a = None if np.isnan(sk) else abs(sk) < skew_thresh
    b = None if np.isnan(kt) else kt < kurt_thresh
    if a is True or b is True:  # R: TRUE | NA is TRUE
        return True
    if a is None or b is None:
        return None
    return False


def rank_desc(y: np.ndarray) -> np.ndarray:
    """Ranks with 1 = highest, ties share the best ('min') rank, NaN kept."""
    from scipy.stats import rankdata  # scipy.stats loads scipy.optimize: only when ranking

    return rankdata(-y, method="min", axis=0, nan_policy="omit")
