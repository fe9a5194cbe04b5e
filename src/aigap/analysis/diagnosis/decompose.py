"""Split the index-score gap between two units into pillar and indicator contributions.

The contributions add up to the gap ``score_a - score_b`` exactly (to rounding), at every level:
indicator contributions sum to their pillar's, pillars' to the gap.

* **Linear** (every level aggregated by a weighted arithmetic mean): each unit's index is
  ``sum_i W_u,i x_u,i`` with ``W_u,i`` the unit's *own* effective weight of indicator i (the
  product of the weights down the tree, re-normalised over the children the unit has data for,
  as the aggregation does). The contribution of indicator i is
  ``W_a,i a_i - W_b,i b_i``; with the same data coverage this is ``W_i (a_i - b_i)``. A value
  missing for one unit contributes ``-W_b,i b_i`` (or ``W_a,i a_i``) and the re-weighting of
  its siblings shows up in theirs, so nothing is lost.
* **Shapley** (geometric, harmonic, median, Copeland or mixed aggregation): the Owen/Winter
  value of the game whose players are the indicators, nested in their pillars (and any higher
  aggregates). A coalition's value is the index computed with the coalition's indicators at
  unit a's normalised values and the others at unit b's (missing values stay missing and the
  aggregation re-weights as usual). The Winter value averages marginal contributions over all
  orders that keep each aggregate's members together; so a pillar's total is exactly the
  Shapley value of that pillar in the game whose players are the pillars (coalitions set whole
  pillars to a's values), and its indicators split it by Shapley within the pillar. Cost: for
  each indicator, the product over its ancestors of 2^(siblings) evaluations (aigap: at most
  16 x 16), all evaluated in one vectorised batch.

Both are antisymmetric (``decompose(b, a) = -decompose(a, b)``) and give zero for identical
units. The pillar contributions of a linear index equal ``W_a,P P_a - W_b,P P_b``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any, Literal

import numpy as np
import pandas as pd

from aigap.analysis.diagnosis.profile import check_unit, country_names, node_names, result_for
from aigap.errors import AigapError
from aigap.index import IndexResult
from aigap.index.pipeline import aggregate_tree
from aigap.index.plan import Framework
from aigap.index.spec import AggregateStep
from aigap.jsonsafe import json_safe

Method = Literal["auto", "linear", "shapley"]
MAX_EVALUATIONS = 2_000_000  # beyond this an exact Shapley split is too slow to be useful


class DecompositionError(AigapError):
    """A gap cannot be decomposed (unit not in the index, too many players, ...)."""


# --------------------------------------------------------------------------- linear


def effective_weights(row: pd.Series, fw: Framework) -> dict[str, float]:
    """Each node's weight in the root for one unit, re-normalised over its available children
    (0 for missing nodes), as the arithmetic aggregation applies it."""
    root_ok = not math.isnan(float(row[fw.root]))
    W: dict[str, float] = {fw.root: 1.0 if root_ok else 0.0}
    for level in range(fw.n_levels, 1, -1):
        for p in fw.at_level(level):
            kids = fw.children(p)
            vals = np.array([float(row[k]) for k in kids])
            w = np.where(np.isnan(vals), 0.0, [fw.weight[k] for k in kids])
            tot = w.sum()
            for k, wk in zip(kids, w, strict=True):
                W[k] = W.get(p, 0.0) * (wk / tot if tot > 0 else 0.0)
    return W


def linear_contributions(a: pd.Series, b: pd.Series, fw: Framework) -> np.ndarray:
    """``W_a,i a_i - W_b,i b_i`` per indicator (rows of the Aggregated data set)."""
    wa, wb = effective_weights(a, fw), effective_weights(b, fw)
    out = np.empty(len(fw.indicators))
    for j, ind in enumerate(fw.indicators):
        ta = wa[ind] * float(a[ind]) if wa[ind] > 0 else 0.0  # 0 x NaN must be 0
        tb = wb[ind] * float(b[ind]) if wb[ind] > 0 else 0.0
        out[j] = ta - tb
    return out


# --------------------------------------------------------------------------- Shapley (Winter)


def _shapley_weight(r: int, m: int) -> float:
    """Probability that exactly a given set of r of the other m - 1 players precede a player."""
    return math.factorial(r) * math.factorial(m - 1 - r) / math.factorial(m)


def winter_values(a: np.ndarray, b: np.ndarray, fw: Framework, agg: AggregateStep
                  ) -> np.ndarray:
    """Owen/Winter value of each indicator in the hybrid game (see the module docstring).

    ``a``, ``b``: normalised indicator values of the two units (``fw.indicators`` order).
    """
    n = len(fw.indicators)
    bits = {ind: 1 << j for j, ind in enumerate(fw.indicators)}
    for code in fw.aggregates:  # bottom-up order: children's masks are known first
        bits[code] = 0
        for k in fw.children(code):
            bits[code] |= bits[k]
    kids = {code: fw.children(code) for code in fw.aggregates}

    plans: list[list[tuple[float, int]]] = []
    total = 0
    for ind in fw.indicators:
        chain = [ind, *fw.path(ind)[:-1]]  # the indicator and its ancestors below the root
        levels = []
        for g in chain:
            sibs = [c for c in kids[fw.parent[g]] if c != g]  # type: ignore[index]
            m = len(sibs) + 1
            opts = []
            for r in range(m):
                wr = _shapley_weight(r, m)
                for combo in combinations(sibs, r):
                    mask = 0
                    for c in combo:
                        mask |= bits[c]
                    opts.append((wr, mask))
            levels.append(opts)
        size = math.prod(len(o) for o in levels)
        total += 2 * size
        if total > MAX_EVALUATIONS:
            raise DecompositionError(
                f"exact Shapley split needs more than {MAX_EVALUATIONS:,} index evaluations "
                "for this tree; aggregate arithmetically or use fewer children per aggregate")
        plan = []
        for choice in product(*levels):
            w, mask = 1.0, 0
            for wr, mk in choice:
                w *= wr
                mask |= mk
            plan.append((w, mask))
        plans.append(plan)

    masks = sorted({m for j, plan in enumerate(plans) for _, m0 in plan
                    for m in (m0, m0 | (1 << j))})
    pos = {m: k for k, m in enumerate(masks)}
    sel = np.array([[(m >> j) & 1 for j in range(n)] for m in masks], dtype=bool)
    H = np.where(sel, a[None, :], b[None, :])
    v = aggregate_tree(H, fw, agg)[:, fw.aggregates.index(fw.root)]
    out = np.zeros(n)
    for j, plan in enumerate(plans):
        bit = 1 << j
        acc = [w * (v[pos[m | bit]] - v[pos[m]]) for w, m in plan]
        out[j] = math.fsum(acc)  # fsum: thousands of small terms, keep the sum exact
    return out


def shapley_pillars(a: np.ndarray, b: np.ndarray, fw: Framework, agg: AggregateStep
                    ) -> dict[str, float]:
    """Plain Shapley values of the root's children (players = whole subtrees), for checks."""
    tops = fw.children(fw.root)
    leaves = {t: [j for j, ind in enumerate(fw.indicators) if t in fw.path(ind)] for t in tops}
    m = len(tops)
    masks = list(product([False, True], repeat=m))
    H = np.empty((len(masks), len(fw.indicators)))
    for r, mk in enumerate(masks):
        row = b.copy()
        for t, on in zip(tops, mk, strict=True):
            if on:
                row[leaves[t]] = a[leaves[t]]
        H[r] = row
    v = dict(zip(masks, aggregate_tree(H, fw, agg)[:, fw.aggregates.index(fw.root)],
                 strict=True))
    out = {}
    for i, t in enumerate(tops):
        acc = 0.0
        for mk in masks:
            if mk[i]:
                continue
            with_i = tuple(True if k == i else x for k, x in enumerate(mk))
            acc += _shapley_weight(sum(mk), m) * (v[with_i] - v[mk])
        out[t] = acc
    return out


# --------------------------------------------------------------------------- the result


@dataclass
class Decomposition:
    """The gap ``score_a - score_b`` and its contributions."""

    unit_a: str
    unit_b: str
    spec: str
    year: int | None
    method: Literal["linear", "shapley"]
    score_a: float
    score_b: float
    gap: float  # score_a - score_b
    contributions: pd.DataFrame  # level, code, name, name_ko, parent, value_a, value_b, ...
    names_en: tuple[str, str]
    names_ko: tuple[str, str]
    index_name: str = "index"
    notes: list[str] = field(default_factory=list)

    def to_frame(self, level: str | None = None) -> pd.DataFrame:
        """Rows of one level ('pillar', 'indicator', ...) or all: level, code, name, name_ko,
        parent, value_a, value_b, contribution, share (of the gap)."""
        df = self.contributions
        if level is not None:
            df = df[df["level"] == level]
        return df.reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "unit_a": self.unit_a, "unit_b": self.unit_b, "spec": self.spec, "year": self.year,
            "method": self.method, "score_a": self.score_a, "score_b": self.score_b,
            "gap": self.gap, "notes": self.notes, "contributions": self.contributions,
        })


def decompose(unit_a: str, unit_b: str, spec: str | object = "aigap",
              result: IndexResult | None = None, *, method: Method = "auto") -> Decomposition:
    """Decompose ``score(unit_a) - score(unit_b)`` into pillar and indicator contributions.

    ``method``: "auto" (linear when every level is arithmetic, else Shapley), or force one;
    "linear" on a non-arithmetic index is refused (it would not add up).
    """
    res = result_for(spec, result)
    a, b = check_unit(res, unit_a), check_unit(res, unit_b)
    return decompose_result(res, a, b, method=method)


def decompose_result(res: IndexResult, a: str, b: str, *, method: Method = "auto"
                     ) -> Decomposition:
    """Pure core of :func:`decompose` on a built index and two unit codes in it."""
    fw, agg_step = res.framework, res.aggregation
    agg = res.dataset("Aggregated")
    ra, rb = agg.loc[a], agg.loc[b]
    score_a, score_b = float(ra[fw.root]), float(rb[fw.root])
    if math.isnan(score_a) or math.isnan(score_b):
        raise DecompositionError(f"{a if math.isnan(score_a) else b} has no index score")
    linear_ok = all(agg_step.method_for(lv) == "arithmetic"
                    for lv in range(2, fw.n_levels + 1))
    if method == "linear" and not linear_ok:
        raise DecompositionError("a linear split needs arithmetic aggregation at every level; "
                                 "use method 'shapley'")
    use = "linear" if (method == "linear" or (method == "auto" and linear_ok)) else "shapley"
    xa = ra[fw.indicators].to_numpy(dtype=float)
    xb = rb[fw.indicators].to_numpy(dtype=float)
    if use == "linear":
        ind = linear_contributions(ra, rb, fw)
    else:
        ind = winter_values(xa, xb, fw, agg_step)
    contrib = dict(zip(fw.indicators, ind, strict=True))
    for code in fw.aggregates:  # bottom-up, so children are summed first
        contrib[code] = math.fsum(contrib[k] for k in fw.children(code))
    gap = score_a - score_b

    rows = []
    # the levels below the root, top first, each in spec order; indicators last
    order = [c for lv in range(fw.n_levels - 1, 1, -1) for c in fw.at_level(lv)]
    for code in [*order, *fw.indicators]:
        en, ko = node_names(res, code)
        c = contrib[code]
        rows.append({"level": _level_label(fw.level[code]), "code": code, "name": en,
                     "name_ko": ko, "parent": fw.parent[code], "value_a": float(ra[code]),
                     "value_b": float(rb[code]), "contribution": c,
                     "share": c / gap if gap != 0 else float("nan")})
    frame = pd.DataFrame(rows)
    names_en, names_ko = country_names()
    ne = tuple(res.unit_names.get(u) or names_en.get(u, u) for u in (a, b))
    nk = tuple(names_ko.get(u, ne[k]) for k, u in enumerate((a, b)))
    dec = Decomposition(
        unit_a=a, unit_b=b, spec=res.spec.name, year=res.year, method=use,  # type: ignore[arg-type]
        score_a=score_a, score_b=score_b, gap=gap, contributions=frame,
        names_en=ne, names_ko=nk,  # type: ignore[arg-type]
        index_name=fw.names.get(fw.root, fw.root),
    )
    dec.notes.append(
        "contribution = W_a*a - W_b*b with each unit's own effective weights (exact)"
        if use == "linear" else
        "contribution = Owen/Winter (nested Shapley) value; pillars = Shapley over pillars")
    return dec


def _level_label(level: int) -> str:
    if level == 1:
        return "indicator"
    if level == 2:
        return "pillar"
    return f"level{level}"


# --------------------------------------------------------------------------- drivers


MAJOR = 0.25  # a pillar carrying at least a quarter of the gap is named as a driver
MINOR = 0.05  # an offset under 5% of the gap is too small to mention
LEVEL = 0.05  # a gap under 0.05 points rounds to 0.0: the units are level, say so


def drivers(p: pd.DataFrame, gap: float) -> tuple[pd.DataFrame, bool]:
    """Pillars widening the gap by at least a quarter of it (at most three; at least the
    largest two when none does), and whether they make up half of the gap ("mostly")."""
    pos = p[p["lead"] > 0].sort_values("lead", ascending=False)
    major = pos[pos["lead"] >= MAJOR * gap].head(3)
    if major.empty:
        return pos.head(2), False
    return major, bool(major["lead"].sum() >= 0.5 * gap)


def offsets(p: pd.DataFrame, gap: float) -> tuple[pd.DataFrame, bool]:
    """The (at most two) largest pillars narrowing the gap, and whether any pillar does."""
    neg = p[p["lead"] < 0].sort_values("lead")
    return neg[neg["lead"] <= -MINOR * gap].head(2), not neg.empty
