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
  For growth series only windows that start from at least the value in question count (from a
  tiny base, 100% a year is easy and says nothing about a large one); when no window starts
  that high, all count.
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


@dataclass(frozen=True)
class Changes:
    """Every country's change over every window of ``window`` years of one indicator."""

    kind: str  # "growth" | "level"
    window: int  # 0 = the data are too short
    start: np.ndarray  # value at the window's start
    pace: np.ndarray  # compound growth a year (growth) or change a year (level)
    where: list[str]  # "KOR 2016-2019" per window

    def fastest(self, min_start: float | None = None) -> Growth:
        """The fastest rise (and fall) among windows starting from at least ``min_start``
        (growth from a small base is easy); all windows when none starts that high."""
        if not self.window or not self.pace.size:
            return Growth(self.kind, np.nan, np.nan, 0, "")
        sel = np.ones(self.pace.size, dtype=bool)
        if min_start is not None and self.kind == "growth":
            big = self.start >= min_start
            if big.any():
                sel = big
        r = self.pace[sel]
        i = int(np.argmax(r))
        where = [w for w, s_ in zip(self.where, sel, strict=True) if s_][i]
        return Growth(self.kind, max(float(r[i]), 0.0), max(float(-r.min()), 0.0), self.window,
                      where)


def sustained_changes(history: pd.DataFrame, unit: str, horizon: int,
                      signed: bool = False) -> Changes:
    """All windows of ``max(MIN_WINDOW, horizon)`` years (shortened to the data's span) in
    ``history`` (unit, year, value) of one indicator, with their pace."""
    h = history.dropna(subset=["value"])
    if h.empty:
        return Changes("level", 0, np.array([]), np.array([]), [])
    kind = "growth" if growth_series(unit, h["value"], signed) else "level"
    # pivot (not pivot_table): one value per (unit, year), far faster on long histories
    wide = h.drop_duplicates(["unit", "year"], keep="last").pivot(
        index="unit", columns="year", values="value")
    years = np.array(sorted(wide.columns), dtype=int)
    span = int(years.max() - years.min()) if years.size else 0
    window = min(max(MIN_WINDOW, int(horizon)), span)
    if window < MIN_WINDOW:
        return Changes(kind, 0, np.array([]), np.array([]), [])
    starts, paces, where = [], [], []
    for y0 in years:
        y1 = y0 + window
        if y1 not in wide.columns:
            continue
        a, b = wide[y0].to_numpy(float), wide[y1].to_numpy(float)
        ok = np.isfinite(a) & np.isfinite(b)
        if kind == "growth":
            ok &= (a > 0) & (b > 0)
        idx = np.flatnonzero(ok)
        if not idx.size:
            continue
        if kind == "growth":
            r = (b[idx] / a[idx]) ** (1 / window) - 1
        else:
            r = (b[idx] - a[idx]) / window
        starts.append(a[idx])
        paces.append(r)
        where += [f"{wide.index[i]} {y0}-{y1}" for i in idx]
    if not paces:
        return Changes(kind, 0, np.array([]), np.array([]), [])
    return Changes(kind, window, np.concatenate(starts), np.concatenate(paces), where)


def fastest_growth(history: pd.DataFrame, unit: str, horizon: int,
                   signed: bool = False, min_start: float | None = None) -> Growth:
    """Fastest sustained change in ``history`` (unit, year, value) of one indicator; with
    ``min_start``, among windows that start from at least that value (see :class:`Changes`)."""
    return sustained_changes(history, unit, horizon, signed).fastest(min_start)
