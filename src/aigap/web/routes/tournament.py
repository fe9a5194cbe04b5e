"""Tournament routes: a cached simulation, background simulation jobs and the running
programme (독자 AI 파운데이션 모델 프로젝트: its state, posterior and remaining designs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aigap.jsonsafe import json_safe
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
from aigap.web.store import SizedLRU

if TYPE_CHECKING:
    from aigap.tournament.simulate import ProgrammeState

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


# ------------------------------------------------------------------------ the running programme

PROGRAMME_N = 20_000  # draws per run (12 runs: posterior, 3 noise scales, 8 designs)
PROGRAMME_SEED = 0


class ProgrammePoint(BaseModel):
    stage: str
    kind: str
    component: str | None
    component_label: str | None
    value: float
    censored: bool = Field(description="at the maximum of its scale: the true value is at "
                                       "least `value`")


class ProgrammeTeam(BaseModel):
    name: str
    label: str
    status: str = Field(description="advanced, removed_by_rule, cut, entrant or selected")
    status_label: str
    enters_at: int
    note: str | None
    p_truly_best: float
    p_win: float
    p_funded_end: float
    published: list[ProgrammePoint]
    published_total: float | None


class ProgrammeStage(BaseModel):
    id: str | None
    label: str
    date: str | None
    rule: str
    done: bool
    p_best_removed_by_rule: float
    p_best_removed_by_score: float
    expected_alive: float
    advanced: list[str] | None = None
    removed_by_rule: list[str] | None = None
    removed_by_score: list[str] | None = None


class ProgrammePosterior(BaseModel):
    p_best_wins: float = Field(description="P(the programme's final pick is the truly best)")
    p_best_wins_se: float
    p_best_survives: float
    p_best_survives_se: float
    p_best_eliminated: float = Field(description="P(the truly best team is already out)")
    p_best_eliminated_by_rule: float
    p_best_eliminated_by_score: float
    expected_regret: float
    expected_regret_se: float
    n: int
    n_proposed: int
    acceptance: float


class ProgrammeSweepPoint(BaseModel):
    noise_scale: float
    p_best_wins: float
    p_best_wins_se: float
    p_best_survives: float
    expected_regret: float


class ProgrammeDesign(BaseModel):
    name: str
    label: str
    path: str
    p_best_wins: float
    p_best_wins_se: float
    p_best_survives: float
    p_best_survives_se: float
    expected_regret: float
    objective_value: float
    objective_value_se: float
    vs_first: float
    vs_first_se: float
    expected_cost: float
    within_budget: bool
    recommended: bool


class ProgrammeDesigns(BaseModel):
    budget: float | None
    objective: str
    objective_label: str
    best: str | None
    cost_unit: str
    rows: list[ProgrammeDesign]


class ProgrammeAssumption(BaseModel):
    key: str
    label: str
    value: str


class ProgrammeMean(BaseModel):
    stage: str
    label: str
    value: float


class ProgrammeOut(BaseModel):
    """독자 AI 파운데이션 모델 프로젝트 as it runs, in one language."""

    programme: str
    title: str
    config: str
    lang: str
    path: str
    seed: int
    observed: str | None
    source: str | None
    units: str
    cost_unit: str
    status_labels: dict[str, str]
    stages: list[ProgrammeStage]
    teams: list[ProgrammeTeam]
    mean_scores: list[ProgrammeMean]
    posterior: ProgrammePosterior
    sweep: list[ProgrammeSweepPoint]
    designs: ProgrammeDesigns | None
    assumptions: list[ProgrammeAssumption]
    text: list[str]


def programme_state(cache: SizedLRU) -> ProgrammeState:
    """The default programme's state (posterior, sweep, designs), computed once and cached."""
    from aigap.tournament.simulate import programme_state as compute

    return cache.get_or_compute(  # type: ignore[no-any-return]
        ("programme_state", PROGRAMME_N, PROGRAMME_SEED),
        lambda: compute(n=PROGRAMME_N, seed=PROGRAMME_SEED))


def programme(cache: SizedLRU, lang: str) -> dict[str, Any]:
    """The programme page's data in ``lang`` (cached per language)."""
    from aigap.present.text.tournament import programme_paragraphs
    from aigap.present.tournament import programme_view

    def build() -> dict[str, Any]:
        state = programme_state(cache)
        return json_safe({**programme_view(state, lang),  # type: ignore[no-any-return]
                          "text": programme_paragraphs(state, lang)})

    return cache.get_or_compute(  # type: ignore[no-any-return]
        ("programme", PROGRAMME_N, PROGRAMME_SEED, lang), build)


@router.get("/programme", tags=["tournament"], response_model=ProgrammeOut)
def programme_route(cache: CacheDep, lang: Lang = "en") -> dict[str, Any]:
    """독자 AI 파운데이션 모델 프로젝트 now: the stages so far (who advanced, the published
    points; a score at its maximum is censored), the posterior given them (P(final pick is
    the truly best), P(the best is already out)), the same under other noise, the designs for
    the remaining stages, and the assumptions behind it (n = 20,000 draws, seed 0; cached)."""
    return programme(cache, lang)
