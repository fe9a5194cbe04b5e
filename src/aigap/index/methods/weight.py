"""Weighting methods: each returns the framework with new weights for later aggregation.

Context: ``framework`` (the current tree), ``X`` (the current data, units x indicators) and
``aggregation`` (the plan's :class:`~aigap.index.plan.Aggregation`, to compute the values of
higher-level children). ``needs_normalised=True``: the method must come after 'normalise'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from aigap.errors import SpecError
from aigap.index.methods.aggregate import aggregate
from aigap.index.methods.registry import register

if TYPE_CHECKING:
    from aigap.index.plan import Aggregation, Framework


def _manual_check(weights: dict[str, float]) -> str | None:
    return None if weights else "method 'manual' needs 'weights' {code: weight}"


@register("weight", "manual", check=_manual_check)
def manual(*, framework: Framework, weights: dict[str, float]) -> Framework:
    """The weights given in the step (codes not in the current tree are ignored)."""
    return framework.with_weights({k: v for k, v in weights.items() if k in framework.weight})


@register("weight", "equal")
def equal(*, framework: Framework, levels: list[int]) -> Framework:
    """Weight 1 for the children of every aggregate of ``levels`` (all levels if empty)."""
    lvs = levels or list(range(2, framework.n_levels + 1))
    return framework.with_weights({c: 1.0 for lv in lvs for c in framework.membership(lv)[0]})


Siblings = list[tuple[str, np.ndarray, np.ndarray]]


def sibling_groups(X: np.ndarray, fw: Framework, agg: Aggregation, level: int
                   ) -> tuple[list[str], dict[str, float], Siblings]:
    """The children of ``level``'s aggregates: their codes, weight 1 for every only child, and
    for each other parent (parent, children positions, children values units x siblings)."""
    kids, parents, _W = fw.membership(level)
    if level == 2:
        V = X[:, [fw.indicators.index(k) for k in kids]]
    else:
        A = agg.tree(X, fw, upto=level - 1)
        have = [a for a in fw.aggregates if fw.level[a] <= level - 1]
        V = A[:, [have.index(k) for k in kids]]
    only: dict[str, float] = {}
    groups = []
    for p in parents:
        idx = np.array([i for i, k in enumerate(kids) if fw.parent[k] == p])
        if idx.size == 1:
            only[kids[idx[0]]] = 1.0
        else:
            groups.append((p, idx, V[:, idx]))
    return kids, only, groups


def _pca_level(X: np.ndarray, fw: Framework, agg: Aggregation, level: int
               ) -> dict[str, float]:
    kids, out, groups = sibling_groups(X, fw, agg, level)
    for p, idx, sub in groups:
        sub = sub[~np.isnan(sub).any(axis=1)]
        if sub.shape[0] < 3:
            raise SpecError(f"pca weights: fewer than 3 complete units in {p!r}")
        sd = sub.std(axis=0, ddof=1)
        C = np.corrcoef(sub[:, sd > 0], rowvar=False) if (sd > 0).sum() > 1 else np.ones((1, 1))
        vecs = np.linalg.eigh(np.atleast_2d(C))[1]
        load = np.zeros(idx.size)
        load[sd > 0] = vecs[:, -1] ** 2
        for i, w in zip(idx, load, strict=True):
            out[kids[i]] = float(w)
    return out


@register("weight", "pca", needs_normalised=True)
def pca(*, X: np.ndarray, framework: Framework, aggregation: Aggregation,
        levels: list[int]) -> Framework:
    """Squared loadings of the first principal component of each group's children.

    Uses the correlation matrix of complete rows; squared loadings sum to 1 and are never
    negative (raw PC1 loadings can be). Groups with one child keep weight 1. Levels (default
    2) are weighted bottom-up, each with the weights below already set.
    """
    fw = framework
    for lv in sorted(levels or [2]):
        fw = fw.with_weights(_pca_level(X, fw, aggregation, lv))
    return fw


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


@register("weight", "optimised", needs_normalised=True)
def optimised(*, X: np.ndarray, framework: Framework, aggregation: Aggregation,
              levels: list[int], target: dict[str, float] | str) -> Framework:
    """Weights of the children of one level's aggregates (default: the top) so each child's
    correlation with its parent matches the target (relative) correlations, as COINr's
    ``get_opt_weights`` (``optype = "balance"``): minimise sum((c/sum c - t/sum t)^2) over
    positive weights."""
    from scipy.optimize import minimize  # only this method needs the optimiser

    fw = framework
    level = (levels or [fw.n_levels])[0]
    kids, out, groups = sibling_groups(X, fw, aggregation, level)
    method = aggregation.step.method_for(level)
    for _p, idx, sub in groups:
        tg: dict[str, Any] = {} if isinstance(target, str) else target
        t = np.array([float(tg.get(kids[i], 1.0)) for i in idx])
        t = t / t.sum()

        def loss(theta: np.ndarray, sub: np.ndarray = sub, t: np.ndarray = t) -> float:
            w = np.exp(theta)
            y = aggregate(sub, w[:, None], method)[:, 0]
            c = np.array([_corr(sub[:, i], y) for i in range(sub.shape[1])])
            if np.any(np.isnan(c)) or c.sum() == 0:
                return 1e6
            return float(np.sum((c / c.sum() - t) ** 2))

        res = minimize(loss, np.zeros(idx.size), method="Nelder-Mead",
                       options={"xatol": 1e-6, "fatol": 1e-12, "maxiter": 4000})
        w = np.exp(res.x)
        w = w / w.sum()
        for i, wi in zip(idx, w, strict=True):
            out[kids[i]] = float(wi)
    return fw.with_weights(out)
