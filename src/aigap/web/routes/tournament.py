"""Tournament routes: a cached simulation and background simulation jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from aigap.web import services
from aigap.web.deps import CacheDep, ClientDep, JobsDep
from aigap.web.jobs import ProgressFn
from aigap.web.routes.uncertainty import TOO_MANY
from aigap.web.schemas import (
    DEFAULT_TOURNAMENT,
    MAX_SEED,
    MAX_TOURNAMENT_N,
    Finite,
    JobOut,
    Lang,
    TournamentIn,
    TournamentOut,
)

router = APIRouter()


@router.get("/tournament", tags=["tournament"], response_model=TournamentOut)
def tournament(cache: CacheDep,
               config: Annotated[str, Query(max_length=100)] = DEFAULT_TOURNAMENT,
               n: Annotated[int, Query(ge=2, le=MAX_TOURNAMENT_N)] = 20_000,
               seed: Annotated[int, Query(ge=0, le=MAX_SEED)] = 0,
               noise: Annotated[Finite | None, Query(ge=0, le=10)] = None,
               figure: bool = False, lang: Lang = "en") -> dict[str, Any]:
    """Simulate the staged programme (e.g. sovereign AI: 5 teams cut to 1); cached."""
    return services.tournament(cache, config, n, seed, noise, lang, figure)


@router.post("/tournament/jobs", tags=["tournament"], status_code=202, response_model=JobOut,
             responses=TOO_MANY)
def tournament_job(jobs: JobsDep, client: ClientDep, body: TournamentIn) -> dict[str, Any]:
    """Start a tournament simulation in the background; poll GET /api/v1/jobs/{id}."""
    services.check_tournament(body.config)

    def work(progress: ProgressFn) -> dict[str, Any]:
        return services.run_tournament(body.config, body.n, body.seed, body.noise,
                                       progress=progress)

    job = jobs.submit("tournament", body.model_dump(), work,
                      key=("tournament", body.config, body.n, body.seed, body.noise),
                      client=client)
    return job.to_dict()
