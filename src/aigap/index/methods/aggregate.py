"""Aggregation methods (COINr ``Aggregate``): children (columns) into parents.

Two forms of registration:

* a :class:`QuasiMean` (weighted mean ``g^-1(sum w g(x) / sum w)``: arithmetic, geometric,
  harmonic): evaluated as matrix products, so the batched evaluator, robustness and
  what-it-takes can use it; its ``invalid`` values (e.g. <= 0 for the geometric mean) fail;
* a function ``(X, w) -> y`` of one parent's children (``per_parent=True``: median, Copeland).

Options: ``linear`` (the score is linear in the children: what-it-takes solves one LP),
``concave`` (what-it-takes' convex solver applies), ``across_units`` (a unit's value depends on
the other units: scenarios cannot stack samples), ``positive`` ("all levels" or "level 2": the
children must be > 0 there, checked against the normalisation), ``share`` (each child's share
of its parent's value, for ``IndexResult.explain``; default proportional to ``w * y``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aigap.index.methods.registry import get, register

Array = np.ndarray


@dataclass(frozen=True)
class QuasiMean:
    """Weighted quasi-arithmetic mean with missing children skipped (weights re-normalised).

    ``transform`` is the generator g; ``finish(num, den)`` maps ``num = sum w g(x)`` and
    ``den = sum w`` (over available children) to the mean. Functions should be module-level
    (picklable: robustness ships methods to Dask workers by name, but pickles its engine).
    """

    transform: Callable[[Array], Array]
    finish: Callable[[Array, Array], Array]
    invalid: Callable[[Array], Array] | None = None  # values outside the domain
    error: str = ""

    def terms(self, V: Array, mask: Array) -> Array:
        """g(v) where present, 0 elsewhere (what the weight products sum)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(mask, self.transform(np.where(mask, V, 1.0)), 0.0)

    def mean(self, num: Array, den: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.finish(num, den)

    def fails(self, values: Array) -> bool:
        """Whether any of these (available) values is outside the domain."""
        return self.invalid is not None and bool(np.any(self.invalid(values)))

    def __call__(self, X: Array, W: Array) -> Array:
        mask = ~np.isnan(X)
        if self.fails(X[mask]):
            raise ValueError(self.error)
        return self.mean(self.terms(X, mask) @ W, mask @ W)


def _identity(v: Array) -> Array:
    return v


def _ratio(num: Array, den: Array) -> Array:
    return num / den


def _exp_ratio(num: Array, den: Array) -> Array:
    return np.exp(num / den)


def _reciprocal(v: Array) -> Array:
    return 1.0 / v


def _inverse_ratio(num: Array, den: Array) -> Array:
    return den / num


def _nonpositive(v: Array) -> Array:
    return v <= 0


def _zero(v: Array) -> Array:
    return v == 0


# --------------------------------------------------------------------------- shares (explain)


def linear_share(vals: Array, ws: Array, yp: float) -> Array:
    """Arithmetic: ``w_c * y_c / y_p`` (exact)."""
    return ws * vals / yp


def log_share(vals: Array, ws: Array, yp: float) -> Array:
    """Geometric: shares of the log, ``w_c log(y_c) / log(y_p)`` (exact)."""
    ly = np.log(yp)
    if ly == 0:  # all children equal 1: split by weight
        return ws
    return ws * np.log(vals) / ly


def proportional_share(vals: Array, ws: Array, yp: float) -> Array:
    """Any other mean: proportional to ``w_c * y_c``."""
    tot = np.sum(ws * vals)
    return ws * vals / tot if tot != 0 else ws


ARITHMETIC = QuasiMean(_identity, _ratio)
GEOMETRIC = QuasiMean(np.log, _exp_ratio, _nonpositive,
                      "geometric mean of values <= 0 (normalise into a positive range)")
HARMONIC = QuasiMean(_reciprocal, _inverse_ratio, _zero, "harmonic mean of zero values")

register("aggregate", "arithmetic", ARITHMETIC, linear=True, concave=True, share=linear_share)
register("aggregate", "geometric", GEOMETRIC, concave=True, positive="all levels",
         share=log_share)
register("aggregate", "harmonic", HARMONIC, concave=True, positive="level 2")


@register("aggregate", "median", per_parent=True)
def weighted_median(X: Array, w: Array) -> Array:
    """Weighted median of each row, skipping NaN (equal weights give ``np.median``)."""
    out = np.full(X.shape[0], np.nan)
    for r in range(X.shape[0]):
        ok = ~np.isnan(X[r])
        if not ok.any():
            continue
        v, ww = X[r, ok], w[ok]
        o = np.argsort(v, kind="stable")
        v, ww = v[o], ww[o] / ww.sum()
        c = np.cumsum(ww)
        k = int(np.searchsorted(c, 0.5 - 1e-12))
        # exactly half the weight below: average with the next value, like the even-n median
        out[r] = (v[k] + v[k + 1]) / 2 if np.isclose(c[k], 0.5) and k + 1 < v.size else v[k]
    return out


@register("aggregate", "copeland", per_parent=True, across_units=True)
def copeland(X: Array, w: Array) -> Array:
    """COINr ``a_copeland``: row sums of the weighted outranking matrix.

    ``O[i, j]`` = weight share of indicators where unit i beats j plus half the share where they
    tie (NaN comparisons count for nobody), and ``O[j, i] = 1 - O[i, j]`` for i < j, as in COINr.
    """
    w = w / np.nansum(w)
    gt = (X[:, None, :] > X[None, :, :]) @ w
    eq = (X[:, None, :] == X[None, :, :]) @ w
    upper = gt + eq / 2
    o = np.triu(upper, k=1)
    o = o + np.tril(1 - o.T, k=-1)
    return o.sum(axis=1)


def quasi_mean(method: str) -> QuasiMean | None:
    """The quasi-arithmetic form of a registered aggregation (None: not batchable)."""
    fn = get("aggregate", method).fn
    return fn if isinstance(fn, QuasiMean) else None


def missing_rule(y: Array, n_av: Array, n_members: Array, dat_thresh: float | None) -> Array:
    """COINr's rule for parents short of data: NaN without an available child, and NaN when
    the share of available children (``n_av / n_members``) is below ``dat_thresh``."""
    y = np.where(n_av > 0, y, np.nan)
    if dat_thresh is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(n_av / n_members < dat_thresh, np.nan, y)
    return y


def aggregate(X: Array, W: Array, method: str = "arithmetic",
              dat_thresh: float | None = None) -> Array:
    """Aggregate children (columns of ``X``) into parents with weight matrix ``W`` (kids x parents).

    ``W[i, j]`` is child i's weight in parent j (0 = not a child). Missing children are skipped and
    the remaining weights re-normalised (COINr default). With ``dat_thresh``, a parent is NaN
    when the share of its children with data is below the threshold (COINr's rule).
    """
    m = get("aggregate", method)
    mask = ~np.isnan(X)
    member = (W != 0).astype(float)
    if m.option("per_parent"):
        y = np.full((X.shape[0], W.shape[1]), np.nan)
        for j in range(W.shape[1]):
            kids = np.flatnonzero(W[:, j])
            y[:, j] = m.fn(X[:, kids], W[kids, j])
    else:
        y = m.fn(X, W)
    return missing_rule(y, mask @ member, member.sum(axis=0), dat_thresh)
