"""Scenarios: project every indicator to a target year and run the index on sampled futures.

Projection (per unit, per indicator, from its history)
-----------------------------------------------------
* **Model rule**: log-linear (OLS of ``log(value)`` on year) when every observed value of the
  series is > 0 and the indicator is not a bounded score; linear (OLS of the value on year)
  otherwise. An indicator counts as bounded when its unit mentions a percentage, a score, an
  index, a share, a rate, a ratio, an estimate or a rank
  (:func:`~aigap.analysis.targets.bounds.bounded_unit`), when the catalogue marks it signed
  (net flows) or when listed in ``linear=``.
  Linear projections are clipped to the natural range: >= 0 for indicators whose history is
  never negative, <= 100 for percentages and 0-100 scores.
* **Uncertainty**: the predictive distribution of OLS with ``m`` points:
  ``center + s * sqrt(1 + 1/m + (x0 - xbar)^2 / Sxx) * T``, ``T ~ Student-t(m - 2)``, which is
  the slope's sampling distribution plus residual noise. Draws are truncated at the t
  distribution's 0.5 % / 99.5 % quantiles: with 3 points (1 degree of freedom, a Cauchy) a
  single astronomically large draw would otherwise reset the min-max goalposts of every unit.
  A series that is exactly exponential (or linear) has ``s = 0`` and projects exactly.
* **Short series**: fewer than :data:`MIN_POINTS` observations -> held constant at the last
  observed value (flag ``constant``); no observation at all -> the base-year value (or missing).
  An indicator with one edition in the whole history is flagged ``one edition: held constant``
  in :attr:`ScenarioResult.assumptions`.
* **Methodology breaks**: a series is fitted only on the years after its last break: a change of
  the measurement unit within the series, or an edition listed in :data:`METHOD_BREAKS` (e.g.
  Oxford Insights' 2025 six-pillar framework). Observations before the break are not used.
* **Plausibility caps**: every projection (and every draw) stays within
  :func:`aigap.analysis.targets.bounds.plausible_range` of the indicator's history: no further
  than :data:`~aigap.analysis.targets.bounds.MARGIN` of the observed range beyond the best (or
  worst) value of any country in any year, never negative for counts, within 0-100 for %; and
  a growth series rises no faster than the fastest sustained growth any country showed from
  a base at least as large (:func:`_growth_caps`).
* **Backtest**: :func:`backtest` projects from earlier base years ``B`` to ``B + h`` with the
  data up to ``B`` only and compares the projected top 10 with the engine's ranking of the
  observed data of ``B + h`` (how many of the ten are right, how many at the exact rank).

Index on sampled panels
-----------------------
Samples are processed in chunks of :data:`CHUNK`; within a chunk the (B, units, indicators)
array is laid out as one (units, B * indicators) matrix so the plan's column-wise steps
(:func:`~aigap.index.pipeline.transform`: denominate, impute, treat and normalise, with the
framework tiled B times) and its row-wise aggregation (on B * units rows) each run once per
chunk.
Frozen from the central projection's exact engine run: the set of units (screening), the
weights (weight steps, PCA/optimised weights) and denominators / group labels (base year).
Normalisation is computed within the projected year (``global_panel`` pooling does not apply).

What-if expressions (``KOR.private_ai_investment*2``, ``USA.x+5``, ``CHN.y=0.3``; comma
separated) are applied to the projected target-year values of every sample (and the central
projection); the baseline without them uses the same draws, so the difference is not noise.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from aigap.analysis.targets.bounds import (
    MARGIN,
    bounded_unit,
    plausible_range,
    sustained_changes,
)
from aigap.errors import SpecError
from aigap.index.inputs import Frames, find_unit, load_inputs
from aigap.index.methods.stats import rank_desc
from aigap.index.pipeline import run, transform
from aigap.index.plan import Framework, Plan
from aigap.index.result import IndexResult
from aigap.index.spec import Spec

MIN_POINTS = 3
CHUNK = 1000
TRUNC_Q = 0.995
DEFAULT_N = 2000  # the one default number of sampled futures (CLI, report, dashboard)
BACKTEST_TOP = 10
# Editions that start a new methodology: a series is not extrapolated across them.
METHOD_BREAKS: dict[str, str] = {
    "oxford_gairi_2019": "Oxford Insights 2019: 10-point scale",
    "oxford_gairi_2020": "Oxford Insights 2020: new 0-100 framework (after the 2019 10-point "
                         "scale)",
    "oxford_gairi_2025": "Oxford Insights 2025: six-pillar framework",
}

# history provider: (spec, framework) -> long frame with columns unit, indicator, year, value
HistoryProvider = Callable[[Spec, Framework], pd.DataFrame]
HISTORY_PROVIDERS: dict[str, HistoryProvider] = {}


def register_history_provider(source: str, provider: HistoryProvider) -> None:
    """Provide histories for specs whose ``data.source`` is ``source`` (e.g. the warehouse)."""
    HISTORY_PROVIDERS[source] = provider


def history_from_warehouse(wh: Any, indicators: Iterable[str]) -> pd.DataFrame:
    """Long history (unit, indicator, year, value) of ``indicators`` in warehouse ``wh``."""
    df = wh.panel(list(indicators))
    # the panel's own "unit" column is the measurement unit; the history's "unit" is the country
    return df.rename(columns={"unit": "measure"}).rename(columns={"iso3": "unit"})[
        ["unit", "indicator", "year", "value", "source", "measure"]]


def after_breaks(history: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """History without the observations before each series' last methodology break.

    A break is an edition in :data:`METHOD_BREAKS` (column ``source``) or a change of the
    measurement unit (column ``measure``) within one indicator. Returns the kept rows and, per
    indicator, a note of the break applied.
    """
    h = history
    notes: dict[str, str] = {}
    if h.empty or not ({"source", "measure"} & set(h.columns)):
        return h, notes
    cut = pd.Series(-np.inf, index=pd.Index(h["indicator"].unique()))
    if "source" in h.columns:
        brk = h[h["source"].isin(list(METHOD_BREAKS))]
        for ind, g in brk.groupby("indicator"):
            # the newest break source starts the series, from its first year
            src = str(g.loc[g["year"].idxmax(), "source"])
            y = int(g.loc[g["source"] == src, "year"].min())
            if int(h.loc[h["indicator"] == ind, "year"].min()) < y:
                cut[ind] = max(cut[ind], y)
                notes[str(ind)] = f"method break {y} ({METHOD_BREAKS[src]}): fitted from {y}"
    if "measure" in h.columns:
        for ind, g in h.dropna(subset=["measure"]).groupby("indicator"):
            last = g.loc[g["year"].idxmax(), "measure"]
            other = g[g["measure"] != last]
            if len(other):
                y = int(other["year"].max()) + 1
                if y > cut[ind]:
                    cut[ind] = y
                    notes[str(ind)] = (f"unit changes to {last!r} in {y}: fitted from {y}")
    keep = h["year"].to_numpy(float) >= cut.reindex(h["indicator"]).to_numpy(float)
    return h[keep], notes


def warehouse_history(spec: Spec, fw: Framework) -> pd.DataFrame:
    """History of the spec's indicators from the default warehouse."""
    from aigap.data.warehouse import Warehouse

    with Warehouse.open() as wh:
        return history_from_warehouse(wh, fw.indicators)


register_history_provider("warehouse", warehouse_history)


def history_from_frames(frames: Frames, fw: Framework) -> pd.DataFrame:
    """Long history (unit, indicator, year, value) from a panel's wide yearly frames."""
    parts = []
    for y, f in frames.items():
        if y is None:
            continue
        cols = [c for c in fw.indicators if c in f.columns]
        long = f[cols].rename_axis("unit").reset_index().melt(
            id_vars="unit", var_name="indicator", value_name="value")
        long["year"] = int(y)
        parts.append(long)
    if not parts:
        return pd.DataFrame(columns=["unit", "indicator", "year", "value"])
    out = pd.concat(parts, ignore_index=True)
    out["unit"] = out["unit"].astype(str)
    return out


# --------------------------------------------------------------------------- what-if


class WhatIfError(SpecError):
    """A what-if expression cannot be parsed or names an unknown unit/indicator."""


@dataclass(frozen=True)
class WhatIf:
    """``unit.indicator <op> value`` with op ``*`` (scale), ``+`` (add) or ``=`` (set)."""

    unit: str
    indicator: str
    op: str
    value: float

    def apply(self, v: np.ndarray) -> np.ndarray:
        if self.op == "*":
            return v * self.value
        if self.op == "+":
            return v + self.value
        return np.full_like(v, self.value)

    def __str__(self) -> str:
        return f"{self.unit}.{self.indicator}{self.op}{self.value:g}"


_CLAUSE = re.compile(
    r"^(?P<unit>[A-Za-z][A-Za-z0-9_]*)\.(?P<ind>[A-Za-z0-9_][A-Za-z0-9_.\-]*?)\s*(?P<op>[*+=])"
    r"\s*(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)$")


def parse_what_if(text: str, units: Iterable[str] | None = None,
                  indicators: Iterable[str] | None = None) -> list[WhatIf]:
    """Parse ``UNIT.indicator*factor, UNIT.indicator+delta, UNIT.indicator=value`` (no eval).

    With ``units`` / ``indicators`` given, names are checked (units case-insensitively).
    """
    if not text or not text.strip():
        raise WhatIfError("what-if: empty expression (expected e.g. KOR.private_ai_investment*2)")
    unit_list = list(units) if units is not None else None
    ind_list = list(indicators) if indicators is not None else None
    out = []
    for raw in text.split(","):
        clause = raw.strip()
        m = _CLAUSE.match(clause)
        if not m:
            raise WhatIfError(f"what-if {clause!r}: expected UNIT.indicator*factor, "
                              "UNIT.indicator+delta or UNIT.indicator=value")
        unit, ind, op = m["unit"], m["ind"], m["op"]
        value = float(m["num"])
        if not math.isfinite(value):
            raise WhatIfError(f"what-if {clause!r}: value must be finite")
        if op == "*" and value < 0:
            raise WhatIfError(f"what-if {clause!r}: a scale factor must be >= 0")
        if unit_list is not None:
            hit = [u for u in unit_list if u.upper() == unit.upper()]
            if not hit:
                raise WhatIfError(f"what-if {clause!r}: unknown unit {unit!r}"
                                  f"{_hint(unit.upper(), unit_list)}")
            unit = hit[0]
        if ind_list is not None and ind not in ind_list:
            raise WhatIfError(f"what-if {clause!r}: unknown indicator {ind!r}"
                              f"{_hint(ind, ind_list)}")
        out.append(WhatIf(unit, ind, op, value))
    return out


def _hint(name: str, pool: list[str]) -> str:
    close = difflib.get_close_matches(name, pool, n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


# --------------------------------------------------------------------------- projection


@dataclass
class Projection:
    """Predictive distributions of every (unit, indicator) at the target year."""

    units: list[str]
    indicators: list[str]
    center: np.ndarray  # (U, p) in model space (log for log-linear series)
    scale: np.ndarray  # (U, p) predictive scale (0 = deterministic)
    dof: np.ndarray  # (U, p) Student-t degrees of freedom
    log: np.ndarray  # (U, p) bool
    lo: np.ndarray  # (U, p) clip range in raw units
    hi: np.ndarray
    table: pd.DataFrame  # one row per series: model, points, growth, flags

    def central(self) -> np.ndarray:
        """The point projection (median of the predictive distribution) in raw units."""
        v = np.where(self.log, np.exp(np.where(self.log, self.center, 0.0)), self.center)
        return np.clip(v, self.lo, self.hi)

    def sample(self, B: int, rng: np.random.Generator) -> np.ndarray:
        """(B, U, p) draws in raw units (truncated Student-t around the OLS prediction)."""
        U, p = self.center.shape
        Z = np.zeros((B, U, p))
        live = self.scale > 0
        # one scalar-df draw per distinct dof (few: m - 2 for m years) is far faster than an
        # array-df draw
        for d in np.unique(self.dof[live]):
            sel = live & (self.dof == d)
            q = float(stats.t.ppf(TRUNC_Q, d))
            Z[:, sel] = np.clip(rng.standard_t(d, size=(B, int(sel.sum()))), -q, q)
        V = self.center + self.scale * Z
        with np.errstate(over="ignore"):  # truncation keeps draws finite; inf is clipped anyway
            V = np.where(self.log, np.exp(np.where(self.log, V, 0.0)), V)
        return np.clip(V, self.lo, self.hi)


def project(history: pd.DataFrame, units: list[str], fw: Framework, to: int,
            base: pd.DataFrame | None = None, linear: Iterable[str] = (),
            margin: float | None = MARGIN) -> Projection:
    """Fit every series of ``history`` (unit, indicator, year, value) and project to ``to``.

    ``margin``: projections are capped at the best observed value plus ``margin`` x the
    observed range (:func:`~aigap.analysis.targets.bounds.plausible_range`); None = natural
    range only."""
    inds = list(fw.indicators)
    h_all = history.dropna(subset=["value"])
    h_all = h_all[h_all["indicator"].isin(inds)]
    h = h_all[h_all["unit"].isin(units)]
    years = np.array(sorted(h["year"].astype(int).unique()), dtype=float)
    U, p, Y = len(units), len(inds), len(years)
    H = np.full((U, p, max(Y, 1)), np.nan)
    if Y:
        ui = pd.Index(units).get_indexer(h["unit"])
        ii = pd.Index(inds).get_indexer(h["indicator"])
        yi = np.searchsorted(years, h["year"].astype(float).to_numpy())
        H[ui, ii, yi] = h["value"].to_numpy(float)
    if Y and to <= years.max():
        raise SpecError(f"target year {to} must be after the last observed year "
                        f"{int(years.max())}")
    mask = ~np.isnan(H)
    m = mask.sum(axis=2)
    forced = set(linear)
    bounded = np.array([bounded_unit(fw.units.get(c, "") or "") or c in forced or _signed(c)
                        for c in inds])
    positive = np.where(mask, H > 0, True).all(axis=2) & (m > 0)
    use_log = positive & ~bounded[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        Yv = np.where(use_log[..., None], np.log(np.where(mask, H, 1.0)), H)
        t = years[None, None, :] if Y else np.zeros((1, 1, 1))
        mm = np.maximum(m, 1)[..., None]
        tbar = np.where(mask, t, 0.0).sum(axis=2, keepdims=True) / mm
        x = np.where(mask, t - tbar, 0.0)
        sxx = (x * x).sum(axis=2)
        ybar = np.where(mask, Yv, 0.0).sum(axis=2, keepdims=True) / mm
        sxy = (x * np.where(mask, Yv - ybar, 0.0)).sum(axis=2)
        slope = np.where(sxx > 0, sxy / sxx, 0.0)
        resid = np.where(mask, Yv - ybar - slope[..., None] * x, 0.0)
        s2 = (resid**2).sum(axis=2) / np.maximum(m - 2, 1)
        x0 = to - tbar[..., 0]
        center = ybar[..., 0] + slope * x0
        scale = np.sqrt(s2 * (1 + 1 / np.maximum(m, 1) + x0**2 / np.where(sxx > 0, sxx, 1.0)))
    fit = m >= MIN_POINTS
    # last observed value, for series held constant
    last_idx = np.where(mask, np.arange(max(Y, 1)), -1).max(axis=2)
    last = np.take_along_axis(np.where(mask, Yv, np.nan), np.maximum(last_idx, 0)[..., None],
                              axis=2)[..., 0]
    last = np.where(m > 0, last, np.nan)
    if base is not None:  # no history at all: the base-year value, held
        bv = base.reindex(index=units, columns=inds).to_numpy(float)
        none = m == 0
        last = np.where(none, np.where(use_log, np.log(np.where(bv > 0, bv, np.nan)), bv), last)
        use_log = np.where(none & ~(bv > 0), False, use_log)
        last = np.where(none & ~use_log, bv, last)
    center = np.where(fit, center, last)
    scale = np.where(fit & np.isfinite(scale), scale, 0.0)
    scale = np.where(scale < 1e-12 * np.maximum(1.0, np.abs(center)), 0.0, scale)
    dof = np.where(fit, np.maximum(m - 2, 1), 1).astype(float)
    lo = np.full(p, -np.inf)
    hi = np.full(p, np.inf)
    for j, c in enumerate(inds):
        # the plausible range of the whole history (all countries, also those outside the
        # index): no projection beyond the best observed value plus the stated margin
        rng_ = plausible_range(h_all.loc[h_all["indicator"] == c, "value"],
                               fw.units.get(c, "") or "", margin=margin)
        lo[j], hi[j] = rng_.lo, rng_.hi
    lo, hi = np.tile(lo, (U, 1)), np.tile(hi, (U, 1))
    if margin is not None and Y:
        hi = np.minimum(hi, _growth_caps(h_all, units, inds, fw, to, H, mask, years))
    model = np.where(m == 0, "missing", np.where(~fit, "constant",
                                                 np.where(use_log, "log-linear", "linear")))
    with np.errstate(over="ignore", invalid="ignore"):
        growth = np.where(use_log & fit, (np.exp(slope) - 1) * 100, np.nan)
    rows = []
    for ui_, u in enumerate(units):
        for j, c in enumerate(inds):
            flag = ""
            if model[ui_, j] == "constant":
                flag = f"held constant: {m[ui_, j]} point(s) < {MIN_POINTS}"
            elif model[ui_, j] == "missing":
                flag = "no history"
            rows.append((u, c, int(m[ui_, j]), str(model[ui_, j]),
                         float(slope[ui_, j]) if fit[ui_, j] else 0.0,
                         float(growth[ui_, j]), flag))
    table = pd.DataFrame(rows, columns=["unit", "indicator", "n_points", "model", "slope",
                                        "growth_pct_per_year", "flag"])
    proj = Projection(units=units, indicators=inds, center=center, scale=scale, dof=dof,
                      log=use_log.astype(bool), lo=lo, hi=hi, table=table)
    raw_center = np.where(use_log, np.exp(np.where(use_log, center, 0.0)), center)
    proj.table["projected"] = proj.central().ravel()
    proj.table["capped"] = (np.isfinite(raw_center)
                            & ((raw_center > hi + 1e-12) | (raw_center < lo - 1e-12))).ravel()
    proj.table["cap_lo"] = lo.ravel()
    proj.table["cap_hi"] = hi.ravel()
    return proj


def _growth_caps(h_all: pd.DataFrame, units: list[str], inds: list[str], fw: Framework,
                 to: int, H: np.ndarray, mask: np.ndarray, years: np.ndarray) -> np.ndarray:
    """(U, p) upper caps: a growth series may not rise faster than the fastest sustained
    growth any country showed from a base at least as large as this unit's last value
    (:class:`~aigap.analysis.targets.bounds.Changes`), compounded from that value."""
    U, p = len(units), len(inds)
    cap = np.full((U, p), np.inf)
    last_idx = np.where(mask, np.arange(years.size), -1).max(axis=2)
    for j, c in enumerate(inds):
        ch = sustained_changes(h_all[h_all["indicator"] == c], fw.units.get(c, "") or "",
                               int(to - years.max()), _signed(c))
        if ch.kind != "growth" or not ch.window:
            continue
        for i in range(U):
            k = last_idx[i, j]
            if k < 0 or not H[i, j, k] > 0:
                continue
            g = ch.fastest(min_start=float(H[i, j, k]))
            if np.isfinite(g.up):
                cap[i, j] = H[i, j, k] * (1 + g.up) ** (to - years[k])
    return cap


def _signed(code: str) -> bool:
    """A net quantity in the catalogue (flows, balances): projected linearly."""
    from aigap.data.catalogue import catalogue

    entry = catalogue().get(code)
    return bool(entry.signed) if entry else False


# --------------------------------------------------------------------------- batched index


@dataclass
class _BatchContext:
    plan: Plan
    fw: Framework  # after screening and weight steps of the central run
    units: list[str]
    frame: pd.DataFrame  # the central projected frame (denominators, groups), rows = units


def _batch_scores(V: np.ndarray, ctx: _BatchContext) -> np.ndarray:
    """Index scores (B, U) of B sampled raw matrices (B, U, p), as the plan's engine run.

    Screening (units) and weight steps are frozen from the central run.
    """
    B, U, p = V.shape
    fw = ctx.fw
    X = V.transpose(1, 0, 2).reshape(U, B * p)  # column b * p + j = sample b, indicator j
    tiled = replace(fw, indicators=list(fw.indicators) * B)
    N = transform(ctx.plan, X, tiled, ctx.frame, ctx.units)
    rows = N.reshape(U, B, p).transpose(1, 0, 2)
    agg = ctx.plan.aggregation
    if any(m.option("across_units") for m in agg.methods(fw.n_levels).values()):
        # e.g. Copeland compares units: one sample at a time
        return np.stack([agg.tree(r, fw)[:, -1] for r in rows])
    A = agg.tree(rows.reshape(B * U, p), fw)
    return A[:, -1].reshape(B, U)


# --------------------------------------------------------------------------- result


@dataclass
class ScenarioResult:
    """Projected rank distribution per unit at year ``to``.

    ``table``: unit, name, current_rank (base year, engine), central_rank (engine on the point
    projection), median_rank, rank_p05, rank_p95, p_top{k}, score_median, score_p05, score_p95;
    with what-ifs also median_rank_baseline and p_top{k}_baseline (same draws, no what-if).
    ``projections``: per series n_points, model, slope, growth_pct_per_year, flag, projected,
    capped. ``assumptions``: per indicator editions, model, flags (one edition held constant,
    methodology break, capped projections). ``backtest``: see :func:`backtest`.
    """

    spec: str
    to: int
    base_year: int | None
    n: int
    seed: int | None
    k: int
    what_if: list[WhatIf]
    table: pd.DataFrame
    projections: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    backtest: dict[str, Any] | None = None
    unit: str = "KOR"  # the unit its sentence describes

    @property
    def p_col(self) -> str:
        return f"p_top{self.k}"

    def row(self, unit: str) -> pd.Series:
        u = find_unit(pd.Index(self.table["unit"]), unit)
        return self.table.set_index("unit").loc[u]

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: projected rank distribution (``table``)."""
        return self.table

    def to_dict(self) -> dict[str, Any]:
        from aigap.jsonsafe import json_safe

        return json_safe({
            "spec": self.spec, "to": self.to, "base_year": self.base_year, "n": self.n,
            "seed": self.seed, "k": self.k, "what_if": [str(w) for w in self.what_if],
            "unit": self.unit,
            "table": self.table, "notes": self.notes,
            "flags": self.projections[self.projections["flag"] != ""],
            "assumptions": self.assumptions, "backtest": self.backtest,
        })


# --------------------------------------------------------------------------- main entry


def scenario(
    spec: str | Path | Spec,
    *,
    to: int = 2030,
    n: int = DEFAULT_N,
    seed: int | None = 0,
    what_if: str | list[WhatIf] | None = None,
    k: int = 3,
    data: pd.DataFrame | None = None,
    history: pd.DataFrame | HistoryProvider | None = None,
    linear: Iterable[str] = (),
    data_dir: Path | None = None,
    backtest_runs: bool = True,
    margin: float | None = MARGIN,
    unit: str = "KOR",
) -> ScenarioResult:
    """Project the spec's indicators to ``to`` and report each unit's rank distribution.

    ``history``: a long frame (unit, indicator, year, value), a provider ``(spec, fw) -> frame``,
    or None: the provider registered for the spec's data source, else the spec's own panel
    (``data: {panel: true}``). ``linear``: indicators to project linearly regardless of the rule.
    ``backtest_runs``: add the top-10 backtest (:func:`backtest`) to the result. ``margin``:
    plausibility cap (see :func:`project`; None = natural range only). ``unit``: the unit its
    sentence describes.
    """
    if n < 1:
        raise SpecError(f"n must be >= 1, got {n}")
    if k < 1:
        raise SpecError(f"k must be >= 1, got {k}")
    prep = prepare(spec, to=to, data=data, history=history, linear=linear, data_dir=data_dir,
                   margin=margin)
    plan, fw0, base, base_year = prep.plan, prep.plan.framework, prep.base, prep.base_year
    sp, current, units, proj = plan.spec, prep.current, prep.units, prep.projection
    wifs = (parse_what_if(what_if, units, fw0.indicators) if isinstance(what_if, str)
            else list(what_if or []))

    # the central projection, through the exact engine
    central_frame = base.loc[units].copy()
    central_frame[fw0.indicators] = _apply(proj.central()[None], wifs, units, fw0.indicators)[0]
    # units are chosen already: the projected runs must not filter them again
    sp = sp.model_copy(update={"units": type(sp.units)()})
    plan = replace(plan, spec=sp)
    central = run(plan, {to: central_frame})[to]
    ctx = _BatchContext(plan=plan, fw=central.framework, units=list(central.dataset("Raw").index),
                        frame=central_frame.loc[list(central.dataset("Raw").index)])
    rows = pd.Index(units).get_indexer(ctx.units)
    cols = [fw0.indicators.index(c) for c in ctx.fw.indicators]

    rng = np.random.default_rng(seed)
    ranks, scores, base_ranks = [], [], []
    done = 0
    while done < n:
        B = min(CHUNK, n - done)
        V = proj.sample(B, rng)
        Vw = _apply(V, wifs, units, fw0.indicators)
        S = _batch_scores(Vw[:, rows][:, :, cols], ctx)
        ranks.append(rank_desc(S.T).T)
        scores.append(S)
        if wifs:
            S0 = _batch_scores(V[:, rows][:, :, cols], ctx)
            base_ranks.append(rank_desc(S0.T).T)
        done += B
    rk = np.vstack(ranks)
    sc = np.vstack(scores)
    kc = f"p_top{k}"
    names = central.unit_names
    table = pd.DataFrame({
        "unit": ctx.units,
        "name": [names.get(u, u) for u in ctx.units],
        "current_rank": [current.get(u, np.nan) for u in ctx.units],
        "central_rank": central.ranks[central.framework.root].reindex(ctx.units).to_numpy(),
        # ranks are integers: report ranks that occurred, not interpolated ones
        "median_rank": np.nanquantile(rk, 0.5, axis=0, method="inverted_cdf"),
        "rank_p05": np.nanquantile(rk, 0.05, axis=0, method="inverted_cdf"),
        "rank_p95": np.nanquantile(rk, 0.95, axis=0, method="inverted_cdf"),
        # rounded: shares of n draws, so that they add up to k exactly (no 2.9999999)
        kc: np.round((rk <= k).mean(axis=0), 12),
        "score_median": np.nanmedian(sc, axis=0),
        "score_p05": np.nanpercentile(sc, 5, axis=0),
        "score_p95": np.nanpercentile(sc, 95, axis=0),
    })
    if wifs:
        rk0 = np.vstack(base_ranks)
        table["median_rank_baseline"] = np.nanmedian(rk0, axis=0)
        table[f"{kc}_baseline"] = (rk0 <= k).mean(axis=0)
    table = table.sort_values(["median_rank", kc], ascending=[True, False],
                              kind="stable").reset_index(drop=True)
    notes = []
    n_const = int((proj.table["model"] == "constant").sum())
    if n_const:
        notes.append(f"{n_const} series with < {MIN_POINTS} points held constant")
    if plan.normalise.step.global_panel:
        notes.append("normalisation is computed within the projected year (no panel pooling)")
    bt = backtest(prep, horizon=to - base_year if base_year is not None else 1) \
        if backtest_runs else None
    return ScenarioResult(spec=sp.name, to=to, base_year=base_year, n=n, seed=seed, k=k,
                          what_if=wifs, table=table, projections=proj.table, notes=notes,
                          assumptions=assumptions(prep), backtest=bt, unit=unit)


# --------------------------------------------------------------------------- preparation


@dataclass
class Prepared:
    """Inputs of a projection: the plan, the base-year frame, the units, the fitted series."""

    plan: Plan
    base: pd.DataFrame
    base_year: int | None
    units: list[str]
    current: dict[str, float]  # engine rank in the base year
    history: pd.DataFrame  # after methodology breaks
    projection: Projection
    break_notes: dict[str, str]
    linear: tuple[str, ...] = ()
    margin: float | None = MARGIN

    def central_frame(self) -> pd.DataFrame:
        """The base frame with every indicator at its central projected value."""
        inds = self.plan.framework.indicators
        f = self.base.loc[self.units].copy()
        f[inds] = self.projection.central()
        return f


def prepare(spec: str | Path | Spec, *, to: int, data: pd.DataFrame | None = None,
            history: pd.DataFrame | HistoryProvider | None = None,
            linear: Iterable[str] = (), data_dir: Path | None = None,
            margin: float | None = MARGIN) -> Prepared:
    """Load the spec, its history (after methodology breaks) and project every series."""
    plan, frames = load_inputs(spec, data, data_dir)
    sp, fw0 = plan.spec, plan.framework
    years = sorted(y for y in frames if y is not None)
    base_year = years[-1] if years else None
    base = frames[base_year].copy()
    base.index = base.index.astype(str)
    hist, breaks = after_breaks(_history(sp, fw0, frames, history))
    unknown = sorted(set(linear) - set(fw0.indicators))
    if unknown:
        raise SpecError(f"linear: unknown indicator(s) {unknown}")
    if len(hist):
        last = int(hist["year"].max())
        base_year = last if base_year is None else max(base_year, last)
    # the units the engine keeps (units filter, groups, screening) in the base year
    current = _engine_rank(plan, base)
    units = [u for u in base.index if u in current]
    proj = project(hist, units, fw0, to, base=base[[c for c in fw0.indicators
                                                    if c in base.columns]], linear=linear,
                   margin=margin)
    return Prepared(plan=plan, base=base, base_year=base_year, units=units, current=current,
                    history=hist, projection=proj, break_notes=breaks, linear=tuple(linear),
                    margin=margin)


def assumptions(prep: Prepared) -> pd.DataFrame:
    """One row per indicator: editions, how its series were projected, and what was assumed."""
    fw = prep.plan.framework
    t = prep.projection.table
    rows = []
    hist = prep.history.dropna(subset=["value"])
    for c in fw.indicators:
        h = hist[hist["indicator"] == c]
        editions = int(h["year"].nunique())
        tt = t[t["indicator"] == c]
        models = tt["model"].value_counts()
        flags = []
        if editions <= 1:
            flags.append("one edition: held constant")
        elif editions < MIN_POINTS:
            flags.append(f"{editions} editions (< {MIN_POINTS}): held constant")
        if c in prep.break_notes:
            flags.append(prep.break_notes[c])
        n_cap = int(tt["capped"].sum())
        if n_cap:
            flags.append(f"{n_cap} projection(s) capped at the plausible range")
        rows.append({"indicator": c, "name": fw.names.get(c, c), "unit": fw.units.get(c, ""),
                     "editions": editions,
                     "first_year": int(h["year"].min()) if editions else None,
                     "last_year": int(h["year"].max()) if editions else None,
                     "model": str(models.index[0]) if len(models) else "missing",
                     "n_constant": int(models.get("constant", 0)),
                     "n_capped": n_cap, "flag": "; ".join(flags)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- backtest


def frame_at(history: pd.DataFrame, year: int, window: int, units: list[str],
             base: pd.DataFrame, inds: list[str]) -> pd.DataFrame:
    """Observed values at ``year``: each indicator's latest value in ``[year - window, year]``."""
    h = history[(history["year"] <= year) & (history["year"] >= year - window)]
    h = h[h["unit"].isin(units) & h["indicator"].isin(inds)].sort_values("year")
    wide = h.pivot_table(index="unit", columns="indicator", values="value", aggfunc="last")
    f = base.loc[units].copy()
    f[inds] = wide.reindex(index=units, columns=inds).to_numpy(float)
    return f


def backtest(prep: Prepared, horizon: int, top: int = BACKTEST_TOP) -> dict[str, Any]:
    """How often the projected top ``top`` was right: project from ``B`` to ``B + h`` with the
    data up to ``B`` and compare with the engine's ranking of the observed data of ``B + h``.

    ``h`` is the scenario's horizon, shortened to the longest the data allow (then said so).
    Returns ``{"horizon", "asked_horizon", "runs": [...], "overlap", "exact", "note"}``.
    """
    h = prep.history
    inds = list(prep.plan.framework.indicators)
    out: dict[str, Any] = {"asked_horizon": int(horizon), "top": top, "runs": []}
    if h.empty:
        return {**out, "horizon": None, "overlap": None, "exact": None,
                "note": "no history: no backtest"}
    years = sorted(int(y) for y in h["year"].unique())
    window = int(getattr(prep.plan.spec.data, "window", 0) or 0)
    first, last = years[0], years[-1]
    hz = int(horizon)
    # base years need MIN_POINTS years of data behind them
    while hz >= 1 and last - hz < first + MIN_POINTS - 1:
        hz -= 1
    if hz < 1:
        return {**out, "horizon": None, "overlap": None, "exact": None,
                "note": f"history {first}-{last} too short for a backtest"}
    plan = replace(prep.plan, spec=prep.plan.spec.model_copy(
        update={"units": type(prep.plan.spec.units)()}))
    runs = []
    for b in range(first + MIN_POINTS - 1, last - hz + 1):
        past = h[h["year"] <= b]
        try:
            proj = project(past, prep.units, prep.plan.framework, b + hz, linear=prep.linear,
                           margin=prep.margin)
            pf = prep.base.loc[prep.units].copy()
            pf[inds] = proj.central()
            obs = frame_at(h, b + hz, window, prep.units, prep.base, inds)
            r_proj = _ranks(plan, pf)
            r_obs = _ranks(plan, obs)
        except SpecError:
            continue  # e.g. too few indicators observed that early
        common = r_proj.index.intersection(r_obs.index)
        if len(common) < top:
            continue
        tp = list(r_proj[common].sort_values(kind="stable").index[:top])
        to_ = list(r_obs[common].sort_values(kind="stable").index[:top])
        exact = sum(1 for i, u in enumerate(tp) if i < len(to_) and to_[i] == u)
        runs.append({"base": b, "target": b + hz, "overlap": len(set(tp) & set(to_)) / top,
                     "exact": exact / top, "projected_top": tp, "observed_top": to_})
    note = "" if hz == horizon else f"horizon shortened from {horizon} to {hz} years (data)"
    if not runs:
        return {**out, "horizon": hz, "overlap": None, "exact": None,
                "note": note or "no base year with enough data"}
    return {**out, "horizon": hz, "runs": runs,
            "overlap": float(np.mean([r["overlap"] for r in runs])),
            "exact": float(np.mean([r["exact"] for r in runs])), "note": note}


def _ranks(plan: Plan, frame: pd.DataFrame) -> pd.Series:
    res: IndexResult = run(plan, {None: frame})[None]
    return res.ranks[res.framework.root].dropna()


def _history(sp: Spec, fw: Framework, frames: Frames,
             history: pd.DataFrame | HistoryProvider | None) -> pd.DataFrame:
    if isinstance(history, pd.DataFrame):
        h = history
    elif callable(history):
        h = history(sp, fw)
    elif sp.data.source in HISTORY_PROVIDERS and sp.data.source != "frame":
        h = HISTORY_PROVIDERS[sp.data.source](sp, fw)
    else:
        h = history_from_frames(frames, fw)
        if h.empty:
            raise SpecError(f"spec {sp.name!r} has no history (one year of data): use a panel "
                            "(data: {panel: true}) or pass history= (unit, indicator, year, "
                            "value)")
    missing = {"unit", "indicator", "year", "value"} - set(h.columns)
    if missing:
        raise SpecError(f"history needs columns unit, indicator, year, value; missing "
                        f"{sorted(missing)}")
    h = h[["unit", "indicator", "year", "value",
           *[c for c in ("source", "measure") if c in h.columns]]].copy()
    h["unit"] = h["unit"].astype(str)
    return h


def _apply(V: np.ndarray, wifs: list[WhatIf], units: list[str], inds: list[str]) -> np.ndarray:
    """What-ifs applied to (B, U, p) raw values (a copy)."""
    if not wifs:
        return V
    V = V.copy()
    for w in wifs:
        if w.unit not in units:
            raise WhatIfError(f"what-if {w}: unit {w.unit!r} is not among the units")
        if w.indicator not in inds:
            raise WhatIfError(f"what-if {w}: unknown indicator {w.indicator!r}")
        i, j = units.index(w.unit), inds.index(w.indicator)
        V[:, i, j] = w.apply(V[:, i, j])
    return V


def _engine_rank(plan: Plan, frame: pd.DataFrame) -> dict[str, float]:
    res: IndexResult = run(plan, {None: frame})[None]
    return res.ranks[res.framework.root].to_dict()
