"""Best and worst attainable rank of a unit over every admissible weight vector.

The question: *is there any defensible weighting that puts Korea in the top 3?* (Lorenz,
Brauer & Lorenz 2016 ask which ranks weight choice can give in the OECD Better Life Index.)
"Defensible" is a :class:`~aigap.analysis.uncertainty.weightspace.WeightSpace`: the weights
of one level
(pillars by default), each parent's summing to 1, each between stated bounds, optionally
ordered (``w_a >= w_b``).

**Exact method (MILP).** When a unit's score is a monotone function of a linear form in the
varied weights, "unit j is above the subject s" is ``d_j . w > 0`` with
``d_j = a_j - a_s``. That holds for arithmetic aggregation from the varied level up to the
index (``a`` = value x the fixed weights of the ancestors), and for any quasi-arithmetic mean
(geometric, harmonic) when the varied level sits right under the index (``a`` = the mean's
generator g(value), sign-flipped for a decreasing g), provided no unit misses a varied value
(re-weighting over available children makes the score a ratio of linear forms). Then, with
binaries ``z_j`` and ``M_j = sum_parents max_c |d_jc|`` (no admissible w exceeds it):

* best rank: ``min sum z_j`` s.t. ``d_j . w <= M_j z_j`` (ties count in the subject's favour,
  as ties share the best rank);
* worst rank: ``max sum z_j`` s.t. ``d_j . w >= eps - (M_j + eps)(1 - z_j)`` (strictly above,
  within ``eps`` = 1e-9 of the score scale);

solved by HiGHS (``scipy.optimize.milp``), optimality gap 0. The binaries' pattern is then
re-centred by an LP that maximises the margin of every comparison, and the ranks at the
returned weights are recomputed with the batched evaluator (``verified``).

**Otherwise** (a geometric or harmonic mean below other levels, missing values): the ranks
at every vertex of the polytope and at ``samples`` uniform draws are evaluated; the range found
is an inner bound (the true best may be better and the true worst worse), and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from aigap.analysis.uncertainty.acceptability import NOMINAL, find_unit, level_weights
from aigap.analysis.uncertainty.robustness import Draws, Engine, Setup, prepare, rank_rows
from aigap.analysis.uncertainty.weightspace import WeightSpace
from aigap.errors import SpecError
from aigap.index.batched import batch_mean
from aigap.index.spec import Spec
from aigap.mc import block_rng, resolve_seed

EPS = 1e-9  # strict "above" margin, relative to the largest score term


@dataclass(frozen=True)
class LinearForm:
    """``score_j`` is increasing in ``A[j] . w`` for every ranked unit ``j``."""

    A: np.ndarray  # (n_ranked, c)
    ranked: np.ndarray  # (n,) bool: units with an index score


def linear_form(engine: Engine, space: WeightSpace, V: np.ndarray
                ) -> tuple[LinearForm | None, str]:
    """The linear form of the scores in the varied weights, or None and the reason.

    ``V`` (n, c): nominal values of the nodes whose weights vary, in ``space.codes`` order.
    """
    agg = engine.aggs[0]
    lv = engine._level(space.level + 1)
    top = engine.levels[-1].level
    ranked = ~np.isnan(engine.nominal_rank)
    Vr = V[ranked]
    if np.isnan(Vr).any():
        return None, (f"{int(np.isnan(Vr).any(axis=1).sum())} unit(s) miss a level-"
                      f"{space.level} value (re-weighting makes scores ratios of linear forms)")
    if lv.level == top:  # varied level right under the index: any quasi-arithmetic mean
        qm = batch_mean(agg.method_for(top))
        if qm.fails(Vr):
            return None, f"values outside the domain of {agg.method_for(top)} aggregation"
        G = qm.terms(Vr, np.ones(Vr.shape, bool))
        lo, hi = float(G.min()), float(G.max())
        one = np.ones(1)
        up = hi == lo or qm.mean(np.array([hi]), one)[0] > qm.mean(np.array([lo]), one)[0]
        return LinearForm(G if up else -G, ranked), ""
    other = sorted({agg.method_for(x) for x in range(lv.level, top + 1)} - {"arithmetic"})
    if other:
        return None, (f"{', '.join(other)} aggregation between level {space.level} and the "
                      "index")
    eff = _ancestor_weights(engine, lv.level)  # arithmetic up to the root
    E = np.array([eff[p] for p in lv.parents])
    return LinearForm(Vr * E[lv.group], ranked), ""


def _ancestor_weights(engine: Engine, level: int) -> dict[str, float]:
    """Effective weight in the index of each aggregate of ``level`` (arithmetic above it)."""
    eff: dict[str, float] = {engine.levels[-1].parents[0]: 1.0}
    for lv in reversed(engine.levels):
        if lv.level <= level:
            break
        tot = np.bincount(lv.group, weights=lv.base, minlength=len(lv.parents))
        for c, g, w in zip(lv.kids, lv.group, lv.base, strict=True):
            eff[c] = eff[lv.parents[g]] * (w / tot[g] if tot[g] > 0 else 0.0)
    return eff


def varied_values(st: Setup, space: WeightSpace) -> np.ndarray:
    """Nominal values (n, c) of the nodes whose weights vary (indicators or aggregates)."""
    name = "Normalised" if space.level == 1 else "Aggregated"
    frame = st.nominal.dataset(name).reindex(st.engine.units)
    return frame[list(space.codes)].to_numpy(dtype=float)


# --------------------------------------------------------------------------- solving


def _milp(A: np.ndarray, s: int, space: WeightSpace, worst: bool
          ) -> tuple[int, np.ndarray, np.ndarray] | None:
    """Optimal count of units above ``s``, the weights and the binaries (None: no solution)."""
    others = np.array([j for j in range(len(A)) if j != s])
    D = A[others] - A[s]  # (m, c)
    m, c = D.shape
    if m == 0:
        return 0, space.nominal if space.nominal is not None else np.full(c, 1 / c), np.zeros(0)
    onehot = space.onehot
    M = (np.abs(D)[:, :, None] * onehot[None]).max(axis=1).sum(axis=1) + 1e-12  # (m,)
    eps = EPS * max(1.0, float(np.abs(A).max()))
    A_eq, b_eq, A_ub, b_ub = space.constraints()
    rows = [LinearConstraint(np.hstack([A_eq, np.zeros((len(b_eq), m))]), b_eq, b_eq)]
    if len(b_ub):
        rows.append(LinearConstraint(np.hstack([A_ub, np.zeros((len(b_ub), m))]), -np.inf, b_ub))
    if worst:  # z_j = 1 => d_j.w >= eps:  -d_j.w + (M_j + eps) z_j <= M_j
        rows.append(LinearConstraint(np.hstack([-D, np.diag(M + eps)]), -np.inf, M))
        cost = np.r_[np.zeros(c), -np.ones(m)]
    else:  # z_j = 0 => d_j.w <= 0:  d_j.w - M_j z_j <= 0
        rows.append(LinearConstraint(np.hstack([D, -np.diag(M)]), -np.inf, 0.0))
        cost = np.r_[np.zeros(c), np.ones(m)]
    res = milp(cost, constraints=rows, integrality=np.r_[np.zeros(c), np.ones(m)],
               bounds=Bounds(np.r_[space.lo, np.zeros(m)], np.r_[space.hi, np.ones(m)]),
               options={"mip_rel_gap": 0.0})
    if res.status != 0 or res.x is None:
        return None
    z = np.round(res.x[c:]).astype(int)
    w = _centre(D, z, space, worst, eps)
    return int(z.sum()), res.x[:c] if w is None else w, z


def _centre(D: np.ndarray, z: np.ndarray, space: WeightSpace, worst: bool, eps: float
            ) -> np.ndarray | None:
    """Weights with the largest margin for the binaries' pattern (an LP; None if degenerate):
    best: the units not counted above get d.w <= -t; worst: those counted above d.w >= t and
    the others d.w <= 0."""
    c = space.c
    A_eq, b_eq, A_ub, b_ub = space.constraints()
    sign = np.where(z == 1, -1.0, 1.0)  # row: sign * d.w + t <= 0
    keep = (z == 1) if worst else (z == 0)
    G = np.hstack([sign[keep, None] * D[keep], np.ones((keep.sum(), 1))])
    ub = np.zeros(keep.sum())
    if worst:  # the rest must stay at or below the subject (ties are not above)
        rest = z == 0
        G = np.vstack([G, np.hstack([D[rest], np.zeros((rest.sum(), 1))])])
        ub = np.r_[ub, np.zeros(rest.sum())]
    if len(b_ub):
        G = np.vstack([G, np.hstack([A_ub, np.zeros((len(b_ub), 1))])])
        ub = np.r_[ub, b_ub]
    cap = 1.0
    res = linprog(np.r_[np.zeros(c), -1.0], A_ub=G, b_ub=ub,
                  A_eq=np.hstack([A_eq, np.zeros((len(b_eq), 1))]), b_eq=b_eq,
                  bounds=[*zip(space.lo, space.hi, strict=True), (0.0, cap)], method="highs")
    if res.status != 0 or res.x[-1] <= eps:
        return None
    return res.x[:c]  # type: ignore[no-any-return]


def ranks_at(engine: Engine, space: WeightSpace, W: np.ndarray) -> np.ndarray:
    """(B, n) ranks with weights ``W`` (B, c) on the nominal data (batched evaluator)."""
    W = np.atleast_2d(W)
    B = W.shape[0]
    S, fail = engine.score(Draws(k=np.zeros(B, int), a=np.zeros(B, int),
                                 choices=np.zeros((B, 0), np.int64),
                                 weights=level_weights(engine, space, W)))
    R = rank_rows(S)
    R[fail] = np.nan
    return R


# --------------------------------------------------------------------------- entry point


def rank_range(spec: str | Path | Spec, unit: str, *, level: int = 2,
               bounds: Mapping[str, Any] | None = None, default_bounds: Any = None,
               order: Iterable[Sequence[str]] = (), k: int = 3, samples: int = 20_000,
               seed: int | None = 0, data: pd.DataFrame | None = None,
               year: int | None = None, setup: Setup | None = None) -> RankRangeResult:
    """Best and worst rank of ``unit`` over the weight space (module docstring).

    ``default_bounds`` ``(lo, hi)`` for every weight of ``level``, ``bounds`` per code,
    ``order`` pairs ``(a, b)`` for ``w_a >= w_b``; ``k``: the rank asked about ("top 3");
    ``samples`` and ``seed``: the draws of the fallback method (not used by the MILP).
    """
    st = setup or prepare(spec, NOMINAL, data=data, year=year)
    e = st.engine
    fw = st.nominal.framework
    space = WeightSpace.from_framework(fw, level, bounds=bounds, default=default_bounds,
                                       order=order)
    u = find_unit(unit, e.units)
    s_pos = e.units.index(u)
    if np.isnan(e.nominal_rank[s_pos]):
        raise SpecError(f"unit {u!r} has no index score in {st.spec.name!r}")
    form, why = linear_form(e, space, varied_values(st, space))
    warnings: list[str] = []
    n_ranked = int((~np.isnan(e.nominal_rank)).sum())
    if form is not None:
        s = int(np.cumsum(form.ranked)[s_pos] - 1)
        out = {}
        for worst in (False, True):
            sol = _milp(form.A, s, space, worst)
            if sol is None:
                raise SpecError("the MILP found no solution (HiGHS); the weight space may be "
                                "degenerate")
            out[worst] = sol
        best_w, worst_w = out[False][1], out[True][1]
        best, worst_r = out[False][0] + 1, out[True][0] + 1
        method, exact = "milp-highs", True
    else:
        seed = resolve_seed(seed)
        W = np.vstack([space.vertices(), space.sample(block_rng(seed, 0), samples)[0]])
        R = ranks_at(e, space, W)[:, s_pos]
        ib, iw = int(np.nanargmin(R)), int(np.nanargmax(R))
        best, worst_r, best_w, worst_w = int(R[ib]), int(R[iw]), W[ib], W[iw]
        method, exact = f"vertices + {samples:,} uniform draws (inner bound)", False
        warnings.append(f"no exact method: {why}; the range is the best and worst found, "
                        "the true range may be wider")
    ver = ranks_at(e, space, np.vstack([best_w, worst_w]))[:, s_pos]
    if exact and (ver[0] != best or ver[1] != worst_r):
        warnings.append(f"ranks recomputed at the returned weights ({ver[0]:g}, {ver[1]:g}) "
                        f"differ from the MILP's ({best}, {worst_r}): near-ties within "
                        "solver tolerance")
    nom = st.nominal
    return RankRangeResult(
        spec_name=st.spec.name, index_name=fw.names.get(fw.root, fw.root), unit=u,
        unit_name=nom.unit_names.get(u, u), space=space, n_units=n_ranked,
        nominal_rank=int(e.nominal_rank[s_pos]),
        nominal_admissible=bool(space.contains(space.nominal)[0])
        if space.nominal is not None else False,
        best_rank=best, worst_rank=worst_r, best_weights=np.asarray(best_w, float),
        worst_weights=np.asarray(worst_w, float), verified=(float(ver[0]), float(ver[1])),
        exact=exact, method=method, k=k, warnings=warnings)


# --------------------------------------------------------------------------- result


@dataclass
class RankRangeResult:
    """Best and worst attainable rank of one unit and the weights that attain each."""

    spec_name: str
    index_name: str
    unit: str
    unit_name: str
    space: WeightSpace
    n_units: int
    nominal_rank: int
    nominal_admissible: bool  # the spec's own weights lie in the space
    best_rank: int
    worst_rank: int
    best_weights: np.ndarray
    worst_weights: np.ndarray
    verified: tuple[float, float]  # ranks recomputed at the two weight vectors
    exact: bool
    method: str
    k: int = 3
    warnings: list[str] = field(default_factory=list)

    @property
    def attainable(self) -> bool:
        """Whether some admissible weighting puts the unit in the top ``k``."""
        return self.best_rank <= self.k

    def to_frame(self) -> pd.DataFrame:
        """Rows best, worst, nominal: rank and the weights (``w_<code>``)."""
        nominal = self.space.nominal if self.space.nominal is not None else \
            np.full(self.space.c, np.nan)
        rows = {"best": (self.best_rank, self.best_weights),
                "worst": (self.worst_rank, self.worst_weights),
                "nominal": (self.nominal_rank, nominal)}
        df = pd.DataFrame({"rank": [float(r) for r, _ in rows.values()]},
                          index=pd.Index(list(rows), name="case"))
        for j, c in enumerate(self.space.codes):
            df[f"w_{c}"] = [float(w[j]) for _, w in rows.values()]
        return df

    def to_dict(self) -> dict[str, Any]:
        from aigap.jsonsafe import json_safe

        return json_safe({  # type: ignore[no-any-return]
            "spec": self.spec_name, "index": self.index_name, "unit": self.unit,
            "unit_name": self.unit_name, "n_units": self.n_units, "k": self.k,
            "best_rank": self.best_rank, "worst_rank": self.worst_rank,
            "nominal_rank": self.nominal_rank, "nominal_admissible": self.nominal_admissible,
            "attainable": self.attainable, "exact": self.exact, "method": self.method,
            "verified": list(self.verified), "weights": self.space.describe(),
            "best_weights": dict(zip(self.space.codes, map(float, self.best_weights),
                                     strict=True)),
            "worst_weights": dict(zip(self.space.codes, map(float, self.worst_weights),
                                      strict=True)),
            "warnings": self.warnings})
