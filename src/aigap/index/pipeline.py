"""Run a compiled plan over input frames: the steps in order (pure NumPy) -> IndexResult.

:func:`build_index` loads a spec's inputs (:mod:`aigap.index.inputs`), compiles it
(:func:`aigap.index.plan.resolve`) and runs the plan year by year. Each step kind has one
runner in :data:`RUNNERS`; a runner picks the step's columns and context and calls the step's
registered method, so adding a method never touches this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aigap.errors import SpecError
from aigap.index.inputs import Frames, load_data, split_years
from aigap.index.methods.screen import screen_indicators, screen_units
from aigap.index.methods.treat import TreatInfo
from aigap.index.plan import Aggregation, Framework, Plan, PlanStep, resolve
from aigap.index.result import IndexResult, PanelResult
from aigap.index.spec import AggregateStep, Spec, load_spec

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
    plan = resolve(sp, meta)
    provenance = data.attrs.get("provenance")  # warehouse data: year, source, flags per cell
    frames = split_years(data, sp.data.year if year is None else year)
    results = run(plan, frames)
    if isinstance(provenance, pd.DataFrame):
        for y, res in results.items():
            res.provenance = provenance[provenance["Time"] == y].drop(columns="Time")
    if len(results) == 1 and (year is not None or not sp.data.panel):
        return next(iter(results.values()))
    if year is not None:
        return results[year]
    return PanelResult(sp, results)


def build_latest(spec: str | Path | Spec, **kw: Any) -> IndexResult:
    """:func:`build_index`, taking the latest year when the spec is a panel."""
    res = build_index(spec, **kw)
    return res[res.years[-1]] if isinstance(res, PanelResult) else res


def run_year(plan: Plan, frames: Frames, year: int | None) -> IndexResult:
    """One year's build; the whole panel is run only when normalisation pools years."""
    pooled = plan.normalise.step.global_panel and len(frames) > 1
    return run(plan, frames if pooled else {year: frames[year]})[year]


# --------------------------------------------------------------------------- the run


@dataclass
class State:
    """One year's data as it moves through the steps.

    ``record=False`` (many sampled data sets at once) keeps no data sets, log or fitted state.
    """

    year: int | None
    frame: pd.DataFrame  # the input (for groups, denominators, names), rows = units kept
    units: list[str]
    fw: Framework
    X: np.ndarray
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)
    log: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    fitted: dict[str, Any] = field(default_factory=dict)
    record: bool = True

    def save(self, name: str) -> None:
        if self.record:
            self.datasets[name] = pd.DataFrame(self.X.copy(),
                                               index=pd.Index(self.units, name="uCode"),
                                               columns=list(self.fw.indicators))


def run(plan: Plan, frames: Frames) -> dict[int | None, IndexResult]:
    """Apply the plan to each year; normalisation may pool years (``global_panel``)."""
    states = [_prepare(plan, y, f) for y, f in frames.items()]
    for s in states:
        for ps in plan.before:
            RUNNERS[ps.kind](ps, s, plan)
    _normalise(plan.normalise, states)
    agg = plan.aggregation
    out: dict[int | None, IndexResult] = {}
    for s in states:
        for ps in plan.after:
            RUNNERS[ps.kind](ps, s, plan)
        _check_weights(s.fw, plan.spec.name)
        A = agg.tree(s.X, s.fw)
        s.datasets["Aggregated"] = pd.DataFrame(
            np.hstack([s.X, A]), index=pd.Index(s.units, name="uCode"),
            columns=[*s.fw.indicators, *s.fw.aggregates])
        names = {}
        if "uName" in s.frame.columns:
            names = dict(zip(s.frame.index.astype(str), s.frame["uName"].astype(str), strict=True))
        out[s.year] = IndexResult(spec=plan.spec, framework=s.fw, datasets=s.datasets,
                                  treatment_log=s.log, aggregation=agg.step, unit_names=names,
                                  year=s.year, warnings=s.warnings, fitted=s.fitted)
    return out


# steps that select units or set weights: frozen when many sampled data sets are scored
FROZEN = frozenset({"screen", "weight"})


def transform(plan: Plan, X: np.ndarray, fw: Framework, frame: pd.DataFrame,
              units: list[str]) -> np.ndarray:
    """Normalised values of ``X`` (units x ``fw.indicators``) with units and weights frozen.

    Runs the plan's value steps (denominate, impute, treat) and its normalisation, recording
    nothing. Column-wise, so B sampled data sets go in at once as one (units, B * p) matrix
    with the framework's indicators tiled B times.
    """
    s = State(year=None, frame=frame, units=units, fw=fw, X=X, record=False)
    for ps in plan.before:
        if ps.kind not in FROZEN:
            RUNNERS[ps.kind](ps, s, plan)
    return normalise_matrix(s.X, plan.normalise, fw, units)


def _prepare(plan: Plan, year: int | None, frame: pd.DataFrame) -> State:
    spec, fw = plan.spec, plan.framework
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
    s = State(year=year, frame=frame, units=list(frame.index), fw=fw, X=X)
    s.save("Raw")
    return s


def _yr(year: int | None) -> str:
    return "" if year is None else f" (year {year})"


# --------------------------------------------------------------------------- step runners


def _denominate(ps: PlanStep, s: State, plan: Plan) -> None:
    """COINr ``Denominate``: each listed indicator over its denominator / scale factor; the
    other indicators are left as they are."""
    step = ps.step
    D = np.ones_like(s.X)
    used = np.zeros(s.X.shape[1], dtype=bool)
    cols = step.indicators or (list(s.fw.indicators) if step.by != "meta" else [])
    for j, code in enumerate(s.fw.indicators):
        den = s.fw.denominator.get(code) if step.by == "meta" else (
            step.by if code in cols else None)
        if den is None or (step.by == "meta" and step.indicators and code not in cols):
            continue
        if den not in s.frame.columns:
            raise SpecError(f"denominate: denominator column {den!r} (for {code}) not in "
                            "the data")
        D[:, j] = s.frame[den].to_numpy(dtype=float) / step.scales.get(code, step.scale)
        used[j] = True
    s.X = np.where(used, ps(s.X, D), s.X)
    if s.record:
        # raw = denominated * factor (1 where not denominated or the denominator is unusable)
        ok = used & np.isfinite(D) & (D != 0)
        factor = pd.DataFrame(np.where(ok, ps.option("factor", D), 1.0),
                              index=pd.Index(s.units), columns=list(s.fw.indicators))
        prev = s.fitted.get("denominate")
        s.fitted["denominate"] = factor if prev is None else factor * prev.reindex_like(factor)
    s.save("Denominated")


def _screen(ps: PlanStep, s: State, plan: Plan) -> None:
    step = ps.step
    keep = screen_units(s.X, step.unit_thresh, step.nonzero_thresh)
    idx = pd.Index(s.units)
    keep |= idx.isin(step.force_include)
    keep &= ~idx.isin(step.force_exclude)
    if not keep.any():
        raise SpecError(f"screen: no unit has enough data{_yr(s.year)}")
    s.X, s.frame = s.X[keep], s.frame.loc[keep]
    s.units = list(s.frame.index)
    if step.indicator_thresh is not None:
        kcol = screen_indicators(s.X, step.indicator_thresh)
        dropped = [c for c, k in zip(s.fw.indicators, kcol, strict=True) if not k]
        if dropped:
            s.warnings.append(f"screen dropped indicator(s) {dropped}")
            s.fw = s.fw.prune([c for c in s.fw.indicators if c not in dropped])
            s.X = s.X[:, kcol]  # earlier data sets keep every indicator, for the record
    s.save("Screened")


def _impute(ps: PlanStep, s: State, plan: Plan) -> None:
    step = ps.step
    groups = None
    if step.group:
        if step.group not in s.frame.columns:
            raise SpecError(f"impute: group column {step.group!r} not in the data")
        groups = s.frame[step.group].to_numpy(dtype=object)
    s.X = ps(s.X, groups=groups)
    s.save("Imputed")


def _treat(ps: PlanStep, s: State, plan: Plan) -> None:
    step = ps.step
    codes = s.fw.indicators
    chosen = set(step.indicators or codes) - set(step.exclude)
    cols = np.array([j for j, c in enumerate(codes) if c in chosen], dtype=int)
    s.X, log = ps(s.X, cols)
    if s.record:
        s.log = _treat_log(log, codes, s.units)
        s.fitted["treat"] = {codes[j]: info for j, info in log.items()}
    s.save("Treated")


def _weight(ps: PlanStep, s: State, plan: Plan) -> None:
    s.fw = ps(X=s.X, framework=s.fw, aggregation=plan.aggregation)


Runner = Callable[[PlanStep, State, Plan], None]
RUNNERS: dict[str, Runner] = {"denominate": _denominate, "screen": _screen, "impute": _impute,
                              "treat": _treat, "weight": _weight}


def _treat_log(log: dict[int, TreatInfo], codes: list[str], units: list[str]) -> pd.DataFrame:
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


def normalise_matrix(X: np.ndarray, ps: PlanStep, fw: Framework, units: list[str]
                     ) -> np.ndarray:
    """Normalise with directions applied as COINr does (x * direction, then the method);
    indicators with their own parameters (``per_indicator``) are normalised with those."""
    d = _directions(fw)
    groups = ps.column_groups(fw.indicators)
    if len(groups) == 1:
        return ps(X * d, codes=fw.indicators, direction=d, units=units, framework=fw)
    out = np.empty_like(X, dtype=float)
    for gps, idx in groups:
        out[:, idx] = gps(X[:, idx] * d[idx], codes=[fw.indicators[j] for j in idx],
                          direction=d[idx], units=units, framework=fw)
    return out


def _directions(fw: Framework) -> np.ndarray:
    return np.array([fw.direction[c] for c in fw.indicators], dtype=float)


def _fit_normalise(X: np.ndarray, ps: PlanStep, fw: Framework, units: list[str]
                   ) -> pd.DataFrame | None:
    """The fitted affine map ``normalised = a * input + b`` per indicator (None: not affine)."""
    if ps.method is None or ps.method.option("affine") is None:
        return None
    d = _directions(fw)
    a, b = np.full(len(d), np.nan), np.full(len(d), np.nan)
    for gps, idx in ps.column_groups(fw.indicators):
        ga, gb = gps.option("affine", X[:, idx] * d[idx], codes=[fw.indicators[j] for j in idx],
                            direction=d[idx], units=units, framework=fw)
        a[idx], b[idx] = np.asarray(ga, dtype=float), np.asarray(gb, dtype=float)
    return pd.DataFrame({"a": a * d, "b": b}, index=pd.Index(fw.indicators, name="iCode"))


def _normalise(ps: PlanStep, states: list[State]) -> None:
    if ps.step.global_panel and len(states) > 1:
        common = [c for c in states[0].fw.indicators
                  if all(c in s.fw.indicators for s in states)]
        for s in states:
            if s.fw.indicators != common:
                cols = [s.fw.indicators.index(c) for c in common]
                s.fw, s.X = s.fw.prune(common), s.X[:, cols]
        stacked = np.vstack([s.X for s in states])
        units = [u for s in states for u in s.units]
        reason = ps.method.option("no_pool") if ps.method is not None else None
        if reason:
            raise SpecError(f"normalise: {ps.method.name} cannot pool a panel "  # type: ignore[union-attr]
                            f"({reason}); set global_panel: false")
        N = normalise_matrix(stacked, ps, states[0].fw, units)
        fitted = _fit_normalise(stacked, ps, states[0].fw, units)
        start = 0
        for s in states:
            s.X = N[start:start + len(s.units)]
            start += len(s.units)
            s.fitted["normalise"] = fitted
            s.save("Normalised")
        return
    for s in states:
        s.fitted["normalise"] = _fit_normalise(s.X, ps, s.fw, s.units)
        s.X = normalise_matrix(s.X, ps, s.fw, s.units)
        constant = [c for c, ok in zip(s.fw.indicators, np.isnan(s.X).all(axis=0), strict=True)
                    if ok]
        if constant:
            s.warnings.append(f"normalised to all-NaN (constant or empty): {constant}")
        s.save("Normalised")


# --------------------------------------------------------------------------- aggregate


def _check_weights(fw: Framework, name: str) -> None:
    """An aggregate whose children all weigh 0 has no score: say which, at which level."""
    for level in range(2, fw.n_levels + 1):
        _kids, parents, W = fw.membership(level)
        # a sum, not a sign: PCA's signed loadings (COINr) can weigh a whole group negatively
        dead = [p for p, total in zip(parents, W.sum(axis=0), strict=True)
                if total == 0 or np.isnan(total)]
        if dead:
            raise SpecError(f"spec {name!r}: the weights of the children of {dead[:5]} (level "
                            f"{level}) are all zero, so they have no score; give at least one "
                            "child a positive weight")


def aggregate_tree(X: np.ndarray, fw: Framework, agg: AggregateStep | Aggregation | str,
                   upto: int | None = None) -> np.ndarray:
    """All aggregates (columns in ``fw.aggregates`` order) from normalised indicators ``X``."""
    return Aggregation.of(agg).tree(X, fw, upto)
