"""Pure NumPy build steps with COINr's semantics (units x indicators, NaN = missing).

Definitions follow COINr 1.1.x (R package by W. Becker): sample sd (n-1), e1071 type-2
skewness/kurtosis, winsorising the extreme point(s) to the next value, log_CT fallback,
min-max/z-score after multiplying by the direction, ``ties = "min"`` ranks, weights re-normalised
over the available children.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import rankdata

# --------------------------------------------------------------------------- statistics


def skew(x: np.ndarray) -> float:
    """COINr ``skew`` (e1071 type 2 = Excel's SKEW) of the non-NaN values; NaN if < 3 values."""
    v = x[~np.isnan(x)]
    n = v.size
    if n < 3:
        return float("nan")
    d = v - v.mean()
    s2 = np.dot(d, d)
    if s2 == 0:
        return float("nan")
    g = np.sqrt(n) * np.sum(d**3) / s2**1.5
    return float(g * np.sqrt(n * (n - 1)) / (n - 2))


def kurt(x: np.ndarray) -> float:
    """COINr ``kurt`` (e1071 type 2 = Excel's KURT, excess kurtosis); NaN if < 4 values."""
    v = x[~np.isnan(x)]
    n = v.size
    if n < 4:
        return float("nan")
    d = v - v.mean()
    s2 = np.dot(d, d)
    if s2 == 0:
        return float("nan")
    r = n * np.sum(d**4) / s2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def skew_kurt_cols(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise :func:`skew` and :func:`kurt` in one vectorised pass."""
    mask = ~np.isnan(X)
    n = mask.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mask, X, 0.0).sum(axis=0) / n
        d = np.where(mask, X - mean, 0.0)
        d2 = d * d
        s2 = d2.sum(axis=0)
        s3 = (d2 * d).sum(axis=0)
        s4 = (d2 * d2).sum(axis=0)
        sk = np.sqrt(n) * s3 / s2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * s4 / s2**2
        kt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    sk[(n < 3) | (s2 == 0)] = np.nan
    kt[(n < 4) | (s2 == 0)] = np.nan
    return sk, kt


def passes_skew_kurt(sk: float, kt: float, skew_thresh: float, kurt_thresh: float) -> bool | None:
    """COINr ``check_SkewKurt``: pass if |skew| < t_s OR kurt < t_k; None when undefined (NA)."""
    a = None if np.isnan(sk) else abs(sk) < skew_thresh
    b = None if np.isnan(kt) else kt < kurt_thresh
    if a is True or b is True:  # R: TRUE | NA is TRUE
        return True
    if a is None or b is None:
        return None
    return False


# --------------------------------------------------------------------------- denominate


def denominate(X: np.ndarray, D: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``X / D * scale`` column by column (NaN where the denominator is NaN; x/0 -> NaN)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = X / D * scale
    out[~np.isfinite(out)] = np.nan
    return out


# --------------------------------------------------------------------------- screen


def screen_units(X: np.ndarray, dat_thresh: float = 2 / 3,
                 nonzero_thresh: float | None = None) -> np.ndarray:
    """Boolean mask of units kept by COINr's ``Screen`` (availability >= threshold).

    Availability = share of non-NaN indicators; non-zero share is of the available values.
    """
    avail = 1 - np.isnan(X).mean(axis=1)
    keep = avail >= dat_thresh
    if nonzero_thresh is not None:
        n_av = (~np.isnan(X)).sum(axis=1)
        zeros = (X == 0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            nonzero = 1 - zeros / n_av
        keep &= ~(nonzero < nonzero_thresh)
    return keep


def screen_indicators(X: np.ndarray, thresh: float) -> np.ndarray:
    """Boolean mask of indicators whose share of available values is >= ``thresh``."""
    return (1 - np.isnan(X).mean(axis=0)) >= thresh


# --------------------------------------------------------------------------- impute


def impute(X: np.ndarray, method: str = "indicator_mean",
           groups: np.ndarray | None = None) -> np.ndarray:
    """Fill NaNs per indicator with its mean/median, or the mean/median of the unit's group.

    Group methods leave a value missing when its whole group lacks the indicator, and leave
    units whose group label is missing untouched (COINr's ``skip_f_na``).
    """
    if method == "none":
        return X.copy()
    out = X.copy()
    stat = np.nanmean if method.endswith("mean") else np.nanmedian
    if method.startswith("indicator"):
        with np.errstate(invalid="ignore"), quiet_nan_warnings():
            fill = stat(X, axis=0)
        rows, cols = np.nonzero(np.isnan(out))
        out[rows, cols] = fill[cols]
        return out
    if groups is None:
        raise ValueError("group imputation needs group labels")
    labels = np.asarray(groups, dtype=object)
    valid = np.array([g is not None and g == g and g != "" for g in labels])
    for g in np.unique(labels[valid].astype(str)):
        rows = valid & (labels.astype(str) == g)
        sub = out[rows]
        with np.errstate(invalid="ignore"), quiet_nan_warnings():
            fill = stat(X[rows], axis=0)
        r, c = np.nonzero(np.isnan(sub))
        sub[r, c] = fill[c]
        out[rows] = sub
    return out


def quiet_nan_warnings() -> warnings.catch_warnings:
    """Silence 'Mean of empty slice' warnings (an all-NaN column stays NaN, by design)."""
    return warnings.catch_warnings(action="ignore", category=RuntimeWarning)


# --------------------------------------------------------------------------- treat


@dataclass
class TreatInfo:
    """What the treatment did to one indicator (one row of the treatment log)."""

    skew0: float
    kurt0: float
    passed0: bool | None
    treatment: str = "none"  # none | winsorise | log_CT | log_CT_orig | undefined
    n_winsorised: int = 0
    win_high: list[int] = field(default_factory=list)  # row positions winsorised at the top
    win_low: list[int] = field(default_factory=list)
    skew1: float = float("nan")
    kurt1: float = float("nan")
    passed1: bool | None = None
    skew2: float = float("nan")
    kurt2: float = float("nan")
    passed2: bool | None = None


def winsorise(x: np.ndarray, winmax: int | None = 5, skew_thresh: float = 2.0,
              kurt_thresh: float = 3.5, force: bool = False,
              sk0: float | None = None, kt0: float | None = None
              ) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """COINr ``winsorise``: one extreme at a time, on the side given by the sign of the skew.

    Each round replaces every point equal to the max (skew >= 0) by the largest remaining value,
    or every point equal to the min by the smallest remaining value, until the skew/kurtosis test
    passes or ``winmax`` points are winsorised. As in COINr, the count is the number of points
    now tied at the winsorised extreme(s), which accumulates because earlier winsorised points
    are tied at the new extreme.
    """
    x = x.astype(float).copy()
    imax = np.empty(0, dtype=int)
    imin = np.empty(0, dtype=int)
    nwin = 0
    # skew and kurtosis of the current x, computed once per round (the hot path of treat)
    sk = skew(x) if sk0 is None else sk0
    kt = kurt(x) if kt0 is None else kt0
    passing = passes_skew_kurt(sk, kt, skew_thresh, kurt_thresh)
    while (passing is False or force) and (winmax is None or nwin < winmax):
        if np.isnan(sk):
            break
        ok = ~np.isnan(x)
        if sk >= 0:
            top = np.nanmax(x)
            imax = np.flatnonzero(x == top)
            rest = x[ok & (x != top)]
            if rest.size == 0:
                break
            x[imax] = rest.max()
        else:
            bot = np.nanmin(x)
            imin = np.flatnonzero(x == bot)
            rest = x[ok & (x != bot)]
            if rest.size == 0:
                break
            x[imin] = rest.min()
        nwin = imax.size + imin.size
        sk, kt = skew(x), kurt(x)
        passing = passes_skew_kurt(sk, kt, skew_thresh, kurt_thresh)
    return x, nwin, imax, imin


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr ``log_CT``: ``log(x - min + 0.01 * (max - min))``."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x - lo + 0.01 * (hi - lo))


def log_ct_orig(x: np.ndarray) -> np.ndarray:
    """COINr ``log_CT_orig``: ``log(x - min + 1)``."""
    return np.log(x - np.nanmin(x) + 1)


def treat_column(x: np.ndarray, winmax: int | None = 5, skew_thresh: float = 2.0,
                 kurt_thresh: float = 3.5, force_win: bool = False, f2: str = "log_CT",
                 combine: bool = False, sk0: float | None = None, kt0: float | None = None
                 ) -> tuple[np.ndarray, TreatInfo]:
    """COINr ``Treat.numeric`` with the default f1 = winsorise, f2 = log_CT, f_pass = skew/kurt.

    If winsorising up to ``winmax`` points does not pass, f2 is applied to the *original* data
    (``combine=False``, COINr's default), discarding the winsorisation.
    """
    sk0 = skew(x) if sk0 is None else sk0
    kt0 = kurt(x) if kt0 is None else kt0
    info = TreatInfo(skew0=sk0, kurt0=kt0, passed0=passes_skew_kurt(sk0, kt0, skew_thresh,
                                                                     kurt_thresh))
    if info.passed0 is None:
        info.treatment = "undefined"  # COINr returns the data untreated when the test is NA
        return x.copy(), info
    if info.passed0 and not force_win:
        return x.copy(), info
    x1, nwin, imax, imin = winsorise(x, winmax, skew_thresh, kurt_thresh, force_win, sk0, kt0)
    info.treatment = "winsorise" if nwin else "none"
    info.n_winsorised, info.win_high, info.win_low = nwin, imax.tolist(), imin.tolist()
    info.skew1, info.kurt1 = skew(x1), kurt(x1)
    info.passed1 = passes_skew_kurt(info.skew1, info.kurt1, skew_thresh, kurt_thresh)
    if info.passed1 is not False or f2 == "none":
        return x1, info
    base = x1 if combine else x
    x2 = log_ct(base) if f2 == "log_CT" else log_ct_orig(base)
    if not combine:
        info.n_winsorised, info.win_high, info.win_low = 0, [], []
    info.treatment = f2 if not combine else f"winsorise+{f2}"
    info.skew2, info.kurt2 = skew(x2), kurt(x2)
    info.passed2 = passes_skew_kurt(info.skew2, info.kurt2, skew_thresh, kurt_thresh)
    return x2, info


def treat(X: np.ndarray, columns: np.ndarray | None = None, **params: object
          ) -> tuple[np.ndarray, dict[int, TreatInfo]]:
    """Treat every column (or those in ``columns``); cheap columns that pass are not looped."""
    out = X.copy()
    idx = np.arange(X.shape[1]) if columns is None else np.asarray(columns, dtype=int)
    sk, kt = skew_kurt_cols(X[:, idx])
    st = float(params.get("skew_thresh", 2.0))  # type: ignore[arg-type]
    kth = float(params.get("kurt_thresh", 3.5))  # type: ignore[arg-type]
    force = bool(params.get("force_win", False))
    log: dict[int, TreatInfo] = {}
    for k, j in enumerate(idx):
        p = passes_skew_kurt(sk[k], kt[k], st, kth)
        if p is True and not force:
            log[int(j)] = TreatInfo(skew0=float(sk[k]), kurt0=float(kt[k]), passed0=True)
            continue
        out[:, j], log[int(j)] = treat_column(X[:, j], sk0=float(sk[k]), kt0=float(kt[k]),
                                              **params)  # type: ignore[arg-type]
    return out, log


# --------------------------------------------------------------------------- normalise


def _colstat(X: np.ndarray, fn: object) -> np.ndarray:
    with np.errstate(invalid="ignore"), quiet_nan_warnings():
        return fn(X, axis=0)  # type: ignore[operator]


def n_minmax(X: np.ndarray, l: float = 0.0, u: float = 100.0) -> np.ndarray:  # noqa: E741
    """COINr ``n_minmax``: constant columns become NaN (COINr warns and returns NaN)."""
    lo, hi = _colstat(X, np.nanmin), _colstat(X, np.nanmax)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X - lo) / (hi - lo) * (u - l) + l


def n_zscore(X: np.ndarray, mean: float = 0.0, sd: float = 1.0) -> np.ndarray:
    """COINr ``n_zscore``: sample standard deviation (n - 1)."""
    m = _colstat(X, np.nanmean)
    s = _colstat(X, lambda a, axis: np.nanstd(a, axis=axis, ddof=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X - m) / s * sd + mean


def n_rank(X: np.ndarray) -> np.ndarray:
    """COINr ``n_rank``: ranks with ties = "min", NaN kept (higher value = higher rank)."""
    return rankdata(X, method="min", axis=0, nan_policy="omit")


def n_prank(X: np.ndarray) -> np.ndarray:
    """COINr ``n_prank``: ``(rank - 1) / (n_available - 1)``."""
    n = (~np.isnan(X)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (n_rank(X) - 1) / (n - 1)


def n_borda(X: np.ndarray) -> np.ndarray:
    """COINr ``n_borda``: ``rank - 1``."""
    return n_rank(X) - 1


def n_goalposts(X: np.ndarray, lower: np.ndarray, upper: np.ndarray, direction: np.ndarray,
                scale: float = 1.0, trunc: bool = True) -> np.ndarray:
    """Share of the way from the worst to the best goalpost, times ``scale``.

    ``X`` is raw (not direction-multiplied); goalposts are in the indicator's own units.
    Direction -1 scores ``(upper - x) / (upper - lower)`` as COINr does, but keeps the scale
    positive (COINr also negates the scale factor there, which flips the sign of every score).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(direction > 0, (X - lower) / (upper - lower), (upper - X) / (upper - lower))
    if trunc:
        y = np.clip(y, 0.0, 1.0)  # NaN stays NaN
    return y * scale


def n_dist2max(X: np.ndarray) -> np.ndarray:
    """COINr ``n_dist2max``: ``1 - (max - x) / (max - min)`` (distance to the frontier)."""
    lo, hi = _colstat(X, np.nanmin), _colstat(X, np.nanmax)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - (hi - X) / (hi - lo)


def n_dist2ref(X: np.ndarray, iref: int, cap_max: bool = False) -> np.ndarray:
    """COINr ``n_dist2ref``: ``1 - (x_ref - x) / (x_ref - min)`` with unit ``iref`` as reference."""
    lo = _colstat(X, np.nanmin)
    ref = X[iref]
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (ref - X) / (ref - lo)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y


def n_dist2targ(X: np.ndarray, targ: np.ndarray, cap_max: bool = False) -> np.ndarray:
    """COINr ``n_dist2targ``: ``1 - (targ - x) / (targ - min)``; targets direction-adjusted."""
    lo = _colstat(X, np.nanmin)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (targ - X) / (targ - lo)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y


def n_fracmax(X: np.ndarray) -> np.ndarray:
    """COINr ``n_fracmax``: ``x / max``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return X / _colstat(X, np.nanmax)


# --------------------------------------------------------------------------- aggregate


def aggregate(X: np.ndarray, W: np.ndarray, method: str = "arithmetic",
              dat_thresh: float | None = None) -> np.ndarray:
    """Aggregate children (columns of ``X``) into parents with weight matrix ``W`` (kids x parents).

    ``W[i, j]`` is child i's weight in parent j (0 = not a child). Missing children are skipped and
    the remaining weights re-normalised (COINr default). With ``dat_thresh``, a parent is NaN
    when the share of its children with data is below the threshold (COINr's rule).
    """
    mask = ~np.isnan(X)
    member = (W != 0).astype(float)
    if method == "arithmetic":
        num = np.where(mask, X, 0.0) @ W
        den = mask @ W
        with np.errstate(invalid="ignore", divide="ignore"):
            y = num / den
    elif method == "geometric":
        if np.any(X[mask] <= 0):
            raise ValueError("geometric mean of values <= 0 (normalise into a positive range)")
        num = np.where(mask, np.log(np.where(mask, X, 1.0)), 0.0) @ W
        den = mask @ W
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.exp(num / den)
    elif method == "harmonic":
        if np.any(X[mask] == 0):
            raise ValueError("harmonic mean of zero values")
        inv = np.where(mask, 1.0 / np.where(mask, X, 1.0), 0.0) @ W
        den = mask @ W
        with np.errstate(invalid="ignore", divide="ignore"):
            y = den / inv
    elif method == "median":
        y = np.full((X.shape[0], W.shape[1]), np.nan)
        for j in range(W.shape[1]):
            kids = np.flatnonzero(W[:, j])
            y[:, j] = _weighted_median_rows(X[:, kids], W[kids, j])
    elif method == "copeland":
        y = np.full((X.shape[0], W.shape[1]), np.nan)
        for j in range(W.shape[1]):
            kids = np.flatnonzero(W[:, j])
            y[:, j] = copeland(X[:, kids], W[kids, j])
    else:
        raise ValueError(f"unknown aggregation {method!r}")
    # no available child (or zero total weight) -> NaN
    n_av = mask @ member
    y = np.where(n_av > 0, y, np.nan)
    if dat_thresh is not None:
        share = n_av / member.sum(axis=0)
        y = np.where(share < dat_thresh, np.nan, y)
    return y


def _weighted_median_rows(X: np.ndarray, w: np.ndarray) -> np.ndarray:
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


def copeland(X: np.ndarray, w: np.ndarray) -> np.ndarray:
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


def rank_desc(y: np.ndarray) -> np.ndarray:
    """Ranks with 1 = highest, ties share the best ('min') rank, NaN kept."""
    return rankdata(-y, method="min", axis=0, nan_policy="omit")
