"""One unit's indicator values mapped between raw input and normalised value, both ways.

Built from the fitted state a build keeps (``IndexResult.fitted``): each denominated value's
factor, each treated column's winsorisation caps and log shift, and the normalisation's affine
map. Other units and all fitted parameters are held fixed (what-it-takes' assumption).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aigap.index.methods.treat import TreatInfo
from aigap.index.result import IndexResult


@dataclass(frozen=True)
class Chain:
    """Frozen map of one indicator for one unit: raw input value <-> normalised value.

    ``raw -> w = raw / den -> clip(w, clip_lo, clip_hi) -> v = log(w - shift) (if log) ->
    n = a * v + b``. ``a`` carries the direction (negative for lower-is-better).
    """

    a: float
    b: float
    den: float = 1.0
    clip_lo: float = -math.inf
    clip_hi: float = math.inf
    log: bool = False
    shift: float = 0.0
    treatment: str = "none"

    def forward(self, raw: float) -> float:
        w = min(max(raw / self.den, self.clip_lo), self.clip_hi)
        if self.log:
            if w - self.shift <= 0:
                return math.nan
            w = math.log(w - self.shift)
        return self.a * w + self.b

    def inverse(self, n: float) -> float:
        v = (n - self.b) / self.a
        w = math.exp(v) + self.shift if self.log else v
        return w * self.den


def unit_chains(res: IndexResult, unit: str) -> tuple[dict[str, Chain], dict[str, str]]:
    """Chains for every indicator of ``unit`` that can be inverted, and notes for the others.

    The build's normalisation must be affine (its registration gives ``affine``).
    """
    affine = res.fitted.get("normalise")
    if affine is None:
        raise ValueError("the build's normalisation has no fitted affine map")
    treated: dict[str, TreatInfo] = res.fitted.get("treat", {})
    factor = res.fitted.get("denominate")
    chains: dict[str, Chain] = {}
    notes: dict[str, str] = {}
    for code in res.framework.indicators:
        a, b = float(affine.at[code, "a"]), float(affine.at[code, "b"])
        if not (np.isfinite(a) and np.isfinite(b)) or a == 0:
            notes[code] = "constant or not invertible: cannot move"
            continue
        kw: dict[str, float | bool | str] = {"a": a, "b": b}
        info = treated.get(code)
        if info is not None and info.treatment not in ("none", "undefined"):
            kw["clip_lo"], kw["clip_hi"] = info.clip_lo, info.clip_hi
            if info.log_shift is not None:
                kw["log"], kw["shift"] = True, info.log_shift
            kw["treatment"] = info.treatment
        if factor is not None and unit in factor.index and code in factor.columns:
            kw["den"] = float(factor.at[unit, code])
        chains[code] = Chain(**kw)  # type: ignore[arg-type]
    return chains, notes
