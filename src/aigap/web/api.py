"""JSON API, mounted under /api/v1.

Inputs are validated by pydantic and by explicit checks that name the offending value (unknown
country, indicator, spec or pillar; negative or all-zero weights; n above the web cap). Heavy
analyses are cached; long robustness and tournament runs are background jobs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from aigap import present
from aigap.i18n import languages, pillar_name
from aigap.jsonsafe import json_safe as clean
from aigap.web.jobs import job_progress
from aigap.web.store import CachedIndex, IndexStore, InvalidInputError, NotFoundError

Lang = Literal[tuple(languages())]  # type: ignore[valid-type]  # one per catalogue file

# Caps for web requests: enough for stable answers, small enough that one request cannot
# monopolise the two cores of the server.
MAX_ROBUSTNESS_N = 50_000
MAX_ROBUSTNESS_SYNC_N = 5_000
MAX_TOURNAMENT_N = 200_000
MAX_COMPARATORS = 10
MAX_INDICATORS = 20
DEFAULT_TOURNAMENT = "sovereign-ai-generic"


# --------------------------------------------------------------------------- JSON helpers


def figure_json(fig: Any) -> dict[str, Any]:
    """A plotly Figure as a plain dict (data + layout) for Plotly.js."""
    import json

    return json.loads(fig.to_json())


def _store(request: Request) -> IndexStore:
    return request.app.state.store  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- models


class WeightsIn(BaseModel):
    """Pillar weights for a re-rank; pillars not named keep the spec's weight."""

    model_config = ConfigDict(extra="forbid")
    weights: dict[str, float] = Field(
        default_factory=dict, max_length=50,
        description="pillar code -> weight (non-negative, not all zero)",
        examples=[{"Talent": 2, "Research": 1}])


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


class RobustnessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: str = "aigap"
    n: int = Field(10_000, ge=1, le=MAX_ROBUSTNESS_N)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class TournamentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    config: str = DEFAULT_TOURNAMENT
    n: int = Field(50_000, ge=2, le=MAX_TOURNAMENT_N)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    noise: float | None = Field(None, ge=0, le=10, description="evaluation noise sd of every "
                                "stage (default: the config's own)")


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


# --------------------------------------------------------------------------- ranking core


def pillar_label(cached: CachedIndex, code: str, lang: str) -> str:
    return pillar_name(code, lang, str(cached.result.framework.names.get(code, code)))


def unit_names(store: IndexStore, cached: CachedIndex, lang: str) -> dict[str, str]:
    names = dict(cached.result.unit_names)
    names.update(store.country_names("en"))
    if lang == "ko":
        names.update(store.country_names("ko"))
    return names


def ranking(store: IndexStore, cached: CachedIndex, weights: Mapping[str, float] | None,
            lang: str) -> dict[str, Any]:
    """Scores and ranks for ``weights`` from the cached pillar scores (no pipeline run)."""
    w = cached.weights_vector(weights)
    scores = cached.rescore(w)
    ranks = cached.rank(scores)
    nominal = cached.rank(cached.rescore(cached.default_weights))
    names = unit_names(store, cached, lang)
    order = np.lexsort((np.array(cached.units), np.nan_to_num(ranks, nan=np.inf)))
    P = cached.pillar_scores
    rows = []
    for i in order:
        u = cached.units[i]
        rows.append({
            "unit": u, "name": names.get(u, u),
            "rank": None if math.isnan(ranks[i]) else int(ranks[i]),
            "score": None if math.isnan(scores[i]) else round(float(scores[i]), 4),
            "nominal_rank": None if math.isnan(nominal[i]) else int(nominal[i]),
            "pillars": {p: None if math.isnan(P[i, j]) else round(float(P[i, j]), 4)
                        for j, p in enumerate(cached.pillars)},
        })
    fw = cached.result.framework
    return {
        "spec": cached.name,
        "title": cached.result.spec.title or fw.names.get(fw.root, cached.name),
        "year": cached.result.year, "lang": lang, "n_units": len(rows),
        "pillars": [{"code": p, "name": pillar_label(cached, p, lang), "weight": float(w[j]),
                     "default_weight": float(cached.default_weights[j])}
                    for j, p in enumerate(cached.pillars)],
        "rows": rows,
    }


# --------------------------------------------------------------------------- analyses


def run_robustness(store: IndexStore, spec: str, n: int, seed: int,
                   progress: Any = None) -> dict[str, Any]:
    """Robustness of ``spec``'s ranks over ``n`` replications, as JSON-ready dict."""
    from aigap.analysis.uncertainty.robustness import BLOCK, robustness

    store.get(spec)  # 404 for an unknown spec before any work
    kwargs: dict[str, Any] = {"data": store.data_for(spec)}
    if progress is not None:
        kwargs["progress"] = job_progress(progress, "replications")
        kwargs["chunk_size"] = BLOCK  # finer progress; results do not depend on chunking
    res = robustness(spec, n=n, seed=seed, **kwargs)
    return {"result": res, "json": robustness_json(store, res)}


def robustness_json(store: IndexStore, res: Any) -> dict[str, Any]:
    frame = res.to_frame()
    ko = store.country_names("ko")
    rows = [{"unit": str(u), "name_ko": ko.get(str(u), str(r["name"])), **r}
            for u, r in frame.iterrows()]
    return clean({"summary": res.summary(), "units": rows})


def tournament_configs() -> list[str]:
    from aigap.config import TOURNAMENTS_DIR

    return sorted(p.stem for p in TOURNAMENTS_DIR.glob("*.yaml")
                  if not p.stem.startswith("designs"))


def run_tournament(config: str, n: int, seed: int, noise: float | None, lang: str = "en",
                   figure: bool = False, progress: Any = None) -> dict[str, Any]:
    from aigap.present.tournament import summary_table, tournament_summary_figure
    from aigap.tournament.simulate import (
        load_config,
        simulate_tournament,
        sweep_config,
    )

    if config not in tournament_configs():
        raise NotFoundError(f"unknown tournament config {config!r}; configs: "
                            f"{', '.join(tournament_configs())}")
    cfg = load_config(config)
    if noise is not None:
        cfg = sweep_config(cfg, "noise", float(noise))
    step = job_progress(progress, "tournaments") if progress is not None else None
    res = simulate_tournament(cfg, n=n, seed=seed, progress=step)
    out: dict[str, Any] = {"noise": noise, "result": clean(res.to_dict()),
                           "summary": clean(summary_table(res, lang))}
    if figure:
        fig = figure_json(tournament_summary_figure(res, lang))
        # the title goes above the chart as text: inside a narrow chart it overlaps the plot
        out["figure_title"] = (fig["layout"].pop("title", None) or {}).get("text", "")
        fig["layout"].update(height=460, margin={"l": 60, "r": 20, "t": 50, "b": 120})
        out["figure"] = fig
    return out


# --------------------------------------------------------------------------- router

SpecName = Annotated[str, Path(description="a shipped spec name, e.g. aigap",
                               max_length=100)]
UnitQ = Annotated[str, Query(description="ISO3 code, e.g. KOR", min_length=1, max_length=40)]


def build_router() -> APIRouter:
    """The /api/v1 router."""
    r = APIRouter()

    @r.get("/health", tags=["meta"])
    def health(request: Request) -> dict[str, Any]:
        """Liveness."""
        return {"status": "ok"}

    @r.get("/specs", tags=["meta"])
    def specs(request: Request) -> dict[str, list[str]]:
        """Index specs that can be ranked."""
        return {"specs": _store(request).spec_names()}

    @r.get("/indicators", tags=["data"])
    def indicators(request: Request,
                   pillar: Annotated[str | None, Query(max_length=100)] = None,
                   ) -> list[dict[str, Any]]:
        """The indicator catalogue with coverage (optionally one pillar)."""
        cat = _store(request).catalogue()
        if pillar is not None:
            sel = cat["pillar"].str.lower() == pillar.lower()
            if not sel.any():
                raise NotFoundError(f"unknown pillar {pillar!r}; pillars: "
                                    f"{', '.join(sorted(cat['pillar'].dropna().unique()))}")
            cat = cat[sel]
        return clean(cat)  # type: ignore[no-any-return]

    @r.get("/countries", tags=["data"])
    def countries(request: Request,
                  group: Annotated[str | None, Query(max_length=40)] = None,
                  ) -> list[dict[str, Any]]:
        """Countries with ISO codes, English and Korean names (optionally one group)."""
        from aigap.data.countries import GROUPS

        if group is not None and group.upper().replace("-", "") not in (*GROUPS, "EU", "EU27"):
            raise NotFoundError(f"unknown group {group!r}; groups: {', '.join(GROUPS)}")
        with _store(request).warehouse() as wh:
            frame = wh.countries(group)
        return clean(frame)  # type: ignore[no-any-return]

    @r.get("/index/{spec}", tags=["index"], response_model=RankingOut)
    def index(request: Request, spec: SpecName, lang: Lang = "en") -> dict[str, Any]:
        """Scores and ranks of a spec with its own weights."""
        store = _store(request)
        return ranking(store, store.get(spec), None, lang)

    @r.post("/index/{spec}/rank", tags=["index"], response_model=RankingOut)
    def rerank(request: Request, spec: SpecName,
               body: Annotated[WeightsIn, Body()], lang: Lang = "en") -> dict[str, Any]:
        """Re-rank with new pillar weights (a weighted mean of the cached pillar scores)."""
        store = _store(request)
        return ranking(store, store.get(spec), body.weights, lang)

    @r.get("/index/{spec}/explain/{unit}", tags=["index"])
    def explain(request: Request, spec: SpecName,
                unit: Annotated[str, Path(max_length=40)]) -> dict[str, Any]:
        """A unit's index score split into indicator contributions."""
        store = _store(request)
        cached = store.get(spec)
        u = unit.strip().upper()
        if u not in cached.units:
            raise NotFoundError(f"unit {unit!r} is not in the {spec!r} index")
        frame = cached.result.explain(u)
        return clean({"unit": u, "index_score": frame.attrs.get("index_score"),
                      "contributions": frame})  # type: ignore[no-any-return]

    @r.get("/gap", tags=["analysis"])
    def gap(request: Request, unit: UnitQ,
            vs: Annotated[list[str], Query(description="comparators (repeat)")],
            indicator: Annotated[list[str], Query(description="indicator codes (repeat)")],
            per: Annotated[list[Literal["capita", "gdp"]] | None, Query()] = None,
            ) -> dict[str, Any]:
        """Gap of ``unit`` to each comparator: levels, per capita and per GDP, every year."""
        from aigap.analysis.diagnosis.gap import gap as gap_fn

        store = _store(request)
        u, others, inds = _check_request(store, unit, vs, indicator)
        with store.warehouse() as wh:
            frame = gap_fn(wh, u, others, inds, per=per if per is not None else
                           ("capita", "gdp"))
        return {"unit": u, "vs": others, "rows": clean(frame)}

    @r.get("/trend", tags=["analysis"])
    def trend(request: Request, unit: UnitQ,
              indicator: Annotated[str, Query(max_length=100)],
              vs: Annotated[list[str] | None, Query()] = None,
              start: Annotated[int | None, Query(ge=1900, le=2100)] = None,
              end: Annotated[int | None, Query(ge=1900, le=2100)] = None) -> dict[str, Any]:
        """Log-linear growth of each country and whether the gaps close."""
        from aigap.analysis.diagnosis.trend import trend as trend_fn

        store = _store(request)
        u, others, inds = _check_request(store, unit, vs or [], [indicator])
        with store.warehouse() as wh:
            res = trend_fn(wh, u, others, inds[0], (start, end))
            series = wh.panel(inds, countries=[u, *others])
        out = present.document(res)
        out["series"] = clean(series[["iso3", "year", "value"]])
        return out  # type: ignore[no-any-return]

    @r.get("/peer-rank", tags=["analysis"])
    def peer_rank(request: Request, unit: UnitQ,
                  indicator: Annotated[str, Query(max_length=100)],
                  group: Annotated[str, Query(max_length=200)] = "OECD",
                  year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
                  ) -> dict[str, Any]:
        """Rank of ``unit`` within a group (OECD, G20, ... or a comma list of ISO3 codes)."""
        from aigap.analysis.diagnosis.peer_rank import peer_rank as peer_fn

        store = _store(request)
        u, _, inds = _check_request(store, unit, [], [indicator])
        with store.warehouse() as wh:
            res = peer_fn(wh, u, inds[0], group, year)
        return present.document(res)  # type: ignore[no-any-return]

    @r.get("/profile/{unit}", tags=["analysis"])
    def profile(request: Request, unit: Annotated[str, Path(max_length=40)],
                spec: Annotated[str, Query(max_length=100)] = "aigap",
                peers: Annotated[str, Query(max_length=200, description="a group (OECD, "
                                            "G20, ...) or ISO3 codes, comma-separated")]
                = "OECD") -> dict[str, Any]:
        """Percentiles of a country among peers on every pillar and indicator, with its
        strengths and weaknesses."""
        from aigap.analysis.diagnosis.profile import profile as profile_fn

        store = _store(request)
        u = store.check_country(unit)
        cached = store.get(spec)
        res = store_cache(request).get_or_compute(
            ("profile", spec, u, peers),
            lambda: profile_fn(u, spec, peers, result=cached.result))
        return present.document(res)  # type: ignore[no-any-return]

    @r.get("/decompose", tags=["analysis"])
    def decompose(request: Request, a: UnitQ, b: UnitQ,
                  spec: Annotated[str, Query(max_length=100)] = "aigap") -> dict[str, Any]:
        """Why ``a`` and ``b`` differ: the index gap split by pillar and indicator."""
        from aigap.analysis.diagnosis.decompose import decompose as decompose_fn

        store = _store(request)
        ua, ub = store.check_country(a), store.check_country(b)
        cached = store.get(spec)
        res = store_cache(request).get_or_compute(
            ("decompose", spec, ua, ub),
            lambda: decompose_fn(ua, ub, spec, result=cached.result))
        return present.document(res)  # type: ignore[no-any-return]

    @r.get("/robustness", tags=["robustness"])
    def robustness(request: Request,
                   spec: Annotated[str, Query(max_length=100)] = "aigap",
                   n: Annotated[int, Query(ge=1, le=MAX_ROBUSTNESS_N)] = 1000,
                   seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                   figure: bool = False, lang: Lang = "en") -> dict[str, Any]:
        """Rank intervals (5–95%), median rank and P(top 3) per unit; cached. Runs of more
        than 5,000 replications: POST /api/v1/robustness/jobs."""
        if n > MAX_ROBUSTNESS_SYNC_N:
            raise InvalidInputError(
                f"n={n} is too large for a synchronous request (at most "
                f"{MAX_ROBUSTNESS_SYNC_N:,}); POST /api/v1/robustness/jobs runs up to "
                f"{MAX_ROBUSTNESS_N:,} replications in the background")
        store = _store(request)
        hit = store_cache(request).get_or_compute(
            ("robustness", spec, n, seed), lambda: run_robustness(store, spec, n, seed))
        out = dict(hit["json"])
        if figure:
            out["figure"] = figure_json(present.figure(hit["result"], lang))
            if lang == "ko":
                _relabel_units(out["figure"], store.country_names("ko"))
            out["figure"]["layout"].pop("title", None)  # the page has its own heading
            out["figure"]["layout"]["margin"] = {"l": 10, "r": 10, "t": 10, "b": 40}
        return out

    @r.post("/robustness/jobs", tags=["robustness"], status_code=202,
            response_model=JobOut)
    def robustness_job(request: Request, body: RobustnessIn) -> dict[str, Any]:
        """Start a robustness run in the background; poll GET /api/v1/jobs/{id}."""
        store = _store(request)
        store.get(body.spec)  # unknown spec: 404 now, not a failed job later
        cache = store_cache(request)
        key = ("robustness", body.spec, body.n, body.seed)

        def work(progress: Any) -> dict[str, Any]:
            hit = cache.get_or_compute(key, lambda: run_robustness(
                store, body.spec, body.n, body.seed, progress))
            return hit["json"]  # type: ignore[no-any-return]

        job = request.app.state.jobs.submit("robustness", body.model_dump(), work, key=key)
        return job.to_dict()  # type: ignore[no-any-return]

    @r.get("/what-it-takes", tags=["analysis"])
    def what_it_takes(request: Request, unit: UnitQ,
                      rank: Annotated[int, Query(ge=1, le=50)] = 3,
                      spec: Annotated[str, Query(max_length=100)] = "aigap",
                      lang: Lang = "en") -> dict[str, Any]:
        """Cheapest indicator changes that lift ``unit`` to rank ``rank``."""
        return what_it_takes_json(request, unit, rank, spec, lang)

    @r.get("/frontier-lag", tags=["strategy"])
    def frontier_lag(request: Request, unit: UnitQ,
                     vs: Annotated[list[str] | None, Query(description="comparators")] = None,
                     metric: Literal["compute", "parameters"] = "compute",
                     n_boot: Annotated[int, Query(ge=0, le=1000)] = 200,
                     seed: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
        """Years behind the frontier in training compute (Epoch AI notable models)."""
        from aigap.analysis.strategy.frontier import frontier_lag as lag_fn
        from aigap.analysis.strategy.frontier import load_epoch_models

        store = _store(request)
        u, others, _ = _check_request(store, unit, vs or ["USA", "CHN"], [])
        with store.warehouse() as wh:
            em = load_epoch_models(wh)
        res = lag_fn(em.models, u, others, metric=metric, n_boot=n_boot, seed=seed,
                     provenance=em.provenance)
        return clean(res.to_dict())  # type: ignore[no-any-return]

    @r.get("/niche", tags=["strategy"])
    def niche(request: Request, unit: UnitQ) -> dict[str, Any]:
        """Revealed comparative advantage by AI domain (Epoch) and technology (Belfer CETI)."""
        from aigap.analysis.strategy.frontier import load_epoch_models
        from aigap.analysis.strategy.niche import load_ceti_scores
        from aigap.analysis.strategy.niche import niche as niche_fn

        store = _store(request)
        u = store.check_country(unit)
        with store.warehouse() as wh:
            em = load_epoch_models(wh)
            ceti = load_ceti_scores(wh)
        return clean(niche_fn(em.models, ceti, u, provenance=em.provenance).to_dict())  # type: ignore[no-any-return]

    @r.get("/partners", tags=["strategy"])
    def partners(request: Request, unit: UnitQ,
                 top: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
        """Partners whose strengths cover the unit's weak pillars, with the parts of the score."""
        from aigap.analysis.strategy.frontier import load_epoch_models
        from aigap.analysis.strategy.partners import load_gov_readiness, load_tortoise_profile
        from aigap.analysis.strategy.partners import partners as partners_fn

        store = _store(request)
        u = store.check_country(unit)
        with store.warehouse() as wh:
            em = load_epoch_models(wh)
            gov, year = load_gov_readiness(wh, u)
            prof = load_tortoise_profile(wh)
        res = partners_fn(prof, u, models=em.models, gov=gov, gov_year=year, top=top,
                          provenance=em.provenance)
        return clean(res.to_dict())  # type: ignore[no-any-return]

    @r.get("/tournament", tags=["tournament"])
    def tournament(request: Request,
                   config: Annotated[str, Query(max_length=100)] = DEFAULT_TOURNAMENT,
                   n: Annotated[int, Query(ge=2, le=MAX_TOURNAMENT_N)] = 20_000,
                   seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                   noise: Annotated[float | None, Query(ge=0, le=10)] = None,
                   figure: bool = False, lang: Lang = "en") -> dict[str, Any]:
        """Simulate the staged programme (e.g. sovereign AI: 5 teams cut to 1); cached."""
        key = ("tournament", config, n, seed, noise, lang, figure)
        return store_cache(request).get_or_compute(  # type: ignore[no-any-return]
            key, lambda: run_tournament(config, n, seed, noise, lang, figure))

    @r.post("/tournament/jobs", tags=["tournament"], status_code=202, response_model=JobOut)
    def tournament_job(request: Request, body: TournamentIn) -> dict[str, Any]:
        """Start a tournament simulation in the background; poll GET /api/v1/jobs/{id}."""
        if body.config not in tournament_configs():
            raise NotFoundError(f"unknown tournament config {body.config!r}; configs: "
                                f"{', '.join(tournament_configs())}")
        job = request.app.state.jobs.submit(
            "tournament", body.model_dump(),
            lambda progress: run_tournament(body.config, body.n, body.seed, body.noise,
                                            progress=progress),
            key=("tournament", body.config, body.n, body.seed, body.noise))
        return job.to_dict()  # type: ignore[no-any-return]

    @r.get("/jobs", tags=["jobs"], response_model=list[JobOut])
    def jobs(request: Request) -> list[dict[str, Any]]:
        """Recent jobs (without their results)."""
        return [j.to_dict(with_result=False) for j in request.app.state.jobs.list()]

    @r.get("/jobs/{job_id}", tags=["jobs"], response_model=JobOut)
    def job(request: Request, job_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
        """Status, progress (0..1) and, once done, the result of a job."""
        found = request.app.state.jobs.get(job_id)
        if found is None:
            raise NotFoundError(f"unknown job {job_id!r} (jobs are kept while the server runs; "
                                "only the most recent are remembered)")
        return found.to_dict()  # type: ignore[no-any-return]

    return r


_UNIT_LABEL = re.compile(r"^(<b>)?(.*) \(([A-Z]{3})\)(</b>)?$")


def _relabel_units(fig: dict[str, Any], names: Mapping[str, str]) -> None:
    """Swap English unit names in "Name (ISO)" axis labels for ``names`` (Korean)."""
    def swap(s: Any) -> Any:
        m = _UNIT_LABEL.match(s) if isinstance(s, str) else None
        if m is None:
            return s
        return f"{m[1] or ''}{names.get(m[3], m[2])} ({m[3]}){m[4] or ''}"

    for trace in fig.get("data", []):
        if isinstance(trace.get("y"), list):
            trace["y"] = [swap(y) for y in trace["y"]]
    yaxis = fig.get("layout", {}).get("yaxis", {})
    for key in ("tickvals", "ticktext"):
        if isinstance(yaxis.get(key), list):
            yaxis[key] = [swap(v) for v in yaxis[key]]


def store_cache(request: Request) -> Any:
    return request.app.state.cache


def what_it_takes_json(request: Request, unit: str, rank: int, spec: str,
                       lang: str) -> dict[str, Any]:
    """What it takes (cached), as JSON with a sentence in ``lang``."""
    from aigap.analysis.targets.what_it_takes import what_it_takes

    store = _store(request)
    u = store.check_country(unit)
    cached = store.get(spec)
    if u not in cached.units:
        raise NotFoundError(f"{u} is not in the {spec!r} index")
    res = store_cache(request).get_or_compute(
        ("what_it_takes", spec, u, rank),
        lambda: what_it_takes(spec, u, rank=rank, data=store.data_for(spec)))
    out = clean(res.to_dict())
    out["sentence"] = present.sentence(res, lang)
    return out  # type: ignore[no-any-return]


def _check_request(store: IndexStore, unit: str, vs: Sequence[str],
                   indicators: Sequence[str]) -> tuple[str, list[str], list[str]]:
    """Validated unit, comparators and indicators (404 naming the unknown one)."""
    if len(vs) > MAX_COMPARATORS:
        raise InvalidInputError(f"at most {MAX_COMPARATORS} comparators per request "
                                f"(got {len(vs)})")
    if len(indicators) > MAX_INDICATORS:
        raise InvalidInputError(f"at most {MAX_INDICATORS} indicators per request "
                                f"(got {len(indicators)})")
    u = store.check_country(unit)
    others = list(dict.fromkeys(store.check_country(v) for v in vs))
    if u in others:
        raise InvalidInputError(f"{u} cannot be compared with itself")
    inds = [store.check_indicator(i) for i in indicators]
    return u, others, inds
