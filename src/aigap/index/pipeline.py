"""Run a spec: load data (edge I/O), apply the steps (pure NumPy), collect an IndexResult.

Data enters as a wide DataFrame per year: index = unit code, one column per indicator, plus
optional group columns (for group imputation), denominator columns and ``uName``. Sources are
looked up in :data:`DATA_SOURCES`; the warehouse registers itself there (or pass ``data=``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from aigap.errors import SpecError
from aigap.index import steps as st
from aigap.index.result import IndexResult, PanelResult
from aigap.index.spec import (
    AggregateStep,
    DenominateStep,
    Framework,
    ImputeStep,
    NormaliseStep,
    ScreenStep,
    Spec,
    TreatStep,
    WeightStep,
    load_spec,
    resolve,
)

# A loader returns (wide frame with a "Time" column, or None for a single year; iMeta or None).
Loader = Callable[[Spec, Path | None], tuple[pd.DataFrame, pd.DataFrame | None]]
DATA_SOURCES: dict[str, Loader] = {}


def register_data_source(name: str, loader: Loader) -> None:
    """Let another module (e.g. the warehouse) provide data for ``data: {source: name}``."""
    DATA_SOURCES[name] = loader


def _load_asem(spec: Spec, data_dir: Path | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    from aigap.data.sources.coinr_asem import read_asem

    idata, imeta = read_asem(data_dir, panel=spec.data.panel)
    return idata.set_index("uCode"), imeta


register_data_source("asem", _load_asem)


# --------------------------------------------------------------------------- entry points


def build_index(spec: str | Path | Spec, data: pd.DataFrame | None = None, *,
                year: int | None = None, meta: pd.DataFrame | None = None,
                data_dir: Path | None = None) -> IndexResult | PanelResult:
    """Build an index from a shipped spec name, a YAML path or a :class:`Spec`.

    ``data`` (index = unit code; optional ``Time`` column for panels) overrides the spec's data
    source. A panel (several years) returns a :class:`PanelResult` unless ``year`` picks one
    year (still computed within the panel, so panel-wide normalisation is honoured).
    """
    sp = load_spec(spec)
    if year is not None and data is None and sp.data.source == "warehouse" and not sp.data.panel:
        # a warehouse spec is built for any year asked: values in [year - window, year]
        sp = sp.model_copy(update={"data": sp.data.model_copy(update={"year": year})})
    data, meta = load_data(sp, data, meta, data_dir)
    fw = resolve(sp, meta)
    frames = split_years(data, sp.data.year if year is None else year)
    results = run(sp, fw, frames)
    if len(results) == 1 and (year is not None or not sp.data.panel):
        return next(iter(results.values()))
    if year is not None:
        return results[year]
    return PanelResult(sp, results)


def load_data(sp: Spec, data: pd.DataFrame | None = None, meta: pd.DataFrame | None = None,
              data_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The spec's input frame and iMeta-style structure: ``data`` if given, else its source."""
    if data is None:
        src = sp.data.source
        if src not in DATA_SOURCES:
            raise SpecError(f"spec {sp.name!r}: data source {src!r} unavailable: pass data= "
                            "(a wide DataFrame units x indicators)")
        data, loaded_meta = DATA_SOURCES[src](sp, data_dir)
        return data, meta if meta is not None else loaded_meta
    if sp.structure is not None and meta is None:
        from aigap.data.sources.coinr_asem import read_asem

        meta = read_asem(data_dir)[1]
    return data, meta


def build_latest(spec: str | Path | Spec, **kw: Any) -> IndexResult:
    """:func:`build_index`, taking the latest year when the spec is a panel."""
    res = build_index(spec, **kw)
    return res[res.years[-1]] if isinstance(res, PanelResult) else res


def split_years(data: pd.DataFrame, year: int | None) -> dict[int | None, pd.DataFrame]:
    tcol = next((c for c in ("Time", "year") if c in data.columns), None)
    if tcol is None:
        if year is not None:
            raise SpecError(f"year {year} asked for, but the data have no Time/year column")
        return {None: data}
    years = sorted(int(y) for y in pd.unique(data[tcol].dropna()))
    if year is not None and year not in years:
        raise SpecError(f"no data for year {year}; years available: {years}")
    # every year is kept: panel-wide normalisation needs them all; build_index picks the year
    return {int(y): g.drop(columns=tcol) for y, g in data.groupby(tcol)}


# --------------------------------------------------------------------------- the run


@dataclass
class _State:
    """One year's data as it moves through the steps."""

    year: int | None
    frame: pd.DataFrame  # the input (for groups, denominators, names), rows = units kept
    units: list[str]
    fw: Framework
    X: np.ndarray
    datasets: dict[str, pd.DataFrame]
    log: pd.DataFrame
    warnings: list[str]

    def save(self, name: str) -> None:
        self.datasets[name] = pd.DataFrame(self.X.copy(), index=pd.Index(self.units, name="uCode"),
                                           columns=list(self.fw.indicators))


def run(spec: Spec, fw: Framework, frames: dict[int | None, pd.DataFrame]
        ) -> dict[int | None, IndexResult]:
    """Apply the steps to each year; normalisation may pool years (``global_panel``)."""
    k_norm = next(i for i, s in enumerate(spec.steps) if isinstance(s, NormaliseStep))
    k_agg = max(i for i, s in enumerate(spec.steps) if isinstance(s, AggregateStep))
    if k_agg != len(spec.steps) - 1:
        raise SpecError(f"spec {spec.name!r}: 'aggregate' must be the last step")
    for i, s in enumerate(spec.steps):
        if i < k_norm and not isinstance(s, DenominateStep | ScreenStep | ImputeStep | TreatStep
                                         | WeightStep):
            raise SpecError(f"steps[{i}] ({s.step}) must come after 'normalise'")
        if i > k_norm and not isinstance(s, WeightStep | AggregateStep):
            raise SpecError(f"steps[{i}] ({s.step}) must come before 'normalise'")
        if i < k_norm and isinstance(s, WeightStep) and s.method in ("pca", "optimised"):
            raise SpecError(f"steps[{i}] (weight {s.method}) needs normalised data: put it "
                            "after 'normalise'")
    states = [_prepare(spec, fw, y, f) for y, f in frames.items()]
    for s in states:
        for step in spec.steps[:k_norm]:
            _apply_pre(step, s)
    norm: NormaliseStep = spec.steps[k_norm]  # type: ignore[assignment]
    _normalise(norm, states)
    agg: AggregateStep = spec.steps[k_agg]  # type: ignore[assignment]
    out: dict[int | None, IndexResult] = {}
    for s in states:
        for step in spec.steps[k_norm + 1:k_agg]:
            s.fw = _weights(step, s, agg)  # type: ignore[arg-type]
        A = aggregate_tree(s.X, s.fw, agg)
        aggd = pd.DataFrame(np.hstack([s.X, A]), index=pd.Index(s.units, name="uCode"),
                            columns=[*s.fw.indicators, *s.fw.aggregates])
        s.datasets["Aggregated"] = aggd
        names = {}
        if "uName" in s.frame.columns:
            names = dict(zip(s.frame.index.astype(str), s.frame["uName"].astype(str), strict=True))
        out[s.year] = IndexResult(spec=spec, framework=s.fw, datasets=s.datasets,
                                  treatment_log=s.log, aggregation=agg, unit_names=names,
                                  year=s.year, warnings=s.warnings)
    return out


def _prepare(spec: Spec, fw: Framework, year: int | None, frame: pd.DataFrame) -> _State:
    frame = frame.copy()
    frame.index = frame.index.astype(str)
    if frame.index.duplicated().any():
        dup = frame.index[frame.index.duplicated()][0]
        raise SpecError(f"unit {dup!r} appears twice in the data{_yr(year)}")
    inc, exc = spec.units.include, spec.units.exclude
    unknown = sorted(set(inc) - set(frame.index))
    if unknown:
        raise SpecError(f"units.include: unknown unit(s) {unknown}{_yr(year)}")
    if spec.units.groups:
        from aigap.data.countries import group_members

        members = {m for g in spec.units.groups for m in group_members(g)}
        inc = [*inc, *sorted(members & set(frame.index) - set(inc))]
    if inc:
        frame = frame.loc[[u for u in frame.index if u in set(inc)]]
    if exc:
        frame = frame.loc[~frame.index.isin(exc)]
    missing = [c for c in fw.indicators if c not in frame.columns]
    if missing:
        raise SpecError(f"spec {spec.name!r}: indicator(s) not in the data: {missing[:8]}"
                        f"{' ...' if len(missing) > 8 else ''}")
    try:
        X = frame[fw.indicators].to_numpy(dtype=float)
    except (TypeError, ValueError) as exc_:
        raise SpecError(f"non-numeric indicator data{_yr(year)}: {exc_}") from None
    s = _State(year=year, frame=frame, units=list(frame.index), fw=fw, X=X, datasets={},
               log=pd.DataFrame(), warnings=[])
    s.save("Raw")
    return s


def _yr(year: int | None) -> str:
    return "" if year is None else f" (year {year})"


def _apply_pre(step: object, s: _State) -> None:
    if isinstance(step, DenominateStep):
        D = np.ones_like(s.X)
        cols = step.indicators or (list(s.fw.indicators) if step.by != "meta" else [])
        for j, code in enumerate(s.fw.indicators):
            den = s.fw.denominator.get(code) if step.by == "meta" else (
                step.by if code in cols else None)
            if den is None:
                continue
            if den not in s.frame.columns:
                raise SpecError(f"denominate: denominator column {den!r} (for {code}) not in "
                                "the data")
            D[:, j] = s.frame[den].to_numpy(dtype=float)
        s.X = st.denominate(s.X, D, step.scale)
        s.save("Denominated")
    elif isinstance(step, ScreenStep):
        keep = st.screen_units(s.X, step.unit_thresh, step.nonzero_thresh)
        idx = pd.Index(s.units)
        keep |= idx.isin(step.force_include)
        keep &= ~idx.isin(step.force_exclude)
        if not keep.any():
            raise SpecError(f"screen: no unit has enough data{_yr(s.year)}")
        s.X, s.frame = s.X[keep], s.frame.loc[keep]
        s.units = list(s.frame.index)
        if step.indicator_thresh is not None:
            kcol = st.screen_indicators(s.X, step.indicator_thresh)
            dropped = [c for c, k in zip(s.fw.indicators, kcol, strict=True) if not k]
            if dropped:
                s.warnings.append(f"screen dropped indicator(s) {dropped}")
                s.fw = s.fw.prune([c for c in s.fw.indicators if c not in dropped])
                s.X = s.X[:, kcol]  # earlier data sets keep every indicator, for the record
        s.save("Screened")
    elif isinstance(step, ImputeStep):
        groups = None
        if step.group:
            if step.group not in s.frame.columns:
                raise SpecError(f"impute: group column {step.group!r} not in the data")
            groups = s.frame[step.group].to_numpy(dtype=object)
        s.X = st.impute(s.X, step.method, groups)
        s.save("Imputed")
    elif isinstance(step, TreatStep):
        codes = s.fw.indicators
        chosen = [c for c in (step.indicators or codes) if c not in set(step.exclude)]
        cols = np.array([codes.index(c) for c in chosen if c in codes], dtype=int)
        params = dict(winmax=step.winmax, skew_thresh=step.skew_thresh,
                      kurt_thresh=step.kurt_thresh, force_win=step.force_win, f2=step.f2,
                      combine=step.combine)
        s.X, log = st.treat(s.X, cols, **params)
        s.log = _treat_log(log, codes, s.units)
        s.save("Treated")
    elif isinstance(step, WeightStep):
        s.fw = _weights(step, s, None)


def _treat_log(log: dict[int, st.TreatInfo], codes: list[str], units: list[str]) -> pd.DataFrame:
    recs = []
    for j, info in sorted(log.items()):
        recs.append({
            "iCode": codes[j], "treatment": info.treatment, "n_winsorised": info.n_winsorised,
            "winsorised_high": ",".join(units[i] for i in info.win_high),
            "winsorised_low": ",".join(units[i] for i in info.win_low),
            "skew0": info.skew0, "kurt0": info.kurt0, "pass0": info.passed0,
            "skew1": info.skew1, "kurt1": info.kurt1, "pass1": info.passed1,
            "skew2": info.skew2, "kurt2": info.kurt2, "pass2": info.passed2,
        })
    return pd.DataFrame(recs)


# --------------------------------------------------------------------------- normalise


def normalise_matrix(X: np.ndarray, step: NormaliseStep, fw: Framework,
                     units: list[str]) -> np.ndarray:
    """Normalise with directions applied as COINr does (x * direction, then the method)."""
    d = np.array([fw.direction[c] for c in fw.indicators], dtype=float)
    m = step.method
    if m == "goalposts":
        lo = np.array([step.goalposts[c][0] for c in fw.indicators])
        hi = np.array([step.goalposts[c][1] for c in fw.indicators])
        return st.n_goalposts(X, lo, hi, d, step.scale, step.trunc)
    Xd = X * d
    if m == "minmax":
        return st.n_minmax(Xd, step.l, step.u)
    if m == "zscore":
        return st.n_zscore(Xd, step.mean, step.sd)
    if m == "rank":
        return st.n_rank(Xd)
    if m == "prank":
        return st.n_prank(Xd)
    if m == "borda":
        return st.n_borda(Xd)
    if m == "dist2max":
        return st.n_dist2max(Xd) * step.scale
    if m == "dist2ref":
        if step.ref_unit not in units:
            raise SpecError(f"normalise: ref_unit {step.ref_unit!r} is not among the units")
        return st.n_dist2ref(Xd, units.index(step.ref_unit), step.cap_max) * step.scale
    if m == "dist2targ":
        tg = step.targets if isinstance(step.targets, dict) else fw.target
        miss = [c for c in fw.indicators if tg.get(c) is None]
        if miss:
            raise SpecError(f"normalise dist2targ: no target for {miss[:5]}")
        t = np.array([tg[c] for c in fw.indicators], dtype=float) * d
        return st.n_dist2targ(Xd, t, step.cap_max) * step.scale
    if m == "fracmax":
        return st.n_fracmax(Xd) * step.scale
    return Xd  # "none"


def _normalise(step: NormaliseStep, states: list[_State]) -> None:
    if step.global_panel and len(states) > 1:
        common = [c for c in states[0].fw.indicators
                  if all(c in s.fw.indicators for s in states)]
        for s in states:
            if s.fw.indicators != common:
                cols = [s.fw.indicators.index(c) for c in common]
                s.fw, s.X = s.fw.prune(common), s.X[:, cols]
        stacked = np.vstack([s.X for s in states])
        units = [u for s in states for u in s.units]
        if step.method == "dist2ref":
            raise SpecError("normalise: dist2ref cannot pool a panel (the reference unit repeats "
                            "each year); set global_panel: false")
        N = normalise_matrix(stacked, step, states[0].fw, units)
        start = 0
        for s in states:
            s.X = N[start:start + len(s.units)]
            start += len(s.units)
            s.save("Normalised")
        return
    for s in states:
        s.X = normalise_matrix(s.X, step, s.fw, s.units)
        constant = [c for c, ok in zip(s.fw.indicators, np.isnan(s.X).all(axis=0), strict=True)
                    if ok]
        if constant:
            s.warnings.append(f"normalised to all-NaN (constant or empty): {constant}")
        s.save("Normalised")


# --------------------------------------------------------------------------- aggregate


def aggregate_tree(X: np.ndarray, fw: Framework, agg: AggregateStep,
                   upto: int | None = None) -> np.ndarray:
    """All aggregates (columns in ``fw.aggregates`` order) from normalised indicators ``X``."""
    pos = {c: j for j, c in enumerate(fw.indicators)}
    vals = [X]
    ncols = X.shape[1]
    top = fw.n_levels if upto is None else upto
    for level in range(2, top + 1):
        kids, parents, W = fw.membership(level)
        allv = np.hstack(vals)
        K = allv[:, [pos[k] for k in kids]]
        try:
            Y = st.aggregate(K, W, agg.method_for(level), agg.dat_thresh)
        except ValueError as exc:
            raise SpecError(f"aggregate level {level}: {exc}") from None
        for j, p in enumerate(parents):
            pos[p] = ncols + j
        ncols += len(parents)
        vals.append(Y)
    allv = np.hstack(vals)
    return allv[:, [pos[a] for a in fw.aggregates if a in pos]]


# --------------------------------------------------------------------------- weights


def _weights(step: WeightStep, s: _State, agg: AggregateStep | None) -> Framework:
    fw = s.fw
    levels = step.levels or list(range(2, fw.n_levels + 1))
    if step.method == "manual":
        return fw.with_weights({k: v for k, v in step.weights.items() if k in fw.weight})
    if step.method == "equal":
        return fw.with_weights({c: 1.0 for lv in levels for c in fw.membership(lv)[0]})
    if agg is None:
        agg = AggregateStep(step="aggregate")
    if step.method == "pca":
        for lv in sorted(step.levels or [2]):
            fw = fw.with_weights(_pca_weights(s.X, fw, agg, lv))
        return fw
    lv = (step.levels or [fw.n_levels])[0]
    return fw.with_weights(_opt_weights(s.X, fw, agg, lv, step.target))


def _children_values(X: np.ndarray, fw: Framework, agg: AggregateStep, level: int
                     ) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    kids, parents, W = fw.membership(level)
    if level == 2:
        V = X[:, [fw.indicators.index(k) for k in kids]]
    else:
        A = aggregate_tree(X, fw, agg, upto=level - 1)
        have = [a for a in fw.aggregates if fw.level[a] <= level - 1]
        V = A[:, [have.index(k) for k in kids]]
    return kids, parents, W, V


def _pca_weights(X: np.ndarray, fw: Framework, agg: AggregateStep, level: int
                 ) -> dict[str, float]:
    """Squared loadings of the first principal component of each group's children.

    Uses the correlation matrix of complete rows; squared loadings sum to 1 and are never
    negative (raw PC1 loadings can be). Groups with one child keep weight 1.
    """
    kids, parents, _W, V = _children_values(X, fw, agg, level)
    out: dict[str, float] = {}
    for p in parents:
        idx = np.array([i for i, k in enumerate(kids) if fw.parent[k] == p])
        if idx.size == 1:
            out[kids[idx[0]]] = 1.0
            continue
        sub = V[:, idx]
        sub = sub[~np.isnan(sub).any(axis=1)]
        if sub.shape[0] < 3:
            raise SpecError(f"pca weights: fewer than 3 complete units in {p!r}")
        sd = sub.std(axis=0, ddof=1)
        C = np.corrcoef(sub[:, sd > 0], rowvar=False) if (sd > 0).sum() > 1 else np.ones((1, 1))
        vecs = np.linalg.eigh(np.atleast_2d(C))[1]
        load = np.zeros(idx.size)
        load[sd > 0] = vecs[:, -1] ** 2
        for i, w in zip(idx, load, strict=True):
            out[kids[i]] = float(w)
    return out


def _opt_weights(X: np.ndarray, fw: Framework, agg: AggregateStep, level: int,
                 target: dict[str, float] | str) -> dict[str, float]:
    """Weights of the children of ``level``'s aggregates so each child's correlation with its
    parent matches the target (relative) correlations, as COINr's ``get_opt_weights``
    (``optype = "balance"``): minimise sum((c/sum c - t/sum t)^2) over positive weights."""
    kids, parents, _W, V = _children_values(X, fw, agg, level)
    method = agg.method_for(level)
    out: dict[str, float] = {}
    for p in parents:
        idx = np.array([i for i, k in enumerate(kids) if fw.parent[k] == p])
        if idx.size == 1:
            out[kids[idx[0]]] = 1.0
            continue
        sub = V[:, idx]
        tg = {} if isinstance(target, str) else target
        t = np.array([float(tg.get(kids[i], 1.0)) for i in idx])
        t = t / t.sum()

        def loss(theta: np.ndarray, sub: np.ndarray = sub, t: np.ndarray = t) -> float:
            w = np.exp(theta)
            y = st.aggregate(sub, w[:, None], method)[:, 0]
            c = np.array([_corr(sub[:, i], y) for i in range(sub.shape[1])])
            if np.any(np.isnan(c)) or c.sum() == 0:
                return 1e6
            return float(np.sum((c / c.sum() - t) ** 2))

        res = minimize(loss, np.zeros(idx.size), method="Nelder-Mead",
                       options={"xatol": 1e-6, "fatol": 1e-12, "maxiter": 4000})
        w = np.exp(res.x)
        w = w / w.sum()
        for i, wi in zip(idx, w, strict=True):
            out[kids[i]] = float(wi)
    return out


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])
