"""Outlier treatment (COINr ``Treat``): winsorise, then a log transform if still skewed.

The treatment of each column is recorded in a :class:`TreatInfo` (a row of the treatment log)
together with its fitted parameters: the winsorisation caps and the log shift, with which
what-it-takes inverts a treated value exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from aigap.index.methods.registry import register
from aigap.index.methods.stats import kurt, passes_skew_kurt, skew, skew_kurt_cols


@dataclass
class TreatInfo:
    """What the treatment did to one indicator (one row of the treatment log)."""

    skew0: float
    kurt0: float
    passed0: bool | None
    treatment: str = "none"  # none | winsorise | log_CT | log_CT_orig | undefined | winsorise+f2
    n_winsorised: int = 0
    win_high: list[int] = field(default_factory=list)  # row positions winsorised at the top
    win_low: list[int] = field(default_factory=list)
    skew1: float = float("nan")
    kurt1: float = float("nan")
    passed1: bool | None = None
    skew2: float = float("nan")
    kurt2: float = float("nan")
    passed2: bool | None = None
    # fitted: treated = log(clip(x, clip_lo, clip_hi) - log_shift) (no log if log_shift is None)
    clip_lo: float = -math.inf
    clip_hi: float = math.inf
    log_shift: float | None = None


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
        up = sk >= 0  # winsorise the maximum; else the minimum, as the maximum of -x (exact)
        y = x if up else -x
        top = np.nanmax(y)
        idx = np.flatnonzero(y == top)
        imax, imin = (idx, imin) if up else (imax, idx)  # also when nothing is left to move
        rest = y[ok & (y != top)]
        if rest.size == 0:
            break
        x[idx] = rest.max() if up else -rest.max()
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


def _log_shift(x: np.ndarray, f2: str) -> float:
    """The shift s with f2(x) = log(x - s), as an inverse needs it."""
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    return lo - 1.0 if f2 == "log_CT_orig" else lo - 0.01 * (hi - lo)


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
    caps = (float(np.nanmin(x1)) if imin.size else -math.inf,
            float(np.nanmax(x1)) if imax.size else math.inf)
    if info.passed1 is not False or f2 == "none":
        if nwin:
            info.clip_lo, info.clip_hi = caps
        return x1, info
    base = x1 if combine else x
    x2 = log_ct(base) if f2 == "log_CT" else log_ct_orig(base)
    if combine:
        info.clip_lo, info.clip_hi = caps
    else:
        info.n_winsorised, info.win_high, info.win_low = 0, [], []
    info.log_shift = _log_shift(base, f2)
    info.treatment = f2 if not combine else f"winsorise+{f2}"
    info.skew2, info.kurt2 = skew(x2), kurt(x2)
    info.passed2 = passes_skew_kurt(info.skew2, info.kurt2, skew_thresh, kurt_thresh)
    return x2, info


def _treat_label(winmax: int | None, f2: str) -> str:
    return f"winmax={winmax}" + ("" if f2 == "log_CT" else f",{f2}")


@register("treat", "winsorise", label=_treat_label)
def treat(X: np.ndarray, columns: np.ndarray | None = None, *, winmax: int | None = 5,
          skew_thresh: float = 2.0, kurt_thresh: float = 3.5, force_win: bool = False,
          f2: str = "log_CT", combine: bool = False
          ) -> tuple[np.ndarray, dict[int, TreatInfo]]:
    """COINr's default two-stage treatment of every column (or those in ``columns``).

    Cheap columns that pass the skew/kurtosis test are not looped.
    """
    out = X.copy()
    idx = np.arange(X.shape[1]) if columns is None else np.asarray(columns, dtype=int)
    sk, kt = skew_kurt_cols(X[:, idx])
    log: dict[int, TreatInfo] = {}
    for k, j in enumerate(idx):
        p = passes_skew_kurt(sk[k], kt[k], skew_thresh, kurt_thresh)
        if p is True and not force_win:
            log[int(j)] = TreatInfo(skew0=float(sk[k]), kurt0=float(kt[k]), passed0=True)
            continue
        out[:, j], log[int(j)] = treat_column(
            X[:, j], winmax=winmax, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh,
            force_win=force_win, f2=f2, combine=combine, sk0=float(sk[k]), kt0=float(kt[k]))
    return out, log
