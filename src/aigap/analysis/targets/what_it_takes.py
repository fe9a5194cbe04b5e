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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog, minimize

from aigap.errors import SpecError
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
    score_gain, treatment, imputed, unit). When infeasible, the moves that reach the best
    achievable score (every bound hit) are reported instead.
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

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "moves"}
        d["moves"] = self.moves
        return json_safe(d)


# --------------------------------------------------------------------------- main entry


def what_it_takes(
    spec: str | Path | Spec,
    unit: str,
    rank: int = 3,
    cost: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    max_growth: float | Mapping[str, float] | None = None,
    years: int | None = None,
    cap_at_leader: bool = True,
    *,
    move_imputed: bool = True,
    data: pd.DataFrame | None = None,
    year: int | None = None,
    data_dir: Path | None = None,
    verify: bool = True,
) -> TargetResult:
    """Cheapest change to ``unit``'s indicators that gives it rank <= ``rank`` (see module doc).

    ``cost``: cost per normalised point per indicator (default 1). ``bounds``: raw (lo, hi) per
    indicator, None = open. ``max_growth``: max relative improvement a year (one rate or per
    indicator) over ``years`` years (default 1). ``data``: a wide frame overriding the spec's
    data source; ``year``: which year of a panel (default latest).
    """
    if rank < 1:
        raise SpecError(f"rank must be >= 1, got {rank}")
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

    lb, ub, raw0 = _bounds(fw, chains, N.drop(index=u), n0, res.dataset("Raw")[fw.indicators],
                           u, frame_u, bounds, max_growth, years, cap_at_leader,
                           imputed if not move_imputed else np.zeros_like(imputed))
    c = np.array([float((cost or {}).get(code, 1.0)) for code in fw.indicators])
    linear = all(m.option("linear") for m in methods)
    e = res.explain(u)["weight"].to_numpy(float)
    movable = ~np.isnan(n0) & (ub > _TOL) & np.array([code in chains for code in fw.indicators])
    if linear:
        movable &= e > 0
    problem = _Problem(n0=n0, lb=lb, ub=ub, c=c, e=e, movable=movable, fw=fw, agg=agg,
                       linear=linear)

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
    max_score = problem.score(n0 + np.where(movable, ub, 0.0))
    moves = _moves_frame(res, u, chains, n0, x, raw0, imputed, problem)
    extra_notes = [f"{k}: {v}" for k, v in notes.items() if not k.startswith("_")]
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
        cost=float(c @ x), gap=sol.gap, method=sol.method, moves=moves,
        verified_rank=verified, notes=extra_notes,
    )


def _bounds(fw: Framework, chains: dict[str, Chain], N_others: pd.DataFrame, n0: np.ndarray,
            raw_all: pd.DataFrame, u: str, frame: pd.DataFrame,
            bounds: Mapping[str, tuple[float | None, float | None]] | None,
            max_growth: float | Mapping[str, float] | None, years: int | None,
            cap_at_leader: bool, frozen: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower/upper bounds of the moves (normalised units) and the unit's raw values."""
    p = len(fw.indicators)
    lb, ub, raw0 = np.zeros(p), np.full(p, np.inf), np.full(p, np.nan)
    yrs = 1 if years is None else years
    for j, code in enumerate(fw.indicators):
        ch = chains.get(code)
        if ch is None or np.isnan(n0[j]) or frozen[j]:
            ub[j] = 0.0
            continue
        raw0[j] = _raw_value(ch, n0[j], raw_all, u, code)
        hi = math.inf
        d = 1 if ch.a > 0 else -1
        if cap_at_leader:
            lead = N_others[code].max()
            hi = min(hi, float(lead) if np.isfinite(lead) else n0[j])
        g = max_growth.get(code) if isinstance(max_growth, Mapping) else max_growth
        if g is not None and raw0[j] > 0:
            lim = raw0[j] * (1 + g) ** yrs if d > 0 else raw0[j] / (1 + g) ** yrs
            hi = min(hi, ch.forward(lim))
        if bounds and code in bounds:
            lo_r, hi_r = bounds[code]
            # the end that is better for the unit caps the move; the worse end may force one
            if hi_r is not None:
                val = ch.forward(hi_r)
                if d > 0:
                    hi = min(hi, val)
                else:
                    lb[j] = max(lb[j], val - n0[j])
            if lo_r is not None:
                val = ch.forward(lo_r)
                if d < 0:
                    hi = min(hi, val)
                else:
                    lb[j] = max(lb[j], val - n0[j])
        col = raw_all[code]
        if _PERCENT.search(fw.units.get(code, "") or ""):
            hi = min(hi, ch.forward(100.0 if d > 0 else 0.0))
        elif d < 0 and (col.dropna() >= 0).all():
            hi = min(hi, ch.forward(0.0))  # counts and costs cannot fall below zero
        if ch.clip_hi < math.inf and d > 0:
            hi = min(hi, ch.forward(ch.clip_hi * ch.den))
        if ch.clip_lo > -math.inf and d < 0:
            hi = min(hi, ch.forward(ch.clip_lo * ch.den))
        ub[j] = max(0.0, hi - n0[j]) if not math.isnan(hi) else 0.0
        lb[j] = min(lb[j], ub[j])
    return lb, ub, raw0


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
