"""Score many weight vectors at once (Monte Carlo, sensitivity) without re-running the pipeline.

Arithmetic aggregation with missing-data re-weighting is a ratio of two matrix products:
``sum_k w_k x_k [x_k present] / sum_k w_k [x_k present]``; geometric is the same in logs,
harmonic in reciprocals. The first level is one GEMM of the B x p weight matrix against a
p x (units * groups) tensor; higher levels are batched (B, n, c) x (c, g) products.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from aigap.index.spec import AggregateStep, Framework


def level_children(fw: Framework, level: int) -> list[str]:
    """Order of the weight columns expected for ``level`` (children of its aggregates)."""
    return fw.membership(level)[0]


def default_weights(fw: Framework, level: int, B: int) -> np.ndarray:
    """The framework's weights for ``level`` repeated ``B`` times."""
    kids = level_children(fw, level)
    return np.tile(np.array([fw.weight[k] for k in kids], dtype=float), (B, 1))


def mean_transform(v: np.ndarray, method: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "geometric":
            return np.log(v)
        if method == "harmonic":
            return 1.0 / v
    return v


def _finish(num: np.ndarray, den: np.ndarray, method: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "geometric":
            return np.exp(num / den)
        if method == "harmonic":
            return den / num
        return num / den


def batched_scores(
    X: np.ndarray,
    fw: Framework,
    weights: Mapping[int, np.ndarray],
    agg: AggregateStep | str = "arithmetic",
    *,
    which: np.ndarray | None = None,
    all_levels: bool = False,
) -> np.ndarray:
    """Index scores for B weight sets.

    ``X``: normalised indicators, (n, p) in ``fw.indicators`` order, or (K, n, p) for K
    alternative normalised data sets, with ``which`` (B,) choosing one per weight set.
    ``weights[level]``: (B, c) weights of that level's children in :func:`level_children`
    order; a missing level keeps the framework's weights. Returns (B, n) index scores, or
    (B, n, n_aggregates) in ``fw.aggregates`` order when ``all_levels``.
    """
    if isinstance(agg, str):
        agg = AggregateStep(step="aggregate", method=agg)  # type: ignore[arg-type]
    if X.ndim == 2:
        X = X[None]
    B = next((np.asarray(w).shape[0] for w in weights.values()), 1)
    which = np.zeros(B, dtype=int) if which is None else np.asarray(which, dtype=int)
    if which.shape != (B,):
        raise ValueError(f"'which' must have shape ({B},)")
    n = X.shape[1]
    values: dict[str, np.ndarray] = {}  # code -> (B, n)
    ind_pos = {c: j for j, c in enumerate(fw.indicators)}
    for level in range(2, fw.n_levels + 1):
        kids, parents, Wdef = fw.membership(level)
        onehot = (Wdef != 0).astype(float)  # (c, g)
        w = np.asarray(weights.get(level, default_weights(fw, level, B)), dtype=float)
        if w.shape != (B, len(kids)):
            raise ValueError(f"weights[{level}] must have shape ({B}, {len(kids)})")
        method = agg.method_for(level)
        G = len(parents)
        if level == 2:
            num = np.empty((B, n, G))
            den = np.empty((B, n, G))
            cnt = np.empty((B, n, G))
            cols = [ind_pos[k] for k in kids]
            for k in np.unique(which):
                rows = np.flatnonzero(which == k)
                V = X[k][:, cols]  # (n, c)
                mask = ~np.isnan(V)
                Z = np.where(mask, mean_transform(np.where(mask, V, 1.0), method), 0.0)
                # (c, n*G) tensors so one GEMM covers every unit and group
                TZ = (Z[:, :, None] * onehot[None]).transpose(1, 0, 2).reshape(len(kids), n * G)
                TM = (mask[:, :, None] * onehot[None]).transpose(1, 0, 2).reshape(len(kids),
                                                                                  n * G)
                num[rows] = (w[rows] @ TZ).reshape(len(rows), n, G)
                den[rows] = (w[rows] @ TM).reshape(len(rows), n, G)
                cnt[rows] = (mask.astype(float) @ onehot)[None]
        else:
            V = np.stack([values[k] for k in kids], axis=-1)  # (B, n, c)
            mask = ~np.isnan(V)
            Z = np.where(mask, mean_transform(np.where(mask, V, 1.0), method), 0.0)
            num = (Z * w[:, None, :]) @ onehot
            den = (mask * w[:, None, :]) @ onehot
            cnt = mask.astype(float) @ onehot
        Y = _finish(num, den, method)
        Y = np.where(cnt > 0, Y, np.nan)
        if agg.dat_thresh is not None:
            Y = np.where(cnt / onehot.sum(axis=0) < agg.dat_thresh, np.nan, Y)
        for j, p in enumerate(parents):
            values[p] = Y[:, :, j]
    if all_levels:
        return np.stack([values[a] for a in fw.aggregates], axis=-1)
    return values[fw.root]


def random_weights(fw: Framework, B: int, spread: float = 0.25,
                   rng: np.random.Generator | None = None) -> dict[int, np.ndarray]:
    """Weights perturbed uniformly by +-``spread`` (relative) around the framework's, per level."""
    rng = np.random.default_rng() if rng is None else rng
    out = {}
    for level in range(2, fw.n_levels + 1):
        base = default_weights(fw, level, B)
        out[level] = base * rng.uniform(1 - spread, 1 + spread, size=base.shape)
    return out
