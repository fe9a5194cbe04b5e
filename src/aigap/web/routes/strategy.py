"""Strategy routes: frontier lag, niche specialisation, partners."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from aigap.web import services
from aigap.web.deps import StoreDep
from aigap.web.schemas import MAX_SEED, StrategyOut

router = APIRouter()

UnitQ = Annotated[str, Query(description="ISO3 code, e.g. KOR", min_length=1, max_length=40)]


@router.get("/frontier-lag", tags=["strategy"], response_model=StrategyOut)
def frontier_lag(store: StoreDep, unit: UnitQ,
                 vs: Annotated[list[str] | None, Query(description="comparators")] = None,
                 metric: Literal["compute", "parameters"] = "compute",
                 n_boot: Annotated[int, Query(ge=0, le=1000)] = 200,
                 seed: Annotated[int, Query(ge=0, le=MAX_SEED)] = 0) -> dict[str, Any]:
    """Years behind the frontier in training compute (Epoch AI notable models)."""
    return services.frontier_lag(store, unit, vs or ["USA", "CHN"], metric, n_boot, seed)


@router.get("/niche", tags=["strategy"], response_model=StrategyOut)
def niche(store: StoreDep, unit: UnitQ) -> dict[str, Any]:
    """Revealed comparative advantage by AI domain (Epoch) and technology (Belfer CETI)."""
    return services.niche(store, unit)


@router.get("/partners", tags=["strategy"], response_model=StrategyOut)
def partners(store: StoreDep, unit: UnitQ,
             top: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    """Partners whose strengths cover the unit's weak pillars, with the parts of the score."""
    return services.partners(store, unit, top)
