"""SMAA-2 rank acceptability: how often each unit holds each rank when the weights are unknown.

Stochastic multicriteria acceptability analysis (Lahdelma, Hokkanen & Salminen 1998; SMAA-2:
Lahdelma & Salminen 2001; Tervonen & Lahdelma 2007) treats the weights as unknown and
explores the whole space of admissible weights instead of one point:

* **Weights** are drawn uniformly from the admissible set of one level (pillars by default):
  per parent the simplex, i.e. Dirichlet(1, ..., 1), cut by optional bounds and ordinal
  preferences (:class:`~aigap.analysis.uncertainty.weightspace.WeightSpace`: exact, by a
  lower-bound shift and rejection). Weights of the other levels stay at the spec's.
* **Data and method uncertainty** (optional): an uncertainty spec's alternative data sets
  (imputation x treatment x normalisation) and aggregations; each draw picks one uniformly,
  as :func:`~aigap.analysis.uncertainty.robustness.robustness` does. Draws are scored by the
  robustness engine (matrix products of :mod:`aigap.index.batched`).
* **Rank acceptability** ``b[i, r]``: the share of draws in which unit ``i`` has rank ``r``
  (ties share the best rank, as everywhere in aigap); each unit's row sums to 1.
* **Central weights** of unit ``i``: the mean weight vector over the draws in which ``i``
  holds its *best attained* rank ``r_c`` (rank 1 for a unit that can be first: SMAA-2's
  central weight vector; the best rank it reaches otherwise).
* **Confidence factor** of unit ``i``: the probability that ``i`` holds rank ``r_c`` or better
  when the weights are fixed at its central weights and only the data and methods vary,
  evaluated exactly over every alternative. Without data uncertainty in the run it is taken
  over the alternatives of the uncertainty spec ``confidence`` (default: the shipped COINr
  vignette spec; ``None``: the nominal data only, where it is 1 or 0 by construction).
* **Pairwise winning** ``P(i above j)``: the share of draws in which ``i`` ranks strictly
  better than ``j``.

Draws follow :mod:`aigap.mc` (seed policy, blocks of :data:`BLOCK`, chunks, backends,
progress). Per block only sums are kept (counts, and weight sums in fixed point, so that the
totals are exact integers and bit-identical whatever the chunk size or backend): memory does
not grow with ``n``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aigap.analysis.uncertainty.robustness import Draws, Engine, Setup, prepare, rank_rows
from aigap.analysis.uncertainty.weightspace import WeightSpace
from aigap.errors import SpecError
from aigap.index.spec import Spec
from aigap.mc import Backend, Chunk, LocalBackend, Progress, block_rng, resolve_seed, run_blocks

BLOCK = 4096  # draws per block: the unit of randomness (as robustness)
DEFAULT_CHUNK = 4 * BLOCK
NOMINAL: dict[str, Any] = {"name": "nominal"}  # an uncertainty spec that varies nothing
_FIX = float(2**32)  # fixed-point scale of the weight sums (exact integer accumulation)
_PAIR_ROWS = 512  # rows per pairwise comparison batch (rows x n x n booleans)


# --------------------------------------------------------------------------- drawing


@dataclass
class Sampler:
    """What one block needs: the engine, the weight space and the level it replaces."""

    engine: Engine
    space: WeightSpace

    @property
    def n_data(self) -> int:
        return int(self.engine.X.shape[0])

    @property
    def n_agg(self) -> int:
        return len(self.engine.aggs)

    def draws(self, rng: np.random.Generator, rows: int) -> tuple[Draws, tuple[int, int]]:
        """``rows`` draws: weights first (rejection), then data set and aggregation; and the
        candidates drawn and admitted by the rejection step."""
        W, drawn, kept = self.space.sample(rng, rows)
        k = rng.integers(self.n_data, size=rows) if self.n_data > 1 else np.zeros(rows, int)
        a = rng.integers(self.n_agg, size=rows) if self.n_agg > 1 else np.zeros(rows, int)
        return Draws(k=k, a=a, choices=np.zeros((rows, 0), dtype=np.int64),
                     weights=level_weights(self.engine, self.space, W)), (drawn, kept)


def level_weights(engine: Engine, space: WeightSpace, W: np.ndarray) -> dict[int, np.ndarray]:
    """Weights of every aggregation level: ``W`` for the space's level, the spec's elsewhere."""
    out: dict[int, np.ndarray] = {}
    for lv in engine.levels:
        if lv.level == space.level + 1:
            if tuple(lv.kids) != space.codes:
                raise SpecError("weight space and engine disagree on the order of the nodes")
            out[lv.level] = W
        else:
            out[lv.level] = np.broadcast_to(lv.base, (W.shape[0], lv.base.size))
    return out


def weight_draws(sampler: Sampler, n: int, seed: int) -> np.ndarray:
    """The weight vectors (n, c) an :func:`acceptability` run with this seed uses, in order
    (for checks against the plain pipeline)."""
    out = []
    for b in range(int(np.ceil(n / BLOCK))):
        rows = min(BLOCK, n - b * BLOCK)
        out.append(sampler.draws(block_rng(seed, b), rows)[0].weights[sampler.space.level + 1])
    return np.concatenate(out)


def _block_sums(sampler: Sampler, rng: np.random.Generator, rows: int) -> dict[str, Any]:
    """Counts per (unit, rank), fixed-point weight sums per (unit, rank, weight), pairwise wins."""
    d, (drawn, kept) = sampler.draws(rng, rows)
    S, fail = sampler.engine.score(d)
    ok = ~fail
    R = rank_rows(S[ok])
    W = d.weights[sampler.space.level + 1][ok]
    n = S.shape[1]
    ranked = ~np.isnan(R)
    unit = np.broadcast_to(np.arange(n), R.shape)[ranked]
    cell = unit * n + (R[ranked].astype(np.int64) - 1)
    counts = np.bincount(cell, minlength=n * n).reshape(n, n)
    Wq = np.round(W * _FIX)  # integers < 2^33: block sums < 2^45 are exact in float64
    rows_of = np.broadcast_to(np.arange(R.shape[0])[:, None], R.shape)[ranked]
    wsum = np.stack([np.bincount(cell, weights=Wq[rows_of, j], minlength=n * n)
                     for j in range(W.shape[1])], axis=-1).reshape(n, n, -1)
    wins = np.zeros((n, n), dtype=np.int64)
    for lo in range(0, R.shape[0], _PAIR_ROWS):
        r = R[lo:lo + _PAIR_ROWS]
        wins += (r[:, :, None] < r[:, None, :]).sum(axis=0)  # NaN compares False
    return {"counts": counts.astype(np.int64), "wsum": wsum.astype(np.int64), "wins": wins,
            "unranked": (~ranked).sum(axis=0).astype(np.int64),
            "ok": int(ok.sum()), "failed": int(fail.sum()), "drawn": drawn, "kept": kept}


def _chunk(sampler: Sampler, chunk: Chunk) -> list[dict[str, Any]]:
    return [_block_sums(sampler, block_rng(chunk.seed, b), chunk.rows[b - chunk.first])
            for b in chunk.blocks]


# --------------------------------------------------------------------------- entry point


def acceptability(
    spec: str | Path | Spec, *, level: int = 2, bounds: Mapping[str, Any] | None = None,
    default_bounds: Any = None, order: Iterable[Sequence[str]] = (), n: int = 10_000,
    seed: int | None = 0, uncertainty: Any = None, confidence: Any = "default",
    k: int = 3, chunk_size: int = DEFAULT_CHUNK, backend: Backend | None = None,
    data: pd.DataFrame | None = None, year: int | None = None,
    progress: Progress | None = None, setup: Setup | None = None,
) -> AcceptabilityResult:
    """SMAA-2 rank acceptability of every unit of ``spec`` (module docstring).

    ``level``: whose weights are unknown (2 = pillars, 1 = indicators within pillars);
    ``default_bounds`` ``(lo, hi)`` for every weight and ``bounds`` ``{code: (lo, hi)}``
    (normalised weights within each parent); ``order``: pairs ``(a, b)`` for ``w_a >= w_b``.
    ``uncertainty``: data and method alternatives drawn with the weights (None: nominal data;
    its ``weights`` and ``exclusion`` entries are not used: SMAA's weights replace them).
    ``confidence``: the uncertainty spec (or a ``prepare`` of it) of the confidence factors
    when the run itself has no data uncertainty. ``seed``: :mod:`aigap.mc`'s policy;
    ``setup`` reuses a ``prepare``.
    """
    if n < 1:
        raise SpecError(f"n must be >= 1 (got {n})")
    if k < 1:
        raise SpecError(f"k must be >= 1 (got {k})")
    t0 = time.perf_counter()
    st = setup or prepare(spec, NOMINAL if uncertainty is None else uncertainty, data=data,
                          year=year)
    fw = st.nominal.framework
    space = WeightSpace.from_framework(fw, level, bounds=bounds, default=default_bounds,
                                       order=order)
    sampler = Sampler(st.engine, space)
    seed = resolve_seed(seed, st.uncertainty.seed if uncertainty is not None else None)
    t1 = time.perf_counter()
    parts = run_blocks(_chunk, sampler, n, seed=seed, block=BLOCK, chunk_size=chunk_size,
                       backend=backend, progress=progress)
    blocks = [b for part in parts for b in part]
    tot = {key: sum(b[key] for b in blocks) for key in blocks[0]}
    t2 = time.perf_counter()
    if tot["ok"] == 0:
        raise SpecError(f"all {n} draws failed (geometric aggregation of values <= 0)")
    counts = tot["counts"]
    units = st.engine.units
    best = np.array([int(np.flatnonzero(row)[0]) + 1 if row.any() else 0 for row in counts])
    central = np.full((len(units), space.c), np.nan)
    for i, r in enumerate(best):
        if r:
            central[i] = tot["wsum"][i, r - 1] / counts[i, r - 1] / _FIX
    # the central weights are means of admissible points, so admissible (convexity); the
    # fixed-point rounding is undone by renormalising within each parent
    sums = (np.nan_to_num(central) @ space.onehot)[:, space.group]
    central = np.divide(central, sums, out=central, where=sums > 0)
    conf, basis = _confidence(st, sampler, central, best, uncertainty, confidence, data, year)
    t3 = time.perf_counter()
    nom = st.nominal
    warnings = list(st.warnings)
    if uncertainty is not None and (st.uncertainty.weights or st.uncertainty.exclusion):
        warnings.append(f"uncertainty {st.uncertainty.name!r}: its weight noise and exclusion "
                        "are not used (SMAA draws the weights itself)")
    return AcceptabilityResult(
        spec_name=st.spec.name, index_name=fw.names.get(fw.root, fw.root), units=units,
        names=[nom.unit_names.get(u, u) for u in units], nominal_rank=st.engine.nominal_rank,
        space=space, counts=counts, unranked=tot["unranked"], wins=tot["wins"],
        central=central, central_rank=best, confidence=conf, confidence_basis=basis,
        n=n, n_ok=tot["ok"], n_failed=tot["failed"], acceptance=tot["kept"] / tot["drawn"],
        seed=seed,
        k=k, uncertainty=st.uncertainty.name if uncertainty is not None else None,
        warnings=warnings, timings={"prepare_s": t1 - t0, "mc_s": t2 - t1,
                                    "confidence_s": t3 - t2},
        backend=(backend or LocalBackend()).name)


def _confidence(st: Setup, sampler: Sampler, central: np.ndarray, best: np.ndarray,
                uncertainty: Any, confidence: Any, data: pd.DataFrame | None,
                year: int | None) -> tuple[np.ndarray, str]:
    """P(rank <= central rank | central weights) over every data/method alternative."""
    engine = sampler.engine
    if engine.X.shape[0] * len(engine.aggs) > 1:
        basis = f"uncertainty {st.uncertainty.name!r}"
    elif confidence is not None:
        alt = confidence if isinstance(confidence, Setup) else \
            prepare(st.spec, confidence, data=data, year=year)
        engine = alt.engine
        if engine.units != sampler.engine.units:
            raise SpecError("the confidence spec's builds differ in units")
        basis = f"uncertainty {alt.uncertainty.name!r} (data and methods only)"
    else:
        basis = "nominal data only (0 or 1)"
    K, A = engine.X.shape[0], len(engine.aggs)
    n = len(engine.units)
    have = np.flatnonzero(best > 0)
    kk, aa = np.meshgrid(np.arange(K), np.arange(A), indexing="ij")
    kk, aa = np.tile(kk.ravel(), len(have)), np.tile(aa.ravel(), len(have))
    who = np.repeat(have, K * A)
    W = central[who]
    S, fail = engine.score(Draws(k=kk, a=aa, choices=np.zeros((len(who), 0), dtype=np.int64),
                                 weights=level_weights(engine, sampler.space, W)))
    R = rank_rows(S)
    hit = (R[np.arange(len(who)), who] <= best[who]) & ~fail
    out = np.full(n, np.nan)
    good = np.bincount(who, weights=~fail, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[have] = (np.bincount(who, weights=hit, minlength=n) / good)[have]
    return out, basis


def find_unit(code: str, units: Sequence[str]) -> str:
    """``code`` as one of ``units`` (also upper-cased), or a SpecError naming some units."""
    for u in (code, str(code).upper()):
        if u in units:
            return u
    raise SpecError(f"unit {code!r} is not in this index ({len(units)} units, e.g. "
                    f"{', '.join(units[:6])})")


# --------------------------------------------------------------------------- result


@dataclass
class AcceptabilityResult:
    """Rank acceptabilities, central weights, confidence factors and pairwise wins."""

    spec_name: str
    index_name: str
    units: list[str]
    names: list[str]
    nominal_rank: np.ndarray
    space: WeightSpace
    counts: np.ndarray  # (units, ranks) draws holding each rank
    unranked: np.ndarray  # (units,) draws without a score
    wins: np.ndarray  # (units, units) draws with i strictly above j
    central: np.ndarray  # (units, weights) central weights (NaN: never ranked)
    central_rank: np.ndarray  # (units,) best rank attained (0: never ranked)
    confidence: np.ndarray  # (units,)
    confidence_basis: str
    n: int
    n_ok: int
    n_failed: int
    acceptance: float  # share of simplex candidates the bounds/preferences kept
    seed: int
    k: int = 3
    uncertainty: str | None = None
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    backend: str = "local"

    # ------------------------------------------------------------------ access
    @property
    def acceptabilities(self) -> pd.DataFrame:
        """Units x ranks 1..n: P(unit holds rank r); each row sums to 1 (with ``unranked``)."""
        cols = pd.Index(range(1, self.counts.shape[1] + 1), name="rank")
        return pd.DataFrame(self.counts / self.n_ok, index=self._index(), columns=cols)

    def _index(self) -> pd.Index:
        return pd.Index(self.units, name="uCode")

    def unit(self, code: str) -> str:
        """``code`` as a unit of this index (case-insensitive), or a SpecError."""
        return find_unit(code, self.units)

    def p_top(self, k: int) -> pd.Series:
        """P(rank <= k) per unit."""
        return pd.Series(self.counts[:, :k].sum(axis=1) / self.n_ok, index=self._index(),
                         name=f"p_top{k}")

    def expected_rank(self) -> pd.Series:
        ranks = np.arange(1, self.counts.shape[1] + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            e = (self.counts @ ranks) / self.counts.sum(axis=1)
        return pd.Series(e, index=self._index(), name="expected_rank")

    def p_above(self, a: str, b: str) -> float:
        """P(unit ``a`` ranks strictly above unit ``b``)."""
        i, j = self.units.index(self.unit(a)), self.units.index(self.unit(b))
        return float(self.wins[i, j] / self.n_ok)

    def pairwise(self) -> pd.DataFrame:
        """Units x units: P(row unit strictly above column unit)."""
        idx = self._index()
        return pd.DataFrame(self.wins / self.n_ok, index=idx, columns=idx.rename("other"))

    def central_weights(self) -> pd.DataFrame:
        """Units x weighted nodes: the central weights of each unit's best rank."""
        return pd.DataFrame(self.central, index=self._index(),
                            columns=pd.Index(self.space.codes, name="weight"))

    # ------------------------------------------------------------------ protocol
    def to_frame(self, ranks: int | None = None) -> pd.DataFrame:
        """One row per unit, sorted by expected rank then nominal rank.

        Columns: name, nominal_rank, expected_rank, p_top1, p_top{k}, central_rank,
        confidence, ``w_<code>`` (central weights), then ``b1`` .. ``b{ranks}``
        (acceptability of each rank; default: all).
        """
        ranks = self.counts.shape[1] if ranks is None else min(ranks, self.counts.shape[1])
        df = pd.DataFrame({"name": self.names, "nominal_rank": self.nominal_rank},
                          index=self._index())
        df["expected_rank"] = self.expected_rank()
        df["p_top1"] = self.p_top(1)
        df[f"p_top{self.k}"] = self.p_top(self.k)
        df["central_rank"] = self.central_rank.astype(float)
        df.loc[self.central_rank == 0, "central_rank"] = np.nan
        df["confidence"] = self.confidence
        for j, c in enumerate(self.space.codes):
            df[f"w_{c}"] = self.central[:, j]
        acc = self.counts[:, :ranks] / self.n_ok
        for r in range(ranks):
            df[f"b{r + 1}"] = acc[:, r]
        return df.sort_values(["expected_rank", "nominal_rank"], kind="stable")

    def summary(self) -> dict[str, Any]:
        return {"spec": self.spec_name, "index": self.index_name, "n": self.n,
                "n_ok": self.n_ok, "n_failed": self.n_failed, "seed": self.seed, "k": self.k,
                "weights": self.space.describe(), "acceptance": self.acceptance,
                "uncertainty": self.uncertainty, "confidence_basis": self.confidence_basis,
                "warnings": self.warnings, "timings": self.timings, "backend": self.backend}

    def to_dict(self) -> dict[str, Any]:
        """The summary, one record per unit (``to_frame()``) and the pairwise matrix."""
        from aigap.jsonsafe import json_safe

        return json_safe({**self.summary(),  # type: ignore[no-any-return]
                          "units": self.to_frame().reset_index(),
                          "pairwise": {u: dict(zip(self.units, map(float, row), strict=True))
                                       for u, row in zip(self.units, self.wins / self.n_ok,
                                                         strict=True)}})
