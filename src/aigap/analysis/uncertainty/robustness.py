"""Monte Carlo robustness of an index: how much do ranks move when the assumptions vary?

How it works (COINr's ``get_sensitivity`` uncertainty analysis, vectorised):

1. **Alternative data sets, once.** Every combination of the discrete data choices of the
   uncertainty spec (imputation x treatment x normalisation) is built ONCE with the normal
   pipeline (:func:`aigap.index.build_index`), giving K normalised (units x indicators) tables.
2. **Replications as matrix products.** Each replication is a point of the unit hypercube:
   one coordinate per discrete factor (mapped to an alternative by equal-width bins, like
   COINr's ``cut``) and one per varied weight. Its data set, aggregation, excluded node and
   weights are decoded, and all replications are scored together: level 2 is one GEMM of the
   (rows x indicators) weights against a precomputed (indicators x units*pillars) tensor per
   data set (logs for geometric, reciprocals for harmonic, missing values re-weighted exactly
   as the pipeline does); higher levels are batched products (both from
   :mod:`aigap.index.batched`, for any registered quasi-arithmetic mean); ranks come from a
   batched argsort (ties share the best rank, as in the pipeline).
3. **Blocks and chunks.** Replications are drawn and evaluated in fixed blocks of
   :data:`BLOCK` rows, block ``b`` using ``SeedSequence(seed, spawn_key=(b,))``. A block is
   the unit of randomness and arithmetic, so results are bit-identical whatever the chunk size,
   the backend or the number of workers; chunks (whole blocks) are only the unit of scheduling.

Memory: the alternative data sets take ``K x units x indicators x 8`` bytes (K = number of
data-choice combinations), plus a level-2 tensor of ``indicators x units x pillars x 8`` bytes
per data set and aggregation. Working memory per block in flight is at most about
``BLOCK x units x (5 c + A) x 8`` bytes, c = the most children aggregated by one level above
the pillars, A = number of aggregates (ASEM: 4096 x 51 x (5*8 + 11) x 8 = 85 MB; measured peak
66 MB; one block per thread). Results keep per replication the ranks (uint16) and scores
(float32) of every unit: ``n x units x 6`` bytes (31 MB for 10^5 replications of 51 units).

Geometric (harmonic) aggregation of a value <= 0 (== 0) makes the replication fail, as a
COINr regeneration fails there; failed replications are counted (``n_failed``) and left out
of every statistic.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from aigap.analysis.uncertainty.spec import UncertaintySpec, WeightNoise, load_uncertainty
from aigap.errors import SpecError
from aigap.index.batched import (
    FirstLevel,
    batch_mean,
    first_level,
    score_first_level,
    score_level,
)
from aigap.index.inputs import load_data
from aigap.index.methods import registry
from aigap.index.methods.aggregate import quasi_mean
from aigap.index.methods.stats import quiet_nan_warnings
from aigap.index.pipeline import build_index, build_latest
from aigap.index.plan import Framework
from aigap.index.result import IndexResult, PanelResult
from aigap.index.spec import (
    AggregateStep,
    ImputeStep,
    NormaliseStep,
    Spec,
    TreatStep,
    WeightStep,
    load_spec,
)
from aigap.mc import Backend, Chunk, LocalBackend, Progress, block_rng, resolve_seed, run_blocks

BLOCK = 4096  # replications per block: the unit of RNG and arithmetic (see module docstring)
DEFAULT_CHUNK = 4 * BLOCK

# --------------------------------------------------------------------------- factors


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a discrete choice (1 coordinate) or one level's weights (c)."""

    name: str
    kind: str  # imputation | treatment | normalisation | aggregation | exclusion | weights
    start: int  # first column in the hypercube sample
    dims: int
    labels: tuple[str, ...] = ()  # alternatives of a discrete factor
    level: int = 0  # aggregation level whose children the weights/exclusion act on
    noise: WeightNoise | None = None


@dataclass
class Draws:
    """Decoded replications: data set, aggregation, discrete choices and weights per level."""

    k: np.ndarray  # (B,) alternative data set
    a: np.ndarray  # (B,) aggregation alternative
    choices: np.ndarray  # (B, n_discrete) index of the alternative of each discrete factor
    weights: dict[int, np.ndarray]  # aggregation level -> (B, children)
    # levels below this one carry the nominal weights (set by Engine.decode, which knows;
    # lets the engine take their aggregates from its per-data-set constants)
    nominal_below: int = 2


@dataclass
class _Level:
    level: int
    kids: list[str]
    parents: list[str]
    onehot: np.ndarray  # (c, G) membership
    group: np.ndarray  # (c,) parent position of each child
    base: np.ndarray  # (c,) nominal weights
    src: list[tuple[int, int]]  # per child: (1, indicator column) or (level, parent position)


def _label(step: Any, kind: str) -> str:
    """A factor level's label: the registered method's label with the step's parameters."""
    if step is _KEEP:
        return "nominal"
    if step is None:
        return "none"
    m = registry.get(step.step, step.method)
    return m.label(m.bind(step))


# --------------------------------------------------------------------------- engine


@dataclass
class Engine:
    """Everything needed to score replications (picklable: shipped once to Dask workers)."""

    fw: Framework
    units: list[str]
    X: np.ndarray  # (K, n, p) alternative normalised data sets
    aggs: list[AggregateStep]
    levels: list[_Level]
    factors: list[Factor]
    data_shape: tuple[int, ...]  # alternatives per data axis (imputation, treatment, ...)
    nominal_rank: np.ndarray  # (n,) float, NaN = unranked
    l2: dict[tuple[int, str], FirstLevel] = field(default_factory=dict)
    data_axes: tuple[str, ...] = ("imputation", "treatment", "normalisation")
    # factor name -> (alternatives, n) units left unranked under each alternative
    unit_masks: dict[str, np.ndarray] = field(default_factory=dict)
    # levels below the first one whose weights vary are constant per (data set, aggregation)
    # key: their aggregates (key, n, G) are computed once, and the first varied level is
    # scored by one small GEMM per key against tensors built from them
    const: dict[int, np.ndarray] = field(default_factory=dict)
    const_fail: np.ndarray | None = None
    varied_l1: list[FirstLevel] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.l2:
            self._precompute()
        if self.const_fail is None:
            self._precompute_const()

    @property
    def n_dims(self) -> int:
        return sum(f.dims for f in self.factors)

    @property
    def discrete(self) -> list[Factor]:
        return [f for f in self.factors if f.kind != "weights"]

    def _precompute(self) -> None:
        """Level-2 tensors per (data set, method): (p, n*G) so one GEMM scores all units."""
        lv = self.levels[0]
        cols = [c for _, c in lv.src]
        for k in range(self.X.shape[0]):
            for a in self.aggs:
                key = (k, _agg_key(a, 2))
                if key not in self.l2:
                    self.l2[key] = first_level(self.X[k][:, cols], lv.onehot, _qm(a, 2))

    @property
    def first_varied(self) -> int:
        """The lowest aggregation level whose weights vary (above the top: none does)."""
        varied = [f.level for f in self.factors if f.kind in ("weights", "exclusion")]
        return min(varied) if varied else self.levels[-1].level + 1

    def _precompute_const(self) -> None:
        first = self.first_varied
        if first == self.levels[0].level:
            return
        K, A = self.X.shape[0], len(self.aggs)
        keys = np.arange(K * A)
        base = {lv.level: np.broadcast_to(lv.base, (keys.size, lv.base.size))
                for lv in self.levels}
        d = Draws(k=keys // A, a=keys % A, choices=np.zeros((keys.size, 0), np.int64),
                  weights=base)
        out, fail = self._score_levels(d, [lv for lv in self.levels if lv.level < first])
        self.const, self.const_fail = out, fail
        if first > self.levels[-1].level:
            return
        lv = self._level(first)
        for key in keys:
            kk, aa = divmod(int(key), A)
            V = np.stack([self.X[kk][:, j] if level == 1 else out[level][key][:, j]
                          for level, j in lv.src], axis=-1)
            self.varied_l1.append(first_level(V, lv.onehot, _qm(self.aggs[aa], first)))

    # ------------------------------------------------------------------ decode
    def decode(self, U: np.ndarray) -> Draws:
        """Map hypercube points (B, n_dims) in [0, 1) to replications."""
        U = np.clip(np.asarray(U, dtype=float), 0.0, np.nextafter(1.0, 0.0))
        B = U.shape[0]
        disc = self.discrete
        choices = np.zeros((B, len(disc)), dtype=np.int64)
        pick: dict[str, np.ndarray] = {}
        for j, f in enumerate(disc):
            m = len(f.labels)
            choices[:, j] = np.minimum((U[:, f.start] * m).astype(np.int64), m - 1)
            pick[f.name] = choices[:, j]
        zero = np.zeros(B, dtype=np.int64)
        k = np.ravel_multi_index(tuple(pick.get(ax, zero) for ax in self.data_axes),
                                 self.data_shape)
        a = pick.get("aggregation", zero)
        W: dict[int, np.ndarray] = {}
        varied: set[int] = set()
        for f in self.factors:
            if f.kind == "weights":
                lv = self._level(f.level)
                W[f.level] = _noisy(lv, U[:, f.start:f.start + f.dims], f.noise)  # type: ignore[arg-type]
                varied.add(f.level)
        for f in disc:
            if f.kind == "exclusion":
                lv = self._level(f.level)
                w = W.get(f.level)
                w = np.tile(lv.base, (B, 1)) if w is None else w
                col = np.array([-1 if lab == "none" else lv.kids.index(lab) for lab in f.labels])
                c = col[pick[f.name]]
                rows = np.flatnonzero(c >= 0)
                w[rows, c[rows]] = 0.0
                W[f.level] = w
                varied.add(f.level)
        for lvl in varied:
            W[lvl] = _renormalise(W[lvl], self._level(lvl))
        for lv in self.levels:
            if lv.level not in W:
                W[lv.level] = np.broadcast_to(lv.base, (B, lv.base.size))
        return Draws(k=k, a=a, choices=choices, weights=W, nominal_below=self.first_varied)

    def _level(self, level: int) -> _Level:
        return next(lv for lv in self.levels if lv.level == level)

    # ------------------------------------------------------------------ score
    def score(self, d: Draws) -> tuple[np.ndarray, np.ndarray]:
        """Index scores (B, n) and failed-replication mask (B,) of decoded replications."""
        top = self.levels[-1].level
        if self.const_fail is not None and d.nominal_below == self.first_varied:
            S, fail = self._score_sorted(d)
        else:
            out, fail = self._score_levels(d, self.levels)
            S = out[top][:, :, 0]
        S[fail] = np.nan
        for j, f in enumerate(self.discrete):
            masks = self.unit_masks.get(f.name)
            if masks is not None:  # units left unranked under this alternative
                S[masks[d.choices[:, j]]] = np.nan
        return S, fail

    def _score_sorted(self, d: Draws) -> tuple[np.ndarray, np.ndarray]:
        """Scores with the constant lower levels, rows processed sorted by (aggregation,
        data set) so that every group is a contiguous slice (no gathers and scatters)."""
        K, A, top = self.X.shape[0], len(self.aggs), self.levels[-1].level
        order = np.argsort(d.a * K + d.k, kind="stable")
        k, a = d.k[order], d.a[order]
        key = k * A + a
        fail = self.const_fail[key]  # type: ignore[index]
        if self.first_varied > top:  # nothing varies but the data set
            Y = self.const[top][key][:, :, 0]
        else:
            todo = [lv for lv in self.levels if lv.level >= self.first_varied]
            ds = Draws(k=k, a=a, choices=d.choices,
                       weights={lv.level: d.weights[lv.level][order] for lv in todo})
            out, bad = self._score_levels(ds, todo, key=key)
            Y, fail = out[top][:, :, 0], fail | bad
        S = np.empty_like(Y)
        S[order] = Y
        failed = np.empty_like(fail)
        failed[order] = fail
        return S, failed

    def _score_levels(self, d: Draws, levels: list[_Level], key: np.ndarray | None = None
                      ) -> tuple[dict[int, np.ndarray], np.ndarray]:
        """Aggregates (B, n, G) of ``levels`` and the failure mask; with ``key`` (data set x
        aggregation per row), levels below :attr:`first_varied` come from :attr:`const`."""
        B, n = d.k.size, self.X.shape[1]
        fail = np.zeros(B, dtype=bool)
        out: dict[int, np.ndarray] = {}
        A = len(self.aggs)
        for lv in levels:
            G = len(lv.parents)
            w = d.weights[lv.level]
            Y = np.empty((B, n, G))
            if lv.level == 2 or (key is not None and lv.level == self.first_varied):
                first = lv.level == 2
                k2 = d.k * A + d.a if first else key
                for rows, g in _groups(k2):
                    kk, aa = divmod(int(g), A)
                    agg = self.aggs[aa]
                    t = self.l2[(kk, _agg_key(agg, 2))] if first else self.varied_l1[g]
                    Y[rows] = score_first_level(w[rows], t, lv.onehot, _qm(agg, lv.level),
                                                agg.dat_thresh)
                    if t.fails:
                        fail[rows] = True
            else:
                V = self._children(lv, d.k, out, key)
                for rows, aa in _groups(d.a):
                    agg = self.aggs[int(aa)]
                    qm = _qm(agg, lv.level)
                    Y[rows], bad = score_level(V[rows], w[rows], lv.onehot, qm,
                                               agg.dat_thresh)
                    fail[rows] |= bad
            out[lv.level] = Y
        return out, fail

    def _children(self, lv: _Level, k: np.ndarray, out: dict[int, np.ndarray],
                  key: np.ndarray | None) -> np.ndarray:
        """(B, n, c) values of the children of ``lv``'s aggregates."""
        below = {level for level, _ in lv.src}
        if len(below) == 1 and (b := below.pop()) in out and \
                [j for _, j in lv.src] == list(range(out[b].shape[2])):
            return out[b]  # exactly the aggregates of the level below, in order
        return np.stack([self._values(src, k, out, key) for src in lv.src], axis=-1)

    def _values(self, src: tuple[int, int], k: np.ndarray, out: dict[int, np.ndarray],
                key: np.ndarray | None = None) -> np.ndarray:
        level, j = src
        if level == 1:
            return self.X[k, :, j]
        if level not in out and key is not None:
            return self.const[level][key, :, j]
        return out[level][:, :, j]

    def run(self, U: np.ndarray) -> dict[str, np.ndarray]:
        """Score hypercube points: compact ranks (uint16, 0 = none), scores, failures."""
        d = self.decode(U)
        S, fail = self.score(d)
        R = rank_rows(S)
        return {"ranks": np.nan_to_num(R, nan=0).astype(np.uint16),
                "scores": S.astype(np.float32), "failed": fail,
                "choices": d.choices.astype(np.int16)}


def _qm(agg: AggregateStep, level: int) -> Any:
    """The batched (quasi-arithmetic) form of ``agg`` at ``level``, with its parameters."""
    return _batch_mean(agg.method_for(level), tuple(sorted((agg.params or {}).items())))


@functools.lru_cache(maxsize=256)
def _batch_mean(method: str, params: tuple[tuple[str, Any], ...]) -> Any:
    return batch_mean(method, dict(params) or None)


def _agg_key(agg: AggregateStep, level: int) -> str:
    return f"{agg.method_for(level)}{sorted((agg.params or {}).items())}"


def _groups(key: np.ndarray) -> list[tuple[np.ndarray | slice, int]]:
    """Row indices of each distinct key value (sorted by key); slices if ``key`` is sorted."""
    if key.size and bool((key[1:] >= key[:-1]).all()):
        cut = np.flatnonzero(key[1:] != key[:-1]) + 1
        lo, hi = [0, *cut.tolist()], [*cut.tolist(), key.size]
        return [(slice(s, e), int(key[s])) for s, e in zip(lo, hi, strict=True)]
    order = np.argsort(key, kind="stable")
    vals, starts = np.unique(key[order], return_index=True)
    bounds = [*starts[1:], key.size]
    return [(order[s:e], int(v)) for v, s, e in zip(vals, starts, bounds, strict=True)]


def _noisy(lv: _Level, u: np.ndarray, noise: WeightNoise) -> np.ndarray:
    """Weights from uniforms: ``base * (1 + spread (2u - 1))`` or Dirichlet by inverse CDF."""
    if noise.distribution == "uniform":
        return lv.base * (1.0 + noise.spread * (2.0 * u - 1.0))
    share = lv.base / np.bincount(lv.group, weights=lv.base)[lv.group]
    alpha = noise.concentration * np.nan_to_num(share)
    # Gamma(alpha) by inverse CDF keeps one uniform per weight, so Sobol can use it too
    g = gammaincinv(np.where(alpha > 0, alpha, 1.0), np.clip(u, 1e-12, 1 - 1e-12))
    return np.where(alpha > 0, g, 0.0)


def _renormalise(w: np.ndarray, lv: _Level) -> np.ndarray:
    """Weights summing to 1 within each parent (an all-zero parent stays zero)."""
    tot = w @ lv.onehot
    tot = tot[:, lv.group]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, w / tot, 0.0)


def rank_rows(S: np.ndarray, kind: Any = None) -> np.ndarray:
    """Ranks of each row (1 = highest; ties share the best rank; NaN stays NaN), batched.
    ``kind``: NumPy's sort kind (the default, unstable, is enough: see below)."""
    S = np.atleast_2d(S)
    nan = np.isnan(S)
    key = np.where(nan, np.inf, -S)
    # equal keys are adjacent in any sort and ties are resolved below: no need for stability
    order = np.argsort(key, axis=1, kind=kind)
    sk = np.take_along_axis(key, order, axis=1)
    pos = np.broadcast_to(np.arange(S.shape[1]), S.shape)
    new = np.ones(S.shape, dtype=bool)
    new[:, 1:] = sk[:, 1:] != sk[:, :-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    R = np.empty(S.shape)
    np.put_along_axis(R, order, first + 1.0, axis=1)
    R[nan] = np.nan
    return R


# --------------------------------------------------------------------------- set-up


@dataclass
class Setup:
    """The one-off part of a run: nominal build, alternative data sets and the engine."""

    spec: Spec
    uncertainty: UncertaintySpec
    nominal: IndexResult
    engine: Engine
    data: pd.DataFrame | None
    meta: pd.DataFrame | None
    year: int | None
    alternatives: dict[str, list[Any]]
    warnings: list[str]
    seconds: float = 0.0
    variants: DataVariants | None = None

    def replication_inputs(self, d: Draws, b: int) -> tuple[Spec, pd.DataFrame | None]:
        """The index spec and input frame equivalent to replication ``b`` (for the plain
        pipeline); units a structural factor leaves out are not dropped here."""
        e = self.engine
        pos = dict(zip(e.data_axes, np.unravel_index(int(d.k[b]), e.data_shape), strict=True))
        w: dict[str, float] = {}
        for lv in e.levels:
            w.update(zip(lv.kids, map(float, d.weights[lv.level][b]), strict=True))
        agg = e.aggs[int(d.a[b])]
        alts = self.alternatives
        steps = _data_steps(self.spec, alts["imputation"][pos["imputation"]],
                            alts["treatment"][pos["treatment"]],
                            alts["normalisation"][pos["normalisation"]])
        frame = self.data
        if self.variants is not None and self.variants.axes:
            choice = {ax: int(pos[ax]) for ax in self.variants.axes}
            frame = self.variants.frame(choice)
            steps = self.variants.freeze_units(steps)
        steps += [WeightStep(step="weight", method="manual", weights=w), agg]
        return self.spec.model_copy(update={"steps": steps}), frame

    def replication_spec(self, d: Draws, b: int) -> Spec:
        """The index spec equivalent to replication ``b`` (for the plain pipeline)."""
        return self.replication_inputs(d, b)[0]

    def build(self, spec: Spec) -> IndexResult:
        return build_latest(spec, data=self.data, meta=self.meta, year=self.year)


_KEEP = object()  # "keep the spec's own step"
_STEP_AXES = ("imputation", "treatment", "normalisation")


def imputed_share(res: IndexResult) -> pd.Series:
    """Share of each unit's indicators that the build had to impute (missing before it)."""
    fw = res.framework
    before = next(res.datasets[n] for n in ("Screened", "Denominated", "Raw")
                  if n in res.datasets)
    units = res.dataset("Normalised").index
    return before.reindex(units)[fw.indicators].isna().mean(axis=1)


@dataclass
class DataVariants:
    """Structural alternatives that change the input frame: other series of a concept in
    place of an indicator, and scale vs intensity. Every variant keeps the nominal units and
    indicator codes, so the engine scores all of them as alternative data sets."""

    base: pd.DataFrame | None
    units: list[str]
    columns: dict[str, dict[str, pd.Series]] = field(default_factory=dict)  # axis -> label -> col
    targets: dict[str, str] = field(default_factory=dict)  # series axis -> indicator replaced
    # indicators, the denominator of each, scale
    edition: tuple[list[str], dict[str, pd.Series], float] | None = None
    labels: dict[str, list[str]] = field(default_factory=dict)

    @property
    def axes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    @classmethod
    def build(cls, sp: Spec, st: Any, frame: pd.DataFrame | None, year: int | None,
              units: list[str], data_dir: Path | None) -> DataVariants:
        out = cls(base=frame, units=units)
        if st is None or (not st.series and st.edition is None):
            return out
        if frame is None:
            raise SpecError("structural series/edition alternatives need the index's data")
        if "Time" in frame.columns and frame["Time"].nunique() > 1:
            raise SpecError("structural series/edition alternatives need a single-year index; "
                            "pick one with --year")
        for sa in st.series:
            ax = f"series: {sa.indicator}"
            out.targets[ax] = sa.indicator
            cols = {sa.indicator: frame[sa.indicator].reindex(units)}
            for alt in sa.alternatives:
                cols[alt] = _column(sp, alt, frame, year, units, data_dir)
            out.columns[ax] = cols
            out.labels[ax] = list(cols)
        if st.edition is not None:
            ed = st.edition
            by = {d: _column(sp, d, frame, year, units, data_dir)
                  for d in dict.fromkeys(ed.denominator(c) for c in ed.indicators)}
            out.edition = (list(ed.indicators),
                           {c: by[ed.denominator(c)] for c in ed.indicators}, ed.scale)
            out.labels["edition"] = ["as specified", f"per {' / '.join(by)}"]
        return out

    def frame(self, choice: dict[str, int]) -> pd.DataFrame:
        """The input frame of one combination of alternatives (label positions by axis)."""
        assert self.base is not None
        df = self.base.copy()
        for ax, j in choice.items():
            if ax == "edition":
                continue
            label = self.labels[ax][j]
            df[self.targets[ax]] = self.columns[ax][label].reindex(df.index).to_numpy()
        if self.edition is not None and choice.get("edition", 0) == 1:
            inds, dens, scale = self.edition
            with np.errstate(divide="ignore", invalid="ignore"):
                for c in inds:
                    d = dens[c].reindex(df.index).to_numpy(float)
                    df[c] = np.where(d > 0, df[c].to_numpy(float) / d * scale, np.nan)
        return df

    def freeze_units(self, steps: list[Any]) -> list[Any]:
        """Steps whose unit screening keeps exactly the nominal units (a variant's other
        coverage must not change who is ranked)."""
        out = []
        for s in steps:
            if getattr(s, "step", None) == "screen":
                keep = set(self.units)
                others = [] if self.base is None else \
                    [str(u) for u in self.base.index if u not in keep]
                s = s.model_copy(update={"unit_thresh": 0.0, "nonzero_thresh": None,
                                         "force_include": list(self.units),
                                         "force_exclude": others})
            out.append(s)
        return out


def _column(sp: Spec, code: str, frame: pd.DataFrame, year: int | None, units: list[str],
            data_dir: Path | None) -> pd.Series:
    """Values of series ``code`` for the index's units: a column of the frame, or loaded
    from the spec's data source by the spec's year rule."""
    if code in frame.columns:
        return frame[code].reindex(units)
    if sp.data.source != "warehouse":
        raise SpecError(f"structural alternative {code!r}: not a column of the data, and the "
                        f"spec's data source ({sp.data.source!r}) cannot load it")
    from aigap.index.spec import IndicatorSpec

    probe = sp.model_copy(update={"indicators": [IndicatorSpec(code=code, parent="Index")],
                                  "steps": [], "data": sp.data.model_copy(
                                      update={"denominators": [], "year": year})})
    try:
        got, _ = load_data(probe, None, None, data_dir)
    except SpecError as exc:
        raise SpecError(f"structural alternative {code!r}: {exc}") from None
    if "Time" in got.columns and year is not None:
        got = got[got["Time"] == year]
    return got[code].reindex(units)


def _data_steps(sp: Spec, imp: Any, treat: Any, norm: Any) -> list[Any]:
    """The spec's steps up to normalisation with the chosen alternatives swapped in."""
    steps: list[Any] = []
    k_norm = next(i for i, s in enumerate(sp.steps) if isinstance(s, NormaliseStep))
    has_imp = any(isinstance(s, ImputeStep) for s in sp.steps[:k_norm])
    has_treat = any(isinstance(s, TreatStep) for s in sp.steps[:k_norm])
    for s in sp.steps[:k_norm]:
        if isinstance(s, ImputeStep):
            steps.append(s if imp is _KEEP else imp)
        elif isinstance(s, TreatStep):
            if treat is _KEEP:
                steps.append(s)
            elif treat is not None:
                steps.append(treat)
        else:
            steps.append(s)
    # a varied step the spec does not have goes just before normalisation
    if not has_imp and imp is not _KEEP:
        steps.append(imp)
    if not has_treat and treat not in (_KEEP, None):
        steps.append(treat)
    steps.append(sp.steps[k_norm] if norm is _KEEP else norm)
    return steps


def prepare(spec: str | Path | Spec, uncertainty: Any = None, *,
            data: pd.DataFrame | None = None, year: int | None = None,
            data_dir: Path | None = None) -> Setup:
    """Build the nominal index and every alternative data set; return the engine."""
    t0 = time.perf_counter()
    sp = load_spec(spec)
    unc = load_uncertainty(uncertainty)
    frame, meta = load_data(sp, data, None, data_dir)  # once: K builds reuse it
    nom = build_index(sp, data=frame, meta=meta, year=year)
    if isinstance(nom, PanelResult):
        year = nom.years[-1]
        nom = nom[year]
    else:
        year = year if year is not None else nom.year
    fw = nom.framework
    warnings = list(unc.check(fw, source=f"uncertainty {unc.name!r}"))
    agg_nom = next(s for s in reversed(sp.steps) if isinstance(s, AggregateStep))
    alts: dict[str, list[Any]] = {
        "imputation": list(unc.imputation) if unc.imputation else [_KEEP],
        "treatment": list(unc.treatment) if unc.treatment else [_KEEP],
        "normalisation": list(unc.normalisation) if unc.normalisation else [_KEEP],
    }
    aggs = ([AggregateStep(step="aggregate", method=m, dat_thresh=agg_nom.dat_thresh)
             if isinstance(m, str) else m.model_copy(update={"dat_thresh": m.dat_thresh
                                                             if m.dat_thresh is not None
                                                             else agg_nom.dat_thresh})
             for m in unc.aggregation] if unc.aggregation else [agg_nom])
    for a in aggs:
        for lv in range(2, fw.n_levels + 1):
            if quasi_mean(a.method_for(lv), a.params or None) is None:
                raise SpecError(f"spec {sp.name!r}: {a.method_for(lv)} aggregation cannot be "
                                "evaluated in batch; give 'aggregation' in the uncertainty spec")
    setup = Setup(spec=sp, uncertainty=unc, nominal=nom, engine=None,  # type: ignore[arg-type]
                  data=frame, meta=meta, year=year, alternatives=alts, warnings=warnings)
    units = list(nom.dataset("Normalised").index)
    variants = DataVariants.build(sp, unc.structural, frame, year, units, data_dir)
    setup.variants = variants
    axes = ("imputation", "treatment", "normalisation", *variants.axes)
    for ax in variants.axes:
        alts[ax] = variants.labels[ax]
    # 1. every data-choice combination, once, through the normal pipeline
    plain = AggregateStep(step="aggregate", method="arithmetic", dat_thresh=agg_nom.dat_thresh)
    shape = tuple(len(alts[k]) for k in axes)
    X = np.empty((int(np.prod(shape)), len(units), len(fw.indicators)))
    for k, pos in enumerate(np.ndindex(*shape)):
        i, t, m = pos[:3]
        steps = [*_data_steps(sp, alts["imputation"][i], alts["treatment"][t],
                              alts["normalisation"][m]), plain]
        data_k = frame
        if variants.axes:
            data_k = variants.frame(dict(zip(variants.axes, pos[3:], strict=True)))
            steps = variants.freeze_units(steps)
        try:
            res = build_latest(sp.model_copy(update={"steps": steps}), data=data_k, meta=meta,
                               year=year)
        except SpecError as exc:
            choice = ", ".join(str(_label(alts[kind][j], kind)) if kind in _STEP_AXES
                               else f"{kind}: {alts[kind][j]}" for kind, j in
                               zip(axes, pos, strict=True))
            raise SpecError(f"alternative data set ({choice}): {exc}") from None
        N = res.dataset("Normalised")
        if list(N.index) != units or res.framework.indicators != fw.indicators:
            raise SpecError("alternative data sets differ in units or indicators (screening "
                            "must not depend on the varied steps)")
        X[k] = N[fw.indicators].to_numpy(dtype=float)
    # 2. tree, weights and factors
    levels = _levels(fw)
    factors: list[Factor] = []
    col = 0
    for kind in axes:
        if len(alts[kind]) > 1:
            labels = (tuple(_label(x, kind) for x in alts[kind]) if kind in _STEP_AXES
                      else tuple(alts[kind]))
            factors.append(Factor(kind, kind if kind in _STEP_AXES else "structural", col, 1,
                                  labels))
            col += 1
    if len(aggs) > 1:
        factors.append(Factor("aggregation", "aggregation", col, 1,
                              tuple(_label(a, "aggregation") for a in aggs)))
        col += 1
    exclusions = [("exclusion", unc.exclusion)] if unc.exclusion is not None else []
    if unc.structural is not None:
        exclusions += [(f"leave out (level {ex.level})", ex)
                       for ex in unc.structural.exclusions]
    for name, ex in exclusions:
        codes = ex.codes or fw.at_level(ex.level)
        labels = (("none",) if ex.include_none else ()) + tuple(codes)
        factors.append(Factor(name, "exclusion", col, 1, labels, level=ex.level + 1))
        col += 1
    masks: dict[str, np.ndarray] = {}
    heavy = unc.structural.heavy_imputation if unc.structural is not None else None
    if heavy is not None:
        share = imputed_share(nom).reindex(units).to_numpy(float)
        out = share > heavy.threshold
        if out.any():
            name = "heavily imputed units"
            pct = round(heavy.threshold * 100)
            factors.append(Factor(name, "structural", col, 1,
                                  ("ranked", f"left out (> {pct}% imputed)")))
            masks[name] = np.vstack([np.zeros_like(out), out])
            col += 1
        else:
            warnings.append(f"structural.heavy_imputation: no unit has more than "
                            f"{heavy.threshold:.0%} of its indicators imputed; not varied")
    for wn in unc.weights:
        if wn.level >= fw.n_levels:
            continue
        lv = next(x for x in levels if x.level == wn.level + 1)
        factors.append(Factor(f"weights (level {wn.level})", "weights", col, len(lv.kids),
                              level=wn.level + 1, noise=wn))
        col += len(lv.kids)
    nominal_rank = nom.ranks[fw.root].reindex(nom.dataset("Normalised").index).to_numpy(float)
    setup.engine = Engine(fw=fw, units=units, X=X, aggs=aggs, levels=levels, factors=factors,
                          data_shape=shape, nominal_rank=nominal_rank, data_axes=axes,
                          unit_masks=masks)
    setup.seconds = time.perf_counter() - t0
    return setup


def _levels(fw: Framework) -> list[_Level]:
    out = []
    where: dict[str, tuple[int, int]] = {c: (1, j) for j, c in enumerate(fw.indicators)}
    for level in range(2, fw.n_levels + 1):
        kids, parents, W = fw.membership(level)
        onehot = (W != 0).astype(float)
        # a zero nominal weight still marks membership (the child is present, weightless)
        for i, c in enumerate(kids):
            onehot[i, parents.index(fw.parent[c])] = 1.0  # type: ignore[arg-type]
        group = onehot.argmax(axis=1)
        out.append(_Level(level, kids, parents, onehot, group,
                          np.array([fw.weight[c] for c in kids], dtype=float),
                          [where[c] for c in kids]))
        for j, p in enumerate(parents):
            where[p] = (level, j)
    return out


# --------------------------------------------------------------------------- running


def _mc_chunk(engine: Engine, chunk: Chunk, keep: bool = False, exact_scores: bool = True
              ) -> Tally | list[dict[str, np.ndarray]]:
    """Draw and score whole blocks; block b's stream depends only on (seed, b). Returns the
    chunk's :class:`Tally` (a few kB: what a Dask worker ships back), or the raw blocks."""
    out = []
    for b in chunk.blocks:
        lo, hi = chunk.bounds(b)
        rng = block_rng(chunk.seed, b)
        out.append(engine.run(rng.random((hi - lo, engine.n_dims))))
    if keep:
        return out
    return Tally.of_blocks(out, engine.nominal_rank, exact_scores)


def _mc_chunk_tally(engine: Engine, chunk: Chunk) -> Tally:
    return _mc_chunk(engine, chunk)  # type: ignore[return-value]


def _mc_chunk_sketch(engine: Engine, chunk: Chunk) -> Tally:
    return _mc_chunk(engine, chunk, exact_scores=False)  # type: ignore[return-value]


def _mc_chunk_raw(engine: Engine, chunk: Chunk) -> list[dict[str, np.ndarray]]:
    return _mc_chunk(engine, chunk, keep=True)  # type: ignore[return-value]


def eval_chunk(engine: Engine, U: np.ndarray) -> list[dict[str, np.ndarray]]:
    """Score given hypercube points (Sobol designs), block by block."""
    return [engine.run(U[i:i + BLOCK]) for i in range(0, len(U), BLOCK)]


def stack_blocks(parts: Sequence[list[dict[str, np.ndarray]]]) -> dict[str, np.ndarray]:
    """Concatenate the per-block outputs of all chunks, in block order."""
    blocks = [b for part in parts for b in part]
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


# Score quantiles are exact (raw float32 scores kept) up to this many unit-replications
# (64 MB); above it a fixed 2^16-bin histogram per unit sketches them (relative bin width
# 2^-7, interpolated within the bin), so memory stays bounded whatever n.
EXACT_SCORES = 2**24
SKETCH_BITS = 16


def robustness(spec: str | Path | Spec, *, n: int = 10_000, seed: int | None = 0,
               uncertainty: Any = None, chunk_size: int = DEFAULT_CHUNK,
               backend: Backend | None = None, k: int = 3, data: pd.DataFrame | None = None,
               year: int | None = None, progress: Progress | None = None,
               setup: Setup | None = None, keep_replications: bool = False
               ) -> RobustnessResult:
    """Monte Carlo uncertainty analysis of a spec's ranks.

    ``uncertainty``: a path, shipped name, mapping or :class:`UncertaintySpec` (None = the
    COINr-vignette default). ``seed`` (policy: :mod:`aigap.mc`) and the block size fix every
    draw: the result does not depend on ``chunk_size`` (rounded up to whole blocks of
    :data:`BLOCK`) or on the backend; ``progress(done, total)`` is called after each chunk;
    ``setup`` reuses a :func:`prepare` result.

    Statistics stream: each chunk returns a :class:`Tally` (rank histograms, score sums, a
    score sketch beyond :data:`EXACT_SCORES`), so memory does not grow with ``n``;
    ``keep_replications`` also keeps every replication's ranks, scores, failures and choices
    (``n x units x 6`` bytes). The statistics are the same either way.
    """
    if n < 1:
        raise SpecError(f"n must be >= 1 (got {n})")
    if k < 1:
        raise SpecError(f"k must be >= 1 (got {k})")
    st = setup or prepare(spec, uncertainty, data=data, year=year)
    seed = resolve_seed(seed, st.uncertainty.seed)
    eng = st.engine
    exact = n * len(eng.units) <= EXACT_SCORES
    t0 = time.perf_counter()
    raw: dict[str, np.ndarray] = {}
    if keep_replications:
        parts = run_blocks(_mc_chunk_raw, eng, n, seed=seed, block=BLOCK,
                           chunk_size=chunk_size, backend=backend, progress=progress)
        tally = Tally.merge([Tally.of_blocks(p, eng.nominal_rank, exact) for p in parts])
        raw = stack_blocks(parts)
    else:
        fn = _mc_chunk_tally if exact else _mc_chunk_sketch
        tally = Tally.merge(run_blocks(fn, eng, n, seed=seed, block=BLOCK,
                                       chunk_size=chunk_size, backend=backend,
                                       progress=progress))
    mc_s = time.perf_counter() - t0
    nom = st.nominal
    fw = nom.framework
    units = eng.units
    return RobustnessResult(
        spec_name=st.spec.name, index_name=fw.names.get(fw.root, fw.root), units=units,
        names=[nom.unit_names.get(u, u) for u in units], nominal_rank=eng.nominal_rank,
        nominal_score=nom.index.reindex(units).to_numpy(float), tally=tally,
        ranks=raw.get("ranks"), scores=raw.get("scores"), failed=raw.get("failed"),
        choices=raw.get("choices"), factors=eng.factors, seed=seed, k=k,
        uncertainty=st.uncertainty, warnings=st.warnings,
        timings={"prepare_s": st.seconds, "mc_s": mc_s},
        backend=(backend or LocalBackend()).name)


@dataclass
class Tally:
    """Statistics of replications that add up chunk by chunk (integers, plus float sums kept
    per block and added in block order, so totals never depend on chunks or backends)."""

    n: int
    n_failed: int
    hist: np.ndarray  # (units, units + 1) int64 rank counts (successful reps); 0 = unranked
    score_sum: np.ndarray  # (blocks, units) float64 sums of the (float32) scores per block
    score_cnt: np.ndarray  # (units,) int64 scored replications per unit
    shift_sum: np.ndarray  # (blocks,) sums of the replications' mean |rank shift|
    shift_cnt: int  # replications with a defined shift
    scores: np.ndarray | None = None  # (successful reps, units) float32 (exact quantiles)
    # score histogram, sparse: (sorted unit * 2^SKETCH_BITS + bin, count) of occupied cells
    sketch: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of_blocks(cls, blocks: Sequence[dict[str, np.ndarray]], nominal_rank: np.ndarray,
                  exact_scores: bool = True) -> Tally:
        return cls.merge([cls.of_block(b, nominal_rank, exact_scores) for b in blocks])

    @classmethod
    def of_block(cls, out: dict[str, np.ndarray], nominal_rank: np.ndarray,
                 exact_scores: bool = True) -> Tally:
        """The tally of one block's :meth:`Engine.run` output."""
        ok = ~out["failed"]
        R = out["ranks"][ok]
        m = R.shape[1]
        flat = (R.astype(np.intp) + (m + 1) * np.arange(m)).ravel()
        hist = np.bincount(flat, minlength=m * (m + 1)).reshape(m, m + 1)
        S = out["scores"][ok]
        S64 = S.astype(float)
        sh = replication_shift(out["ranks"], out["failed"], nominal_rank)
        good = ~np.isnan(sh)
        sketch = None
        if not exact_scores:  # sparse: (unit x bin) cells that occur, and their counts
            cells = (_sketch_bin(S) + (np.arange(m) << SKETCH_BITS))[~np.isnan(S)]
            sketch = np.unique(cells, return_counts=True)
        return cls(n=int(ok.size), n_failed=int((~ok).sum()), hist=hist,
                   score_sum=np.nansum(S64, axis=0)[None],
                   score_cnt=(~np.isnan(S)).sum(axis=0).astype(np.int64),
                   shift_sum=np.array([sh[good].sum()]), shift_cnt=int(good.sum()),
                   scores=S if exact_scores else None, sketch=sketch)

    @classmethod
    def merge(cls, parts: Sequence[Tally]) -> Tally:
        """The tally of all ``parts`` (in block order)."""
        p0 = parts[0]
        return cls(n=sum(p.n for p in parts), n_failed=sum(p.n_failed for p in parts),
                   hist=np.sum([p.hist for p in parts], axis=0),
                   score_sum=np.concatenate([p.score_sum for p in parts]),
                   score_cnt=np.sum([p.score_cnt for p in parts], axis=0),
                   shift_sum=np.concatenate([p.shift_sum for p in parts]),
                   shift_cnt=sum(p.shift_cnt for p in parts),
                   scores=None if p0.scores is None else
                   np.concatenate([p.scores for p in parts]),  # type: ignore[misc]
                   sketch=None if p0.sketch is None else _merge_sparse(
                       [p.sketch for p in parts]))  # type: ignore[misc]

    @property
    def n_ok(self) -> int:
        return self.n - self.n_failed

    def p_top(self, k: int) -> np.ndarray:
        """P(rank <= k) per unit over the successful replications."""
        return self.hist[:, 1:k + 1].sum(axis=1) / self.n_ok

    def rank_quantiles(self, qs: Sequence[float]) -> np.ndarray:
        """(len(qs), units) rank quantiles, exact: NumPy's ``inverted_cdf`` over the ranked
        replications of each unit, read off the histograms."""
        counts = self.hist[:, 1:]
        m = counts.sum(axis=1)
        cum = np.cumsum(counts, axis=1)
        out = np.full((len(qs), counts.shape[0]), np.nan)
        for i, q in enumerate(qs):
            idx = m * q - 1  # numpy's virtual index for inverted_cdf
            prev = np.floor(idx)
            j = np.maximum(np.where(idx - prev == 0, prev, prev + 1), 0).astype(np.int64)
            for u in np.flatnonzero(m > 0):
                out[i, u] = np.searchsorted(cum[u], j[u], side="right") + 1
        return out

    def mean_abs_shift(self, nominal_rank: np.ndarray) -> np.ndarray:
        """Per unit: mean over its ranked replications of |rank - nominal rank|."""
        counts = self.hist[:, 1:]
        r = np.arange(1, counts.shape[1] + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            tot = (counts * np.abs(r[None, :] - nominal_rank[:, None])).sum(axis=1)
            return tot / counts.sum(axis=1)

    def score_stats(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per unit: mean, 5th and 95th percentiles of the scores (type 7 quantiles)."""
        with np.errstate(invalid="ignore", divide="ignore"), quiet_nan_warnings():
            if self.scores is not None:  # exact, as np.nanquantile over every replication
                S = np.ascontiguousarray(self.scores.T, dtype=float)  # unit-major: fast rows
                full = ~np.isnan(S).any(axis=1)
                sq = np.empty((2, S.shape[0]))
                # np.quantile on complete units is vectorised and gives what np.nanquantile
                # (one unit at a time) gives: same values, same interpolation
                sq[:, full] = np.quantile(S[full], [0.05, 0.95], axis=1)
                if not full.all():
                    sq[:, ~full] = np.nanquantile(S[~full], [0.05, 0.95], axis=1)
                return np.nanmean(S, axis=1), sq[0], sq[1]
            mean = self.score_sum.sum(axis=0) / self.score_cnt
        assert self.sketch is not None
        m = self.hist.shape[0]
        dense = np.zeros(m << SKETCH_BITS, dtype=np.int64)
        dense[self.sketch[0]] = self.sketch[1]
        return mean, *_sketch_quantiles(dense.reshape(m, -1),  # type: ignore[return-value]
                                        (0.05, 0.95))


def replication_shift(ranks: np.ndarray, failed: np.ndarray, nominal_rank: np.ndarray
                      ) -> np.ndarray:
    """Mean absolute rank shift vs nominal of each replication (COINr's SA target)."""
    R = ranks.astype(float)
    R[R == 0] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.abs(R - nominal_rank)
        ok = ~np.isnan(d)
        s = np.where(ok, d, 0).sum(axis=1) / ok.sum(axis=1)
    s[failed] = np.nan
    return s


def _merge_sparse(parts: Sequence[tuple[np.ndarray, np.ndarray]]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Sum sparse (cell, count) histograms."""
    cells, inv = np.unique(np.concatenate([c for c, _ in parts]), return_inverse=True)
    return cells, np.bincount(inv, weights=np.concatenate([n for _, n in parts]),
                              minlength=cells.size).astype(np.int64)


def _sketch_bin(S: np.ndarray) -> np.ndarray:
    """Order-preserving bin of float32 values: the top SKETCH_BITS bits of their IEEE key."""
    b = np.ascontiguousarray(S, dtype=np.float32).view(np.uint32)
    key = np.where(b >> 31, ~b, b | np.uint32(0x80000000))
    return (key >> np.uint32(32 - SKETCH_BITS)).astype(np.intp)


def _bin_value(bins: np.ndarray) -> np.ndarray:
    """Lowest float32 value of each sketch bin (inverse of :func:`_sketch_bin`)."""
    key = (bins.astype(np.uint32) << np.uint32(32 - SKETCH_BITS))
    b = np.where(key >> 31, key & np.uint32(0x7FFFFFFF), ~key)
    return b.astype(np.uint32).view(np.float32).astype(float)


def _sketch_quantiles(sketch: np.ndarray, qs: Sequence[float]) -> list[np.ndarray]:
    """Type 7 quantiles per unit from the histogram, order statistics placed evenly in
    their bin (exact to the bin width)."""
    cum = np.cumsum(sketch, axis=1)
    m = cum[:, -1]
    edges = np.arange(sketch.shape[1] + 1)
    out = []
    for q in qs:
        res = np.full(sketch.shape[0], np.nan)
        for u in np.flatnonzero(m > 0):
            h = (m[u] - 1) * q
            vals = []
            for j in (np.floor(h), min(np.floor(h) + 1, m[u] - 1)):
                b = int(np.searchsorted(cum[u], j, side="right"))
                before = cum[u][b - 1] if b else 0
                lo, hi = _bin_value(edges[[b, b + 1]] % (1 << SKETCH_BITS))
                hi = hi if b + 1 < sketch.shape[1] else lo
                lo, hi = min(lo, hi), max(lo, hi)
                vals.append(lo + (j - before + 0.5) / sketch[u, b] * (hi - lo))
            res[u] = vals[0] + (h - np.floor(h)) * (vals[1] - vals[0])
        out.append(res)
    return out


# --------------------------------------------------------------------------- results


@dataclass
class RobustnessResult:
    """Rank and score distributions of every unit over the replications.

    The statistics come from ``tally`` (:class:`Tally`); ``ranks`` (n x units, uint16,
    0 = unranked), ``scores`` (float32), ``failed`` and ``choices`` hold every replication
    only when run with ``keep_replications=True``. Failed replications are left out of
    every statistic.
    """

    spec_name: str
    index_name: str
    units: list[str]
    names: list[str]
    nominal_rank: np.ndarray
    nominal_score: np.ndarray
    tally: Tally
    ranks: np.ndarray | None
    scores: np.ndarray | None
    failed: np.ndarray | None
    choices: np.ndarray | None
    factors: list[Factor]
    seed: int
    k: int = 3
    uncertainty: UncertaintySpec | None = None
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    backend: str = "local"

    @property
    def n(self) -> int:
        return self.tally.n

    @property
    def n_failed(self) -> int:
        return self.tally.n_failed

    def _check(self) -> Tally:
        if self.tally.n_ok == 0:
            raise SpecError(f"all {self.n} replications failed (geometric aggregation of "
                            "values <= 0); use a positive normalisation or drop 'geometric'")
        return self.tally

    def p_top(self, k: int) -> pd.Series:
        """P(rank <= k) per unit over the successful replications."""
        return pd.Series(self._check().p_top(k), index=pd.Index(self.units, name="uCode"),
                         name=f"p_top{k}")

    @property
    def shift(self) -> np.ndarray:
        """Mean absolute rank shift vs nominal of each replication (COINr's SA target);
        needs ``keep_replications=True``."""
        if self.ranks is None or self.failed is None:
            raise SpecError("per-replication shifts need robustness(..., "
                            "keep_replications=True)")
        return replication_shift(self.ranks, self.failed, self.nominal_rank)

    @property
    def mean_abs_shift(self) -> float:
        """Mean over replications and units of |rank - nominal rank|."""
        t = self.tally
        return float(t.shift_sum.sum() / t.shift_cnt) if t.shift_cnt else float("nan")

    def to_frame(self, k: int | None = None) -> pd.DataFrame:
        """One row per unit (sorted by median then nominal rank).

        Columns: name, nominal_rank, nominal_score, median_rank, rank_p05, rank_p95, p_top3,
        p_top{k}, score_mean, score_p05, score_p95, mean_abs_shift. Rank quantiles are
        ranks that occurred (``inverted_cdf``, exact from the histograms); score quantiles
        interpolate linearly (R's type 7, as COINr's ``RankStats``).
        """
        k = self.k if k is None else k
        t = self._check()
        idx = pd.Index(self.units, name="uCode")
        q = t.rank_quantiles([0.5, 0.05, 0.95])
        df = pd.DataFrame({
            "name": self.names, "nominal_rank": self.nominal_rank,
            "nominal_score": self.nominal_score,
            "median_rank": q[0], "rank_p05": q[1], "rank_p95": q[2],
            "p_top3": t.p_top(3),
        }, index=idx)
        if k != 3:
            df[f"p_top{k}"] = t.p_top(k)
        df["score_mean"], df["score_p05"], df["score_p95"] = t.score_stats()
        df["mean_abs_shift"] = t.mean_abs_shift(self.nominal_rank)
        return df.sort_values(["median_rank", "nominal_rank"], kind="stable")

    def to_dict(self) -> dict[str, Any]:
        """The summary and one record per unit (``to_frame()``), JSON-safe."""
        from aigap.jsonsafe import json_safe

        return json_safe({**self.summary(), "units": self.to_frame().reset_index()})  # type: ignore[no-any-return]

    def summary(self) -> dict[str, Any]:
        return {"spec": self.spec_name, "n": self.n, "n_failed": self.n_failed,
                "seed": self.seed, "k": self.k, "mean_abs_shift": self.mean_abs_shift,
                "factors": {f.name: list(f.labels) or f"{f.dims} weights" for f in self.factors},
                "uncertainty": self.uncertainty.name if self.uncertainty else None,
                "warnings": self.warnings, "timings": self.timings}
