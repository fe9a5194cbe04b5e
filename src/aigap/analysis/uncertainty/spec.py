"""Uncertainty specs: which assumptions of an index vary in a Monte Carlo run, and how.

A spec lists alternatives per assumption (each sampled uniformly), weight noise per level and
an optional leave-one-out exclusion. An assumption left out stays at the index spec's own
(nominal) choice. YAML is validated by pydantic; every problem becomes :class:`SpecError`
naming the field (``normalisation[1].sd: Input should be greater than 0``).

Levels follow COINr: ``level: 2`` perturbs the weights *of* the level-2 nodes (the pillars)
inside their parents, ``level: 1`` the indicator weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from aigap.config import PACKAGE_DIR
from aigap.errors import SpecError
from aigap.index.methods import registry
from aigap.index.methods.aggregate import quasi_mean
from aigap.index.methods.registry import get as get_method
from aigap.index.plan import Framework
from aigap.index.spec import AggregateStep, ImputeStep, NormaliseStep, TreatStep
from aigap.yamlfile import read_yaml

UNCERTAINTY_DIR = PACKAGE_DIR / "uncertainty"


def _batchable(value: str | AggregateStep) -> str | AggregateStep:
    """A registered aggregation the vectorised engine evaluates as matrix products: a name,
    or ``{method: genmean, params: {p: 2}}`` for a parametrised mean."""
    name = value if isinstance(value, str) else value.method_for(2)
    params = None if isinstance(value, str) else (value.params or None)
    if quasi_mean(name, params) is None:
        ok = [m.name for m in registry.methods("aggregate")
              if quasi_mean(m.name) is not None or m.option("quasi") is not None]
        need = " (give its params, e.g. {method: genmean, params: {p: 2}})" \
            if get_method("aggregate", name).option("quasi") is not None else ""
        raise ValueError(f"aggregation {name!r} cannot be evaluated in batch{need}; "
                         f"batchable (quasi-arithmetic means): {', '.join(ok)}")
    return value


def _as_aggregate(value: Any) -> Any:
    return {"step": "aggregate", **value} if isinstance(value, dict) else value


BatchAgg = Annotated[str | AggregateStep, BeforeValidator(_as_aggregate),
                     AfterValidator(_batchable)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class WeightNoise(_Model):
    """Noise on the weights of the nodes of one level, re-normalised within each parent.

    ``uniform``: each weight times ``1 + U(-spread, spread)`` (COINr's ``get_noisy_weights``).
    ``dirichlet``: the weights of each parent's children ~ Dirichlet(concentration * nominal
    shares), so the mean is the nominal and larger concentrations mean less noise.
    """

    level: int = Field(ge=1)
    distribution: Literal["uniform", "dirichlet"] = "uniform"
    spread: float = Field(0.25, gt=0, lt=1)
    concentration: float = Field(50.0, gt=0)


class Exclusion(_Model):
    """Leave one node out (weight 0): one of ``codes`` (all nodes of ``level`` if empty)."""

    level: int = Field(1, ge=1)
    codes: list[str] = Field(default_factory=list)
    include_none: bool = True  # "exclude nothing" is one of the alternatives


class SeriesAlternative(_Model):
    """Another series of the same concept in place of one indicator (e.g. CSET instead of
    AI Index private investment): the column keeps its code, its values come from
    ``alternatives`` (warehouse codes, or columns of the data frame given)."""

    indicator: str
    alternatives: list[str] = Field(min_length=1)


class EditionAlternative(_Model):
    """Scale vs intensity: the listed indicators as given, or divided by ``by`` (a warehouse
    series such as ``population`` or ``gdp_current_usd``) times ``scale``."""

    by: str = "population"
    indicators: list[str] = Field(min_length=1)
    scale: float = Field(1.0, gt=0)
    # indicator -> its own denominator series (an edition's forms: GDP for money, population
    # for counts); the indicators not named here are divided by ``by``
    denominators: dict[str, str] = Field(default_factory=dict)

    def denominator(self, indicator: str) -> str:
        return self.denominators.get(indicator, self.by)


class HeavyImputation(_Model):
    """Units with more than ``threshold`` of their indicators imputed: ranked, or left out."""

    threshold: float = Field(0.25, gt=0, lt=1)


class Structural(_Model):
    """What a user of an index disputes beyond weights and methods: which indicators and
    pillars are in (leave-one-out per level), which series stands for a concept, scale vs
    intensity, and whether heavily imputed units are ranked at all."""

    exclusions: list[Exclusion] = Field(default_factory=list)
    series: list[SeriesAlternative] = Field(default_factory=list)
    edition: EditionAlternative | None = None
    heavy_imputation: HeavyImputation | None = None

    @model_validator(mode="after")
    def _check(self) -> Structural:
        levels = [e.level for e in self.exclusions]
        dup = sorted({lv for lv in levels if levels.count(lv) > 1})
        if dup:
            raise ValueError(f"exclusions: level(s) {dup} given more than once")
        codes = [x.indicator for x in self.series]
        dup2 = sorted({c for c in codes if codes.count(c) > 1})
        if dup2:
            raise ValueError(f"series: indicator(s) {dup2} given more than once")
        return self


def _as_step(value: Any, step: str, key: str) -> Any:
    """``"indicator_mean"`` -> ``{"step": "impute", "method": "indicator_mean"}``."""
    if isinstance(value, str):
        return {"step": step, key: value}
    if isinstance(value, dict):
        return {"step": step, **value}
    return value


class UncertaintySpec(_Model):
    """The whole uncertainty spec (as written in YAML)."""

    name: str = "custom"
    description: str = ""
    seed: int | None = Field(None, ge=0)
    imputation: list[ImputeStep] | None = Field(None, min_length=1)
    treatment: list[TreatStep | None] | None = Field(None, min_length=1)
    normalisation: list[NormaliseStep] | None = Field(None, min_length=1)
    aggregation: list[BatchAgg] | None = Field(None, min_length=1)
    weights: list[WeightNoise] = Field(default_factory=list)
    exclusion: Exclusion | None = None
    structural: Structural | None = None

    @field_validator("imputation", mode="before")
    @classmethod
    def _imp(cls, v: Any) -> Any:
        return [_as_step(x, "impute", "method") for x in v] if isinstance(v, list) else v

    @field_validator("treatment", mode="before")
    @classmethod
    def _treat(cls, v: Any) -> Any:
        if not isinstance(v, list):
            return v
        # "none" (or null) = no outlier treatment at all
        return [None if x in (None, "none") else _as_step(x, "treat", "f2") for x in v]

    @field_validator("normalisation", mode="before")
    @classmethod
    def _norm(cls, v: Any) -> Any:
        return [_as_step(x, "normalise", "method") for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _check(self) -> UncertaintySpec:
        levels = [w.level for w in self.weights]
        dup = sorted({lv for lv in levels if levels.count(lv) > 1})
        if dup:
            raise ValueError(f"weights: level(s) {dup} given more than once")
        return self

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_dict(cls, raw: Any, source: str = "uncertainty") -> UncertaintySpec:
        if not isinstance(raw, dict):
            raise SpecError(f"{source}: top level must be a mapping, got {type(raw).__name__}")
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise SpecError(f"{source}: {_format_errors(exc)}") from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> UncertaintySpec:
        return cls.from_dict(read_yaml(path, "uncertainty spec"), str(path))

    # ------------------------------------------------------------------ checks vs a tree
    def check(self, fw: Framework, source: str = "uncertainty") -> list[str]:
        """Check levels and codes against the index tree; returns warnings.

        Weight levels at or above the top (the index has no siblings) are skipped with a
        warning, so one spec (such as the default) serves trees of any depth.
        """
        warnings: list[str] = []
        top = fw.n_levels
        for k, w in enumerate(self.weights):
            # the shipped default names the sub-index level for COINr's 4-level trees; on a
            # shallower tree skipping it is expected, not worth a warning
            if w.level >= top and self.name != "default":
                warnings.append(f"weights[{k}]: level {w.level} has no weights to vary in a "
                                f"{top}-level tree; skipped")
        exclusions = [self.exclusion] if self.exclusion is not None else []
        if self.structural is not None:
            exclusions += self.structural.exclusions
            for k, sa in enumerate(self.structural.series):
                if sa.indicator not in fw.indicators:
                    raise SpecError(f"{source}: structural.series[{k}].indicator: "
                                    f"{sa.indicator!r} is not an indicator of the index")
            if self.structural.edition is not None:
                bad = sorted(set(self.structural.edition.indicators) - set(fw.indicators))
                if bad:
                    raise SpecError(f"{source}: structural.edition.indicators: {bad} are not "
                                    "indicators of the index")
                extra = sorted(set(self.structural.edition.denominators)
                               - set(self.structural.edition.indicators))
                if extra:
                    raise SpecError(f"{source}: structural.edition.denominators: {extra} are "
                                    "not in structural.edition.indicators")
        levels = [e.level for e in exclusions]
        if len(set(levels)) < len(levels):
            raise SpecError(f"{source}: exclusion and structural.exclusions both name level "
                            f"{sorted({lv for lv in levels if levels.count(lv) > 1})}")
        for ex in exclusions:
            if ex.level >= top:
                raise SpecError(f"{source}: exclusion.level: {ex.level} out of range "
                                f"1..{top - 1}")
            nodes = fw.at_level(ex.level)
            unknown = sorted(set(ex.codes) - set(nodes))
            if unknown:
                raise SpecError(f"{source}: exclusion.codes: {unknown} are not level-"
                                f"{ex.level} codes")
            if len(ex.codes or nodes) + ex.include_none < 2:
                raise SpecError(f"{source}: exclusion: fewer than two alternatives")
        return warnings


def _format_errors(exc: ValidationError) -> str:
    """One entry per error: ``normalisation[1].sd: Input should be greater than 0``."""
    parts = []
    for err in exc.errors():
        path = ""
        for key in err["loc"]:
            if isinstance(key, int):
                path += f"[{key}]"
            elif key in ("impute", "treat", "normalise", "TreatStep"):
                continue  # pydantic's union/step tags, not YAML keys
            else:
                path += ("." if path else "") + str(key)
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{path}: {msg}" if path else msg)
    return "; ".join(dict.fromkeys(parts))


def shipped_uncertainty() -> list[str]:
    return sorted(p.stem for p in UNCERTAINTY_DIR.glob("*.yaml"))


def load_uncertainty(spec: str | Path | UncertaintySpec | dict[str, Any] | None = None
                     ) -> UncertaintySpec:
    """An uncertainty spec from a YAML path, a shipped name, a mapping or None (the default)."""
    if spec is None:
        spec = "default"
    if isinstance(spec, UncertaintySpec):
        return spec
    if isinstance(spec, dict):
        return UncertaintySpec.from_dict(spec)
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise SpecError(f"uncertainty spec file {str(path)!r} not found")
        return UncertaintySpec.from_yaml(path)
    cand = UNCERTAINTY_DIR / f"{spec}.yaml"
    if not cand.is_file():
        raise SpecError(f"unknown uncertainty spec {str(spec)!r}; shipped: "
                        f"{', '.join(shipped_uncertainty())} (or give a path to a YAML file)")
    return UncertaintySpec.from_yaml(cand)
