"""Variance-based (Sobol) sensitivity of ranks to each assumption of the uncertainty spec.

Each uncertain input of the uncertainty spec is one Sobol factor:

* a discrete choice (imputation, treatment, normalisation, aggregation, exclusion) is one
  coordinate u in [0, 1), mapped to alternative ``floor(u * m)`` of its m alternatives
  (equal-width bins, like COINr's ``cut``);
* the weight noise of one level is ONE factor made of one coordinate per weight (a SALib
  *group*), so its indices measure the effect of that level's weights as a whole.

Samples come from SALib's Saltelli/Sobol design (``SALib.sample.sobol``, ``N x (factors + 2)``
model runs) and are scored by the vectorised engine of :mod:`aigap.analysis.uncertainty.robustness`;
indices and bootstrap confidence intervals are SALib's estimators, vectorised over targets
(:func:`sobol_indices`). Targets: each
unit's rank and the mean absolute rank shift vs nominal (COINr's target).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import sobol as sobol_sample
from scipy.stats import norm

from aigap.analysis.uncertainty.robustness import BLOCK, Setup, eval_chunk, prepare, stack_blocks
from aigap.errors import SpecError
from aigap.index.spec import Spec
from aigap.mc import Backend, Progress, resolve_seed, run_tasks

SHIFT = "mean_abs_shift"  # name of the aggregate target


def sobol_problem(names: Sequence[str], groups: Sequence[str] | None = None) -> dict[str, Any]:
    """A SALib problem on the unit hypercube (one dimension per name, optional groups)."""
    prob: dict[str, Any] = {"num_vars": len(names), "names": list(names),
                            "bounds": [[0.0, 1.0]] * len(names)}
    if groups is not None and len(set(groups)) < len(groups):
        prob["groups"] = list(groups)
    return prob


def sobol_design(problem: dict[str, Any], n: int, seed: int) -> np.ndarray:
    """Saltelli/Sobol design of ``n x (factors + 2)`` points (first and total order only)."""
    if n < 2 or n & (n - 1):
        raise SpecError(f"n must be a power of 2 for the Sobol design (got {n}; try "
                        f"{1 << max(1, int(n - 1).bit_length())})")
    return sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)


def sobol_indices(problem: dict[str, Any], Y: np.ndarray, *, seed: int = 0,
                  num_resamples: int = 100, conf_level: float = 0.95,
                  targets: Sequence[str] | None = None) -> pd.DataFrame:
    """First-order (S1) and total (ST) indices with bootstrap CIs, per output column of ``Y``.

    SALib's estimators (``SALib.analyze.sobol``, Saltelli 2010), vectorised over targets and
    resamples: one bootstrap index matrix drawn from ``default_rng(seed)`` serves every
    target, as SALib draws it per target from the same seed (SALib leaves seed 0 to the
    global NumPy state; here every seed is reproducible). Returns a long frame: target,
    factor, S1, S1_conf, ST, ST_conf. An output that never varies has no variance to
    apportion: its indices are NaN.
    """
    Y = np.asarray(Y, dtype=float)
    Y = Y[:, None] if Y.ndim == 1 else Y
    targets = list(targets) if targets is not None else [f"y{j}" for j in range(Y.shape[1])]
    factors = list(dict.fromkeys(problem.get("groups", problem["names"])))
    D, T = len(factors), Y.shape[1]
    if Y.shape[0] % (D + 2):
        raise SpecError(f"{Y.shape[0]} model outputs do not make whole Saltelli row-sets of "
                        f"{D + 2}")
    for j, tgt in enumerate(targets):
        if np.isnan(Y[:, j]).any():
            raise SpecError(f"target {tgt!r} has missing outputs; Sobol indices need every "
                            "model run")
    N = Y.shape[0] // (D + 2)
    r = np.random.default_rng(seed).integers(N, size=(N, num_resamples))
    z = float(norm.ppf(0.5 + conf_level / 2))
    out = {key: np.full((T, D), np.nan) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    varies = np.ptp(Y, axis=0) > 0
    cols = np.flatnonzero(varies)
    batch = max(1, 2_000_000 // (N * num_resamples))  # bounds the (N, R, batch) resamples
    for lo in range(0, cols.size, batch):
        c = cols[lo:lo + batch]
        y = Y[:, c]
        y = (y - y.mean(axis=0)) / y.std(axis=0)
        A, B = y[0::D + 2], y[D + 1::D + 2]
        Ar, Br = A[r], B[r]  # (N, R, t)
        var, var_r = _var_ab(A, B), _var_ab(Ar, Br)
        flat_r = np.ptp(np.concatenate([Ar, Br]).reshape(-1, c.size), axis=0) == 0
        for j in range(D):
            AB = y[j + 1::D + 2]
            ABr = AB[r]
            out["S1"][c, j] = _ratio(np.mean(B * (AB - A), axis=0), var)
            out["ST"][c, j] = _ratio(0.5 * np.mean((A - AB) ** 2, axis=0), var)
            s1 = _ratio(np.mean(Br * (ABr - Ar), axis=0), var_r)
            st = _ratio(0.5 * np.mean((Ar - ABr) ** 2, axis=0), var_r)
            out["S1_conf"][c, j] = np.where(flat_r, 0.0, z * s1.std(axis=0, ddof=1))
            out["ST_conf"][c, j] = np.where(flat_r, 0.0, z * st.std(axis=0, ddof=1))
    return pd.DataFrame({"target": np.repeat(targets, D), "factor": factors * T,
                         **{k: v.ravel() for k, v in out.items()}})


def _var_ab(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Variance of A and B stacked along the first axis (the estimators' normaliser)."""
    return np.var(np.concatenate([A, B]), axis=0)


def _ratio(num: np.ndarray, var: np.ndarray) -> np.ndarray:
    """``num / var``, 0 where the variance vanishes (SALib's rule)."""
    eps = np.finfo(float).eps
    return np.divide(num, var, out=np.zeros(np.broadcast_shapes(num.shape, var.shape)),
                     where=var > eps)


def sobol(fn: Callable[[np.ndarray], np.ndarray], names: Sequence[str], n: int, *,
          seed: int = 0, groups: Sequence[str] | None = None,
          targets: Sequence[str] | None = None) -> pd.DataFrame:
    """Sobol indices of ``fn`` (hypercube points (rows, d) -> outputs (rows,) or (rows, m))."""
    prob = sobol_problem(names, groups)
    U = sobol_design(prob, n, seed)
    return sobol_indices(prob, fn(U), seed=seed, targets=targets)


@dataclass
class SensitivityResult:
    """Sobol indices per target (unit ranks and :data:`SHIFT`) and factor."""

    spec_name: str
    indices: pd.DataFrame  # target, factor, S1, S1_conf, ST, ST_conf
    n: int
    n_runs: int
    seed: int
    factors: list[str]
    unit: str | None = None
    n_dropped: int = 0  # Saltelli row-sets left out because one of their runs failed
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Run facts and every target's indices, JSON-safe."""
        from aigap.jsonsafe import json_safe

        return json_safe({  # type: ignore[no-any-return]
            "spec": self.spec_name, "n": self.n, "runs": self.n_runs, "seed": self.seed,
            "unit": self.unit, "dropped_row_sets": self.n_dropped, "warnings": self.warnings,
            "indices": self.indices})

    def to_frame(self, target: str | None = None) -> pd.DataFrame:
        """Indices of one target (default: the unit if given, else the mean rank shift)."""
        tgt = target or self.unit or SHIFT
        df = self.indices[self.indices["target"] == tgt]
        if df.empty:
            raise SpecError(f"no sensitivity target {tgt!r} (targets: "
                            f"{', '.join(self.indices['target'].unique()[:8])} ...)")
        return df.drop(columns="target").reset_index(drop=True)


def sensitivity(spec: str | Path | Spec, unit: str | None = None, *, n: int = 1024,
                seed: int | None = 0, uncertainty: Any = None,
                backend: Backend | None = None, data: pd.DataFrame | None = None,
                year: int | None = None, progress: Progress | None = None,
                setup: Setup | None = None,
                grouping: Callable[[str], str] | None = None) -> SensitivityResult:
    """Sobol first-order and total indices of each assumption.

    ``n`` (a power of 2) is the base sample: the model runs ``n x (factors + 2)`` times.
    Targets: the mean absolute rank shift and every unit's rank (only ``unit``'s if given).
    ``grouping``: factor name -> group name, for indices of groups of factors (one SALib group
    each, e.g. the dimensions of :func:`aigap.analysis.uncertainty.structural.dimension`).
    """
    st = setup or prepare(spec, uncertainty, data=data, year=year)
    eng = st.engine
    seed = resolve_seed(seed, st.uncertainty.seed)
    if unit is not None and unit not in eng.units:
        raise SpecError(f"unit {unit!r} not in {st.spec.name!r} (e.g. "
                        f"{', '.join(eng.units[:6])})")
    fac = eng.factors
    if len(fac) < 2:
        raise SpecError("sensitivity needs at least two varying assumptions in the uncertainty "
                        f"spec (found {len(fac)}: {[f.name for f in fac]})")
    names = [f"{f.name}[{i}]" if f.dims > 1 else f.name for f in fac for i in range(f.dims)]
    groups = [grouping(f.name) if grouping else f.name for f in fac for _ in range(f.dims)]
    prob = sobol_problem(names, groups)
    U = sobol_design(prob, n, seed)
    step = 4 * BLOCK
    tasks = [U[i:i + step] for i in range(0, len(U), step)]
    out = stack_blocks(run_tasks(eval_chunk, eng, tasks, sizes=[len(t) for t in tasks],
                                 backend=backend, progress=progress))
    # A failed run (geometric aggregation of a value <= 0, as in COINr) has no output: drop
    # its whole Saltelli row-set (A, AB_1..AB_d, B of one base row), which keeps a valid,
    # smaller design; the indices are then conditional on a successful run.
    d = len(dict.fromkeys(groups))  # SALib's design has one column set per group
    ok_sets = ~out["failed"].reshape(n, d + 2).any(axis=1)
    keep = np.repeat(ok_sets, d + 2)
    warn = list(st.warnings)
    if not ok_sets.all():
        if ok_sets.sum() < 16:
            raise SpecError(f"{int(out['failed'].sum())} of {len(U)} model runs failed "
                            "(geometric aggregation of values <= 0): use a positive "
                            "normalisation (e.g. min-max into [1, 100]) or drop 'geometric'")
        warn.append(f"{int((~ok_sets).sum())} of {n} Saltelli row-sets dropped: a run failed "
                    "(geometric aggregation of values <= 0)")
    for key in ("ranks", "failed"):
        out[key] = out[key][keep]
    R = out["ranks"].astype(float)
    R[R == 0] = np.nan
    with np.errstate(invalid="ignore"):
        shift = np.nanmean(np.abs(R - eng.nominal_rank), axis=1)
    cols, tg = [shift], [SHIFT]
    for j, u in enumerate(eng.units):
        if (unit is None or u == unit) and not np.isnan(R[:, j]).any():
            cols.append(R[:, j])
            tg.append(u)
    idx = sobol_indices(prob, np.stack(cols, axis=1), seed=seed, targets=tg)
    return SensitivityResult(spec_name=st.spec.name, indices=idx, n=n, n_runs=len(U),
                             seed=seed, factors=list(dict.fromkeys(groups)), unit=unit,
                             n_dropped=int((~ok_sets).sum()), warnings=warn)
