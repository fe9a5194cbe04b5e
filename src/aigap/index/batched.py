"""Score many weight vectors at once (Monte Carlo, sensitivity) without re-running the pipeline.

A quasi-arithmetic aggregation (arithmetic, geometric, harmonic: any registered
:class:`~aigap.index.methods.aggregate.QuasiMean`) with missing-data re-weighting is a ratio of
two matrix products: ``g^-1(sum_k w_k g(x_k) [x_k present] / sum_k w_k [x_k present])``. The
first level is one GEMM of the B x c weight matrix against a c x (units * groups) tensor
(:func:`first_level` + :func:`score_first_level`); higher levels are batched (B, n, c) x (c, g)
products (:func:`score_level`). Robustness and sensitivity use the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from aigap.errors import SpecError
from aigap.index.methods.aggregate import QuasiMean, missing_rule, quasi_mean, wsum
from aigap.index.plan import Aggregation, Framework
from aigap.index.spec import AggregateStep


def level_children(fw: Framework, level: int) -> list[str]:
    """Order of the weight columns expected for ``level`` (children of its aggregates)."""
    return fw.membership(level)[0]


def default_weights(fw: Framework, level: int, B: int) -> np.ndarray:
    """The framework's weights for ``level`` repeated ``B`` times."""
    kids = level_children(fw, level)
    return np.tile(np.array([fw.weight[k] for k in kids], dtype=float), (B, 1))


def batch_mean(method: str, params: Mapping[str, object] | None = None) -> QuasiMean:
    """The matrix form of a registered aggregation, or a SpecError if it has none
    (a parametrised mean such as genmean needs its ``params``)."""
    qm = quasi_mean(method, params)
    if qm is None:
        raise SpecError(f"{method} aggregation cannot be evaluated in batch (it is not a "
                        "weighted quasi-arithmetic mean)")
    return qm


def finish(num: np.ndarray, den: np.ndarray, qm: QuasiMean, cnt: np.ndarray,
           onehot: np.ndarray, dat_thresh: float | None) -> np.ndarray:
    """Means from weighted sums, with the pipeline's rule for parents short of data."""
    return missing_rule(qm.mean(num, den), cnt, onehot.sum(axis=0), dat_thresh)


@dataclass(frozen=True)
class FirstLevel:
    """Level-2 tensors of one data set for one aggregation: (c, n*G) so one GEMM scores all."""

    TZ: np.ndarray  # g(x) spread over the groups
    TM: np.ndarray | None  # availability spread over the groups (None: nothing is missing)
    cnt: np.ndarray  # (n, G) available children per unit and group
    fails: bool  # a present value is outside the mean's domain


def first_level(V: np.ndarray, onehot: np.ndarray, qm: QuasiMean) -> FirstLevel:
    """Tensors for children values ``V`` (n, c) and membership ``onehot`` (c, G)."""
    n, G = V.shape[0], onehot.shape[1]
    mask = ~np.isnan(V)
    Z = qm.terms(V, mask)
    # where, not a product: inf * 0 would be NaN in every other group (see wsum)
    TZ = np.where(onehot[None] != 0, Z[:, :, None], 0.0).transpose(1, 0, 2).reshape(-1, n * G)
    TM = None
    if not mask.all():  # re-weighting over available children, as the pipeline
        TM = (mask[:, :, None] * onehot[None]).transpose(1, 0, 2).reshape(-1, n * G)
    return FirstLevel(np.ascontiguousarray(TZ), TM, mask.astype(float) @ onehot,
                      qm.fails(V[mask]))


def score_first_level(w: np.ndarray, t: FirstLevel, onehot: np.ndarray, qm: QuasiMean,
                      dat_thresh: float | None) -> np.ndarray:
    """(B, n, G) level-2 aggregates for B weight rows ``w`` (B, c)."""
    B = w.shape[0]
    n, G = t.cnt.shape
    num = (w @ t.TZ).reshape(B, n, G)
    den = (w @ onehot)[:, None, :] if t.TM is None else (w @ t.TM).reshape(B, n, G)
    return finish(num, den, qm, t.cnt, onehot, dat_thresh)


def score_level(V: np.ndarray, w: np.ndarray, onehot: np.ndarray, qm: QuasiMean,
                dat_thresh: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(B, n, G) aggregates of children ``V`` (B, n, c) with weights ``w`` (B, c).

    Also returns which of the B rows meet a value outside the mean's domain.
    """
    mask = ~np.isnan(V)
    fails = np.zeros(V.shape[0], dtype=bool)
    if mask.all():  # nothing missing: no masks, no per-unit re-weighting
        if qm.invalid is not None:
            with np.errstate(invalid="ignore"):
                fails = qm.invalid(V).any(axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            Z = qm.transform(V)
        den = (w @ onehot)[:, None, :]
        return missing_rule(qm.mean(wsum(Z * w[:, None, :], onehot), den),
                            onehot.sum(axis=0), onehot.sum(axis=0), dat_thresh), fails
    if qm.invalid is not None:
        with np.errstate(invalid="ignore"):
            fails = (mask & qm.invalid(V)).any(axis=(1, 2))
    Z = qm.terms(V, mask)
    num = wsum(Z * w[:, None, :], onehot)
    den = (mask * w[:, None, :]) @ onehot
    return finish(num, den, qm, mask.astype(float) @ onehot, onehot, dat_thresh), fails


def batched_scores(
    X: np.ndarray,
    fw: Framework,
    weights: Mapping[int, np.ndarray],
    agg: AggregateStep | Aggregation | str = "arithmetic",
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
    agg = Aggregation.of(agg)
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
        kids, parents, _w = fw.membership(level)
        onehot = fw.members(level)  # (c, g); a zero-weight child is a member (dat_thresh)
        w = np.asarray(weights.get(level, default_weights(fw, level, B)), dtype=float)
        if w.shape != (B, len(kids)):
            raise ValueError(f"weights[{level}] must have shape ({B}, {len(kids)})")
        qm = batch_mean(agg.step.method_for(level), agg.params(level))
        if level == 2:
            Y = np.empty((B, n, len(parents)))
            cols = [ind_pos[k] for k in kids]
            for k in np.unique(which):
                rows = np.flatnonzero(which == k)
                t = first_level(X[k][:, cols], onehot, qm)
                Y[rows] = score_first_level(w[rows], t, onehot, qm, agg.dat_thresh)
        else:
            V = np.stack([values[k] for k in kids], axis=-1)  # (B, n, c)
            Y = score_level(V, w, onehot, qm, agg.dat_thresh)[0]
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
