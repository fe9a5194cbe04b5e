"""Convergence of two trends, the gap's backtest and when a catch-up date is supported.

* The gap is ``log(other / unit)`` for the log model (a ratio) and ``other - unit`` for the
  linear one (a difference). It moves by ``d = b_other - b_unit`` a year; the 90% CI of ``d``
  uses the two fits' standard errors and Welch-Satterthwaite degrees of freedom.
* Years to close: ``t*`` where the two fitted lines cross. Its 90% interval is simulated
  (:data:`N_DRAWS` draws, fixed seed) from the fits' intercepts and slopes; draws in which the
  gap does not close after the reference year count as "never" (+inf).
* Backtest of the gap: both series refitted on the years before the held-out ones; each held-out
  gap must fall inside the 90% prediction interval of the refitted gap.
* Newest observations: the newest year in which both sides are observed, in the fitted series
  and in the other series of the same concept; each is compared with the fit's 90% prediction
  interval for the gap in that year.
* A catch-up **date** is given only when the lines converge, the crossing's 90% interval is
  finite (within :data:`MAX_YEARS`), the gap's backtest passes and every newest observation is
  consistent with the fit. Otherwise the verdict is ``not_estimable`` with its reasons, or
  ``diverging``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from aigap.analysis.diagnosis.trendfit.fit import (
    LEVEL,
    Backtest,
    Reason,
    TrendFit,
    _ols,
    holdout_size,
    inside,
)

N_DRAWS = 20_000
SEED = 20240601
MAX_YEARS = 100  # beyond this a closing date is reported as 'not within a century'


@dataclass(frozen=True)
class LatestGap:
    """The newest year both sides are observed in one series, against the fit."""

    series: str  # indicator code
    source: str
    year: int
    value: float  # unit
    other_value: float
    gap: float  # other/unit (log model) or other - unit (linear)
    fitted: float  # the fit's gap in that year, natural scale
    lo: float
    hi: float
    consistent: bool
    fitted_series: bool  # True for the series the trend is fitted on
    previous: tuple[int, float] | None = None  # (year, gap) of the year before, both observed


@dataclass(frozen=True)
class Convergence:
    """How the gap other vs unit moves, when the fitted trends cross and whether that date is
    supported."""

    iso3: str
    other: str
    ratio_now: float  # fitted other/unit at the reference year (NaN for a linear model)
    reference_year: int
    log_ratio_slope: float  # d: yearly change of the gap on the model scale
    log_ratio_slope_ci: tuple[float, float]
    ratio_change: float  # exp(d) - 1: yearly change of the ratio (NaN for a linear model)
    status: str  # converging | diverging | parallel | crossed (the fitted lines)
    close_year: float | None  # fitted crossing year (None when never); not a forecast
    years_to_close: float | None  # from the reference year
    years_to_close_ci: tuple[float, float] | None  # inf upper bound = may never close
    p_close: float  # share of simulated draws in which the gap closes after the reference
    level: float = LEVEL
    names_en: tuple[str, str] = ("", "")  # (unit, other), for the sentences
    names_ko: tuple[str, str] = ("", "")
    model: str = "log"
    gap_now: float = math.nan  # fitted gap at the reference year, natural scale
    backtest: Backtest | None = None
    latest: tuple[LatestGap, ...] = ()
    verdict: str = ""  # date | not_estimable | diverging | crossed ("" = not judged)
    reasons: tuple[Reason, ...] = ()

    @property
    def catch_up_year(self) -> float | None:
        """The fitted crossing year when the data support a date, else None."""
        return self.close_year if self.verdict == "date" else None

    @property
    def catch_up_years(self) -> float | None:
        return self.years_to_close if self.verdict == "date" else None


def _gap_pi(fu: TrendFit, fo: TrendFit, year: float, level: float) -> tuple[float, float, float]:
    """The fitted gap and its prediction interval at ``year``, model scale."""
    g = fo.at(year) - fu.at(year)
    vu, vo = fu.pred_var(year), fo.pred_var(year)
    if vu + vo == 0:
        return g, g, g
    dof = (vu + vo) ** 2 / (vu**2 / max(fu.df, 1) + vo**2 / max(fo.df, 1))
    h = float(stats.t.ppf(0.5 + level / 2, dof)) * math.sqrt(vu + vo)
    return g, g - h, g + h


def _to_gap(model: str, unit_value: float, other_value: float) -> float | None:
    """The observed gap on the model scale, None when undefined (a non-positive value)."""
    if model == "linear":
        return other_value - unit_value
    if unit_value <= 0 or other_value <= 0:
        return None
    return math.log(other_value / unit_value)


def _natural(model: str, g: float) -> float:
    return math.exp(g) if model == "log" else g


def backtest_gap(fu: TrendFit, fo: TrendFit, *, level: float = LEVEL,
                 holdout: int | None = None) -> Backtest | None:
    """Refit both series before the held-out years and predict the gap in them."""
    common = sorted(set(fu.years) & set(fo.years))
    k = holdout_size(len(common), holdout)
    if k == 0:
        return None
    cut = common[-1 - k]
    held = common[-k:]

    def early(f: TrendFit) -> TrendFit:
        s = pd.DataFrame({"year": f.years, "value": f.values})
        return _ols(s[s["year"] <= cut], model=f.model, level=level)

    ru, ro = early(fu), early(fo)
    vu, vo = dict(zip(fu.years, fu.values, strict=True)), dict(zip(fo.years, fo.values,
                                                                   strict=True))
    pred, lo, hi, obs, ins, err = [], [], [], [], [], []
    for y in held:
        o = _to_gap(fu.model, vu[y], vo[y])
        g, a, b = _gap_pi(ru, ro, y, level)
        if o is None:
            continue
        obs.append(_natural(fu.model, o))
        pred.append(_natural(fu.model, g))
        lo.append(_natural(fu.model, a))
        hi.append(_natural(fu.model, b))
        ins.append(inside(o, a, b))
        err.append(abs(o - g))
    if not obs:
        return None
    return Backtest(fit_years=(min(ru.years[0], ro.years[0]), cut), years=tuple(held),
                    observed=tuple(obs), predicted=tuple(pred), lo=tuple(lo), hi=tuple(hi),
                    inside=tuple(ins), error=float(np.mean(err)), model=fu.model, level=level)


def latest_gaps(fu: TrendFit, fo: TrendFit, panels: dict[str, pd.DataFrame], fitted: str, *,
                level: float = LEVEL) -> tuple[LatestGap, ...]:
    """The newest year both sides are observed in each series of ``panels`` (code -> panel with
    iso3, year, value, source), judged against the fit's prediction interval."""
    out = []
    for code, panel in panels.items():
        p = panel.dropna(subset=["value"])
        a = p[p["iso3"] == fu.iso3].set_index("year")
        b = p[p["iso3"] == fo.iso3].set_index("year")
        both = sorted(set(a.index) & set(b.index))
        seen = [(int(y), o) for y in both
                if (o := _to_gap(fu.model, float(a.loc[y, "value"]),
                                 float(b.loc[y, "value"]))) is not None]
        if not seen:
            continue
        y, o = seen[-1]
        g, lo, hi = _gap_pi(fu, fo, y, level)
        src = "; ".join(dict.fromkeys([str(a.loc[y, "source"]), str(b.loc[y, "source"])]))
        prev = (seen[-2][0], _natural(fu.model, seen[-2][1])) if len(seen) > 1 else None
        out.append(LatestGap(
            series=code, source=src, year=y, value=float(a.loc[y, "value"]),
            other_value=float(b.loc[y, "value"]), gap=_natural(fu.model, o),
            fitted=_natural(fu.model, g), lo=_natural(fu.model, lo), hi=_natural(fu.model, hi),
            consistent=inside(o, lo, hi), fitted_series=code == fitted, previous=prev))
    return tuple(out)


def judge(c: Convergence) -> tuple[str, tuple[Reason, ...]]:
    """The verdict on a catch-up date and the reasons when there is none."""
    if c.status == "crossed":
        return "crossed", ()
    if c.status != "converging":
        return "diverging", ()
    why: list[Reason] = []
    ci = c.years_to_close_ci
    if ci is None or math.isinf(ci[1]):
        why.append(Reason("interval_open", {"p": c.p_close}))
    elif ci[1] > MAX_YEARS:
        why.append(Reason("interval_long", {"hi": ci[1], "max": MAX_YEARS}))
    bt = c.backtest
    if bt is None:
        why.append(Reason("no_backtest", {}))
    elif not bt.passed:
        why.append(Reason("backtest_failed", {
            "fit_end": bt.fit_years[1], "first": bt.years[0], "last": bt.years[-1],
            "outside": len(bt.inside) - bt.n_inside, "n": len(bt.inside)}))
    for lg in c.latest:
        if not lg.consistent:
            why.append(Reason("latest_inconsistent", {
                "year": lg.year, "series": lg.series, "gap": lg.gap, "lo": lg.lo,
                "hi": lg.hi, "model": c.model}))
    return ("not_estimable" if why else "date"), tuple(why)


def _crossing(a_u: np.ndarray, b_u: np.ndarray, m_u: float, a_o: np.ndarray, b_o: np.ndarray,
              m_o: float) -> np.ndarray:
    """Year where two lines (centred intercepts a, slopes b, centres m) cross."""
    with np.errstate(divide="ignore", invalid="ignore"):
        # a_u + b_u (t - m_u) = a_o + b_o (t - m_o)
        return (a_o - a_u - b_o * m_o + b_u * m_u) / (b_u - b_o)


def converge(
    fu: TrendFit, fo: TrendFit, *, reference_year: int | None = None,
    level: float = LEVEL, n_draws: int = N_DRAWS, seed: int = SEED,
    names: tuple[str, str] | None = None, names_ko: tuple[str, str] | None = None,
    latest: tuple[LatestGap, ...] = (), holdout: int | None = None,
) -> Convergence:
    """Convergence of ``fo`` (other) towards ``fu`` (unit): rate, CI, years to close, the gap's
    backtest and the verdict on a catch-up date."""
    if fu.model != fo.model:
        raise ValueError(f"cannot compare a {fu.model} fit with a {fo.model} fit")
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
    g_now = fo.at(ref) - fu.at(ref)  # fitted gap at the reference year, model scale
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

    def draw(f: TrendFit) -> tuple[np.ndarray, np.ndarray]:
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
    log = fu.model == "log"
    c = Convergence(
        iso3=fu.iso3, other=fo.iso3, ratio_now=math.exp(g_now) if log else math.nan,
        reference_year=int(ref), log_ratio_slope=d, log_ratio_slope_ci=d_ci,
        ratio_change=math.expm1(d) if log else math.nan, status=status,
        close_year=close_year, years_to_close=years, years_to_close_ci=ci, p_close=p_close,
        level=level, names_en=(un, on), names_ko=(uk, ok), model=fu.model,
        gap_now=_natural(fu.model, g_now),
        backtest=backtest_gap(fu, fo, level=level, holdout=holdout), latest=latest,
    )
    verdict, why = judge(c)
    return replace(c, verdict=verdict, reasons=why)
