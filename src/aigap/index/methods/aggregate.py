"""Aggregation methods (COINr ``Aggregate``): children (columns) into parents.

Two forms of registration:

* a :class:`QuasiMean` (weighted mean ``g^-1(sum w g(x) / sum w)``: arithmetic, geometric,
  harmonic): evaluated as matrix products, so the batched evaluator, robustness and
  what-it-takes can use it; its ``invalid`` values (e.g. <= 0 for the geometric mean) fail;
* a function ``(X, w) -> y`` of one parent's children (``per_parent=True``: median, Copeland);
* a parametrised mean (``genmean``): a function ``(X, W, *, p)`` with the option
  ``quasi=p -> QuasiMean``, so it is batchable once its parameters are known.

Infinite values (``fracmax`` of data with a zero maximum, say) propagate as in COINr's
``a_amean``: a +Inf child makes its parent +Inf, not the whole unit NaN (:func:`wsum`).

Options: ``linear`` (the score is linear in the children: what-it-takes solves one LP),
``concave`` (what-it-takes' convex solver applies), ``across_units`` (a unit's value depends on
the other units: scenarios cannot stack samples), ``positive`` ("all levels" or "level 2": the
children must be > 0 there, checked against the normalisation), ``share`` (each child's share
of its parent's value, for ``IndexResult.explain``; default proportional to ``w * y``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

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
        return self.mean(wsum(self.terms(X, mask), W), mask @ W)


def wsum(Z: Array, M: Array) -> Array:
    """``Z @ M`` where a 0 in ``M`` means "not a term": an infinite ``Z`` adds only to the
    columns whose ``M`` is non-zero (a plain product gives inf * 0 = NaN for every column).
    +inf and -inf in one sum give NaN, as in R. ``Z`` may have leading batch dimensions."""
    fin = np.isfinite(Z)
    if fin.all():
        return Z @ M
    nz = (M != 0).astype(float)
    out = np.where(fin, Z, 0.0) @ M
    pos, neg = (np.inf == Z) @ nz, (-np.inf == Z) @ nz
    nan = np.isnan(Z) @ nz
    out = np.where(pos > 0, np.inf, out)
    out = np.where(neg > 0, -np.inf, out)
    return np.where(((pos > 0) & (neg > 0)) | (nan > 0), np.nan, out)


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


def _power(v: Array, p: float) -> Array:
    return v**p


def _power_ratio(num: Array, den: Array, p: float) -> Array:
    return (num / den) ** (1.0 / p)


def _negative(v: Array) -> Array:
    return v < 0


def genmean_quasi(p: float = 2.0) -> QuasiMean:
    """The generalised (power) mean ``(sum w x^p / sum w)^(1/p)`` as a :class:`QuasiMean`.

    ``p = 1`` is the arithmetic mean, ``p = -1`` the harmonic, and ``p = 0`` is taken as its
    limit, the geometric mean (COINr's ``a_genmean`` refuses p = 0). Negative ``p`` needs
    values > 0, other ``p`` values >= 0 (COINr: NaN for negative x with fractional p).
    """
    if p == 0:
        return GEOMETRIC
    if p < 0:
        return QuasiMean(partial(_power, p=p), partial(_power_ratio, p=p), _nonpositive,
                         f"generalised mean with p={p:g} of values <= 0")
    return QuasiMean(partial(_power, p=p), partial(_power_ratio, p=p), _negative,
                     f"generalised mean with p={p:g} of negative values")


def _genmean_check(p: float = 2.0) -> str | None:
    return None if np.isfinite(p) else f"genmean needs a finite 'p' (got {p})"


def _genmean_positive(p: float = 2.0) -> str | None:
    return "all levels" if p <= 0 else None


@register("aggregate", "genmean", quasi=genmean_quasi, check=_genmean_check,
          positive=_genmean_positive, label="genmean(p={p:g})")
def genmean(X: Array, W: Array, p: float = 2.0) -> Array:
    """COINr ``a_genmean``: the generalised mean of order ``p`` (``params: {p: ...}``)."""
    return genmean_quasi(p)(X, W)


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
    """COINr ``a_copeland``: Copeland scores, ``sum_j sign(i vs j)`` over the other units.

    Unit i beats j when the weight of the indicators where i is higher exceeds the weight of
    those where j is higher (ties count for neither). COINr turns its outranking share
    ``O[i, j] = beats + ties / 2`` into +1 / 0 / -1 (> 0.5, = 0.5, < 0.5), which is the same
    without missing data. With missing data COINr computes only ``O[i, j]`` for i < j and sets
    ``O[j, i] = 1 - O[i, j]``, so its scores depend on the order of the units; aigap compares
    each pair over the indicators both units have, symmetrically, so permuting the units
    permutes the scores (a deliberate difference, listed in the README's parity table).
    """
    w = w / np.nansum(w)
    beats = (X[:, None, :] > X[None, :, :]) @ w  # NaN comparisons are False: count for nobody
    d = beats - beats.T
    # equal weight sums can differ in the last bit when summed in another order
    tie = np.abs(d) <= 1e-12
    return np.where(tie, 0.0, np.sign(d)).sum(axis=1)


def quasi_mean(method: str, params: Mapping[str, Any] | None = None) -> QuasiMean | None:
    """The quasi-arithmetic form of a registered aggregation (None: not batchable).

    A parametrised mean (option ``quasi``) needs its ``params``; without them it is None, so
    callers that only know the method name refuse it rather than use a default parameter.
    """
    m = get("aggregate", method)
    if isinstance(m.fn, QuasiMean):
        return m.fn
    if m.option("quasi") is not None and params is not None:
        qm = m.call_option("quasi", **params)
        return qm if isinstance(qm, QuasiMean) else None
    return None


def missing_rule(y: Array, n_av: Array, n_members: Array, dat_thresh: float | None) -> Array:
    """COINr's rule for parents short of data: NaN without an available child, and NaN when
    the share of available children (``n_av / n_members``) is below ``dat_thresh``.

    Members are all children of the parent, whatever their weight (COINr counts a zero-weight
    child in the share; so do the pipeline, the batched evaluator and robustness)."""
    y = np.where(n_av > 0, y, np.nan)
    if dat_thresh is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(n_av / n_members < dat_thresh, np.nan, y)
    return y


def aggregate(X: Array, W: Array, method: str = "arithmetic",
              dat_thresh: float | None = None, *, member: Array | None = None,
              params: Mapping[str, Any] | None = None) -> Array:
    """Aggregate children (columns of ``X``) into parents with weight matrix ``W`` (kids x parents).

    ``W[i, j]`` is child i's weight in parent j. ``member`` (same shape, 1 = child of) marks
    the tree; without it a non-zero weight marks membership. Missing children are skipped and
    the remaining weights re-normalised (COINr default). With ``dat_thresh``, a parent is NaN
    when the share of its children with data is below the threshold (COINr's rule, counting
    zero-weight children). ``params`` are the method's parameters (genmean's ``p``).
    """
    m = get("aggregate", method)
    mask = ~np.isnan(X)
    member = (W != 0).astype(float) if member is None else np.asarray(member, dtype=float)
    kw = dict(params or {})
    if m.option("per_parent"):
        y = np.full((X.shape[0], W.shape[1]), np.nan)
        for j in range(W.shape[1]):
            kids = np.flatnonzero(W[:, j])
            y[:, j] = m(X[:, kids], W[kids, j], **kw)
    else:
        y = m(X, W, **kw)
    return missing_rule(y, mask @ member, member.sum(axis=0), dat_thresh)
