"""The compiled plan of a spec: the checked tree, its weights and the resolved method of every step.

:func:`resolve` turns a validated :class:`~aigap.index.spec.Spec` into a :class:`Plan`: the
:class:`Framework` (tree, levels, weights, directions), the steps before normalisation, the
normalisation, the weight steps after it and the :class:`Aggregation` (one registered method
per level), each with its method looked up in :mod:`aigap.index.methods` and its parameters
bound. Everything that needs the spec and the tree together is checked here, so the pipeline
only runs the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from aigap.errors import SpecError
from aigap.index.methods import registry
from aigap.index.methods.aggregate import aggregate, quasi_mean
from aigap.index.methods.registry import Method
from aigap.index.spec import AggregateSpec, AggregateStep, IndicatorSpec, NormaliseStep, Spec

# --------------------------------------------------------------------------- framework


@dataclass
class Framework:
    """The checked index tree. Level 1 = indicators; the single top aggregate is the index."""

    indicators: list[str]
    aggregates: list[str]  # ordered by level, then spec order
    level: dict[str, int]
    parent: dict[str, str | None]
    weight: dict[str, float]
    direction: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    denominator: dict[str, str | None] = field(default_factory=dict)
    target: dict[str, float | None] = field(default_factory=dict)

    @property
    def n_levels(self) -> int:
        return max(self.level.values())

    @property
    def root(self) -> str:
        return self.aggregates[-1]

    def children(self, code: str) -> list[str]:
        return [c for c in (*self.indicators, *self.aggregates) if self.parent.get(c) == code]

    def at_level(self, level: int) -> list[str]:
        if level == 1:
            return list(self.indicators)
        return [a for a in self.aggregates if self.level[a] == level]

    def membership(self, level: int) -> tuple[list[str], list[str], np.ndarray]:
        """Children codes, aggregate codes of ``level`` and the weight matrix (children x aggs).

        Children of a level-``k`` aggregate are all nodes whose parent it is (normally level k-1).
        """
        parents = self.at_level(level)
        kids = [c for c in (*self.indicators, *self.aggregates) if self.parent.get(c) in parents]
        pos = {p: j for j, p in enumerate(parents)}
        w = np.zeros((len(kids), len(parents)))
        for i, c in enumerate(kids):
            w[i, pos[self.parent[c]]] = self.weight[c]
        return kids, parents, w

    def members(self, level: int) -> np.ndarray:
        """The tree of ``level`` as a 0/1 matrix (children x aggregates, as
        :meth:`membership`): a zero-weight child is still a member (COINr's ``dat_thresh``)."""
        kids, parents, _w = self.membership(level)
        pos = {p: j for j, p in enumerate(parents)}
        m = np.zeros((len(kids), len(parents)))
        for i, c in enumerate(kids):
            m[i, pos[self.parent[c]]] = 1.0  # type: ignore[index]
        return m

    def path(self, code: str) -> list[str]:
        """Ancestors of ``code`` from its parent up to the root."""
        out, p = [], self.parent.get(code)
        while p is not None:
            out.append(p)
            p = self.parent.get(p)
        return out

    def with_weights(self, weights: dict[str, float]) -> Framework:
        """A copy with some weights replaced."""
        unknown = sorted(set(weights) - set(self.weight))
        if unknown:
            raise SpecError(f"weights given for unknown code(s) {unknown}")
        new = dict(self.weight)
        new.update(weights)
        return replace(self, weight=new)

    def prune(self, keep: Iterable[str]) -> Framework:
        """Drop indicators not in ``keep`` and aggregates left without children."""
        keep_set = set(keep)
        inds = [i for i in self.indicators if i in keep_set]
        alive = set(inds)
        aggs: list[str] = []
        for a in self.aggregates:  # ordered bottom-up, so children are decided first
            if any(self.parent.get(c) == a for c in alive):
                aggs.append(a)
                alive.add(a)
        if not inds or self.root not in alive:
            raise SpecError("screening removed every indicator")
        return replace(self, indicators=inds, aggregates=aggs)


def framework_from_imeta(meta: pd.DataFrame) -> Framework:
    """The tree from a COINr-style iMeta table (Type Indicator / Aggregate rows)."""
    rows = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    inds = [
        IndicatorSpec(code=r.iCode, name=r.iName or r.iCode, parent=r.Parent or "",
                      direction=int(r.Direction), weight=float(r.Weight),
                      denominator=r.Denominator or None, unit=r.Unit or "",
                      target=None if pd.isna(r.Target) else float(r.Target))
        for r in rows[rows["Type"] == "Indicator"].itertuples()
    ]
    aggs = [
        AggregateSpec(code=r.iCode, name=r.iName or r.iCode, parent=r.Parent or None,
                      weight=float(r.Weight), level=int(r.Level))
        for r in rows[rows["Type"] == "Aggregate"].itertuples()
    ]
    return build_framework(inds, aggs, source="iMeta")


def build_framework(indicators: list[IndicatorSpec], aggregates: list[AggregateSpec],
                    source: str = "spec") -> Framework:
    """Check the tree (unique codes, known parents, no cycles, one root, no empty aggregate)."""
    codes = [i.code for i in indicators] + [a.code for a in aggregates]
    seen: set[str] = set()
    for c in codes:
        if c in seen:
            raise SpecError(f"{source}: duplicate code {c!r}")
        seen.add(c)
    agg_codes = {a.code for a in aggregates}
    for k, i in enumerate(indicators):
        if i.parent not in agg_codes:
            raise SpecError(f"{source}: indicators[{k}] ({i.code}): parent {i.parent!r} is not "
                            "an aggregate")
    for k, a in enumerate(aggregates):
        if a.parent is not None and a.parent not in agg_codes:
            raise SpecError(f"{source}: aggregates[{k}] ({a.code}): parent {a.parent!r} is not "
                            "an aggregate")
    parent: dict[str, str | None] = {i.code: i.parent for i in indicators}
    parent.update({a.code: a.parent for a in aggregates})
    # cycles: walking up from any node must end at a root within len(codes) steps
    for c in agg_codes:
        walk, p = [c], parent[c]
        while p is not None:
            if p in walk:
                cyc = " -> ".join([*walk[walk.index(p):], p])
                raise SpecError(f"{source}: cycle in the tree: {cyc}")
            walk.append(p)
            p = parent[p]
    roots = [a.code for a in aggregates if a.parent is None]
    if len(roots) != 1:
        raise SpecError(f"{source}: the tree needs exactly one top aggregate (no parent); "
                        f"found {roots or 'none'}")
    has_kids = {p for p in parent.values() if p is not None}
    empty = [a.code for a in aggregates if a.code not in has_kids]
    if empty:
        raise SpecError(f"{source}: aggregate(s) with no children: {empty}")
    # level = 1 + highest child level (computed bottom-up)
    level: dict[str, int] = {i.code: 1 for i in indicators}
    pending = [a.code for a in aggregates]
    while pending:
        nxt = []
        for a in pending:
            kids = [c for c, p in parent.items() if p == a]
            if all(k in level for k in kids):
                level[a] = 1 + max(level[k] for k in kids)
            else:
                nxt.append(a)
        pending = nxt
    for k, a in enumerate(aggregates):
        if a.level is not None and a.level != level[a.code]:
            raise SpecError(f"{source}: aggregates[{k}] ({a.code}): level {a.level} does not "
                            f"match its children (expected {level[a.code]})")
    order = sorted(range(len(aggregates)), key=lambda k: (level[aggregates[k].code], k))
    aggs_sorted = [aggregates[k].code for k in order]
    if level[roots[0]] != max(level.values()):
        raise SpecError(f"{source}: top aggregate {roots[0]!r} is not the highest level")
    return Framework(
        indicators=[i.code for i in indicators],
        aggregates=aggs_sorted,
        level=level,
        parent=parent,
        weight={**{i.code: i.weight for i in indicators}, **{a.code: a.weight for a in aggregates}},
        direction={i.code: int(i.direction) for i in indicators},
        names={**{i.code: i.name or i.code for i in indicators},
               **{a.code: a.name or a.code for a in aggregates}},
        units={i.code: i.unit for i in indicators},
        denominator={i.code: i.denominator for i in indicators},
        target={i.code: i.target for i in indicators},
    )


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class PlanStep:
    """One step of the spec with its registered method and bound parameters."""

    position: int  # index in spec.steps
    step: Any  # the validated YAML step
    method: Method | None  # None for steps without methods (screen)
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.step.step)

    def __call__(self, *data: Any, **context: Any) -> Any:
        """Run the method on ``data`` with the step's parameters and the engine's context."""
        if self.method is None:
            raise TypeError(f"step {self.kind!r} has no registered method")
        return self.method(*data, **self.params, **context)

    def column_groups(self, codes: list[str]) -> list[tuple[PlanStep, np.ndarray]]:
        """The step split by its ``per_indicator`` parameters: (step with those parameters,
        positions in ``codes``) per distinct set; one group when there are none."""
        over = getattr(self.step, "per_indicator", None) or {}
        if not over:
            return [(self, np.arange(len(codes)))]
        groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
        for j, c in enumerate(codes):
            groups.setdefault(tuple(sorted(over.get(c, {}).items())), []).append(j)
        return [(replace(self, params={**self.params, **dict(key)}), np.array(idx))
                for key, idx in groups.items()]

    def option(self, key: str, *data: Any, **context: Any) -> Any:
        """A registration option of the method, evaluated with the step's parameters."""
        if self.method is None:
            return None
        return self.method.call_option(key, *data, **self.params, **context)


def plan_step(position: int, step: Any) -> PlanStep:
    """A step resolved against the registry (its kind is the YAML ``step`` name)."""
    if not hasattr(step, "method") or step.step == "aggregate":  # aggregate: see Aggregation
        return PlanStep(position, step, None)
    m = registry.get(step.step, step.method)
    try:
        params = m.bind(step)
    except ValueError as exc:
        raise SpecError(f"steps[{position}] ({step.step}): {exc}") from None
    return PlanStep(position, step, m, params)


@dataclass(frozen=True)
class Aggregation:
    """The aggregation step resolved per level: a registered method for each level."""

    step: AggregateStep

    @classmethod
    def of(cls, agg: AggregateStep | Aggregation | str) -> Aggregation:
        if isinstance(agg, Aggregation):
            return agg
        if isinstance(agg, str):
            agg = AggregateStep(step="aggregate", method=agg)
        return cls(agg)

    @property
    def dat_thresh(self) -> float | None:
        return self.step.dat_thresh

    def method(self, level: int) -> Method:
        """The registered aggregation that builds the aggregates of ``level``."""
        return registry.get("aggregate", self.step.method_for(level))

    def methods(self, n_levels: int) -> dict[int, Method]:
        return {lv: self.method(lv) for lv in range(2, n_levels + 1)}

    def params(self, level: int) -> dict[str, Any]:
        """The parameters of ``level``'s method (genmean's ``p``), defaults filled in."""
        return self.method(level).bind(self.step)

    def quasi(self, level: int) -> Any:
        """``level``'s method as a QuasiMean with its parameters (None: not batchable)."""
        return quasi_mean(self.step.method_for(level), self.params(level))

    def level(self, K: np.ndarray, W: np.ndarray, level: int,
              member: np.ndarray | None = None) -> np.ndarray:
        """Aggregates of ``level`` from their children ``K`` (units x kids), weights ``W``;
        ``member`` = the tree (0/1, default: non-zero weights)."""
        return aggregate(K, W, self.step.method_for(level), self.dat_thresh, member=member,
                         params=self.params(level))

    def tree(self, X: np.ndarray, fw: Framework, upto: int | None = None) -> np.ndarray:
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
                Y = self.level(K, W, level, fw.members(level))
            except ValueError as exc:
                raise SpecError(f"aggregate level {level}: {exc}") from None
            for j, p in enumerate(parents):
                pos[p] = ncols + j
            ncols += len(parents)
            vals.append(Y)
        allv = np.hstack(vals)
        return allv[:, [pos[a] for a in fw.aggregates if a in pos]]


# steps that may come before 'normalise' (weight steps may also come after it)
BEFORE_NORMALISE = frozenset({"denominate", "screen", "impute", "treat", "weight"})


@dataclass(frozen=True)
class Plan:
    """A spec compiled for running: the tree and every step with its resolved method."""

    spec: Spec
    framework: Framework
    before: tuple[PlanStep, ...]  # steps before normalisation, in spec order
    normalise: PlanStep
    after: tuple[PlanStep, ...]  # weight steps between normalisation and aggregation
    aggregation: Aggregation


def resolve(spec: Spec, meta: pd.DataFrame | None = None) -> Plan:
    """The compiled plan of a spec (``meta`` = iMeta when ``structure.from`` is used)."""
    if spec.structure is not None:
        if meta is None:
            raise SpecError(f"spec {spec.name!r}: structure from iMeta but no iMeta was loaded")
        fw = framework_from_imeta(meta)
    else:
        fw = build_framework(list(spec.indicators), list(spec.aggregates), source=spec.name)
    check_steps(spec, fw)
    steps = spec.steps
    k_norm = next(i for i, s in enumerate(steps) if s.step == "normalise")
    k_agg = max(i for i, s in enumerate(steps) if s.step == "aggregate")
    if k_agg != len(steps) - 1:
        raise SpecError(f"spec {spec.name!r}: 'aggregate' must be the last step")
    resolved = [plan_step(i, s) for i, s in enumerate(steps[:k_agg])]  # + the Aggregation
    for ps in resolved:
        i = ps.position
        if i < k_norm and ps.kind not in BEFORE_NORMALISE:
            raise SpecError(f"steps[{i}] ({ps.kind}) must come after 'normalise'")
        if k_norm < i < k_agg and ps.kind == "aggregate":
            raise SpecError(f"steps[{i}] (aggregate): only the last step may be 'aggregate'")
        if k_norm < i < k_agg and ps.kind != "weight":
            raise SpecError(f"steps[{i}] ({ps.kind}) must come before 'normalise'")
        if i < k_norm and ps.kind == "weight" and ps.method is not None \
                and ps.method.option("needs_normalised"):
            raise SpecError(f"steps[{i}] (weight {ps.method.name}) needs normalised data: put "
                            "it after 'normalise'")
    return Plan(spec=spec, framework=fw, before=tuple(resolved[:k_norm]),
                normalise=resolved[k_norm], after=tuple(resolved[k_norm + 1:k_agg]),
                aggregation=Aggregation(steps[k_agg]))


def check_steps(spec: Spec, fw: Framework) -> None:
    """Checks that need both the steps and the tree (codes exist, geometric on positive data)."""
    known = set(fw.indicators) | set(fw.aggregates)
    last_norm: NormaliseStep | None = None
    for k, s in enumerate(spec.steps):
        where = f"steps[{k}] ({s.step})"
        listed: list[str] = []
        if s.step in ("denominate", "treat"):
            listed = (list(s.indicators) + list(getattr(s, "exclude", []))
                      + list(getattr(s, "scales", {})))
        elif s.step == "normalise":
            listed = (list(s.goalposts) + list(s.per_indicator)
                      + (list(s.targets) if isinstance(s.targets, dict) else []))
            last_norm = s
        elif s.step == "weight":
            listed = list(s.weights) + (list(s.target) if isinstance(s.target, dict) else [])
            bad_lv = [lv for lv in s.levels if not 2 <= lv <= fw.n_levels]
            if bad_lv:
                raise SpecError(f"{where}.levels: level(s) {bad_lv} out of range 2..{fw.n_levels}")
        unknown = sorted(set(listed) - known)
        if unknown:
            raise SpecError(f"{where}: unknown indicator/aggregate code(s) {unknown}")
        for name in getattr(s, "method_names", list)():
            m = registry.get(s.step, name)
            msg = m.call_option("check_tree", **m.bind(s), framework=fw)
            if msg:
                raise SpecError(f"{where}.{msg}")
        if s.step == "aggregate":
            for lv in range(2, fw.n_levels + 1):
                m = registry.get("aggregate", s.method_for(lv))
                positive = m.call_option("positive", **m.bind(s))
                if positive and last_norm is not None:
                    reason = nonpositive_reason(last_norm)
                    if reason and (lv == 2 or positive == "all levels"):
                        raise SpecError(
                            f"{where}.method: {m.name} aggregation needs strictly positive "
                            f"values, but {reason}; use e.g. min-max into [1, 100]")
                if isinstance(s.method, dict):
                    bad = sorted(set(s.method) - set(range(2, fw.n_levels + 1)))
                    if bad:
                        raise SpecError(f"{where}.method: level(s) {bad} out of range "
                                        f"2..{fw.n_levels}")


def nonpositive_reason(step: NormaliseStep) -> str | None:
    """Why a normalisation can produce values <= 0 (None if it cannot)."""
    m = registry.get("normalise", step.method)
    return m.call_option("nonpositive", **m.bind(step))
