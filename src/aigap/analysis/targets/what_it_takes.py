"""What it takes: the smallest change to one unit's indicators that lifts it to rank <= k.

Formulation
-----------
Let ``n`` be the unit's normalised indicators, ``n0`` their current values and ``x = n - n0 >= 0``
the moves (only improvements: with non-negative weights a worse value never helps).

* **Objective**: ``min sum_j c_j x_j`` — the L1 size of the change in normalised units
  (``c_j = 1``) or a cost-weighted L1 (``cost={indicator: c_j}``, cost per normalised point).
* **Target**: ``score(n0 + x) >= s_k + eps`` where ``s_k`` is the k-th best score among the
  *other* units (ranks use ties = "min", so passing ``s_k`` gives rank <= k).
* **Others held fixed**: the other units' normalised values and the normalisation parameters
  (min/max goalposts, mean/sd, treatment caps and log shifts) are frozen at their current values.
  With min-max that is exact while the unit stays inside the current range and is not the unit
  that defines the minimum. Raising a unit above the current leader would move the max goalpost,
  so by default (``cap_at_leader=True``) each indicator is capped at the best value among the
  other units; ``cap_at_leader=False`` uses fixed goalposts instead (normalised values may pass
  the upper bound of the scale, as if the goalposts were set in advance).
* **Bounds** (all intersected): the normalisation's hard range (goalposts with truncation), the
  leader cap, ``max_growth`` (at most ``+g`` a year over ``years`` years in raw units, i.e. raw
  <= raw0 * (1+g)^years, or raw >= raw0 / (1+g)^years for lower-is-better indicators; applied
  to positive raw values only), ``bounds={indicator: (lo, hi)}`` in raw units, and the natural
  range of the indicator (percentages within 0-100, non-negative data stay >= 0).
* **Missing values**: a value the spec imputes may move (``move_imputed=True``; it then reads as
  "from the imputed value"); with ``move_imputed=False`` it is frozen. A value that stays
  missing after the spec's steps is skipped by the aggregation and cannot move.

Solvers
-------
* Arithmetic aggregation at every level: the index is ``sum_j e_j n_j`` with the unit's effective
  weights ``e`` (:meth:`IndexResult.explain`), so the problem is one LP, solved exactly with
  HiGHS (``scipy.optimize.linprog(method="highs")``); optimality gap 0.
* Geometric / harmonic (or mixed) aggregation: weighted arithmetic, geometric and harmonic means
  are concave and non-decreasing, so the score is concave in ``n`` and the feasible set is
  convex. The primal solution comes from SLSQP (two starts); a lower bound from Kelley's cutting
  planes (tangent planes of the concave score are valid relaxations, each LP solved with HiGHS).
  ``gap`` = primal cost - lower bound (gradients by central differences, ~1e-7 accuracy).
  Median and Copeland aggregation are not supported (which aggregations qualify, and which
  are linear, is said by their registration in :mod:`aigap.index.methods.aggregate`).

Policy units (the default)
--------------------------
* **Levers**: each indicator gets a lever class from the cost file (:mod:`.levers`,
  ``costs.yaml``). Classes with ``policy_lever: false`` (World Bank governance estimates,
  perception and composite scores of other indices, ranks) are frozen unless
  ``include_levers=True``.
* **Objective**: US$ (``cost_usd`` per absolute unit x absolute units per raw unit x raw units
  per normalised point; for log-treated indicators the secant over the feasible range). Levers
  without a cost estimate stay out of the cheapest mix and are listed as options without a cost.
  ``costs=None`` restores the index-point objective (``cost=`` per normalised point).
* **Feasibility** (``margin``, ``growth``): no value beyond the best value observed among all
  countries and years plus ``margin`` x the observed range, and no change faster than the
  fastest sustained change of the indicator (:mod:`.bounds`) over the horizon ``by - year``.
  The bound that binds is named per move and per option.
* **By a target year** (``by=2030``): the other units move on their central projected paths
  (:func:`aigap.analysis.targets.scenarios.prepare`); the unit starts from its own projection
  and the moves are reported from today's value, with the cost of the part beyond the trend.
* **Options**: every lever alone (the move it needs, its cost, the bound that stops it) and the
  cheapest mix, ranked by US$.

Raw units: each move is mapped back through the fitted steps of the build
(:mod:`aigap.index.inverse`): the normalisation's affine map, the outlier treatment
(winsorising is the identity inside the caps; ``log_CT`` inverted with its frozen shift) and
denomination (times the unit's denominator). When
``verify=True`` the raw moves are written into the input data and the whole spec is re-run with
the engine: ``verified_rank`` is the engine's rank. If frozen parameters moved (e.g. winsorising
changed) and the engine rank misses ``k``, the target margin is raised by the engine's shortfall
and the problem re-solved (at most seven rounds).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog, minimize

from aigap.analysis.targets.bounds import (
    MARGIN,
    Growth,
    fastest_growth,
    growth_series,
    plausible_range,
)
from aigap.analysis.targets.levers import CostBook, Lever, load_costs
from aigap.errors import AigapError, SpecError
from aigap.index.inputs import Frames, find_unit, load_inputs, pick_year
from aigap.index.inverse import Chain, unit_chains
from aigap.index.methods import registry
from aigap.index.pipeline import aggregate_tree, run_year
from aigap.index.plan import Aggregation, Framework, Plan
from aigap.index.result import IndexResult
from aigap.index.spec import AggregateStep, Spec
from aigap.jsonsafe import json_safe

_PERCENT = re.compile(r"percent|%", re.IGNORECASE)
_TOL = 1e-9
DEFAULT_BY = 2030


# --------------------------------------------------------------------------- raw <-> normalised


def build_chains(plan: Plan, res: IndexResult, unit: str
                 ) -> tuple[dict[str, Chain], dict[str, str]]:
    """Chains for every indicator of ``unit`` that can be inverted, and notes for the others."""
    if plan.normalise.method is None or plan.normalise.method.option("affine") is None:
        affine = [m.name for m in registry.methods("normalise") if m.option("affine")]
        raise SpecError(f"what-it-takes needs a normalisation that is affine in each value "
                        f"({', '.join(affine)}); spec {plan.spec.name!r} uses "
                        f"{plan.normalise.step.method!r}")
    return unit_chains(res, unit)


# --------------------------------------------------------------------------- result


@dataclass
class TargetResult:
    """What it takes for ``unit`` to reach rank <= ``rank``.

    ``moves``: one row per indicator that moves (indicator, name, pillar, raw_from, raw_to,
    change_pct, normalised_from, normalised_to, contribution_from, contribution_to,
    score_gain, treatment, imputed, unit; in policy units also raw_today, raw_trend,
    abs_unit, change_abs, per_year, per_year_kind, cost_usd, bound). When infeasible, the
    moves that reach the best achievable score (every bound hit) are reported instead.
    ``options``: each lever alone and the cheapest mix, ranked by US$. ``levers``: every
    indicator's lever class, whether it may move, its cost and feasibility caps.
    """

    spec: str
    unit: str
    unit_name: str
    rank: int
    year: int | None
    feasible: bool
    current_score: float
    current_rank: int
    target_score: float  # score of the k-th best other unit, to be passed
    new_score: float
    new_rank: int
    max_score: float
    best_rank: int
    shortfall: float  # target_score - max_score when infeasible, else 0
    cost: float
    gap: float  # primal cost - proven lower bound (0 for the LP)
    method: str
    moves: pd.DataFrame
    verified_rank: int | None = None
    notes: list[str] = field(default_factory=list)
    by: int | None = None  # target year (others on their projected paths); None = held fixed
    costs_file: str | None = None  # the cost assumptions used (None = index points)
    cost_usd: float = math.nan  # US$ of the cheapest mix (beyond the trend when ``by``)
    options: pd.DataFrame = field(default_factory=pd.DataFrame)
    levers: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        """The indicators that move (``moves``)."""
        return self.moves

    def to_dict(self) -> dict[str, Any]:
        skip = {"moves", "options", "levers"}
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in skip}
        d["moves"] = self.moves
        d["options"] = self.options
        d["levers"] = self.levers
        return json_safe(d)


# --------------------------------------------------------------------------- main entry


def what_it_takes(
    spec: str | Path | Spec,
    unit: str,
    *,
    rank: int = 3,
    by: int | None = DEFAULT_BY,
    costs: CostBook | str | Path | None = "default",
    include_levers: bool = False,
    margin: float | None = MARGIN,
    growth: bool = True,
    cost: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    max_growth: float | Mapping[str, float] | None = None,
    years: int | None = None,
    cap_at_leader: bool = True,
    move_imputed: bool = True,
    data: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    denominators: Mapping[str, float] | None = None,
    year: int | None = None,
    data_dir: Path | None = None,
    verify: bool = True,
) -> TargetResult:
    """Cheapest change to ``unit``'s indicators that gives it rank <= ``rank`` (see module doc).

    ``by``: target year, others on their projected paths (None: others held fixed at today's
    values). ``costs``: the cost file ("default" = the shipped ``costs.yaml``, a path, a
    :class:`CostBook`, or None for the index-point objective with ``cost=`` per normalised
    point). ``include_levers``: let non-policy levers (governance, perception scores) move.
    ``margin``: cap at the best observed value + margin x range (None = off). ``growth``: cap
    at the fastest sustained observed growth. ``bounds``: raw (lo, hi) per indicator, None =
    open. ``max_growth``: max relative improvement a year (one rate or per indicator) over
    ``years`` years (default: the horizon, else 1). ``data``: a wide frame overriding the
    spec's data source; ``history``: long (unit, indicator, year, value) for projections and
    bounds; ``denominators``: the unit's ``population`` and ``gdp`` (default: the warehouse's
    latest, for warehouse specs); ``year``: which year of a panel (default latest).
    """
    if rank < 1:
        raise SpecError(f"rank must be >= 1, got {rank}")
    book = load_costs(None if costs == "default" else costs) \
        if costs is not None and not isinstance(costs, CostBook) else costs
    notes_pre: list[str] = []
    today: pd.DataFrame | None = None
    hist: pd.DataFrame | None = history
    if by is not None:
        from aigap.analysis.targets.scenarios import prepare

        try:
            prep = prepare(spec, to=by, data=data, history=history, margin=margin)
        except SpecError as exc:
            if "no history" not in str(exc):
                raise
            notes_pre.append(f"no history to project to {by}: others held at today's values")
            by = None
        else:
            # the units are chosen in the base year: the projected run must not filter them
            spec = prep.plan.spec.model_copy(update={"units": type(prep.plan.spec.units)()})
            today = prep.base
            hist = prep.history
            data = prep.central_frame()
            # the unit itself starts from today's values: the moves are what it must add
            # by the target year while the others follow their projected paths
            uu = find_unit(data.index, unit)
            data.loc[uu] = today.loc[uu, data.columns]
            year = None
            notes_pre.append(f"by {by}: the other units move on their central projected paths "
                             f"(scenario engine, base year {prep.base_year}); {uu} starts from "
                             "today's values")
    plan, frames = load_inputs(spec, data, data_dir)
    sp = plan.spec
    yr = pick_year(frames, year)
    res = run_year(plan, frames, yr)
    fw = res.framework
    agg = res.aggregation
    methods = Aggregation.of(agg).methods(fw.n_levels).values()
    if not all(m.option("concave") for m in methods):
        ok = [m.name for m in registry.methods("aggregate") if m.option("concave")]
        raise SpecError(f"what-it-takes supports {', '.join(ok)} aggregation; spec "
                        f"{sp.name!r} uses {sorted({m.name for m in methods} - set(ok))}")
    index = res.index
    u = find_unit(index.index, unit)
    for name, given in (("cost", cost), ("bounds", bounds),
                        ("max_growth", max_growth if isinstance(max_growth, Mapping) else None)):
        bad = sorted(set(given or {}) - set(fw.indicators))
        if bad:
            raise SpecError(f"{name}: unknown indicator(s) {bad}")
    if cost and any(not (np.isfinite(c) and c >= 0) for c in cost.values()):
        raise SpecError("cost: every cost must be a finite number >= 0")
    frame_u = frames[yr].copy()
    frame_u.index = frame_u.index.astype(str)
    chains, notes = build_chains(plan, res, u)

    N = res.dataset("Normalised")
    n0 = N.loc[u, fw.indicators].to_numpy(float)
    raw_in = res.dataset("Raw").loc[u, fw.indicators].to_numpy(float)
    imputed = np.isnan(raw_in) & ~np.isnan(n0)
    others = index.drop(index=u).dropna()
    score0 = float(index[u])
    sorted_others = np.sort(others.to_numpy())[::-1]
    cur_rank = int(1 + (sorted_others > score0).sum())
    target = float(sorted_others[rank - 1]) if rank <= len(sorted_others) else -math.inf
    base_year = _data_year(sp, yr)
    horizon = (by - base_year) if by is not None and base_year is not None else years
    if hist is None and (margin is not None or growth):
        hist = _own_history(sp, fw, frames)
    raw_all = res.dataset("Raw")[fw.indicators]
    start = raw_in.copy()  # today's values: growth bounds compound from them
    if today is not None:
        start = today.reindex(index=[u], columns=fw.indicators).to_numpy(float)[0]
    policy = _policy(fw, book, hist, u, start, raw_all, margin, growth if by is not None
                     or years is not None else False, horizon, include_levers,
                     denominators if denominators is not None else _denominators(sp, u))

    frozen = imputed if not move_imputed else np.zeros_like(imputed)
    frozen = frozen | policy.frozen
    lb, ub, raw0, binding = _bounds(fw, chains, N.drop(index=u), n0, raw_all, u, frame_u,
                                    bounds, max_growth, years if years is not None else horizon,
                                    cap_at_leader, frozen, policy.limits, start)
    c = np.array([float((cost or {}).get(code, 1.0)) for code in fw.indicators])
    usd_objective = False
    if book is not None:
        c_usd = _usd_per_point(chains, fw, n0, ub, policy.usd_per_raw)
        if np.isfinite(c_usd[ub > _TOL]).any():
            c, usd_objective = c_usd, True
        else:  # no lever of this spec has a cost estimate: say so, rank in index points
            policy.notes.append(f"no lever of spec {sp.name!r} has a cost in {book.path}: the "
                                "mix is the smallest change in index points, not in US$")
    linear = all(m.option("linear") for m in methods)
    e = res.explain(u)["weight"].to_numpy(float)
    movable = ~np.isnan(n0) & (ub > _TOL) & np.array([code in chains for code in fw.indicators])
    if linear:
        movable &= e > 0
    in_mix = movable & np.isfinite(c)
    problem = _Problem(n0=n0, lb=lb, ub=ub, c=np.where(np.isfinite(c), c, 0.0), e=e,
                       movable=in_mix, fw=fw, agg=agg, linear=linear)

    eps = 1e-9 * max(1.0, abs(target)) if np.isfinite(target) else 0.0
    extra = 0.0
    verified: int | None = None
    for _round in range(8):
        sol = problem.solve(target + eps + extra)
        x = sol.x
        if not verify or not sol.feasible or not np.any(x > _TOL):
            break
        eng_u, eng_kth, verified = _verify(plan, frames, yr, u, fw.indicators, chains, n0 + x,
                                           x > _TOL, rank)
        if verified <= rank:
            break
        # overshoot the engine's shortfall a little: moved goalposts usually scale the gain
        extra += 1.5 * max(eng_kth - eng_u, 0.0) + 10 * eps + 1e-9
        notes["_verify"] = (f"engine re-run missed rank {rank} by {eng_kth - eng_u:.3g} points "
                            "(frozen treatment/goalposts moved); target raised and re-solved")
    if verify and verified is None and not np.any(x > _TOL):
        verified = cur_rank
    new_score = problem.score(n0 + x)
    max_score = problem.score(n0 + np.where(in_mix, ub, 0.0))
    moves = _moves_frame(res, u, chains, n0, x, raw0, imputed, problem)
    if book is not None:
        moves = _policy_columns(moves, fw, policy, start, raw0, binding, ub, n0, horizon)
    options = pd.DataFrame() if cur_rank <= rank else _options(
        problem, movable, target + eps, fw, chains, n0, raw0, start, policy, binding, ub,
        book is not None, moves)
    extra_notes = notes_pre + [f"{k}: {v}" for k, v in notes.items() if not k.startswith("_")]
    extra_notes += policy.notes
    if "_verify" in notes:
        extra_notes.append(notes["_verify"])
    if not cap_at_leader:
        extra_notes.append("fixed goalposts: values beyond the current leader are scored as if "
                           "the normalisation bounds did not move")
    name = res.unit_names.get(u, u)
    return TargetResult(
        spec=sp.name, unit=u, unit_name=name, rank=rank, year=yr,
        feasible=bool(sol.feasible), current_score=score0, current_rank=cur_rank,
        target_score=target, new_score=new_score,
        new_rank=int(1 + (sorted_others > new_score + 1e-12).sum()),
        max_score=max_score, best_rank=int(1 + (sorted_others > max_score + 1e-12).sum()),
        shortfall=0.0 if sol.feasible else max(target - max_score, 0.0),
        cost=float(problem.c @ x), gap=sol.gap, method=sol.method, moves=moves,
        verified_rank=verified, notes=extra_notes, by=by,
        costs_file=book.path if book is not None else None,
        cost_usd=float(moves["cost_usd"].sum()) if usd_objective else math.nan,
        options=options, levers=policy.table,
    )


# --------------------------------------------------------------------------- policy units


@dataclass
class _Policy:
    """Per indicator: frozen (not a lever), raw limits with their labels, US$ per raw unit."""

    frozen: np.ndarray
    limits: dict[str, list[tuple[float, str]]]
    usd_per_raw: np.ndarray
    levers: dict[str, Lever]
    factor: np.ndarray  # absolute units per raw unit
    growth_kind: dict[str, bool]
    table: pd.DataFrame
    notes: list[str]


def _data_year(sp: Spec, yr: int | None) -> int | None:
    if yr is not None:
        return int(yr)
    return int(sp.data.year) if sp.data.year is not None else None


def _own_history(sp: Spec, fw: Framework, frames: Frames) -> pd.DataFrame | None:
    """History from the spec's history provider or its own panel (None if there is none)."""
    from aigap.analysis.targets.scenarios import HISTORY_PROVIDERS, history_from_frames

    if sp.data.source in HISTORY_PROVIDERS and sp.data.source != "frame":
        try:
            return HISTORY_PROVIDERS[sp.data.source](sp, fw)
        except (AigapError, OSError):  # no warehouse: bounds from the data themselves
            pass
    h = history_from_frames(frames, fw)
    if h.empty:
        frame = next(iter(frames.values()))
        cols = [c for c in fw.indicators if c in frame.columns]
        h = frame[cols].rename_axis("unit").reset_index().melt(
            id_vars="unit", var_name="indicator", value_name="value")
        h["year"] = 0
        h["unit"] = h["unit"].astype(str)
    return h


def _denominators(sp: Spec, unit: str) -> dict[str, float]:
    """The unit's latest population and GDP (current US$) from the warehouse (warehouse specs)."""
    if sp.data.source != "warehouse":
        return {}
    try:
        from aigap.data.warehouse import Warehouse

        with Warehouse.open() as wh:
            df = wh.panel(["population", "gdp_current_usd"], countries=[unit])
    except (AigapError, OSError):  # no warehouse: absolute amounts are not available
        return {}
    out: dict[str, float] = {}
    for code, key in (("population", "population"), ("gdp_current_usd", "gdp")):
        d = df[df["indicator"] == code].dropna(subset=["value"]).sort_values("year")
        if len(d):
            out[key] = float(d["value"].iloc[-1])
    return out


def _catalogue_unit(fw: Framework, code: str) -> tuple[str, bool]:
    from aigap.data.catalogue import catalogue

    entry = catalogue().get(code)
    unit = fw.units.get(code, "") or (entry.unit if entry else "")
    return unit, bool(entry.signed) if entry else False


def _policy(fw: Framework, book: CostBook | None, hist: pd.DataFrame | None, u: str,
            start: np.ndarray, raw_all: pd.DataFrame, margin: float | None, growth: bool,
            horizon: int | None, include_levers: bool, dens: Mapping[str, float]) -> _Policy:
    p = len(fw.indicators)
    frozen = np.zeros(p, dtype=bool)
    usd = np.full(p, np.nan)
    factor = np.full(p, np.nan)
    limits: dict[str, list[tuple[float, str]]] = {}
    levers: dict[str, Lever] = {}
    kinds: dict[str, bool] = {}
    rows = []
    notes: list[str] = []
    for j, code in enumerate(fw.indicators):
        unit, signed = _catalogue_unit(fw, code)
        d = int(fw.direction.get(code, 1))
        values = (hist.loc[hist["indicator"] == code, "value"] if hist is not None
                  else raw_all[code])
        kinds[code] = growth_series(unit, values, signed)
        lim: list[tuple[float, str]] = []
        cap_best = grow_cap = math.nan
        if margin is not None:
            rng_ = plausible_range(pd.concat([values, raw_all[code]]), unit, d, margin)
            cap_best = rng_.hi if d > 0 else rng_.lo
            lim.append((cap_best, f"best observed + {margin:.0%} of range"))
        g: Growth | None = None
        if growth and hist is not None and horizon and np.isfinite(start[j]):
            hh = hist[hist["indicator"] == code]
            g = fastest_growth(hh, unit, int(horizon), signed, min_start=float(start[j]))
            if g.window:
                grow_cap = g.limit(float(start[j]), float(horizon), d)
                lim.append((grow_cap, f"fastest sustained change ({g.where})"))
        limits[code] = lim
        lever = book.lever(code, unit) if book is not None else None
        allowed = True
        if lever is not None:
            levers[code] = lever
            allowed = lever.policy_lever or include_levers
            factor[j] = lever.factor(dict(dens))
            if lever.cost_usd is not None and np.isfinite(factor[j]):
                usd[j] = lever.cost_usd * factor[j]
        frozen[j] = not allowed
        rows.append({
            "indicator": code, "name": fw.names.get(code, code), "unit": unit,
            "lever_class": lever.lever_class if lever else "",
            "policy_lever": lever.policy_lever if lever else True, "moves": allowed,
            "abs_unit": lever.unit if lever else unit,
            "cost_usd_per_abs_unit": lever.cost_usd if lever else None,
            "cost_per": lever.per if lever else "", "cost_source": lever.source if lever else "",
            "today": float(start[j]), "cap_best_observed": cap_best,
            "cap_fastest_growth": grow_cap,
            "fastest_pace": (g.up if d > 0 else g.down) if g is not None and g.window else None,
            "pace_kind": (g.kind if g is not None and g.window else ""),
        })
    if book is not None:
        out = [r["indicator"] for r in rows if not r["moves"]]
        if out:
            notes.append(f"not policy levers on this horizon (excluded; --include-levers): "
                         f"{', '.join(out)}")
        nocost = [fw.indicators[j] for j in range(p) if not frozen[j] and not np.isfinite(usd[j])]
        if nocost:
            notes.append(f"no cost estimate (options only, not in the cheapest mix): "
                         f"{', '.join(nocost)}")
    if growth and (hist is None or not horizon):
        notes.append("no growth bound: no history or no horizon")
    return _Policy(frozen=frozen, limits=limits, usd_per_raw=usd, levers=levers, factor=factor,
                   growth_kind=kinds, table=pd.DataFrame(rows), notes=notes)


def _usd_per_point(chains: dict[str, Chain], fw: Framework, n0: np.ndarray, ub: np.ndarray,
                   usd_per_raw: np.ndarray) -> np.ndarray:
    """US$ per normalised point: exact for affine chains, the secant over [n0, n0 + ub] for
    log-treated ones (their raw cost grows along the move)."""
    out = np.full(len(fw.indicators), np.nan)
    for j, code in enumerate(fw.indicators):
        ch = chains.get(code)
        if ch is None or not np.isfinite(usd_per_raw[j]) or np.isnan(n0[j]):
            continue
        if ch.log:
            top = n0[j] + (ub[j] if np.isfinite(ub[j]) and ub[j] > _TOL else 1.0)
            per = abs(ch.inverse(float(top)) - ch.inverse(float(n0[j]))) / (top - n0[j])
        else:
            per = abs(ch.den / ch.a)
        out[j] = usd_per_raw[j] * per
    return out


def _policy_columns(moves: pd.DataFrame, fw: Framework, policy: _Policy, start: np.ndarray,
                    raw0: np.ndarray, binding: dict[str, str], ub: np.ndarray, n0: np.ndarray,
                    horizon: int | None) -> pd.DataFrame:
    """Absolute change, change a year, US$ and the binding bound of each move."""
    moves = moves.copy()
    idx = {c: j for j, c in enumerate(fw.indicators)}
    keys = ("raw_today", "raw_trend", "abs_unit", "abs_unit_ko", "change_abs", "per_year",
            "per_year_kind", "cost_usd", "bound")
    cols: dict[str, list[Any]] = {k: [] for k in keys}
    for r in moves.itertuples():
        j = idx[r.indicator]
        lever = policy.levers.get(r.indicator)
        f = policy.factor[j]
        s0 = start[j] if np.isfinite(start[j]) else raw0[j]
        cols["raw_today"].append(s0)
        cols["raw_trend"].append(raw0[j])
        cols["abs_unit"].append(lever.unit if lever else r.unit)
        cols["abs_unit_ko"].append((lever.unit_ko or lever.unit) if lever else r.unit)
        cols["change_abs"].append((r.raw_to - s0) * f if np.isfinite(f) else np.nan)
        if horizon and policy.growth_kind.get(r.indicator) and s0 > 0 and r.raw_to > 0:
            cols["per_year"].append(((r.raw_to / s0) ** (1 / horizon) - 1) * 100)
            cols["per_year_kind"].append("% a year")
        elif horizon:
            cols["per_year"].append((r.raw_to - s0) / horizon)
            cols["per_year_kind"].append("units a year")
        else:
            cols["per_year"].append(np.nan)
            cols["per_year_kind"].append("")
        cols["cost_usd"].append(abs(r.raw_to - raw0[j]) * policy.usd_per_raw[j])
        cols["bound"].append(binding.get(r.indicator, "") if r.normalised_to >= n0[j] + ub[j]
                             - 1e-7 else "")
    for k, v in cols.items():
        moves[k] = v
    # a percentage change of a bounded score or signed estimate means nothing
    level = [not policy.growth_kind.get(c, False) for c in moves["indicator"]]
    moves.loc[level, "change_pct"] = np.nan
    return moves


def _options(problem: _Problem, movable: np.ndarray, target: float, fw: Framework,
             chains: dict[str, Chain], n0: np.ndarray, raw0: np.ndarray, start: np.ndarray,
             policy: _Policy, binding: dict[str, str], ub: np.ndarray, usd: bool,
             mix: pd.DataFrame) -> pd.DataFrame:
    """Each lever alone (what it needs, its cost, the bound that stops it) and the mix."""
    rows = []
    for j in np.flatnonzero(movable):
        code = fw.indicators[j]
        alone = replace(problem, movable=np.arange(len(n0)) == j)
        sol = alone.solve(target)
        n_to = float(n0[j] + sol.x[j])
        raw_to = chains[code].inverse(n_to)
        cost = abs(raw_to - raw0[j]) * policy.usd_per_raw[j] if usd else float(sol.x[j])
        rows.append({"option": code, "name": fw.names.get(code, code),
                     "feasible": bool(sol.feasible), "raw_from": start[j]
                     if np.isfinite(start[j]) else raw0[j], "raw_to": raw_to,
                     "cost_usd" if usd else "cost_points": cost,
                     "bound": binding.get(code, "") if not sol.feasible else ""})
    if len(mix):
        key = "cost_usd" if usd else "cost_points"
        total = float(mix["cost_usd"].sum()) if usd else float(
            (mix["normalised_to"] - mix["normalised_from"]).sum())
        rows.append({"option": "mix", "name": " + ".join(mix["indicator"]),
                     "feasible": bool(problem.solve(target).feasible), "raw_from": np.nan,
                     "raw_to": np.nan, key: total, "bound": ""})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    key = "cost_usd" if usd else "cost_points"
    return out.sort_values(["feasible", key], ascending=[False, True], na_position="last",
                           kind="stable").reset_index(drop=True)


def _bounds(fw: Framework, chains: dict[str, Chain], N_others: pd.DataFrame, n0: np.ndarray,
            raw_all: pd.DataFrame, u: str, frame: pd.DataFrame,
            bounds: Mapping[str, tuple[float | None, float | None]] | None,
            max_growth: float | Mapping[str, float] | None, years: int | None,
            cap_at_leader: bool, frozen: np.ndarray,
            limits: Mapping[str, list[tuple[float, str]]] | None = None,
            start: np.ndarray | None = None,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, str]]:
    """Lower/upper bounds of the moves (normalised units), the unit's raw values and, per
    indicator, the name of the bound that caps it. ``limits``: extra raw limits in the better
    direction with their labels; ``start``: raw values growth compounds from (default raw)."""
    p = len(fw.indicators)
    lb, ub, raw0 = np.zeros(p), np.full(p, np.inf), np.full(p, np.nan)
    binding: dict[str, str] = {}
    yrs = 1 if years is None else years
    for j, code in enumerate(fw.indicators):
        ch = chains.get(code)
        if ch is None or np.isnan(n0[j]) or frozen[j]:
            ub[j] = 0.0
            binding[code] = "frozen (not a policy lever)" if frozen[j] else "cannot move"
            continue
        raw0[j] = _raw_value(ch, n0[j], raw_all, u, code)
        s0 = raw0[j] if start is None or not np.isfinite(start[j]) else start[j]
        cands: list[tuple[float, str]] = []
        d = 1 if ch.a > 0 else -1
        if cap_at_leader:
            lead = N_others[code].max()
            cands.append((float(lead) if np.isfinite(lead) else n0[j], "best unit in the index"))
        g = max_growth.get(code) if isinstance(max_growth, Mapping) else max_growth
        if g is not None and s0 > 0:
            lim = s0 * (1 + g) ** yrs if d > 0 else s0 / (1 + g) ** yrs
            cands.append((ch.forward(lim), f"--max-growth {g:g}"))
        for val, label in (limits or {}).get(code, []):
            if np.isfinite(val):
                nv = ch.forward(val)
                if not math.isnan(nv):
                    cands.append((nv, label))
        if bounds and code in bounds:
            lo_r, hi_r = bounds[code]
            # the end that is better for the unit caps the move; the worse end may force one
            if hi_r is not None:
                val = ch.forward(hi_r)
                if d > 0:
                    cands.append((val, "--bound"))
                else:
                    lb[j] = max(lb[j], val - n0[j])
            if lo_r is not None:
                val = ch.forward(lo_r)
                if d < 0:
                    cands.append((val, "--bound"))
                else:
                    lb[j] = max(lb[j], val - n0[j])
        col = raw_all[code]
        if _PERCENT.search(fw.units.get(code, "") or ""):
            cands.append((ch.forward(100.0 if d > 0 else 0.0), "natural range"))
        elif d < 0 and (col.dropna() >= 0).all():
            cands.append((ch.forward(0.0), "natural range"))  # counts cannot fall below zero
        if ch.clip_hi < math.inf and d > 0:
            cands.append((ch.forward(ch.clip_hi * ch.den), "treatment cap"))
        if ch.clip_lo > -math.inf and d < 0:
            cands.append((ch.forward(ch.clip_lo * ch.den), "treatment cap"))
        cands = [(v, lab) for v, lab in cands if not math.isnan(v)]
        hi, label = min(cands, key=lambda t: t[0]) if cands else (math.inf, "")
        binding[code] = label
        ub[j] = max(0.0, hi - n0[j]) if not math.isnan(hi) else 0.0
        lb[j] = min(lb[j], ub[j])
    return lb, ub, raw0, binding


def _raw_value(ch: Chain, n: float, raw_all: pd.DataFrame, u: str, code: str) -> float:
    """The unit's raw value (winsorised units keep their true raw value, not the cap)."""
    r = raw_all.at[u, code]
    return float(r) if np.isfinite(r) else ch.inverse(n)


# --------------------------------------------------------------------------- optimisation


@dataclass
class _Solution:
    x: np.ndarray
    feasible: bool
    gap: float
    method: str


@dataclass
class _Problem:
    n0: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    c: np.ndarray
    e: np.ndarray
    movable: np.ndarray
    fw: Framework
    agg: AggregateStep
    linear: bool

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Index score of each row of normalised values (the unit's NaNs kept)."""
        if self.linear:
            return np.nan_to_num(rows) @ self.e
        A = aggregate_tree(rows, self.fw, self.agg)
        return A[:, -1]

    def score(self, n: np.ndarray) -> float:
        return float(self.scores(n[None])[0])

    def solve(self, target: float) -> _Solution:
        zero = np.zeros(self.n0.size)
        forced = np.where(self.movable, self.lb, 0.0)
        if self.score(self.n0 + forced) >= target:
            return _Solution(forced, True, 0.0, "already there")
        idx = np.flatnonzero(self.movable)
        ub = self.ub[idx]
        top = np.where(np.isfinite(ub), ub, 0.0)
        x_top = zero.copy()
        x_top[idx] = top
        reach_inf = bool(np.any(~np.isfinite(ub)))
        if not reach_inf and self.score(self.n0 + x_top) < target:
            return _Solution(x_top, False, 0.0, "infeasible: every bound reached")
        if self.linear:
            return self._lp(idx, target)
        return self._convex(idx, target)

    def _lp(self, idx: np.ndarray, target: float) -> _Solution:
        gap = target - self.score(self.n0)
        res = linprog(self.c[idx], A_ub=-self.e[idx][None], b_ub=[-gap],
                      bounds=[(self.lb[i], None if not np.isfinite(self.ub[i]) else self.ub[i])
                              for i in idx], method="highs")
        x = np.zeros(self.n0.size)
        if res.status != 0:
            return _Solution(x, False, 0.0, f"lp-highs ({res.message})")
        x[idx] = np.maximum(res.x, 0.0)
        return _Solution(x, True, 0.0, "lp-highs")

    def _grad(self, x: np.ndarray, idx: np.ndarray) -> tuple[float, np.ndarray]:
        """Score and its gradient over ``idx`` by central differences, one batched call."""
        n = self.n0 + x
        h = 1e-6 * np.maximum(1.0, np.abs(n[idx]))
        rows = np.repeat(n[None], 2 * idx.size + 1, axis=0)
        k = np.arange(idx.size)
        rows[1 + k, idx] += h
        rows[1 + idx.size + k, idx] -= np.minimum(h, 0.5 * n[idx])  # stay > 0 for geometric
        f = self.scores(rows)
        step = h + np.minimum(h, 0.5 * n[idx])
        return float(f[0]), (f[1:idx.size + 1] - f[idx.size + 1:]) / step

    def _convex(self, idx: np.ndarray, target: float) -> _Solution:
        p = self.n0.size
        span = np.nanmax(np.abs(self.n0)) if np.any(np.isfinite(self.n0)) else 1.0
        ub = np.where(np.isfinite(self.ub[idx]), self.ub[idx], 1e3 * max(span, 1.0))
        lb = self.lb[idx]

        def full(xs: np.ndarray) -> np.ndarray:
            x = np.zeros(p)
            x[idx] = xs
            return x

        def along(direction: np.ndarray) -> np.ndarray:
            """Smallest t in [0, 1] with score(lb + t * (direction - lb)) >= target."""
            lo, hi = 0.0, 1.0
            for _ in range(60):
                mid = (lo + hi) / 2
                if self.score(self.n0 + full(lb + mid * (direction - lb))) >= target:
                    hi = mid
                else:
                    lo = mid
            return lb + hi * (direction - lb)

        c = self.c[idx]
        bnds = list(zip(lb, ub, strict=True))
        cons = [{"type": "ineq", "fun": lambda xs: self.score(self.n0 + full(xs)) - target,
                 "jac": lambda xs: self._grad(full(xs), idx)[1]}]

        def slsqp(start: np.ndarray) -> np.ndarray:
            r = minimize(lambda xs: float(c @ xs), start, jac=lambda xs: c, method="SLSQP",
                         bounds=bnds, constraints=cons, options={"ftol": 1e-12, "maxiter": 300})
            cand = np.clip(r.x, lb, ub)
            if self.score(self.n0 + full(cand)) < target:
                cand = along(cand)  # SLSQP may stop a hair inside; push onto the boundary
            return cand

        # Kelley's cutting planes: tangents of the concave score relax the constraint
        cuts_A: list[np.ndarray] = []
        cuts_b: list[float] = []

        def add_cut(xs: np.ndarray) -> None:
            f, g = self._grad(full(xs), idx)
            cuts_A.append(-g)
            cuts_b.append(f - g @ xs - target)

        def lower_bound(best: np.ndarray) -> tuple[float, np.ndarray]:
            primal, bound = float(c @ best), -math.inf
            add_cut(best)
            for _ in range(60):
                lp = linprog(c, A_ub=np.array(cuts_A), b_ub=np.array(cuts_b), bounds=bnds,
                             method="highs")
                if lp.status != 0:
                    break
                bound = max(bound, float(lp.fun))
                if self.score(self.n0 + full(lp.x)) >= target - 1e-12:
                    if lp.fun < primal:  # the relaxation's optimum is feasible: optimal
                        best, primal = np.clip(lp.x, lb, ub), float(lp.fun)
                    break
                if primal - bound <= 1e-7 * max(1.0, primal):
                    break
                add_cut(lp.x)
            return bound, best

        for pt in (lb, ub):
            add_cut(pt)
        # start from the linearisation's LP solution (usually close); a second start from the
        # bound-scaled point only when the first leaves a visible gap
        f0, g0 = self._grad(full(lb), idx)
        lin = linprog(c, A_ub=-g0[None], b_ub=[-(target - f0 + g0 @ lb)], bounds=bnds,
                      method="highs")
        starts = [along(np.clip(lin.x * 1.5, lb, ub))] if lin.status == 0 else []
        starts.append(along(ub))
        best = slsqp(starts[0])
        bound, best = lower_bound(best)
        primal = float(c @ best)
        if len(starts) > 1 and primal - bound > 1e-4 * max(1.0, primal):
            alt = slsqp(starts[1])
            if c @ alt < primal:
                best = alt
            bound, best = lower_bound(best)
            primal = float(c @ best)
        gap = max(primal - bound, 0.0) if np.isfinite(bound) else math.inf
        return _Solution(full(best), True, gap, "convex: SLSQP + Kelley cuts (HiGHS)")


def _verify(plan: Plan, frames: Frames, yr: int | None, u: str, codes: list[str],
            chains: dict[str, Chain], n_new: np.ndarray, moved: np.ndarray, k: int
            ) -> tuple[float, float, int]:
    """Write the raw moves into the input data, re-run the spec; (unit score, k-th other, rank)."""
    new = dict(frames)
    f = frames[yr].copy()
    f.index = f.index.astype(str)
    for j in np.flatnonzero(moved):
        f.loc[u, codes[j]] = chains[codes[j]].inverse(float(n_new[j]))
    new[yr] = f
    idx = run_year(plan, frames=new, year=yr).index
    others = np.sort(idx.drop(index=u).dropna().to_numpy())[::-1]
    s = float(idx[u])
    kth = float(others[k - 1]) if k <= len(others) else -math.inf
    return s, kth, int(1 + (others > s).sum())


# --------------------------------------------------------------------------- reporting


def _contributions(res: IndexResult, u: str, n: np.ndarray) -> np.ndarray:
    """explain() contributions of a unit whose normalised values are ``n``."""
    fw = res.framework
    A = aggregate_tree(n[None], fw, res.aggregation)
    row = pd.DataFrame(np.hstack([n[None], A]), index=pd.Index([u], name="uCode"),
                       columns=[*fw.indicators, *fw.aggregates])
    one = IndexResult(spec=res.spec, framework=fw, datasets={"Aggregated": row},
                      treatment_log=res.treatment_log, aggregation=res.aggregation)
    return one.explain(u)["contribution"].to_numpy(float)


def _moves_frame(res: IndexResult, u: str, chains: dict[str, Chain], n0: np.ndarray,
                 x: np.ndarray, raw0: np.ndarray, imputed: np.ndarray, problem: _Problem
                 ) -> pd.DataFrame:
    fw = res.framework
    c0 = _contributions(res, u, n0)
    c1 = _contributions(res, u, n0 + x)
    recs = []
    for j in np.flatnonzero(x > _TOL):
        code = fw.indicators[j]
        ch = chains[code]
        r0, r1 = raw0[j], ch.inverse(float(n0[j] + x[j]))
        pillar = next((a for a in fw.path(code) if fw.level[a] == 2), None)
        recs.append({
            "indicator": code, "name": fw.names.get(code, code),
            "pillar": fw.names.get(pillar, pillar) if pillar else None,
            "raw_from": r0, "raw_to": r1,
            "change_pct": (r1 / r0 - 1) * 100 if r0 and np.isfinite(r0) and r0 > 0 else np.nan,
            "normalised_from": float(n0[j]), "normalised_to": float(n0[j] + x[j]),
            "contribution_from": float(c0[j]), "contribution_to": float(c1[j]),
            "score_gain": float(c1[j] - c0[j]),
            "treatment": _treatment_label(ch), "imputed": bool(imputed[j]),
            "unit": fw.units.get(code, ""),
        })
    cols = ["indicator", "name", "pillar", "raw_from", "raw_to", "change_pct", "normalised_from",
            "normalised_to", "contribution_from", "contribution_to", "score_gain", "treatment",
            "imputed", "unit"]
    out = pd.DataFrame(recs, columns=cols)
    return out.sort_values("score_gain", ascending=False, kind="stable").reset_index(drop=True)


def _treatment_label(ch: Chain) -> str:
    parts = []
    if ch.den != 1.0:
        parts.append("denominated (inverted with the unit's denominator)")
    if ch.clip_hi < math.inf or ch.clip_lo > -math.inf:
        parts.append("winsorised (identity inside the caps)")
    if ch.log:
        parts.append("log-transformed (inverted with its frozen shift)")
    return "; ".join(parts)
