"""Weighting methods: each returns the framework with new weights for later aggregation.

Context: ``framework`` (the current tree), ``X`` (the current data, units x indicators) and
``aggregation`` (the plan's :class:`~aigap.index.plan.Aggregation`, to compute the values of
higher-level children). ``needs_normalised=True``: the method must come after 'normalise'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from aigap.errors import SpecError
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


def pc1_loadings(sub: np.ndarray) -> np.ndarray:
    """First principal component of the standardised columns, as R's
    ``prcomp(x, center = TRUE, scale = TRUE)$rotation[, 1]`` (SVD of the standardised data).

    An eigenvector's sign is the solver's choice (R's reference LAPACK and NumPy's OpenBLAS
    choose differently), so it is fixed here: the loadings sum to > 0. Flipping all the
    weights of a group leaves its weighted mean unchanged. Constant columns get 0 (prcomp
    refuses them)."""
    sd = sub.std(axis=0, ddof=1)
    ok = sd > 0
    load = np.zeros(sub.shape[1])
    Z = (sub[:, ok] - sub[:, ok].mean(axis=0)) / sd[ok]
    v = np.linalg.svd(Z, full_matrices=False)[2][0]
    load[ok] = -v if v.sum() < 0 else v
    return load


def _pca_level(X: np.ndarray, fw: Framework, agg: Aggregation, level: int, loadings: str
               ) -> dict[str, float]:
    kids, out, groups = sibling_groups(X, fw, agg, level)
    for p, idx, sub in groups:
        sub = sub[~np.isnan(sub).any(axis=1)]  # COINr: na.omit
        if sub.shape[0] < 3:
            raise SpecError(f"pca weights: fewer than 3 complete units in {p!r}")
        load = pc1_loadings(sub)
        load = load if loadings == "signed" else load**2
        for i, w in zip(idx, load, strict=True):
            out[kids[i]] = float(w)
    return out


def _pca_check(loadings: str = "squared") -> str | None:
    if loadings not in ("squared", "signed"):
        return f"pca: 'loadings' must be 'squared' or 'signed' (got {loadings!r})"
    return None


@register("weight", "pca", needs_normalised=True, check=_pca_check)
def pca(*, X: np.ndarray, framework: Framework, aggregation: Aggregation,
        levels: list[int], loadings: str = "squared") -> Framework:
    """Weights from the first principal component of each group's children.

    ``loadings: squared`` (the default): squared loadings, which sum to 1 and are never
    negative, whatever sign the eigen-solver picks. ``loadings: signed``: the loadings
    themselves, as COINr's ``get_PCA`` (parity; a child can get a negative weight; each
    group's sign is fixed so its loadings sum to > 0, see :func:`pc1_loadings`). Uses
    complete rows of the standardised children. Groups with one child keep weight 1. Levels
    (default 2) are weighted bottom-up, each with the weights below already set.
    """
    fw = framework
    for lv in sorted(levels or [2]):
        fw = fw.with_weights(_pca_level(X, fw, aggregation, lv, loadings))
    return fw


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def opt_objective(w: np.ndarray, X: np.ndarray, fw: Framework, aggregation: Aggregation,
                  level: int, t: np.ndarray) -> float:
    """COINr's ``get_opt_weights`` (``optype = "balance"``) objective for the weights ``w`` of
    the children of ``level``'s aggregates: ``log(mean((t - c / sum c)^2))`` with ``c`` each
    child's Pearson correlation (pairwise complete) with the index and ``t`` the normalised
    target correlations."""
    kids = fw.membership(level)[0]
    w = np.asarray(w, dtype=float)
    fw2 = fw.with_weights(dict(zip(kids, (w / w.sum()).tolist(), strict=True)))
    A = aggregation.tree(X, fw2)
    col = {c: X[:, j] for j, c in enumerate(fw2.indicators)}
    col.update({a: A[:, j] for j, a in enumerate(fw2.aggregates)})
    c = np.array([_corr(col[k], col[fw2.root]) for k in kids])
    if np.any(np.isnan(c)) or c.sum() == 0:
        return float("inf")
    with np.errstate(divide="ignore"):
        return float(np.log(np.mean((t - c / c.sum()) ** 2)))


def _opt_target(kids: list[str], target: dict[str, float] | str) -> np.ndarray:
    tg: dict[str, Any] = {} if isinstance(target, str) else target
    t = np.array([float(tg.get(k, 1.0)) for k in kids])
    return t / t.sum()


@register("weight", "optimised", needs_normalised=True)
def optimised(*, X: np.ndarray, framework: Framework, aggregation: Aggregation,
              levels: list[int], target: dict[str, float] | str, toler: float = 1e-10,
              maxiter: int = 5000) -> Framework:
    """COINr's ``get_opt_weights`` (``optype = "balance"``): all weights of the children of
    one level's aggregates (default: the top) optimised jointly so the children's correlations
    with the index match the target (relative) correlations (:func:`opt_objective`).

    Nelder-Mead from the targets, over log-weights (so weights stay positive; COINr lets
    them go negative), to the relative tolerance ``toler``. COINr's own ``optim`` call stops at
    ``reltol = 0.1``, so its weights are an earlier point of the same descent; aigap's
    objective is at most COINr's (the live parity test checks the objective and that bound).
    """
    from scipy.optimize import minimize  # only this method needs the optimiser

    fw = framework
    level = (levels or [fw.n_levels])[0]
    kids = fw.membership(level)[0]
    t = _opt_target(kids, target)

    def loss(theta: np.ndarray) -> float:
        return opt_objective(np.exp(theta), X, fw, aggregation, level, t)

    res = minimize(loss, np.log(t), method="Nelder-Mead",
                   options={"xatol": toler, "fatol": toler, "maxiter": maxiter,
                            "adaptive": len(kids) > 4})
    w = np.exp(res.x)
    return fw.with_weights(dict(zip(kids, (w / w.sum()).tolist(), strict=True)))
