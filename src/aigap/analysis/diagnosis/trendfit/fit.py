"""One series' trend: a log-linear or linear OLS fit, its prediction intervals and its backtest.

* ``log`` model: ``log(value) = a + b * (year - mean year)`` on the positive values; ``b`` is the
  continuous growth rate (annual growth ``exp(b) - 1``). For quantities that grow by a factor
  (money, counts, compute). Zeros and negatives cannot be logged and are dropped with a note.
* ``linear`` model: ``value = a + b * (year - mean year)``; ``b`` is the change per year. For
  signed or bounded indicators (net migration, scores, shares, ranks), where growth by a factor
  means nothing.

Both give the slope's standard error ``s / sqrt(Sxx)`` and a Student-t prediction interval
``s * sqrt(1 + 1/n + (x0 - mean)^2 / Sxx)`` with n - 2 degrees of freedom.

Backtest: refit on all but the last ``k`` years of the window (``k = min(3, n - 4)``: at least
four years stay in the refit), predict the held-out years, and report the error and whether each
observed value falls inside the 90% prediction interval. It passes when every held-out value
does.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from aigap.errors import AigapError

MIN_POINTS = 3  # a line with a residual spread; the window rule itself asks for more
LEVEL = 0.90
MAX_HOLDOUT = 3
MIN_REFIT = 4  # points left in a backtest refit (two residual degrees of freedom)
TOL = 1e-9  # relative slack when an observation sits on an interval bound (exact data)

# Units of bounded or signed measures: a linear model, not growth by a factor.
BOUNDED_UNIT = re.compile(r"score|estimate|index|rank|share|%|\(0-1\)|0-100|per cent", re.I)


class TrendError(AigapError):
    """A trend cannot be estimated (too few values, empty window, ...)."""


@dataclass(frozen=True)
class Reason:
    """A reason in words from the catalogue: why no catch-up date (``trend.why.<code>``), why
    years were left out of the window (``trend.window.<code>``), with the fields to fill in."""

    code: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Backtest:
    """Fit on the window's years up to ``fit_years[1]``, predict the held-out ``years``."""

    fit_years: tuple[int, int]
    years: tuple[int, ...]
    observed: tuple[float, ...]  # natural scale (value, or ratio other/unit for a log gap)
    predicted: tuple[float, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    inside: tuple[bool, ...]
    error: float  # mean |error| on the model scale: log points (log) or units (linear)
    model: str = "log"
    level: float = LEVEL

    @property
    def passed(self) -> bool:
        return all(self.inside)

    @property
    def n_inside(self) -> int:
        return sum(self.inside)

    @property
    def factor(self) -> float:
        """The typical miss as a factor (log model): exp(mean |log error|)."""
        return math.exp(self.error) if self.model == "log" else math.nan


@dataclass(frozen=True)
class TrendFit:
    """An OLS trend of one series on the model scale, with its CAGR and provenance."""

    iso3: str
    indicator: str
    unit: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    n: int
    slope: float  # d log(value) / d year (log), d value / d year (linear)
    slope_se: float
    intercept_c: float  # model-scale value at the mean year
    intercept_c_se: float
    mean_year: float
    sxx: float
    resid_sd: float
    growth: float  # exp(slope) - 1 (log); NaN (linear)
    growth_ci: tuple[float, float]
    cagr: float
    cagr_years: tuple[int, int]
    source: str
    vintage: str
    notes: tuple[str, ...] = ()
    model: str = "log"
    backtest: Backtest | None = None
    level: float = LEVEL

    @property
    def df(self) -> int:
        return self.n - 2

    def at(self, year: float) -> float:
        """The fitted line on the model scale (log value, or value)."""
        return self.intercept_c + self.slope * (year - self.mean_year)

    def log_at(self, year: float) -> float:  # the name callers of the log model know
        return self.at(year)

    def pred_var(self, year: float) -> float:
        """Variance of a new observation at ``year`` on the model scale."""
        return float(self.resid_sd**2 * (1 + 1 / self.n
                                         + (year - self.mean_year) ** 2 / self.sxx))

    def to_natural(self, v: float) -> float:
        return math.exp(v) if self.model == "log" else v

    def fitted(self, years: np.ndarray) -> np.ndarray:
        """Fitted values (natural scale) at ``years``, for plotting."""
        v = self.intercept_c + self.slope * (np.asarray(years, dtype=float) - self.mean_year)
        return np.exp(v) if self.model == "log" else v

    def predict(self, year: float, level: float = LEVEL) -> tuple[float, float, float]:
        """Fitted value and prediction interval for a (future) year, natural scale."""
        centre = self.at(year)
        se = math.sqrt(self.pred_var(year))
        t = float(stats.t.ppf(0.5 + level / 2, self.df))
        return (self.to_natural(centre), self.to_natural(centre - t * se),
                self.to_natural(centre + t * se))


LogLinearFit = TrendFit  # the name of the log-only fit before linear models existed


def cagr(first: float, last: float, years: float) -> float:
    """Compound annual growth rate; NaN when undefined (non-positive ends, zero span)."""
    if years <= 0 or first <= 0 or last <= 0:
        return math.nan
    return (last / first) ** (1 / years) - 1


def choose_model(values: pd.Series, measure_unit: str) -> str:
    """``linear`` for signed (any negative value) or bounded (score, share, %, rank) measures,
    else ``log``."""
    if bool((values < 0).any()) or BOUNDED_UNIT.search(measure_unit or ""):
        return "linear"
    return "log"


def inside(obs: float, lo: float, hi: float) -> bool:
    """``lo <= obs <= hi`` with a little slack, so that exact data sit inside a zero-width
    interval."""
    slack = TOL * max(1.0, abs(lo), abs(hi))
    return lo - slack <= obs <= hi + slack


def fit_series(
    series: pd.DataFrame, *, model: str = "log", iso3: str = "", indicator: str = "",
    unit: str = "", level: float = LEVEL, holdout: int | None = None,
) -> TrendFit:
    """Fit ``series`` (columns year, value; optional source, vintage) and backtest the fit."""
    if model not in ("log", "linear"):
        raise TrendError(f"unknown trend model {model!r}; choose log or linear")
    f = _ols(series, model=model, iso3=iso3, indicator=indicator, unit=unit, level=level)
    k = holdout_size(f.n, holdout)
    if k == 0:
        return f
    cut = f.years[-1 - k]
    early = pd.DataFrame({"year": f.years, "value": f.values})
    ref = _ols(early[early["year"] <= cut], model=model, level=level)
    yrs, obs = f.years[-k:], f.values[-k:]
    t = float(stats.t.ppf(0.5 + level / 2, ref.df))
    pred, lo, hi, ins, err = [], [], [], [], []
    for y, v in zip(yrs, obs, strict=True):
        c, se = ref.at(y), math.sqrt(ref.pred_var(y))
        o = math.log(v) if model == "log" else v
        pred.append(f.to_natural(c))
        lo.append(f.to_natural(c - t * se))
        hi.append(f.to_natural(c + t * se))
        ins.append(inside(o, c - t * se, c + t * se))
        err.append(abs(o - c))
    bt = Backtest(fit_years=(ref.years[0], ref.years[-1]), years=yrs, observed=obs,
                  predicted=tuple(pred), lo=tuple(lo), hi=tuple(hi), inside=tuple(ins),
                  error=float(np.mean(err)), model=model, level=level)
    return replace(f, backtest=bt)


def holdout_size(n: int, holdout: int | None = None) -> int:
    """Years held out of a backtest: ``holdout`` (or up to 3) while 4 remain for the refit."""
    k = MAX_HOLDOUT if holdout is None else holdout
    if k < 0:
        raise TrendError(f"--holdout must be 0 or more, not {k}")
    return max(0, min(k, n - MIN_REFIT))


def fit_log_linear(
    series: pd.DataFrame, *, iso3: str = "", indicator: str = "", unit: str = "",
    level: float = LEVEL,
) -> TrendFit:
    """Fit ``log(value)`` on year, with its backtest."""
    return fit_series(series, model="log", iso3=iso3, indicator=indicator, unit=unit,
                      level=level)


def _ols(series: pd.DataFrame, *, model: str, iso3: str = "", indicator: str = "",
         unit: str = "", level: float = LEVEL) -> TrendFit:
    s = series.dropna(subset=["value"]).sort_values("year")
    notes: list[str] = []
    if model == "log":
        bad = s[s["value"] <= 0]
        if not bad.empty:
            notes.append("non-positive values dropped (no logarithm): "
                         + ", ".join(str(int(y)) for y in bad["year"]))
        s = s[s["value"] > 0]
    if len(s) < MIN_POINTS:
        who = f"{iso3} " if iso3 else ""
        kind = "positive value(s)" if model == "log" else "value(s)"
        raise TrendError(
            f"{who}has {len(s)} {kind} for {indicator or 'the series'}; a trend "
            f"needs at least {MIN_POINTS}" + (f" ({notes[0]})" if notes else "")
        )
    x = s["year"].to_numpy(dtype=float)
    raw = s["value"].to_numpy(dtype=float)
    y = np.log(raw) if model == "log" else raw
    n = len(x)
    xbar = float(x.mean())
    sxx = float(((x - xbar) ** 2).sum())
    slope = float(((x - xbar) * (y - y.mean())).sum() / sxx)
    a_c = float(y.mean())
    resid = y - (a_c + slope * (x - xbar))
    sd = math.sqrt(float((resid**2).sum() / (n - 2)))
    se_b = sd / math.sqrt(sxx)
    t = float(stats.t.ppf(0.5 + level / 2, n - 2))
    years = tuple(int(v) for v in s["year"])
    vals = tuple(float(v) for v in raw)
    prov = {k: "; ".join(dict.fromkeys(str(v) for v in s[k])) if k in s else ""
            for k in ("source", "vintage")}
    if model == "log":
        growth, growth_ci = math.expm1(slope), (math.expm1(slope - t * se_b),
                                                math.expm1(slope + t * se_b))
    else:
        growth, growth_ci = math.nan, (math.nan, math.nan)
    return TrendFit(
        iso3=iso3, indicator=indicator, unit=unit, years=years, values=vals, n=n, slope=slope,
        slope_se=se_b, intercept_c=a_c, intercept_c_se=sd / math.sqrt(n), mean_year=xbar,
        sxx=sxx, resid_sd=sd, growth=growth, growth_ci=growth_ci,
        cagr=cagr(vals[0], vals[-1], years[-1] - years[0]), cagr_years=(years[0], years[-1]),
        source=prov["source"], vintage=prov["vintage"], notes=tuple(notes), model=model,
        level=level,
    )
