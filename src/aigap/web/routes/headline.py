"""The AI top-3 headline route: the numbers that lead the report, for the ranking page's panel
(computed on first request per spec and unit, then cached)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from aigap.web import services
from aigap.web.deps import CacheDep, StoreDep
from aigap.web.schemas import HeadlineOut

router = APIRouter()


@router.get("/headline", tags=["robustness"], response_model=HeadlineOut)
def headline(store: StoreDep, cache: CacheDep,
             unit: Annotated[str, Query(max_length=40)] = "KOR",
             spec: Annotated[str, Query(max_length=100)] = "aigap",
             lang: Literal["ko", "en"] = "ko") -> dict[str, Any]:
    """P(top 3) under the full (structural + method + weight) uncertainty, the best and worst
    rank with every counted pillar weight in [0.1, 0.4], SMAA P(top 3) over all weights and the
    reconciliation of the published indices, each with its assumptions (``lines``)."""
    return services.headline(store, cache, unit, spec, lang)
