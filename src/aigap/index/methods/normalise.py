"""Normalisation methods (COINr ``Normalise``), applied to ``x * direction`` as COINr does.

Each method is a pure NumPy function of the direction-adjusted data (units x indicators). The
registration may add:

* ``affine``: the fitted map ``N = a * X + b`` per column (a, b arrays), the exact inverse
  what-it-takes uses (None where a column has no inverse);
* ``nonpositive``: why the method can give values <= 0 (None if it cannot), so a spec that
  feeds them to a geometric mean is refused with a clear message;
* ``check``: a schema check of the parameters; ``label``: a short label for robustness;
* ``no_pool``: why the method cannot pool the years of a panel (``global_panel``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from aigap.errors import SpecError
from aigap.index.methods.registry import register
from aigap.index.methods.stats import colstat

Affine = tuple[np.ndarray, np.ndarray]


def _lohi(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return colstat(X, np.nanmin), colstat(X, np.nanmax)


def _slope(num: Any, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den


# --------------------------------------------------------------------------- min-max, z-score


def _minmax_affine(X: np.ndarray, l: float = 0.0, u: float = 100.0) -> Affine:  # noqa: E741
    lo, hi = _lohi(X)
    a = _slope(u - l, hi - lo)
    return a, l - lo * a


def _minmax_check(l: float, u: float) -> str | None:  # noqa: E741
    return None if l < u else f"min-max bounds need l < u (got l={l}, u={u})"


def _minmax_nonpositive(l: float, u: float) -> str | None:  # noqa: E741
    return f"min-max into [{l:g}, {u:g}] gives values <= 0" if l <= 0 else None


@register("normalise", "minmax", affine=_minmax_affine, check=_minmax_check,
          nonpositive=_minmax_nonpositive, label="minmax[{l:g},{u:g}]")
def n_minmax(X: np.ndarray, l: float = 0.0, u: float = 100.0) -> np.ndarray:  # noqa: E741
    """COINr ``n_minmax``: constant columns become NaN (COINr warns and returns NaN)."""
    lo, hi = _lohi(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X - lo) / (hi - lo) * (u - l) + l


def _sd(X: np.ndarray) -> np.ndarray:
    return colstat(X, lambda a, axis: np.nanstd(a, axis=axis, ddof=1))


def _zscore_affine(X: np.ndarray, mean: float = 0.0, sd: float = 1.0) -> Affine:
    a = _slope(sd, _sd(X))
    return a, mean - colstat(X, np.nanmean) * a


@register("normalise", "zscore", affine=_zscore_affine,
          nonpositive="z-scores are negative below the mean",
          label="zscore(mean={mean:g},sd={sd:g})")
def n_zscore(X: np.ndarray, mean: float = 0.0, sd: float = 1.0) -> np.ndarray:
    """COINr ``n_zscore``: sample standard deviation (n - 1)."""
    m = colstat(X, np.nanmean)
    s = _sd(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X - m) / s * sd + mean


# --------------------------------------------------------------------------- ranks


@register("normalise", "rank")
def n_rank(X: np.ndarray) -> np.ndarray:
    """COINr ``n_rank``: ranks with ties = "min", NaN kept (higher value = higher rank)."""
    from scipy.stats import rankdata  # scipy.stats loads scipy.optimize: only when ranking

    return rankdata(X, method="min", axis=0, nan_policy="omit")


@register("normalise", "prank", nonpositive="'prank' normalisation gives values <= 0")
def n_prank(X: np.ndarray) -> np.ndarray:
    """COINr ``n_prank``: ``(rank - 1) / (n_available - 1)``."""
    n = (~np.isnan(X)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (n_rank(X) - 1) / (n - 1)


@register("normalise", "borda", nonpositive="'borda' normalisation gives values <= 0")
def n_borda(X: np.ndarray) -> np.ndarray:
    """COINr ``n_borda``: ``rank - 1``."""
    return n_rank(X) - 1


# --------------------------------------------------------------------------- goalposts


def _posts(goalposts: Mapping[str, Sequence[float]], codes: Sequence[str],
           direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Goalposts of each column on the direction-adjusted scale (worst, best)."""
    lo = np.array([goalposts[c][0] for c in codes], dtype=float)
    hi = np.array([goalposts[c][1] for c in codes], dtype=float)
    return np.where(direction > 0, lo, -hi), np.where(direction > 0, hi, -lo)


def _goalposts_affine(X: np.ndarray, goalposts: Mapping[str, Sequence[float]],
                      codes: Sequence[str], direction: np.ndarray, scale: float = 1.0
                      ) -> Affine:
    lo, hi = _posts(goalposts, codes, direction)
    a = _slope(scale, hi - lo)
    return a, -lo * a


def _goalposts_tree(goalposts: Mapping[str, Sequence[float]], framework: Any) -> str | None:
    missing = sorted(set(framework.indicators) - set(goalposts))
    if missing:
        return (f"goalposts: no goalposts for {missing[:5]}"
                f"{' ...' if len(missing) > 5 else ''}")
    return None


@register("normalise", "goalposts", affine=_goalposts_affine, check_tree=_goalposts_tree,
          nonpositive="'goalposts' normalisation gives values <= 0")
def n_goalposts(X: np.ndarray, *, goalposts: Mapping[str, Sequence[float]],
                codes: Sequence[str], direction: np.ndarray, scale: float = 1.0,
                trunc: bool = True) -> np.ndarray:
    """COINr ``n_goalposts``: share of the way from the worst to the best goalpost, times
    ``scale`` (truncated to the posts with ``trunc``).

    Goalposts are in each indicator's own units: direction -1 scores
    ``(upper - x) / (upper - lower)``, exactly as COINr with its goalposts in iMeta
    (``f_n_para = "use_iMeta"``). Per-indicator ``scale`` and ``trunc``: ``per_indicator``.
    """
    lo, hi = _posts(goalposts, codes, direction)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = (X - lo) / (hi - lo)
    if trunc:
        y = np.clip(y, 0.0, 1.0)  # NaN stays NaN
    return y * scale


# --------------------------------------------------------------------------- distances


def _dist2max_affine(X: np.ndarray, scale: float = 1.0) -> Affine:
    lo, hi = _lohi(X)
    a = _slope(scale, hi - lo)
    return a, -lo * a


@register("normalise", "dist2max", affine=_dist2max_affine,
          nonpositive="'dist2max' normalisation gives values <= 0")
def n_dist2max(X: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """COINr ``n_dist2max``: ``1 - (max - x) / (max - min)`` (distance to the frontier)."""
    lo, hi = _lohi(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (1 - (hi - X) / (hi - lo)) * scale


def _ref_row(X: np.ndarray, ref_unit: str | None, units: Sequence[str]) -> np.ndarray:
    if ref_unit not in units:
        raise SpecError(f"normalise: ref_unit {ref_unit!r} is not among the units")
    return X[list(units).index(ref_unit)]


def _capped_affine(X: np.ndarray, targ: np.ndarray, scale: float, cap_max: bool) -> Affine:
    """``1 - (t - x) / (t - min)`` is affine; with ``cap_max`` only while nothing is capped."""
    lo = colstat(X, np.nanmin)
    a = _slope(scale, targ - lo)
    b = -lo * a
    if cap_max:
        with np.errstate(invalid="ignore", divide="ignore"):
            capped = (1 - (targ - X) / (targ - lo) > 1).any(axis=0)
        a = np.where(capped, np.nan, a)
    return a, b


def _dist2ref_affine(X: np.ndarray, ref_unit: str | None, units: Sequence[str],
                     cap_max: bool = False, scale: float = 1.0) -> Affine:
    return _capped_affine(X, _ref_row(X, ref_unit, units), scale, cap_max)


def _dist2ref_check(ref_unit: str | None) -> str | None:
    return None if ref_unit else "dist2ref needs 'ref_unit' (a unit code)"


@register("normalise", "dist2ref", affine=_dist2ref_affine, check=_dist2ref_check,
          nonpositive="'dist2ref' normalisation gives values <= 0",
          no_pool="the reference unit repeats each year")
def n_dist2ref(X: np.ndarray, ref_unit: str | None = None, *, units: Sequence[str],
               cap_max: bool = False, scale: float = 1.0) -> np.ndarray:
    """COINr ``n_dist2ref``: ``1 - (x_ref - x) / (x_ref - min)``; ``ref_unit`` is the reference."""
    lo = colstat(X, np.nanmin)
    ref = _ref_row(X, ref_unit, units)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (ref - X) / (ref - lo)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y * scale


def _targets(targets: Mapping[str, float] | str, framework: Any, codes: Sequence[str],
             direction: np.ndarray) -> np.ndarray:
    """Targets on the direction-adjusted scale ("meta": each indicator's own ``target``)."""
    tg = targets if isinstance(targets, Mapping) else framework.target
    miss = [c for c in codes if tg.get(c) is None]
    if miss:
        raise SpecError(f"normalise dist2targ: no target for {miss[:5]}")
    return np.array([tg[c] for c in codes], dtype=float) * direction


def _dist2targ_affine(X: np.ndarray, targets: Mapping[str, float] | str, framework: Any,
                      codes: Sequence[str], direction: np.ndarray, cap_max: bool = False,
                      scale: float = 1.0) -> Affine:
    return _capped_affine(X, _targets(targets, framework, codes, direction), scale, cap_max)


@register("normalise", "dist2targ", affine=_dist2targ_affine,
          nonpositive="'dist2targ' normalisation gives values <= 0")
def n_dist2targ(X: np.ndarray, targets: Mapping[str, float] | str = "meta", *, framework: Any,
                codes: Sequence[str], direction: np.ndarray, cap_max: bool = False,
                scale: float = 1.0) -> np.ndarray:
    """COINr ``n_dist2targ``: ``1 - (targ - x) / (targ - min)``; targets direction-adjusted."""
    targ = _targets(targets, framework, codes, direction)
    lo = colstat(X, np.nanmin)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (targ - X) / (targ - lo)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y * scale


# --------------------------------------------------------------------------- others


def _fracmax_affine(X: np.ndarray, scale: float = 1.0) -> Affine:
    a = _slope(scale, colstat(X, np.nanmax))
    return a, np.zeros_like(a)


@register("normalise", "fracmax", affine=_fracmax_affine)
def n_fracmax(X: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """COINr ``n_fracmax``: ``x / max``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return X / colstat(X, np.nanmax) * scale


def _identity_affine(X: np.ndarray) -> Affine:
    return np.ones(X.shape[1]), np.zeros(X.shape[1])


@register("normalise", "none", affine=_identity_affine,
          nonpositive="'none' normalisation gives values <= 0")
def n_none(X: np.ndarray) -> np.ndarray:
    """The direction-adjusted data as they are."""
    return X
