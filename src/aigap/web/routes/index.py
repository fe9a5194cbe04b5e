"""Meta, data catalogue and index routes: health, specs, indicators, countries, ranking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query

from aigap.web import services
from aigap.web.deps import StoreDep
from aigap.web.schemas import (
    CountryOut,
    ExplainOut,
    HealthOut,
    IndicatorOut,
    Lang,
    RankingOut,
    SpecsOut,
    WeightsIn,
)

router = APIRouter()

SpecName = Annotated[str, Path(description="a shipped spec name, e.g. aigap", max_length=100)]


@router.get("/health", tags=["meta"], response_model=HealthOut)
def health() -> dict[str, Any]:
    """Liveness."""
    return {"status": "ok"}


@router.get("/specs", tags=["meta"], response_model=SpecsOut)
def specs(store: StoreDep) -> dict[str, list[str]]:
    """Index specs that can be ranked."""
    return {"specs": store.spec_names()}


@router.get("/indicators", tags=["data"], response_model=list[IndicatorOut])
def indicators(store: StoreDep,
               pillar: Annotated[str | None, Query(max_length=100)] = None,
               ) -> list[dict[str, Any]]:
    """The indicator catalogue with coverage (optionally one pillar)."""
    return services.indicators(store, pillar)


@router.get("/countries", tags=["data"], response_model=list[CountryOut])
def countries(store: StoreDep,
              group: Annotated[str | None, Query(max_length=40)] = None,
              ) -> list[dict[str, Any]]:
    """Countries with ISO codes, English and Korean names (optionally one group)."""
    return services.countries(store, group)


@router.get("/index/{spec}", tags=["index"], response_model=RankingOut)
def index(store: StoreDep, spec: SpecName, lang: Lang = "en") -> dict[str, Any]:
    """Scores and ranks of a spec with its own weights."""
    return services.ranking(store, store.get(spec), None, lang)


@router.post("/index/{spec}/rank", tags=["index"], response_model=RankingOut)
def rerank(store: StoreDep, spec: SpecName, body: Annotated[WeightsIn, Body()],
           lang: Lang = "en") -> dict[str, Any]:
    """Re-rank with new pillar weights (a weighted mean of the cached pillar scores)."""
    return services.ranking(store, store.get(spec), body.weights, lang)


@router.get("/index/{spec}/explain/{unit}", tags=["index"], response_model=ExplainOut)
def explain(store: StoreDep, spec: SpecName,
            unit: Annotated[str, Path(max_length=40)]) -> dict[str, Any]:
    """A unit's index score split into indicator contributions."""
    return services.explain(store, spec, unit)
