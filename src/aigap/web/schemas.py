"""Pydantic models of every JSON route's input and output (they make the OpenAPI schema).

Analysis outputs keep their own JSON shape (``to_dict()`` / ``present.document``): their
models name the fields every answer has and allow the rest (``extra="allow"``), so a new field
in an analysis never breaks a response while the schema still lists what a client can rely on.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from aigap.i18n import languages
from aigap.web.store import MAX_WEIGHT

Lang = Literal[tuple(languages())]  # type: ignore[valid-type]  # one per catalogue file

# Caps for web requests: enough for stable answers, small enough that one request cannot
# monopolise the two cores of the server.
MAX_ROBUSTNESS_N = 50_000
MAX_ROBUSTNESS_SYNC_N = 5_000
MAX_TOURNAMENT_N = 200_000
MAX_COMPARATORS = 10
MAX_INDICATORS = 20
MAX_SEED = 2**31 - 1
DEFAULT_TOURNAMENT = "sovereign-ai-generic"


def _finite(v: float) -> float:
    if not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


Finite = Annotated[float, AfterValidator(_finite)]


class Open(BaseModel):
    """An analysis answer: the fields listed are always there; others may follow."""

    model_config = ConfigDict(extra="allow")


# --------------------------------------------------------------------------- inputs


class WeightsIn(BaseModel):
    """Pillar weights for a re-rank; pillars not named keep the spec's weight."""

    model_config = ConfigDict(extra="forbid")
    weights: dict[str, float] = Field(
        default_factory=dict, max_length=50,
        description=f"pillar code -> weight (finite, 0..{MAX_WEIGHT:g}, not all zero)",
        examples=[{"Talent": 2, "Research": 1}])


class RobustnessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: str = Field("aigap", max_length=100)
    n: int = Field(10_000, ge=1, le=MAX_ROBUSTNESS_N)
    seed: int = Field(0, ge=0, le=MAX_SEED)


class TournamentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    config: str = Field(DEFAULT_TOURNAMENT, max_length=100)
    n: int = Field(50_000, ge=2, le=MAX_TOURNAMENT_N)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    noise: Finite | None = Field(None, ge=0, le=10, description="evaluation noise sd of every "
                                 "stage (default: the config's own)")


# --------------------------------------------------------------------------- meta and data


class HealthOut(BaseModel):
    status: Literal["ok"]


class SpecsOut(BaseModel):
    specs: list[str]


class IndicatorOut(Open):
    """One catalogue row with its coverage in the warehouse."""

    code: str


class CountryOut(Open):
    """One country: ISO3 code, English and Korean names, groups."""

    iso3: str


# --------------------------------------------------------------------------- index


class PillarOut(BaseModel):
    code: str
    name: str
    weight: float
    default_weight: float


class RankRow(BaseModel):
    unit: str
    name: str
    rank: int | None
    score: float | None
    nominal_rank: int | None
    pillars: dict[str, float | None]


class RankingOut(BaseModel):
    spec: str
    title: str
    year: int | None
    lang: Lang
    n_units: int
    pillars: list[PillarOut]
    rows: list[RankRow]


class ExplainOut(BaseModel):
    unit: str
    index_score: float | None
    contributions: list[dict[str, Any]]


# --------------------------------------------------------------------------- analyses


class GapOut(Open):
    """``present.document(gap result)``: rows of the chosen series, the headline summary, the
    other series side by side (``alternatives``), the series choice and its sentences."""

    unit: str
    vs: list[str]
    rows: list[dict[str, Any]]
    summary: list[dict[str, Any]] = []
    alternatives: list[dict[str, Any]] = []
    series: dict[str, Any] = {}


class TrendOut(Open):
    series: list[dict[str, Any]]


class DocumentOut(Open):
    """``present.document(result)``: the analysis' data with its sentence(s)."""


class WhatItTakesOut(Open):
    sentence: str


class RobustnessOut(Open):
    summary: dict[str, Any]
    units: list[dict[str, Any]]


class StrategyOut(Open):
    """A strategy analysis' ``to_dict()`` (frontier lag, niche, partners)."""


class TournamentOut(Open):
    noise: float | None
    result: dict[str, Any]
    summary: list[dict[str, Any]]


# --------------------------------------------------------------------------- jobs


class JobOut(BaseModel):
    id: str
    kind: str
    params: dict[str, Any]
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    message: str
    error: str | None
    created: float
    started: float | None
    finished: float | None
    result: Any = None


class ErrorOut(BaseModel):
    """Every error: a message naming the problem (echoed input is truncated)."""

    error: str
    detail: list[dict[str, Any]] | None = None


class AcceptabilityOut(Open):
    """SMAA rank acceptability: ``AcceptabilityResult.to_dict()`` plus its sentences."""

    units: list[dict[str, Any]]
    pairwise: dict[str, dict[str, float | None]]


class RankRangeOut(Open):
    """Best and worst attainable rank: ``RankRangeResult.to_dict()`` plus its sentences."""

    best_rank: int
    worst_rank: int
    exact: bool
