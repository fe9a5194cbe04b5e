"""Declarative index specs: YAML validated by pydantic, resolved into a checked :class:`Framework`.

A spec names the data source, the tree (indicator -> pillar -> ... -> index, any depth) and the
ordered build steps. Every problem a user can cause is raised as :class:`SpecError` naming the
YAML path of the offending field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aigap.config import SPECS_DIR
from aigap.errors import SpecError
from aigap.yamlfile import read_yaml

# --------------------------------------------------------------------------- steps


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DenominateStep(_Model):
    """Divide indicators by a denominator column.

    ``by: meta`` uses each indicator's own ``denominator``; a column name divides the indicators
    listed in ``indicators`` (all if empty) by that column.
    """

    step: Literal["denominate"]
    by: str = "meta"
    indicators: list[str] = Field(default_factory=list)
    scale: float = 1.0


class ScreenStep(_Model):
    """Drop units (COINr ``Screen``) and optionally indicators with too little data."""

    step: Literal["screen"]
    unit_thresh: float = Field(2 / 3, ge=0, le=1)  # COINr's default dat_thresh
    nonzero_thresh: float | None = Field(None, ge=0, le=1)
    indicator_thresh: float | None = Field(None, ge=0, le=1)
    force_include: list[str] = Field(default_factory=list)
    force_exclude: list[str] = Field(default_factory=list)


class ImputeStep(_Model):
    step: Literal["impute"]
    method: Literal["indicator_mean", "indicator_median", "group_mean", "group_median",
                    "none"] = "indicator_mean"
    group: str | None = None  # a group column such as EurAsia_group

    @model_validator(mode="after")
    def _group_needed(self) -> ImputeStep:
        if self.method.startswith("group") and not self.group:
            raise ValueError(f"method {self.method!r} needs a 'group' column (e.g. EurAsia_group)")
        return self


class TreatStep(_Model):
    """COINr's default two-stage outlier treatment (winsorise, then log if still failing)."""

    step: Literal["treat"]
    winmax: int | None = Field(5, ge=0)
    skew_thresh: float = Field(2.0, gt=0)
    kurt_thresh: float = 3.5
    force_win: bool = False
    f2: Literal["log_CT", "log_CT_orig", "none"] = "log_CT"
    combine: bool = False  # apply f2 to the winsorised (True) or the original (False) data
    indicators: list[str] = Field(default_factory=list)  # empty = all
    exclude: list[str] = Field(default_factory=list)


NormMethod = Literal["minmax", "zscore", "rank", "prank", "borda", "goalposts", "dist2max",
                     "dist2ref", "dist2targ", "fracmax", "none"]


class NormaliseStep(_Model):
    step: Literal["normalise"]
    method: NormMethod = "minmax"
    l: float = 0.0  # noqa: E741 - COINr's l_u
    u: float = 100.0
    mean: float = 0.0
    sd: float = Field(1.0, gt=0)
    goalposts: dict[str, tuple[float, float]] = Field(default_factory=dict)
    scale: float = 1.0  # goalposts / dist2* multiplier (COINr's gposts[3])
    trunc: bool = True
    ref_unit: str | None = None
    targets: dict[str, float] | Literal["meta"] = "meta"
    cap_max: bool = False
    global_panel: bool = False  # panel: one min/max (etc.) over all years, like COINr global=TRUE

    @model_validator(mode="after")
    def _check(self) -> NormaliseStep:
        if self.method == "minmax" and not self.l < self.u:
            raise ValueError(f"min-max bounds need l < u (got l={self.l}, u={self.u})")
        if self.method == "dist2ref" and not self.ref_unit:
            raise ValueError("dist2ref needs 'ref_unit' (a unit code)")
        for code, (lo, hi) in self.goalposts.items():
            if not lo < hi:
                raise ValueError(f"goalposts of {code!r} need lower < upper (got {lo}, {hi})")
        return self


class WeightStep(_Model):
    """Set the weights used by later aggregation."""

    step: Literal["weight"]
    method: Literal["manual", "equal", "pca", "optimised"] = "manual"
    weights: dict[str, float] = Field(default_factory=dict)
    levels: list[int] = Field(default_factory=list)  # levels whose *children* get new weights
    target: dict[str, float] | Literal["equal"] = "equal"  # optimised: target correlations

    @model_validator(mode="after")
    def _check(self) -> WeightStep:
        neg = {k: v for k, v in self.weights.items() if v < 0}
        if neg:
            raise ValueError(f"negative weight(s) {neg}")
        if self.method == "manual" and not self.weights:
            raise ValueError("method 'manual' needs 'weights' {code: weight}")
        return self


AggMethod = Literal["arithmetic", "geometric", "harmonic", "median", "copeland"]


class AggregateStep(_Model):
    step: Literal["aggregate"]
    method: AggMethod | dict[int, AggMethod] = "arithmetic"  # one for all levels or per level
    dat_thresh: float | None = Field(None, ge=0, le=1)  # min share of available children

    def method_for(self, level: int) -> str:
        """Aggregation used to build aggregates of ``level``."""
        if isinstance(self.method, str):
            return self.method
        return self.method.get(level, "arithmetic")


Step = Annotated[
    DenominateStep | ScreenStep | ImputeStep | TreatStep | NormaliseStep | WeightStep
    | AggregateStep,
    Field(discriminator="step"),
]

# --------------------------------------------------------------------------- structure


class IndicatorSpec(_Model):
    code: str
    name: str = ""
    parent: str
    direction: Literal[1, -1] = 1
    weight: float = Field(1.0, ge=0)
    denominator: str | None = None
    unit: str = ""
    target: float | None = None
    year: int | None = None  # warehouse data: a fixed year for this indicator
    rationale: str = ""  # why it is in the index (shown by `aigap explain` and the report)


class AggregateSpec(_Model):
    code: str
    name: str = ""
    parent: str | None = None
    weight: float = Field(1.0, ge=0)
    level: int | None = Field(None, ge=2)


class StructureSpec(_Model):
    from_: Literal["asem_imeta"] = Field(alias="from")


class DataSpec(_Model):
    """Where the data come from.

    For ``source: warehouse``: each indicator takes its latest value in
    ``[year - window, year]`` (or its own fixed ``year``); a panel runs every year of
    ``years``; ``denominators`` are warehouse series loaded as extra columns for ``denominate``.
    """

    source: Literal["asem", "warehouse", "frame"] = "frame"
    panel: bool = False
    year: int | None = None
    window: int = Field(0, ge=0, le=20)
    years: tuple[int, int] | None = None
    denominators: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> DataSpec:
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"years must be (first, last), got {list(self.years)}")
        return self


class UnitsSpec(_Model):
    include: list[str] = Field(default_factory=list)  # empty = all (unless groups are given)
    groups: list[str] = Field(default_factory=list)  # e.g. OECD, G20: their current members
    exclude: list[str] = Field(default_factory=list)


class Spec(_Model):
    """A whole index spec (as written in YAML)."""

    name: str = "custom"
    title: str = ""
    title_ko: str = ""
    description: str = ""
    data: DataSpec = Field(default_factory=DataSpec)
    units: UnitsSpec = Field(default_factory=UnitsSpec)
    structure: StructureSpec | None = None
    indicators: list[IndicatorSpec] = Field(default_factory=list)
    aggregates: list[AggregateSpec] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Spec:
        if self.structure is None and not self.indicators:
            raise ValueError("give either 'structure: {from: asem_imeta}' or 'indicators' and "
                             "'aggregates'")
        if self.structure is not None and (self.indicators or self.aggregates):
            raise ValueError("'structure' and explicit 'indicators'/'aggregates' are exclusive")
        if not any(isinstance(s, NormaliseStep) for s in self.steps):
            raise ValueError("steps need a 'normalise' step")
        if not any(isinstance(s, AggregateStep) for s in self.steps):
            raise ValueError("steps need an 'aggregate' step")
        order = [type(s).__name__ for s in self.steps]
        if order.index("NormaliseStep") > order.index("AggregateStep"):
            raise ValueError("'normalise' must come before 'aggregate'")
        return self

    @classmethod
    def from_dict(cls, raw: Any, source: str = "spec") -> Spec:
        """Validate a parsed YAML mapping; errors become :class:`SpecError` with field paths."""
        if not isinstance(raw, dict):
            raise SpecError(f"{source}: top level must be a mapping, got {type(raw).__name__}")
        try:
            spec = cls.model_validate(raw)
        except ValidationError as exc:
            raise SpecError(f"{source}: {_format_errors(exc, raw)}") from None
        return spec

    @classmethod
    def from_yaml(cls, path: str | Path) -> Spec:
        return cls.from_dict(read_yaml(path, "spec"), str(path))


def _format_errors(exc: ValidationError, raw: dict[str, Any]) -> str:
    """One line per error: ``steps[2].winmax: Input should be >= 0``."""
    parts = []
    for err in exc.errors():
        loc = list(err["loc"])
        path = ""
        for i, key in enumerate(loc):
            if isinstance(key, int):
                path += f"[{key}]"
            elif i > 0 and isinstance(loc[i - 1], int) and loc[0] == "steps" and i == 2:
                continue  # pydantic's discriminator tag (the step name), not a YAML key
            else:
                path += ("." if path else "") + str(key)
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{path or '<root>'}: {msg}")
    return "; ".join(parts)


def shipped_specs() -> list[str]:
    """Names of the specs shipped in ``aigap/specs`` (without .yaml)."""
    return sorted(p.stem for p in SPECS_DIR.glob("*.yaml"))


def load_spec(spec: str | Path | Spec) -> Spec:
    """A :class:`Spec` from a shipped name (``"asem"``), a YAML path or a Spec object."""
    if isinstance(spec, Spec):
        return spec
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise SpecError(f"spec file {str(path)!r} not found")
        return _with_catalogue_names(Spec.from_yaml(path))
    cand = SPECS_DIR / f"{spec}.yaml"
    if not cand.is_file():
        raise SpecError(f"unknown spec {str(spec)!r}; shipped specs: {', '.join(shipped_specs())} "
                        "(or give a path to a YAML file)")
    return _with_catalogue_names(Spec.from_yaml(cand))


def _with_catalogue_names(spec: Spec) -> Spec:
    """Warehouse specs may omit indicator names and units: take them from the catalogue."""
    if spec.data.source != "warehouse":
        return spec
    from aigap.data.catalogue import catalogue

    cat = catalogue()
    inds = [i.model_copy(update={"name": i.name or cat[i.code].name_en,
                                 "unit": i.unit or cat[i.code].unit})
            if i.code in cat else i for i in spec.indicators]
    return spec.model_copy(update={"indicators": inds})


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


def check_steps(spec: Spec, fw: Framework) -> None:
    """Checks that need both the steps and the tree (codes exist, geometric on positive data)."""
    known = set(fw.indicators) | set(fw.aggregates)
    last_norm: NormaliseStep | None = None
    for k, s in enumerate(spec.steps):
        where = f"steps[{k}] ({s.step})"
        listed: list[str] = []
        if isinstance(s, DenominateStep | TreatStep):
            listed = list(s.indicators) + list(getattr(s, "exclude", []))
        elif isinstance(s, NormaliseStep):
            listed = list(s.goalposts) + (list(s.targets) if isinstance(s.targets, dict) else [])
            last_norm = s
        elif isinstance(s, WeightStep):
            listed = list(s.weights) + (list(s.target) if isinstance(s.target, dict) else [])
            bad_lv = [lv for lv in s.levels if not 2 <= lv <= fw.n_levels]
            if bad_lv:
                raise SpecError(f"{where}.levels: level(s) {bad_lv} out of range 2..{fw.n_levels}")
        unknown = sorted(set(listed) - known)
        if unknown:
            raise SpecError(f"{where}: unknown indicator/aggregate code(s) {unknown}")
        if isinstance(s, NormaliseStep) and s.method == "goalposts":
            missing = sorted(set(fw.indicators) - set(s.goalposts))
            if missing:
                raise SpecError(f"{where}.goalposts: no goalposts for {missing[:5]}"
                                f"{' ...' if len(missing) > 5 else ''}")
        if isinstance(s, AggregateStep):
            for lv in range(2, fw.n_levels + 1):
                m = s.method_for(lv)
                if m in ("geometric", "harmonic") and last_norm is not None:
                    reason = _nonpositive_reason(last_norm)
                    if reason and (lv == 2 or m == "geometric"):
                        raise SpecError(
                            f"{where}.method: {m} aggregation needs strictly positive values, but "
                            f"{reason}; use e.g. min-max into [1, 100]")
                if isinstance(s.method, dict):
                    bad = sorted(set(s.method) - set(range(2, fw.n_levels + 1)))
                    if bad:
                        raise SpecError(f"{where}.method: level(s) {bad} out of range "
                                        f"2..{fw.n_levels}")


def _nonpositive_reason(n: NormaliseStep) -> str | None:
    """Why a normalisation can produce values <= 0 (None if it cannot)."""
    if n.method == "minmax" and n.l <= 0:
        return f"min-max into [{n.l:g}, {n.u:g}] gives values <= 0"
    if n.method == "zscore":
        return "z-scores are negative below the mean"
    if n.method in ("prank", "borda", "goalposts", "dist2max", "dist2ref", "dist2targ", "none"):
        return f"'{n.method}' normalisation gives values <= 0"
    return None


def resolve(spec: Spec, meta: pd.DataFrame | None = None) -> Framework:
    """The checked framework of a spec (``meta`` = iMeta when ``structure.from`` is used)."""
    if spec.structure is not None:
        if meta is None:
            raise SpecError(f"spec {spec.name!r}: structure from iMeta but no iMeta was loaded")
        fw = framework_from_imeta(meta)
    else:
        fw = build_framework(list(spec.indicators), list(spec.aggregates), source=spec.name)
    check_steps(spec, fw)
    return fw
