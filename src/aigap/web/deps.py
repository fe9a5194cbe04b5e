"""FastAPI dependencies: the app's index store, job manager and analysis cache.

Routes declare ``store: StoreDep`` (as FastAPI's full-stack template does with its session),
so a test can swap any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from aigap.web.jobs import JobManager
from aigap.web.store import IndexStore, SizedLRU


def get_store(request: Request) -> IndexStore:
    return request.app.state.store  # type: ignore[no-any-return]


def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs  # type: ignore[no-any-return]


def get_cache(request: Request) -> SizedLRU:
    return request.app.state.cache  # type: ignore[no-any-return]


def client_id(request: Request) -> str:
    """Who is asking, for per-client job limits: the peer address."""
    return request.client.host if request.client else "unknown"


StoreDep = Annotated[IndexStore, Depends(get_store)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
CacheDep = Annotated[SizedLRU, Depends(get_cache)]
ClientDep = Annotated[str, Depends(client_id)]
