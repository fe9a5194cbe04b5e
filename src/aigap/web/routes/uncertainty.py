"""Robustness routes and the job routes (status, progress and results of background runs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from aigap.web import services
from aigap.web.deps import CacheDep, ClientDep, JobsDep, StoreDep
from aigap.web.jobs import ProgressFn
from aigap.web.schemas import (
    MAX_ROBUSTNESS_N,
    MAX_SEED,
    ErrorOut,
    JobOut,
    Lang,
    RobustnessIn,
    RobustnessOut,
)
from aigap.web.store import NotFoundError

router = APIRouter()

TOO_MANY = {429: {"model": ErrorOut, "description": "too many queued or running jobs "
                  "(this client's or the server's); see Retry-After"}}


@router.get("/robustness", tags=["robustness"], response_model=RobustnessOut)
def robustness(store: StoreDep, cache: CacheDep,
               spec: Annotated[str, Query(max_length=100)] = "aigap",
               n: Annotated[int, Query(ge=1, le=MAX_ROBUSTNESS_N)] = 1000,
               seed: Annotated[int, Query(ge=0, le=MAX_SEED)] = 0,
               figure: bool = False, lang: Lang = "en") -> dict[str, Any]:
    """Rank intervals (5–95%), median rank and P(top 3) per unit; cached. Runs of more
    than 5,000 replications: POST /api/v1/robustness/jobs."""
    return services.robustness_sync(store, cache, spec, n, seed, figure, lang)


@router.post("/robustness/jobs", tags=["robustness"], status_code=202, response_model=JobOut,
             responses=TOO_MANY)
def robustness_job(store: StoreDep, cache: CacheDep, jobs: JobsDep, client: ClientDep,
                   body: RobustnessIn) -> dict[str, Any]:
    """Start a robustness run in the background; poll GET /api/v1/jobs/{id}."""
    store.get(body.spec)  # unknown spec: 404 now, not a failed job later

    def work(progress: ProgressFn) -> dict[str, Any]:
        hit = services.robustness(store, cache, body.spec, body.n, body.seed, progress)
        return hit["json"]  # type: ignore[no-any-return]

    job = jobs.submit("robustness", body.model_dump(), work,
                      key=services.robustness_key(body.spec, body.n, body.seed), client=client)
    return job.to_dict()


@router.get("/jobs", tags=["jobs"], response_model=list[JobOut])
def list_jobs(jobs: JobsDep) -> list[dict[str, Any]]:
    """Recent jobs (without their results)."""
    return [j.to_dict(with_result=False) for j in jobs.list()]


@router.get("/jobs/{job_id}", tags=["jobs"], response_model=JobOut)
def job(jobs: JobsDep, job_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    """Status, progress (0..1) and, once done, the result of a job."""
    found = jobs.get(job_id)
    if found is None:
        raise NotFoundError(f"unknown job {job_id!r} (jobs are kept while the server runs; "
                            "only the most recent are remembered)")
    return found.to_dict()
