"""Trends: growth (CAGR, log-linear OLS), convergence of ratios and years to close a gap.

Methods
-------
* CAGR between the first and last positive observations inside the window (years stated).
* Log-linear OLS ``log(value) = a + b * (year - mean year)`` on the positive values of the
  window; ``b`` is the continuous growth rate (annual growth ``exp(b) - 1``), with its standard
  error ``s / sqrt(Sxx)`` and a 90% Student-t prediction interval for future values
  (``s * sqrt(1 + 1/n + (x0 - mean)^2 / Sxx)``, n - 2 degrees of freedom). At least
  :data:`MIN_POINTS` positive values are needed; zeros and negatives cannot be logged and are
  dropped from the fit with a note.
* Convergence: the log ratio ``log(other / unit)`` moves by ``d = b_other - b_unit`` a year.
  The 90% CI of ``d`` uses the two fits' standard errors (independent fits) and
  Welch-Satterthwaite degrees of freedom.
* Years to close: ``t*`` where the two fitted lines cross. Its 90% interval is simulated
  (:data:`N_DRAWS` draws, fixed seed): each fit's centred intercept and slope are drawn from
  their Student-t sampling distributions (uncorrelated, because the year is centred), ``t*`` is
  recomputed per draw and draws in which the gap does not close after the reference year (or in
  which the other side leads at the reference year) count as "never" (+inf). The interval is
  the 5th-95th percentile; an upper bound of +inf means the
  data cannot rule out non-convergence at the 90% level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from aigap.analysis.diagnosis.gap import indicator_meta
from aigap.data.countries import check_iso3
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError
from aigap.jsonsafe import json_safe

MIN_POINTS = 3
LEVEL = 0.90
N_DRAWS = 20_000
SEED = 20240601
MAX_YEARS = 100  # beyond this a closing date is reported as 'not within a century'


class TrendError(AigapError):
    """A trend cannot be estimated (too few positive values, empty window, ...)."""


@dataclass(frozen=True)
class LogLinearFit:
    """A log-linear OLS fit of one series, with its CAGR and provenance."""

    iso3: str
    indicator: str
    unit: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    n: int
    slope: float  # d log(value) / d year
    slope_se: float
    intercept_c: float  # log value at the mean year
    intercept_c_se: float
    mean_year: float
    sxx: float
    resid_sd: float
    growth: float  # exp(slope) - 1, fitted annual growth
    growth_ci: tuple[float, float]
    cagr: float
    cagr_years: tuple[int, int]
    source: str
    vintage: str
    notes: tuple[str, ...] = ()

    @property
    def df(self) -> int:
        return self.n - 2

    def log_at(self, year: float) -> float:
        return self.intercept_c + self.slope * (year - self.mean_year)

    def predict(self, year: float, level: float = LEVEL) -> tuple[float, float, float]:
        """Fitted value and prediction interval for a (future) year."""
        centre = self.log_at(year)
        se = self.resid_sd * math.sqrt(1 + 1 / self.n + (year - self.mean_year) ** 2 / self.sxx)
        t = float(stats.t.ppf(0.5 + level / 2, self.df))
        return math.exp(centre), math.exp(centre - t * se), math.exp(centre + t * se)


@dataclass(frozen=True)
class Convergence:
    """How the ratio other/unit moves, and when the fitted trends cross."""

    iso3: str
    other: str
    ratio_now: float  # fitted other/unit at the reference year
    reference_year: int
    log_ratio_slope: float  # d = b_other - b_unit
    log_ratio_slope_ci: tuple[float, float]
    ratio_change: float  # exp(d) - 1: yearly change of the ratio
    status: str  # converging | diverging | parallel | crossed
    close_year: float | None  # fitted crossing year (None when never)
    years_to_close: float | None  # from the reference year
    years_to_close_ci: tuple[float, float] | None  # inf upper bound = may never close
    p_close: float  # share of simulated draws in which the gap closes after the reference
    level: float = LEVEL
    names_en: tuple[str, str] = ("", "")  # (unit, other), for the sentences
    names_ko: tuple[str, str] = ("", "")


@dataclass
class TrendResult:
    """Fits of the unit and each comparator, and convergence of each pair."""

    indicator: str
    unit: str
    measure_unit: str
    window: tuple[int | None, int | None]
    fits: dict[str, LogLinearFit]
    comparisons: list[Convergence] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # iso3 -> why no fit
    method: str = (
        "log-linear OLS; 90% Student-t intervals; years-to-close interval by simulating "
        f"intercepts and slopes from their sampling distributions ({N_DRAWS} draws)"
    )

    def fits_frame(self) -> pd.DataFrame:
        rows = []
        for iso3, f in self.fits.items():
            rows.append({
                "iso3": iso3, "first_year": f.years[0], "last_year": f.years[-1], "n": f.n,
                "cagr": f.cagr, "cagr_years": f"{f.cagr_years[0]}-{f.cagr_years[1]}",
                "growth": f.growth, "growth_lo": f.growth_ci[0], "growth_hi": f.growth_ci[1],
                "slope": f.slope, "slope_se": f.slope_se, "unit": f.unit, "source": f.source,
                "vintage": f.vintage, "note": "; ".join(f.notes),
            })
        for iso3, why in self.skipped.items():
            rows.append({"iso3": iso3, "note": why})
        return pd.DataFrame(rows)

    def comparisons_frame(self) -> pd.DataFrame:
        rows = []
        for c in self.comparisons:
            lo, hi = c.years_to_close_ci if c.years_to_close_ci else (math.nan, math.nan)
            rows.append({
                "iso3": c.iso3, "other": c.other, "reference_year": c.reference_year,
                "ratio": c.ratio_now, "ratio_change": c.ratio_change,
                "log_ratio_slope": c.log_ratio_slope, "slope_lo": c.log_ratio_slope_ci[0],
                "slope_hi": c.log_ratio_slope_ci[1], "status": c.status,
                "close_year": c.close_year, "years_to_close": c.years_to_close,
                "years_lo": lo, "years_hi": hi, "p_close": c.p_close,
            })
        return pd.DataFrame(rows)

    def projection(self, horizon: int = 5, level: float = LEVEL) -> pd.DataFrame:
        """Fitted values and prediction intervals for the ``horizon`` years after each fit."""
        rows = []
        for iso3, f in self.fits.items():
            for year in range(f.years[-1] + 1, f.years[-1] + horizon + 1):
                mid, lo, hi = f.predict(year, level)
                rows.append({"iso3": iso3, "year": year, "fitted": mid, "lo": lo, "hi": hi,
                             "unit": f.unit, "source": f.source})
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: its fit and, for comparators, the convergence with the unit."""
        fits, comp = self.fits_frame(), self.comparisons_frame()
        if comp.empty:
            return fits
        return fits.merge(comp.drop(columns=["iso3"]).rename(columns={"other": "iso3"}),
                          on="iso3", how="left")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: non-finite numbers become null (aigap.jsonsafe). An interval whose upper
        end is +inf ("the data cannot rule out that it never closes") is kept as a flag:
        ``may_never_close``."""
        out = asdict(self)
        for f in out["fits"].values():
            f.pop("values", None)
        for c in out["comparisons"]:
            ci = c["years_to_close_ci"]
            c["may_never_close"] = bool(ci is not None and math.isinf(ci[1]))
        return json_safe(out)  # type: ignore[no-any-return]


# --- pure functions ---------------------------------------------------------------------------


def cagr(first: float, last: float, years: float) -> float:
    """Compound annual growth rate; NaN when undefined (non-positive ends, zero span)."""
    if years <= 0 or first <= 0 or last <= 0:
        return math.nan
    return (last / first) ** (1 / years) - 1


def fit_log_linear(
    series: pd.DataFrame, *, iso3: str = "", indicator: str = "", unit: str = "",
    level: float = LEVEL,
) -> LogLinearFit:
    """Fit ``log(value)`` on year (columns year, value; optional source, vintage)."""
    s = series.dropna(subset=["value"]).sort_values("year")
    notes: list[str] = []
    bad = s[s["value"] <= 0]
    if not bad.empty:
        notes.append("non-positive values dropped (no logarithm): "
                     + ", ".join(str(int(y)) for y in bad["year"]))
    s = s[s["value"] > 0]
    if len(s) < MIN_POINTS:
        who = f"{iso3} " if iso3 else ""
        raise TrendError(
            f"{who}has {len(s)} positive value(s) for {indicator or 'the series'}; a trend "
            f"needs at least {MIN_POINTS}" + (f" ({notes[0]})" if notes else "")
        )
    x = s["year"].to_numpy(dtype=float)
    y = np.log(s["value"].to_numpy(dtype=float))
    n = len(x)
    xbar = float(x.mean())
    sxx = float(((x - xbar) ** 2).sum())
    slope = float(((x - xbar) * (y - y.mean())).sum() / sxx)
    a_c = float(y.mean())
    resid = y - (a_c + slope * (x - xbar))
    s2 = float((resid**2).sum() / (n - 2))
    sd = math.sqrt(s2)
    se_b = sd / math.sqrt(sxx)
    t = float(stats.t.ppf(0.5 + level / 2, n - 2))
    years = tuple(int(v) for v in s["year"])
    vals = tuple(float(v) for v in s["value"])
    prov = {k: "; ".join(dict.fromkeys(str(v) for v in s[k])) if k in s else ""
            for k in ("source", "vintage")}
    return LogLinearFit(
        iso3=iso3, indicator=indicator, unit=unit, years=years, values=vals, n=n, slope=slope,
        slope_se=se_b, intercept_c=a_c, intercept_c_se=sd / math.sqrt(n), mean_year=xbar,
        sxx=sxx, resid_sd=sd, growth=math.expm1(slope),
        growth_ci=(math.expm1(slope - t * se_b), math.expm1(slope + t * se_b)),
        cagr=cagr(vals[0], vals[-1], years[-1] - years[0]), cagr_years=(years[0], years[-1]),
        source=prov["source"], vintage=prov["vintage"], notes=tuple(notes),
    )


def _crossing(a_u: np.ndarray, b_u: np.ndarray, m_u: float, a_o: np.ndarray, b_o: np.ndarray,
              m_o: float) -> np.ndarray:
    """Year where two log-linear lines (centred intercepts a, slopes b, centres m) cross."""
    with np.errstate(divide="ignore", invalid="ignore"):
        # a_u + b_u (t - m_u) = a_o + b_o (t - m_o)
        return (a_o - a_u - b_o * m_o + b_u * m_u) / (b_u - b_o)


def converge(
    fu: LogLinearFit, fo: LogLinearFit, *, reference_year: int | None = None,
    level: float = LEVEL, n_draws: int = N_DRAWS, seed: int = SEED,
    names: tuple[str, str] | None = None, names_ko: tuple[str, str] | None = None,
) -> Convergence:
    """Convergence of ``fo`` (other) towards ``fu`` (unit): rate, CI and years to close."""
    ref = reference_year if reference_year is not None else max(fu.years[-1], fo.years[-1])
    d = fo.slope - fu.slope
    se_d = math.hypot(fu.slope_se, fo.slope_se)
    if se_d > 0:
        # Welch-Satterthwaite degrees of freedom for a difference of two slopes
        dof = se_d**4 / (fu.slope_se**4 / max(fu.df, 1) + fo.slope_se**4 / max(fo.df, 1))
        t = float(stats.t.ppf(0.5 + level / 2, dof))
    else:
        t = 0.0
    d_ci = (d - t * se_d, d + t * se_d)
    g_now = fo.log_at(ref) - fu.log_at(ref)  # fitted log(other/unit) at the reference year
    ratio_now = math.exp(g_now)
    if g_now == 0:
        status = "crossed"
    elif d == 0:
        status = "parallel"
    elif (g_now > 0) != (d > 0):
        status = "converging"
    else:
        status = "diverging"
    close_year = years = None
    if status == "converging":
        years = -g_now / d
        close_year = ref + years

    # Simulate the fits' sampling distributions; closing = crossing strictly after ref.
    rng = np.random.default_rng(seed)

    def draw(f: LogLinearFit) -> tuple[np.ndarray, np.ndarray]:
        tdf = max(f.df, 1)
        return (f.intercept_c + f.intercept_c_se * rng.standard_t(tdf, n_draws),
                f.slope + f.slope_se * rng.standard_t(tdf, n_draws))

    a_u, b_u = draw(fu)
    a_o, b_o = draw(fo)
    t_star = _crossing(a_u, b_u, fu.mean_year, a_o, b_o, fo.mean_year)
    g_draw = (a_o + b_o * (ref - fo.mean_year)) - (a_u + b_u * (ref - fu.mean_year))
    # A draw closes the gap when the same side leads at ref and the lines cross later; draws
    # whose leader at ref is reversed are not "this gap closing" and count as never.
    closes = (np.isfinite(t_star) & (t_star > ref) & (np.sign(g_draw) == np.sign(g_now))
              & (np.sign(g_draw) != np.sign(b_o - b_u)))
    ytc = np.where(closes, t_star - ref, np.inf)
    p_close = float(closes.mean())
    ci: tuple[float, float] | None = None
    if status == "converging" or p_close > 0:
        # no interpolation: a percentile that falls among the "never" draws must stay +inf
        lo_q, hi_q = np.quantile(ytc, [(1 - level) / 2, (1 + level) / 2],
                                 method="inverted_cdf")
        ci = (float(lo_q), float(hi_q))
        if years is not None and fu.resid_sd == 0 and fo.resid_sd == 0:
            ci = (years, years)  # exact data: no sampling error (avoid float noise)

    un, on = names or (fu.iso3, fo.iso3)
    uk, ok = names_ko or (un, on)
    return Convergence(
        iso3=fu.iso3, other=fo.iso3, ratio_now=ratio_now, reference_year=int(ref),
        log_ratio_slope=d, log_ratio_slope_ci=d_ci, ratio_change=math.expm1(d), status=status,
        close_year=close_year, years_to_close=years, years_to_close_ci=ci, p_close=p_close,
        level=level, names_en=(un, on), names_ko=(uk, ok),
    )


# --- warehouse entry point --------------------------------------------------------------------


def trend(
    wh: Warehouse,
    unit: str,
    *,
    indicator: str,
    vs: Sequence[str] | None = None,
    window: tuple[int | None, int | None] | None = None,
    level: float = LEVEL,
    n_draws: int = N_DRAWS,
    series: str | None = None,
) -> TrendResult:
    """Growth of ``unit`` (and each of ``vs``) on ``indicator`` and convergence of each pair.

    ``window`` = (start, end), either end None for open. Raises :class:`TrendError` when the
    unit's own series is too short; a comparator that is too short is listed in ``skipped``.
    """
    if not indicator:
        raise TrendError("name an indicator (--indicator)")
    u = check_iso3([unit])[0]
    others = list(dict.fromkeys(check_iso3(vs or [])))
    if u in others:
        raise TrendError(f"{u} cannot be compared with itself")
    # A concept answers from its default series for a trend (docs/concepts.md); series= picks
    # another series of the concept (aigap.data.concepts.choose_series).
    from aigap.data.concepts import choose_series

    indicator = choose_series(wh, indicator, units=[u, *others], purpose="trend",
                              series=series).indicator
    meta = indicator_meta(wh, indicator)
    start, end = window or (None, None)
    if start is not None and end is not None and start > end:
        raise TrendError(f"window start {start} is after its end {end}")
    panel = wh.panel([indicator], countries=[u, *others])
    if start is not None:
        panel = panel[panel["year"] >= start]
    if end is not None:
        panel = panel[panel["year"] <= end]
    measure = str(panel["unit"].iloc[0]) if not panel.empty else str(meta["unit"])
    where = f" in {start or '…'}-{end or '…'}" if window else ""
    fits: dict[str, LogLinearFit] = {}
    skipped: dict[str, str] = {}
    for iso3 in [u, *others]:
        sub = panel[panel["iso3"] == iso3]
        try:
            fits[iso3] = fit_log_linear(sub, iso3=iso3, indicator=indicator, unit=measure,
                                        level=level)
        except TrendError as exc:
            if iso3 == u:
                raise TrendError(f"{exc}{where}") from None
            skipped[iso3] = f"{exc}{where}"
    names = wh.country_names("en")
    names_ko = wh.country_names("ko")
    result = TrendResult(indicator=indicator, unit=u, measure_unit=measure,
                         window=(start, end), fits=fits, skipped=skipped)
    for o in others:
        if o not in fits:
            continue
        result.comparisons.append(converge(
            fits[u], fits[o], level=level, n_draws=n_draws,
            names=(names.get(u, u), names.get(o, o)),
            names_ko=(names_ko.get(u, u), names_ko.get(o, o)),
        ))
    return result
