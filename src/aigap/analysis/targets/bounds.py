"""Plausibility and feasibility bounds shared by what-it-takes and the scenarios.

* **Kind of series**: a quantity that is never negative and not a bounded score (US$, counts,
  H100-equivalents) changes by a *growth rate*; a bounded score, a percentage or a signed
  quantity (net migration, WGI estimates) changes by an *absolute amount per year*. Percentage
  changes of the second kind are never computed.
* **Best observed value**: the best value of an indicator among all countries and years of the
  history, plus :data:`MARGIN` times the observed cross-country range (the same margin below the
  worst value for lower-is-better indicators). Counts never go below zero; percentages stay
  within 0-100.
* **Fastest sustained growth**: the largest change of any country over a window of
  ``max(MIN_WINDOW, horizon)`` years (shortened to the longest span in the data, never below
  :data:`MIN_WINDOW`): compound growth a year for growth series, change a year for level series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

MARGIN = 0.10  # fraction of the observed cross-country range allowed beyond the best value
MIN_WINDOW = 3  # years: shorter runs are not "sustained"
_BOUNDED = re.compile(r"percent|%|score|index|share|rate|ratio|estimate|rank", re.IGNORECASE)
_HUNDRED = re.compile(r"percent|%|0\s*-\s*100", re.IGNORECASE)


def bounded_unit(unit: str) -> bool:
    """A unit that names a bounded scale (score, index, %, share, rate, ratio, estimate, rank)."""
    return bool(_BOUNDED.search(unit or ""))


def percent_unit(unit: str) -> bool:
    return bool(_HUNDRED.search(unit or ""))


def growth_series(unit: str, values: np.ndarray | pd.Series, signed: bool = False) -> bool:
    """True if changes of this series are meaningful as growth rates: an unbounded, unsigned
    quantity that is never negative (zeros allowed: a rate is computed from positive values)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return (not signed and not bounded_unit(unit) and bool(v.size) and bool((v >= 0).all())
            and bool((v > 0).any()))


@dataclass(frozen=True)
class Range:
    """Plausible range of one indicator in raw units and where each end comes from."""

    lo: float
    hi: float
    best: float  # best observed value (max, or min for lower-is-better)
    note: str


def plausible_range(values: np.ndarray | pd.Series, unit: str, direction: int = 1,
                    margin: float | None = MARGIN) -> Range:
    """Observed range widened by ``margin`` x range; >= 0 for non-negative data, <= 100 for %.

    ``margin=None``: only the natural range (>= 0, <= 100), no cap at the observed values.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return Range(-np.inf, np.inf, np.nan, "no observations")
    lo_o, hi_o = float(v.min()), float(v.max())
    pad = np.inf if margin is None else margin * (hi_o - lo_o)
    lo, hi = lo_o - pad, hi_o + pad
    if lo_o >= 0:
        lo = max(lo, 0.0)
    if percent_unit(unit) and hi_o <= 100:
        hi = min(hi, 100.0)
    best = hi_o if direction > 0 else lo_o
    note = ("natural range only" if margin is None
            else f"best observed {best:.4g} + {margin:.0%} of the range")
    return Range(lo, hi, best, note)


@dataclass(frozen=True)
class Growth:
    """Fastest sustained change of one indicator: ``growth`` (rate a year) or ``level``."""

    kind: str  # "growth" | "level"
    up: float  # fastest rise a year (rate or units); NaN = not estimable
    down: float  # fastest fall a year (positive number: rate or units)
    window: int  # years of the window it was measured on (0 = none)
    where: str  # "KOR 2016-2019" of the fastest rise

    def limit(self, start: float, years: float, direction: int) -> float:
        """Best value reachable from ``start`` in ``years`` at the fastest sustained pace."""
        pace = self.up if direction > 0 else self.down
        if not np.isfinite(pace):
            return np.inf if direction > 0 else -np.inf
        if self.kind == "growth":
            return start * (1 + pace) ** years if direction > 0 else start * (1 - pace) ** years
        return start + direction * pace * years


def fastest_growth(history: pd.DataFrame, unit: str, horizon: int,
                   signed: bool = False) -> Growth:
    """Fastest sustained change in ``history`` (unit, year, value) of one indicator."""
    h = history.dropna(subset=["value"])
    if h.empty:
        return Growth("level", np.nan, np.nan, 0, "")
    kind = "growth" if growth_series(unit, h["value"], signed) else "level"
    wide = h.pivot_table(index="unit", columns="year", values="value", aggfunc="last")
    years = np.array(sorted(wide.columns), dtype=int)
    span = int(years.max() - years.min()) if years.size else 0
    window = min(max(MIN_WINDOW, int(horizon)), span)
    if window < MIN_WINDOW:
        return Growth(kind, np.nan, np.nan, 0, "")
    best_up, best_down, where = -np.inf, -np.inf, ""
    for y0 in years:
        y1 = y0 + window
        if y1 not in wide.columns:
            continue
        a, b = wide[y0].to_numpy(float), wide[y1].to_numpy(float)
        ok = np.isfinite(a) & np.isfinite(b)
        if kind == "growth":
            ok &= (a > 0) & (b > 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(ok, (b / np.where(ok, a, 1.0)) ** (1 / window) - 1, np.nan)
        else:
            r = np.where(ok, (b - a) / window, np.nan)
        if not np.isfinite(r).any():
            continue
        i = int(np.nanargmax(r))
        if r[i] > best_up:
            best_up, where = float(r[i]), f"{wide.index[i]} {y0}-{y1}"
        best_down = max(best_down, float(-np.nanmin(r)))
    if not np.isfinite(best_up):
        return Growth(kind, np.nan, np.nan, 0, "")
    return Growth(kind, max(best_up, 0.0), max(best_down, 0.0), window, where)
