"""The set of admissible weights of one tree level: simplex per parent, bounds, preferences.

A :class:`WeightSpace` holds the weights of the nodes of one level (COINr's convention:
``level=2`` = the pillars, ``level=1`` = the indicators), each parent's children summing to 1,
with optional bounds per weight (``lo <= w <= hi``) and ordinal preferences (``w_a >= w_b``).
It is a convex polytope; SMAA samples it uniformly (:meth:`WeightSpace.sample`) and the
attainable-rank MILP optimises over it (:meth:`WeightSpace.constraints`).

Sampling is exact: each parent's weights are ``lo + (1 - sum lo) * v`` with ``v`` uniform on
the simplex (Dirichlet(1, ..., 1), drawn as normalised standard exponentials), which is uniform
on ``{w >= lo, sum w = 1}`` (an affine image of a uniform law is uniform); upper bounds and
preferences are then imposed by rejection, which keeps the law uniform on the polytope. The
acceptance rate is measured and recorded; below :data:`MIN_ACCEPTANCE` the sampler stops with
an error rather than run for ever.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from aigap.errors import SpecError
from aigap.index.plan import Framework

MIN_ACCEPTANCE = 1e-4  # rejection sampling below this share of the simplex is refused
_TOL = 1e-12

Bound = tuple[float, float]


def parse_bound(text: str, where: str = "--bounds") -> Bound:
    """``"0.1:0.4"`` -> ``(0.1, 0.4)``; either side may be empty (``":0.4"``: no lower)."""
    lo_s, sep, hi_s = str(text).partition(":")
    if not sep:
        raise SpecError(f"{where}: {text!r} is not LO:HI (e.g. 0.1:0.4)")
    try:
        lo = float(lo_s) if lo_s.strip() else 0.0
        hi = float(hi_s) if hi_s.strip() else 1.0
    except ValueError:
        raise SpecError(f"{where}: {text!r} is not LO:HI with numbers (e.g. 0.1:0.4)") from None
    return _check_bound((lo, hi), where)


def parse_named_bound(text: str, where: str = "--bound") -> tuple[str, Bound]:
    """``"Talent=0.1:0.3"`` -> ``("Talent", (0.1, 0.3))``."""
    code, sep, rng = str(text).rpartition("=")
    if not sep or not code.strip():
        raise SpecError(f"{where}: {text!r} is not CODE=LO:HI (e.g. Talent=0.1:0.3)")
    return code.strip(), parse_bound(rng, f"{where} {code.strip()}")


def parse_preference(text: str, where: str = "--prefer") -> tuple[str, str]:
    """``"Talent>=Research"`` -> ``("Talent", "Research")`` (w_Talent >= w_Research);
    ``"a<=b"`` is turned round."""
    for op, flip in ((">=", False), ("<=", True)):
        a, sep, b = str(text).partition(op)
        if sep and a.strip() and b.strip():
            return (b.strip(), a.strip()) if flip else (a.strip(), b.strip())
    raise SpecError(f"{where}: {text!r} is not A>=B (e.g. Talent>=Research)")


def weight_options(bounds: str | None = None, bound: Iterable[str] | None = None,
                   prefer: Iterable[str] | None = None) -> dict[str, Any]:
    """Text options (``--bounds 0.1:0.4``, ``--bound Talent=0.1:0.3``, ``--prefer A>=B``) as
    the keyword arguments ``default_bounds``, ``bounds`` and ``order`` of the analyses."""
    per = dict(parse_named_bound(b) for b in bound or [])
    return {"default_bounds": parse_bound(bounds) if bounds else None, "bounds": per,
            "order": [parse_preference(p) for p in prefer or []]}


def _check_bound(b: Any, where: str) -> Bound:
    try:
        lo, hi = (float(x) for x in b)
    except (TypeError, ValueError):
        raise SpecError(f"{where}: bounds must be a pair (lo, hi), got {b!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or not 0.0 <= lo <= hi <= 1.0:
        raise SpecError(f"{where}: bounds must satisfy 0 <= lo <= hi <= 1, got {lo:g}:{hi:g}")
    return lo, hi


@dataclass(frozen=True)
class WeightSpace:
    """Admissible weights of one level: per parent a simplex, cut by bounds and preferences."""

    level: int  # COINr level of the weighted nodes (2 = pillars, 1 = indicators)
    codes: tuple[str, ...]  # the weighted nodes, in the batched evaluator's order
    parents: tuple[str, ...]
    group: np.ndarray  # (c,) parent position of each node
    lo: np.ndarray  # (c,)
    hi: np.ndarray  # (c,)
    order: tuple[tuple[int, int], ...] = ()  # (a, b): w_a >= w_b
    nominal: np.ndarray | None = None  # the spec's weights, normalised within each parent

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_framework(cls, fw: Framework, level: int = 2, *,
                       bounds: Mapping[str, Any] | None = None, default: Any = None,
                       order: Iterable[Sequence[str]] = ()) -> WeightSpace:
        """The space of the weights *of* ``level``'s nodes within their parents.

        ``default``: ``(lo, hi)`` for every weight; ``bounds``: ``{code: (lo, hi)}`` for some
        (these win); ``order``: pairs ``(a, b)`` meaning ``w_a >= w_b``. A node the spec weighs
        0 (shown, not counted: index v2's Enablers) stays at 0 unless ``bounds`` names it.
        """
        if not 1 <= level < fw.n_levels:
            raise SpecError(f"level: {level} out of range 1..{fw.n_levels - 1} (weights of "
                            f"the nodes of a level within their parents; 2 = pillars)")
        kids, parents, _w = fw.membership(level + 1)
        pos = {p: j for j, p in enumerate(parents)}
        group = np.array([pos[fw.parent[k]] for k in kids])  # type: ignore[index]
        lo = np.zeros(len(kids))
        hi = np.ones(len(kids))
        if default is not None:
            lo[:], hi[:] = _check_bound(default, "bounds (every weight)")
        idx = {k: i for i, k in enumerate(kids)}
        base = np.array([fw.weight[k] for k in kids], dtype=float)
        uncounted = (base == 0) & ~np.isin(kids, list(bounds or {}))
        lo[uncounted], hi[uncounted] = 0.0, 0.0
        for code, b in (bounds or {}).items():
            if code not in idx:
                raise SpecError(f"bound for {code!r}: not a level-{level} node of this index "
                                f"(level {level}: {', '.join(kids)})")
            lo[idx[code]], hi[idx[code]] = _check_bound(b, f"bound for {code!r}")
        pairs = []
        for pair in order:
            a, b = pair
            for c in (a, b):
                if c not in idx:
                    raise SpecError(f"preference {a}>={b}: {c!r} is not a level-{level} node "
                                    f"(level {level}: {', '.join(kids)})")
            if a == b:
                raise SpecError(f"preference {a}>={b}: a weight compared with itself")
            pairs.append((idx[a], idx[b]))
        tot = np.bincount(group, weights=base, minlength=len(parents))[group]
        nominal = np.divide(base, tot, out=np.zeros_like(base), where=tot > 0)
        space = cls(level, tuple(kids), tuple(parents), group, lo, hi, tuple(pairs), nominal)
        space.check()
        return space

    # ------------------------------------------------------------------ shape
    @property
    def c(self) -> int:
        return len(self.codes)

    @property
    def onehot(self) -> np.ndarray:
        """(c, G) membership of each node in its parent."""
        m = np.zeros((self.c, len(self.parents)))
        m[np.arange(self.c), self.group] = 1.0
        return m

    def _slack(self) -> np.ndarray:
        """(c,) what is left of each parent's unit sum after its lower bounds."""
        used = np.bincount(self.group, weights=self.lo, minlength=len(self.parents))
        return (1.0 - used)[self.group]  # type: ignore[no-any-return]

    @property
    def fixed(self) -> np.ndarray:
        """(c,) nodes held at 0 (upper bound 0): not sampled."""
        return self.hi <= 0  # type: ignore[no-any-return]

    @property
    def rejects(self) -> bool:
        """Whether sampling needs rejection: a preference, or an upper bound below what the
        shifted simplex reaches."""
        return bool(self.order) or bool(
            ((self.hi < self.lo + self._slack()) & ~self.fixed).any())

    def describe(self) -> dict[str, Any]:
        """Bounds and preferences as plain data (codes, not positions)."""
        return {"level": self.level, "parents": list(self.parents),
                "bounds": {c: [float(a), float(b)] for c, a, b in
                           zip(self.codes, self.lo, self.hi, strict=True)},
                "preferences": [f"{self.codes[a]}>={self.codes[b]}" for a, b in self.order]}

    # ------------------------------------------------------------------ constraints
    def constraints(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``A_eq w = b_eq`` (sums per parent) and ``A_ub w <= b_ub`` (preferences)."""
        A_eq = self.onehot.T
        b_eq = np.ones(len(self.parents))
        A_ub = np.zeros((len(self.order), self.c))
        for r, (a, b) in enumerate(self.order):
            A_ub[r, a], A_ub[r, b] = -1.0, 1.0  # w_b - w_a <= 0
        return A_eq, b_eq, A_ub, np.zeros(len(self.order))

    def contains(self, W: np.ndarray, tol: float = 1e-9) -> np.ndarray:
        """Which rows of ``W`` (B, c) are admissible."""
        W = np.atleast_2d(W)
        ok = self._admits(W, tol)
        return ok & (np.abs(W @ self.onehot - 1.0) <= max(tol, 1e-12) * self.c).all(axis=1)

    def _admits(self, W: np.ndarray, tol: float = 0.0) -> np.ndarray:
        """Rows within the bounds and preferences (the sums are not checked)."""
        ok = ((self.lo - tol <= W) & (self.hi + tol >= W)).all(axis=1)
        for a, b in self.order:
            ok &= W[:, a] >= W[:, b] - tol
        return ok  # type: ignore[no-any-return]

    def check(self) -> None:
        """Raise a SpecError naming the parent when no weights satisfy the constraints."""
        for g, p in enumerate(self.parents):
            m = self.group == g
            if self.lo[m].sum() > 1 + _TOL:
                raise SpecError(f"bounds: the lower bounds of the children of {p!r} add up to "
                                f"{self.lo[m].sum():g} > 1")
            if self.hi[m].sum() < 1 - _TOL:
                raise SpecError(f"bounds: the upper bounds of the children of {p!r} add up to "
                                f"{self.hi[m].sum():g} < 1")
        if self.order:
            A_eq, b_eq, A_ub, b_ub = self.constraints()
            res = linprog(np.zeros(self.c), A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                          bounds=list(zip(self.lo, self.hi, strict=True)), method="highs")
            if res.status != 0:
                raise SpecError("bounds and preferences together admit no weights "
                                f"({', '.join(self.describe()['preferences'])})")

    # ------------------------------------------------------------------ sampling
    def _candidates(self, rng: np.random.Generator, m: int) -> np.ndarray:
        """``m`` uniform points of ``{w >= lo, sum w = 1 per parent}``."""
        E = rng.standard_exponential((m, self.c))
        E[:, self.fixed] = 0.0  # held at 0: the others share the parent's unit sum
        tot = (E @ self.onehot)[:, self.group]
        return self.lo + self._slack() * (E / tot)  # type: ignore[no-any-return]

    def sample(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, int, int]:
        """``size`` weight vectors uniform on the space, the candidates drawn and how many of
        them were admissible (their ratio estimates the space's share of the simplex).

        The result depends only on the stream of ``rng``: candidates are drawn in rounds and
        the first ``size`` admissible ones kept, in order.
        """
        out: list[np.ndarray] = []
        have = drawn = 0
        rate = 1.0
        while have < size:
            m = size - have if not self.rejects else \
                int(min(max(64, 1.15 * (size - have) / rate), 2_000_000))
            W = self._candidates(rng, m)
            drawn += m
            if self.rejects:
                W = W[self._admits(W)]
            out.append(W)
            have += len(W)
            rate = max(have / drawn, MIN_ACCEPTANCE)
            if have < size and drawn > 1000 / MIN_ACCEPTANCE and have / drawn < MIN_ACCEPTANCE:
                raise SpecError(f"bounds and preferences keep only {have / drawn:.1e} of the "
                                "weight simplex: too small to sample by rejection; loosen them")
        return np.concatenate(out)[:size], drawn, have

    # ------------------------------------------------------------------ vertices
    def vertices(self, limit: int = 20_000) -> np.ndarray:
        """The polytope's vertices (B, c), by enumerating active sets of the box constraints
        per parent; empty with preferences or when there are more than ``limit`` (callers
        sample instead)."""
        if self.order:
            return np.empty((0, self.c))
        per_group: list[np.ndarray] = []
        total = 1
        for g in range(len(self.parents)):
            idx = np.flatnonzero(self.group == g)
            if len(idx) > 14:  # 2^(c-1) c active sets: too many to enumerate
                return np.empty((0, self.c))
            per_group.append(_box_simplex_vertices(self.lo[idx], self.hi[idx]))
            total *= len(per_group[-1])
            if total > limit:
                return np.empty((0, self.c))
        grids = np.meshgrid(*[np.arange(len(v)) for v in per_group], indexing="ij")
        picks = np.stack([gr.ravel() for gr in grids], axis=1)
        V = np.zeros((len(picks), self.c))
        for g, verts in enumerate(per_group):
            V[:, np.flatnonzero(self.group == g)] = verts[picks[:, g]]
        return V


def _box_simplex_vertices(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Vertices of ``{lo <= w <= hi, sum w = 1}``: all but one coordinate at a bound, the free
    one fixing the sum (each vertex once)."""
    c = len(lo)
    out: set[tuple[float, ...]] = set()
    for free in range(c):
        others = [i for i in range(c) if i != free]
        for mask in range(2 ** (c - 1)):
            w = np.empty(c)
            for bit, i in enumerate(others):
                w[i] = hi[i] if mask >> bit & 1 else lo[i]
            w[free] = 1.0 - w[others].sum()
            if lo[free] - 1e-12 <= w[free] <= hi[free] + 1e-12:
                out.add(tuple(np.round(np.clip(w, lo, hi), 15)))
    return np.array(sorted(out))
