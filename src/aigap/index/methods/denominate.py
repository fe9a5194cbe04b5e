"""Denomination methods: indicators divided by a denominator (GDP, population, area ...).

As COINr's ``Denominate``: only the listed indicators change, each divided by its own
denominator column over its own scale factor, ``x / (d / s)``. The pipeline passes ``D`` with
the scale factor already applied (``d / s`` in denominated columns, 1 elsewhere), so a method
sees one denominator per cell. ``factor`` gives, per cell, what a denominated value is
multiplied by to get the raw value back (what-it-takes inverts moves with it).
"""

from __future__ import annotations

import numpy as np

from aigap.index.methods.registry import register


def _divide_factor(D: np.ndarray) -> np.ndarray:
    """raw = denominated * D (D = denominator / scale factor)."""
    return D


@register("denominate", "divide", factor=_divide_factor)
def denominate(X: np.ndarray, D: np.ndarray) -> np.ndarray:
    """``X / D`` column by column (NaN where the denominator is NaN; x/0 -> NaN)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = X / D
    out[~np.isfinite(out)] = np.nan
    return out


def _multiply_factor(D: np.ndarray) -> np.ndarray:
    """raw = multiplied / D (D = multiplier / scale factor)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 / D


@register("denominate", "multiply", factor=_multiply_factor)
def multiply(X: np.ndarray, D: np.ndarray) -> np.ndarray:
    """``X * D`` column by column: a rate back to an amount (patents per 100,000 people x
    population / 100,000 = patents), for the scale edition of a spec whose source publishes
    only the rate. NaN where the multiplier is NaN."""
    out = X * D
    out[~np.isfinite(out)] = np.nan
    return out
