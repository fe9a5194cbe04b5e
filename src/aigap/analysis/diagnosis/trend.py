"""Trends: growth, convergence, years to close a gap, and whether the data support a date.

:func:`trend` fits the unit and each comparator on one window (:mod:`.trendfit.window`: a
stated rule, or the user's), with a log-linear model for quantities that grow by a factor and a
linear one for signed or bounded indicators (:mod:`.trendfit.fit`); every fit and every gap is
backtested on its last years, the newest observed gap (in every series of the indicator's
concept) is set against the fit, and a catch-up year is given only when the crossing's interval
is finite, the backtest passes and the newest observation agrees (:mod:`.trendfit.converge`).
docs/trends.md says the rules in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from aigap.analysis.diagnosis.gap import indicator_meta
from aigap.analysis.diagnosis.trendfit.converge import (
    MAX_YEARS,
    N_DRAWS,
    SEED,
    Convergence,
    LatestGap,
    converge,
    latest_gaps,
)
from aigap.analysis.diagnosis.trendfit.fit import (
    LEVEL,
    MIN_POINTS,
    Backtest,
    LogLinearFit,
    Reason,
    TrendError,
    TrendFit,
    cagr,
    choose_model,
    fit_log_linear,
    fit_series,
)
from aigap.analysis.diagnosis.trendfit.window import (
    MIN_WINDOW,
    Window,
    adequate_years,
    coverage,
    intersect,
    rule_window,
    user_window,
)
from aigap.data.countries import check_iso3
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError
from aigap.jsonsafe import json_safe

__all__ = [
    "LEVEL", "MAX_YEARS", "MIN_POINTS", "MIN_WINDOW", "N_DRAWS", "SEED", "Backtest",
    "Convergence", "LatestGap", "LogLinearFit", "Reason", "TrendError", "TrendFit",
    "TrendResult", "Window", "cagr", "converge", "fit_log_linear", "fit_series",
    "trend",
]

MODELS = ("auto", "log", "linear")
# A concept's kind decides the model; an intensity (per capita, share) follows its unit.
KIND_MODEL = {"scale": "log", "signed": "linear", "score": "linear", "rank": "linear"}


@dataclass
class TrendResult:
    """Fits of the unit and each comparator, and convergence of each pair."""

    indicator: str
    unit: str
    measure_unit: str
    window: tuple[int | None, int | None]
    fits: dict[str, TrendFit]
    comparisons: list[Convergence] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # iso3 -> why no fit
    method: str = (
        "OLS on the fit window (log-linear, or linear for signed/bounded indicators); 90% "
        "Student-t intervals; backtest on the last years; years-to-close interval by "
        f"simulating intercepts and slopes ({N_DRAWS} draws)"
    )
    model: str = "log"
    window_rule: str = ""  # "rule" or "user"
    window_notes: tuple[Reason, ...] = ()  # why years were left out (present: in words)
    # Observations of each country after its fit window (same indicator), for projections.
    observed_after: tuple[tuple[str, int, float, str], ...] = ()  # (iso3, year, value, source)

    def fits_frame(self) -> pd.DataFrame:
        rows = []
        for iso3, f in self.fits.items():
            bt = f.backtest
            rows.append({
                "iso3": iso3, "model": f.model, "first_year": f.years[0],
                "last_year": f.years[-1], "n": f.n, "cagr": f.cagr,
                "cagr_years": f"{f.cagr_years[0]}-{f.cagr_years[1]}", "growth": f.growth,
                "growth_lo": f.growth_ci[0], "growth_hi": f.growth_ci[1], "slope": f.slope,
                "slope_se": f.slope_se, "unit": f.unit, "source": f.source,
                "vintage": f.vintage,
                "backtest": _bt_label(bt), "backtest_passed": None if bt is None else bt.passed,
                "backtest_error": math.nan if bt is None else bt.error,
                "note": "; ".join(f.notes),
            })
        for iso3, why in self.skipped.items():
            rows.append({"iso3": iso3, "note": why})
        return pd.DataFrame(rows)

    def comparisons_frame(self) -> pd.DataFrame:
        rows = []
        for c in self.comparisons:
            lo, hi = c.years_to_close_ci if c.years_to_close_ci else (math.nan, math.nan)
            newest = max(c.latest, key=lambda lg: lg.year, default=None)
            rows.append({
                "iso3": c.iso3, "other": c.other, "model": c.model,
                "reference_year": c.reference_year, "ratio": c.ratio_now,
                "gap": c.gap_now, "ratio_change": c.ratio_change,
                "log_ratio_slope": c.log_ratio_slope, "slope_lo": c.log_ratio_slope_ci[0],
                "slope_hi": c.log_ratio_slope_ci[1], "status": c.status,
                "verdict": c.verdict, "why": ", ".join(r.code for r in c.reasons),
                "catch_up_year": c.catch_up_year, "years_to_close": c.catch_up_years,
                "crossing_year": c.close_year, "crossing_in_years": c.years_to_close,
                "years_lo": lo, "years_hi": hi, "p_close": c.p_close,
                "backtest": _bt_label(c.backtest),
                "backtest_passed": None if c.backtest is None else c.backtest.passed,
                "newest_year": newest.year if newest else None,
                "newest_gap": newest.gap if newest else math.nan,
                "newest_series": newest.series if newest else "",
                "newest_consistent": newest.consistent if newest else None,
            })
        return pd.DataFrame(rows)

    def projection(self, horizon: int = 5, level: float = LEVEL) -> pd.DataFrame:
        """Fitted values and prediction intervals for the ``horizon`` years after each fit,
        with the value observed in that year when there is one (beyond the fit window)."""
        seen = {(i, y): (v, s) for i, y, v, s in self.observed_after}
        rows = []
        for iso3, f in self.fits.items():
            for year in range(f.years[-1] + 1, f.years[-1] + horizon + 1):
                mid, lo, hi = f.predict(year, level)
                obs, obs_source = seen.get((iso3, year), (math.nan, ""))
                rows.append({"iso3": iso3, "year": year, "fitted": mid, "lo": lo, "hi": hi,
                             "observed": obs, "observed_source": obs_source, "unit": f.unit,
                             "source": f.source})
        return pd.DataFrame(rows)

    def latest_frame(self) -> pd.DataFrame:
        """The newest observed gap of each pair in each series, against the fit."""
        rows = [{"iso3": c.iso3, "other": c.other, "series": lg.series, "year": lg.year,
                 "value": lg.value, "other_value": lg.other_value, "gap": lg.gap,
                 "fitted": lg.fitted, "lo": lg.lo, "hi": lg.hi, "consistent": lg.consistent,
                 "source": lg.source}
                for c in self.comparisons for lg in c.latest]
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: its fit and, for comparators, the convergence with the unit."""
        fits, comp = self.fits_frame(), self.comparisons_frame()
        if comp.empty:
            return fits
        comp = comp.drop(columns=["iso3", "model"]).rename(
            columns={"other": "iso3", "backtest": "gap_backtest",
                     "backtest_passed": "gap_backtest_passed"})
        return fits.merge(comp, on="iso3", how="left")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: non-finite numbers become null (aigap.jsonsafe). An interval whose upper
        end is +inf ("the data cannot rule out that it never closes") is kept as a flag:
        ``may_never_close``. ``catch_up_year`` is null unless the data support a date;
        ``close_year`` is the fitted crossing."""
        out = asdict(self)
        for f in out["fits"].values():
            f.pop("values", None)
        for c, obj in zip(out["comparisons"], self.comparisons, strict=True):
            ci = c["years_to_close_ci"]
            c["may_never_close"] = bool(ci is not None and math.isinf(ci[1]))
            c["catch_up_year"] = obj.catch_up_year
        return json_safe(out)  # type: ignore[no-any-return]


def _bt_label(bt: Backtest | None) -> str:
    """'3/3 (to 2020)': held-out years inside the prediction interval of a fit up to 2020."""
    if bt is None:
        return "none"
    return f"{bt.n_inside}/{len(bt.inside)} (to {bt.fit_years[1]})"


def concept_series(indicator: str) -> tuple[list[str], str | None]:
    """The series of ``indicator``'s concept (``indicator`` first), whose newest observations
    are set against the fit, and the concept's kind (scale, signed, score, ...; None unknown).

    The hook into the concepts layer (:mod:`aigap.data.concepts`); without it, the indicator
    alone.
    """
    try:
        from aigap.data.concepts import concept_of
    except ImportError:  # a tree without the concepts layer
        return [indicator], None
    con = concept_of(indicator)
    if con is None:
        return [indicator], None
    own = next((s.kind for s in con.series if s.indicator == indicator), con.kind)
    return [indicator, *[s.indicator for s in con.series if s.indicator != indicator]], own


def _panels(wh: Warehouse, codes: Sequence[str], units: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Each series' panel of ``units``; a series this warehouse lacks is left out."""
    out = {}
    for code in codes:
        try:
            out[code] = wh.panel([code], countries=units)
        except AigapError:  # an indicator of the concept that is not loaded here
            continue
    return out


def trend(
    wh: Warehouse,
    unit: str,
    *,
    indicator: str,
    vs: Sequence[str] | None = None,
    window: tuple[int | None, int | None] | None = None,
    model: str = "auto",
    holdout: int | None = None,
    level: float = LEVEL,
    n_draws: int = N_DRAWS,
    series: str | None = None,
) -> TrendResult:
    """Growth of ``unit`` (and each of ``vs``) on ``indicator`` and convergence of each pair.

    ``window`` = (start, end), either end None for open, replaces the window rule
    (:mod:`aigap.analysis.diagnosis.trendfit.window`). ``model``: auto (linear for signed or
    bounded indicators, else log), log or linear. ``holdout``: years held out of the backtest
    (default up to 3). Raises :class:`TrendError` when the unit's own series is too short; a
    comparator that is too short is listed in ``skipped``.
    """
    if not indicator:
        raise TrendError("name an indicator (--indicator)")
    if model not in MODELS:
        raise TrendError(f"unknown trend model {model!r}; choose from {', '.join(MODELS)}")
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
    full = wh.panel([indicator])
    measure = str(full["unit"].iloc[0]) if not full.empty else str(meta["unit"])
    codes, kind = concept_series(indicator)
    if model == "auto":
        model = KIND_MODEL.get(kind or "") or choose_model(full["value"].dropna(), measure)
    panel = full[full["iso3"].isin([u, *others])]
    series = {c: panel[panel["iso3"] == c] for c in [u, *others]}

    # The window: the user's, or the rule on each series, shared by the comparison.
    skipped: dict[str, str] = {}
    if window and (start is not None or end is not None):
        win: Window = user_window(start, end, panel["year"])
        where = f" in {start or '…'}-{end or '…'}"
    else:
        adequate, ref = adequate_years(coverage(full), meta.get("top_n"))
        win = rule_window(series[u], adequate, ref, model=model, who=u,
                          indicator=indicator)
        where = ""
        for o in others:
            try:
                own = rule_window(series[o], adequate, ref, model=model, who=o,
                                  indicator=indicator)
            except TrendError as exc:
                skipped[o] = str(exc)
                continue
            both = intersect(win, own)
            n_u = 0 if both is None else int(series[u]["year"].between(both.start,
                                                                         both.end).sum())
            if both is None or n_u < MIN_WINDOW:
                skipped[o] = (f"{o}'s usable years {own.start}-{own.end} share fewer than "
                              f"{MIN_WINDOW} with {u}'s {win.start}-{win.end}")
                continue
            win = both

    fits: dict[str, TrendFit] = {}
    for iso3 in [u, *others]:
        if iso3 in skipped:
            continue
        sub = series[iso3]
        sub = sub[(sub["year"] >= win.start) & (sub["year"] <= win.end)]
        try:
            fits[iso3] = fit_series(sub, model=model, iso3=iso3, indicator=indicator,
                                    unit=measure, level=level, holdout=holdout)
        except TrendError as exc:
            if iso3 == u:
                raise TrendError(f"{exc}{where}") from None
            skipped[iso3] = f"{exc}{where}"
    after = tuple((str(r.iso3), int(r.year), float(r.value), str(r.source))
                  for r in panel.dropna(subset=["value"]).itertuples()
                  if r.iso3 in fits and int(r.year) > fits[str(r.iso3)].years[-1])
    result = TrendResult(indicator=indicator, unit=u, measure_unit=measure,
                         window=(win.start, win.end), fits=fits, skipped=skipped, model=model,
                         window_rule=win.rule, window_notes=win.notes, observed_after=after)
    names = wh.country_names("en")
    names_ko = wh.country_names("ko")
    panels = {indicator: panel, **_panels(wh, codes[1:], [u, *others])}
    for o in others:
        if o not in fits:
            continue
        result.comparisons.append(converge(
            fits[u], fits[o], level=level, n_draws=n_draws, holdout=holdout,
            names=(names.get(u, u), names.get(o, o)),
            names_ko=(names_ko.get(u, u), names_ko.get(o, o)),
            latest=latest_gaps(fits[u], fits[o], panels, indicator, level=level),
        ))
    return result
