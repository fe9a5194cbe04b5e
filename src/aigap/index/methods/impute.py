"""Imputation methods (COINr ``Impute``): fill NaNs per indicator or per group of units.

A method that takes ``groups`` needs the step's ``group`` column (the schema says so).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aigap.index.methods.registry import register
from aigap.index.methods.stats import quiet_nan_warnings

Stat = Callable[..., np.ndarray]


def _indicator_fill(X: np.ndarray, stat: Stat) -> np.ndarray:
    out = X.copy()
    with np.errstate(invalid="ignore"), quiet_nan_warnings():
        fill = stat(X, axis=0)
    rows, cols = np.nonzero(np.isnan(out))
    out[rows, cols] = fill[cols]
    return out


def _group_fill(X: np.ndarray, groups: np.ndarray | None, stat: Stat) -> np.ndarray:
    """Each unit's NaNs from its group's statistic.

    Leaves a value missing when its whole group lacks the indicator, and leaves units whose
    group label is missing untouched (COINr's ``skip_f_na``).
    """
    if groups is None:
        raise ValueError("group imputation needs group labels")
    out = X.copy()
    labels = np.asarray(groups, dtype=object)
    valid = np.array([g is not None and g == g and g != "" for g in labels])
    for g in np.unique(labels[valid].astype(str)):
        rows = valid & (labels.astype(str) == g)
        sub = out[rows]
        with np.errstate(invalid="ignore"), quiet_nan_warnings():
            fill = stat(X[rows], axis=0)
        r, c = np.nonzero(np.isnan(sub))
        sub[r, c] = fill[c]
        out[rows] = sub
    return out


@register("impute", "indicator_mean")
def indicator_mean(X: np.ndarray) -> np.ndarray:
    """Each NaN by its indicator's mean."""
    return _indicator_fill(X, np.nanmean)


@register("impute", "indicator_median")
def indicator_median(X: np.ndarray) -> np.ndarray:
    """Each NaN by its indicator's median."""
    return _indicator_fill(X, np.nanmedian)


@register("impute", "group_mean")
def group_mean(X: np.ndarray, *, groups: np.ndarray | None) -> np.ndarray:
    """Each NaN by the mean of the unit's group (a column of the data, e.g. EurAsia_group)."""
    return _group_fill(X, groups, np.nanmean)


@register("impute", "group_median")
def group_median(X: np.ndarray, *, groups: np.ndarray | None) -> np.ndarray:
    """Each NaN by the median of the unit's group."""
    return _group_fill(X, groups, np.nanmedian)


@register("impute", "none")
def no_imputation(X: np.ndarray) -> np.ndarray:
    """Leave NaNs missing (aggregation re-weights over the available children)."""
    return X.copy()
