"""The routers, one module per area; :data:`api_router` is everything under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from aigap.web.routes import (
    acceptability,
    diagnosis,
    headline,
    index,
    strategy,
    tournament,
    uncertainty,
)

api_router = APIRouter()
for _area in (index, diagnosis, uncertainty, acceptability, strategy, tournament, headline):
    api_router.include_router(_area.router)

__all__ = ["api_router"]
