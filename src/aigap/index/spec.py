"""The YAML schema of an index spec, validated by pydantic (nothing is computed here).

A spec names the data source, the tree (indicator -> pillar -> ... -> index, any depth) and the
ordered build steps. Method names and their parameters are checked against the registry of
step methods (:mod:`aigap.index.methods`), so a registered method is valid in every spec.
Every problem a user can cause is raised as :class:`SpecError` naming the YAML path of the
offending field. :mod:`aigap.index.plan` compiles a spec into the plan the pipeline runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from aigap.config import SPECS_DIR
from aigap.errors import SpecError
from aigap.index.methods import registry
from aigap.yamlfile import read_yaml

# --------------------------------------------------------------------------- steps


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _MethodStep(_Model):
    """A step whose ``method`` names a registered method of kind :attr:`kind`.

    ``params`` holds parameters of a registered method that are not fields of the step.
    """

    kind: ClassVar[str]
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("method", mode="after", check_fields=False)
    @classmethod
    def _registered(cls, v: Any) -> Any:
        for name in (v.values() if isinstance(v, dict) else [v]):
            registry.check_name(cls.kind, name)
        return v

    @model_validator(mode="after")
    def _method_params(self) -> _MethodStep:
        for name in self.method_names():
            registry.get(self.kind, name).check(self)
        return self

    def method_names(self) -> list[str]:
        m = getattr(self, "method")  # noqa: B009 - every subclass defines it
        return sorted(set(m.values())) if isinstance(m, dict) else [m]


class DenominateStep(_MethodStep):
    """Divide indicators by a denominator column (COINr ``Denominate``).

    ``by: meta`` uses each indicator's own ``denominator`` (only those listed in ``indicators``
    when given); a column name divides the indicators listed in ``indicators`` (all if empty)
    by that column. Each denominated indicator ``x`` becomes ``x / (d / s)`` with ``s`` its
    entry in ``scales`` (COINr's ScaleFactor) or else ``scale``; other indicators are left as
    they are. ``table`` is a CSV of denominators (``uCode``, optional ``Time``, one column per
    denominator, like COINr's WorldDenoms) joined to the data of any source.
    """

    kind: ClassVar[str] = "denominate"
    step: Literal["denominate"]
    method: str = "divide"
    by: str = "meta"
    indicators: list[str] = Field(default_factory=list)
    scale: float = Field(1.0, gt=0)
    scales: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    table: str | None = None


class ScreenStep(_Model):
    """Drop units (COINr ``Screen``) and optionally indicators with too little data."""

    step: Literal["screen"]
    unit_thresh: float = Field(2 / 3, ge=0, le=1)  # COINr's default dat_thresh
    nonzero_thresh: float | None = Field(None, ge=0, le=1)
    indicator_thresh: float | None = Field(None, ge=0, le=1)
    force_include: list[str] = Field(default_factory=list)
    force_exclude: list[str] = Field(default_factory=list)


class ImputeStep(_MethodStep):
    kind: ClassVar[str] = "impute"
    step: Literal["impute"]
    method: str = "indicator_mean"
    group: str | None = None  # a group column such as EurAsia_group

    @model_validator(mode="after")
    def _group_needed(self) -> ImputeStep:
        if "groups" in registry.get("impute", self.method).context and not self.group:
            raise ValueError(f"method {self.method!r} needs a 'group' column (e.g. EurAsia_group)")
        return self


class TreatStep(_MethodStep):
    """Outlier treatment; the default is COINr's two-stage one (winsorise, then log if still
    failing)."""

    kind: ClassVar[str] = "treat"
    step: Literal["treat"]
    method: str = "winsorise"
    winmax: int | None = Field(5, ge=0)
    skew_thresh: float = Field(2.0, gt=0)
    kurt_thresh: float = 3.5
    force_win: bool = False
    f2: Literal["log_CT", "log_CT_orig", "none"] = "log_CT"
    combine: bool = False  # apply f2 to the winsorised (True) or the original (False) data
    indicators: list[str] = Field(default_factory=list)  # empty = all
    exclude: list[str] = Field(default_factory=list)


class NormaliseStep(_MethodStep):
    kind: ClassVar[str] = "normalise"
    step: Literal["normalise"]
    method: str = "minmax"
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
    # per-indicator parameters (COINr's f_n_para = "use_iMeta"): {code: {scale: 50, trunc: false}}
    per_indicator: dict[str, dict[str, float | bool]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> NormaliseStep:
        for code, (lo, hi) in self.goalposts.items():
            if not lo < hi:
                raise ValueError(f"goalposts of {code!r} need lower < upper (got {lo}, {hi})")
        m = registry.get(self.kind, self.method)
        scalar = {p for p, d in m.params.items() if isinstance(d, bool | int | float)}
        for code, over in self.per_indicator.items():
            bad = sorted(set(over) - scalar)
            if bad:
                raise ValueError(f"per_indicator.{code}: {self.method} takes no per-indicator "
                                 f"parameter(s) {bad}; it takes {sorted(scalar)}")
            msg = m.call_option("check", **{**m.bind(self), **over})
            if msg:
                raise ValueError(f"per_indicator.{code}: {msg}")
        return self


class WeightStep(_MethodStep):
    """Set the weights used by later aggregation."""

    kind: ClassVar[str] = "weight"
    step: Literal["weight"]
    method: str = "manual"
    weights: dict[str, float] = Field(default_factory=dict)
    levels: list[int] = Field(default_factory=list)  # levels whose *children* get new weights
    target: dict[str, float] | Literal["equal"] = "equal"  # optimised: target correlations

    @model_validator(mode="after")
    def _check(self) -> WeightStep:
        neg = {k: v for k, v in self.weights.items() if v < 0}
        if neg:
            raise ValueError(f"negative weight(s) {neg}")
        return self


class AggregateStep(_MethodStep):
    kind: ClassVar[str] = "aggregate"
    step: Literal["aggregate"]
    method: str | dict[int, str] = "arithmetic"  # one for all levels or per level
    dat_thresh: float | None = Field(None, ge=0, le=1)  # min share of available children

    @model_validator(mode="after")
    def _method_params(self) -> AggregateStep:
        """``params`` serve every level's method: each must be taken by at least one of them
        (``{method: {2: arithmetic, 3: genmean}, params: {p: 2}}``)."""
        ms = [registry.get(self.kind, n) for n in self.method_names()]
        takes = {p for m in ms for p in m.params}
        unknown = sorted(set(self.params) - takes)
        if unknown:
            names = ", ".join(m.name for m in ms)
            raise ValueError(f"params: no aggregation of this step ({names}) takes "
                             f"parameter(s) {unknown}")
        for m in ms:
            msg = m.call_option("check", **m.bind(self))
            if msg:
                raise ValueError(msg)
        return self

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


class IndicatorForm(_Model):
    """How an indicator enters one edition of a spec (``editions: {intensity: {...}}``).

    ``denominator`` (a warehouse series such as ``population`` or ``gdp_current_usd``)
    divides the indicator as ``x / (d / scale)``; ``drop`` leaves it out of that edition.
    """

    denominator: str | None = None
    scale: float = Field(1.0, gt=0)
    multiply: bool = False  # x * (d / scale) instead: a published rate back to an amount
    unit: str = ""
    note: str = ""  # why this form: appended to the indicator's rationale
    drop: bool = False


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
    # warehouse data: how the years of a source become one value. ``latest`` takes the latest
    # value in the window (or the pinned ``year``); ``sum``/``max`` combine the ``span`` years
    # ending at the pinned or index year (counts of models per year -> models in 5 years).
    combine: Literal["latest", "sum", "max"] = "latest"
    span: int | None = Field(None, ge=1, le=30)
    # a unit absent from the source: ``zero`` when the source lists every case in the world
    # (TOP500, Epoch's model and cluster lists: not listed = none); ``floor`` when it is a
    # censored top-N chart (not listed = at most the N-th value: it gets that value, so it
    # ties at the bottom). Both are marked in the cell flags, never imputed silently.
    fill: Literal["none", "zero", "floor"] = "none"
    editions: dict[str, IndicatorForm] = Field(default_factory=dict)


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

    source: Literal["asem", "warehouse", "frame", "csv"] = "frame"
    path: str | None = None  # csv: iData-style table (uCode, optional uName/Time, indicators)
    panel: bool = False
    year: int | None = None
    window: int = Field(0, ge=0, le=20)
    years: tuple[int, int] | None = None
    denominators: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> DataSpec:
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"years must be (first, last), got {list(self.years)}")
        if self.source == "csv" and not self.path:
            raise ValueError("source csv needs 'path' (relative to the spec file)")
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
    # one tree, several editions: the indicators' ``editions`` forms for this one are applied
    # when the spec is loaded (see :func:`apply_edition`); a file may take its tree from another
    # with ``base: <shipped name or path>`` (read in :func:`read_spec_yaml`)
    edition: str | None = None
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
        return cls.from_dict(read_spec_yaml(Path(path)), str(path))


def read_spec_yaml(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A spec file as a mapping, with ``base: <spec>`` resolved: the base's keys, overridden
    key by key by this file's (``base`` is a shipped name or a path relative to this file)."""
    raw = read_yaml(path, "spec")
    if not isinstance(raw, dict) or "base" not in raw:
        return raw
    base = raw.pop("base")
    if not isinstance(base, str) or not base:
        raise SpecError(f"{path}: base: give a shipped spec name or a path, got {base!r}")
    cand = Path(base) if base.endswith((".yaml", ".yml")) else SPECS_DIR / f"{base}.yaml"
    if not cand.is_absolute() and not cand.is_file():
        cand = path.parent / cand
    if not cand.is_file():
        raise SpecError(f"{path}: base: spec {base!r} not found")
    if cand.resolve() in _seen or cand.resolve() == path.resolve():
        raise SpecError(f"{path}: base: {base!r} leads back to itself")
    parent = read_spec_yaml(cand, (*_seen, path.resolve()))
    if not isinstance(parent, dict):
        raise SpecError(f"{cand}: top level must be a mapping")
    return {**parent, **raw}


def apply_edition(spec: Spec) -> Spec:
    """The spec with its edition's indicator forms applied: dropped indicators removed, the
    denominated ones given their ``denominator`` and unit, a ``denominate`` step (by each
    indicator's denominator and scale) put first and the denominators loaded with the data."""
    if spec.edition is None:
        return spec
    inds: list[IndicatorSpec] = []
    scales: dict[str, float] = {}
    times: set[str] = set()
    for ind in spec.indicators:
        form = ind.editions.get(spec.edition)
        if form is None:
            inds.append(ind.model_copy(update={"editions": {}}))
            continue
        if form.drop:
            continue
        upd: dict[str, Any] = {"editions": {}}  # consumed: applying again changes nothing
        if form.denominator:
            upd["denominator"] = form.denominator
            scales[ind.code] = form.scale
            if form.multiply:
                times.add(ind.code)
        if form.unit:
            upd["unit"] = form.unit
        if form.note:
            upd["rationale"] = f"{ind.rationale} {spec.edition.capitalize()} edition: {form.note}"
        inds.append(ind.model_copy(update=upd))
    steps = list(spec.steps)
    dens = sorted({i.denominator for i in inds if i.denominator})
    for method, codes in (("multiply", sorted(times)), ("divide", sorted(set(scales) - times))):
        if codes:
            steps.insert(0, DenominateStep(step="denominate", method=method, by="meta",
                                           indicators=codes,
                                           scales={c: scales[c] for c in codes}))
    data = spec.data.model_copy(update={"denominators": sorted({*spec.data.denominators,
                                                                *dens})})
    used = {i.parent for i in inds}
    aggs = [a for a in spec.aggregates if a.code in used or a.parent is None
            or any(b.parent == a.code for b in spec.aggregates)]
    return spec.model_copy(update={"indicators": inds, "steps": steps, "data": data,
                                   "aggregates": aggs})


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
        return _with_catalogue_names(apply_edition(_resolve_paths(Spec.from_yaml(path),
                                                                   path.parent)))
    cand = SPECS_DIR / f"{spec}.yaml"
    if not cand.is_file():
        raise SpecError(f"unknown spec {str(spec)!r}; shipped specs: {', '.join(shipped_specs())} "
                        "(or give a path to a YAML file)")
    return _with_catalogue_names(apply_edition(Spec.from_yaml(cand)))


def _resolve_paths(spec: Spec, folder: Path) -> Spec:
    """A csv data path is relative to the spec file's folder."""
    p = spec.data.path
    if p is None or Path(p).is_absolute():
        return spec
    return spec.model_copy(update={"data": spec.data.model_copy(
        update={"path": str(folder / p)})})


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
