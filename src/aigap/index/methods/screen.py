"""Screening (COINr ``Screen``): which units and indicators have enough data."""

from __future__ import annotations

import numpy as np


def screen_units(X: np.ndarray, dat_thresh: float = 2 / 3,
                 nonzero_thresh: float | None = None) -> np.ndarray:
    """Boolean mask of units kept by COINr's ``Screen`` (availability >= threshold).

    Availability = share of non-NaN indicators; non-zero share is of the available values.
    """
    avail = 1 - np.isnan(X).mean(axis=1)
    keep = avail >= dat_thresh
    if nonzero_thresh is not None:
        n_av = (~np.isnan(X)).sum(axis=1)
        zeros = (X == 0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            nonzero = 1 - zeros / n_av
        keep &= ~(nonzero < nonzero_thresh)
    return keep


def screen_indicators(X: np.ndarray, thresh: float) -> np.ndarray:
    """Boolean mask of indicators whose share of available values is >= ``thresh``."""
    return (1 - np.isnan(X).mean(axis=0)) >= thresh
