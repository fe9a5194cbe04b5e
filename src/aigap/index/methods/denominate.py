"""Denomination methods: indicators divided by a denominator (GDP, population, area ...).

``factor`` gives, per cell, what a denominated value is multiplied by to get the raw value
back (what-it-takes inverts moves with it).
"""

from __future__ import annotations

import numpy as np

from aigap.index.methods.registry import register


def _divide_factor(D: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """raw = denominated * D / scale."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return D / scale


@register("denominate", "divide", factor=_divide_factor)
def denominate(X: np.ndarray, D: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``X / D * scale`` column by column (NaN where the denominator is NaN; x/0 -> NaN)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = X / D * scale
    out[~np.isfinite(out)] = np.nan
    return out
