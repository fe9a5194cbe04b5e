"""SMAA rank acceptability and attainable-rank routes (synchronous, capped, cached)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from aigap.analysis.uncertainty.weightspace import weight_options
from aigap.web.deps import CacheDep, StoreDep
from aigap.web.schemas import MAX_SEED, AcceptabilityOut, RankRangeOut

router = APIRouter()

MAX_SMAA_N = 2_000  # synchronous: about a second on a busy 2-core server (±1% on P)
MAX_RANGE_SAMPLES = 5_000

SpecQ = Annotated[str, Query(max_length=100)]
LevelQ = Annotated[int, Query(ge=1, le=5, description="2 = pillar weights, 1 = indicators")]
BoundsQ = Annotated[str | None, Query(max_length=40, description="LO:HI for every weight, "
                                      "e.g. 0.1:0.4")]
BoundQ = Annotated[list[str] | None, Query(max_length=40, description="CODE=LO:HI, e.g. "
                                           "Talent=0.1:0.3")]
PreferQ = Annotated[list[str] | None, Query(max_length=20, description="A>=B, e.g. "
                                            "Talent>=Research")]
TopKQ = Annotated[int, Query(ge=1, le=1000)]


def _setup(store: Any, cache: Any, spec: str, uncertainty: Any) -> Any:
    """A ``prepare`` of ``spec`` (nominal, or with an uncertainty spec's data alternatives),
    built once per spec and cached."""
    from aigap.analysis.uncertainty.robustness import prepare

    store.get(spec)  # 404 for an unknown spec before any work
    data = store.data_for(spec)
    return cache.get_or_compute(("smaa-setup", spec, repr(uncertainty)),
                                lambda: prepare(spec, uncertainty, data=data))


@router.get("/acceptability", tags=["robustness"], response_model=AcceptabilityOut)
def acceptability(store: StoreDep, cache: CacheDep, spec: SpecQ = "aigap",
                  n: Annotated[int, Query(ge=1, le=MAX_SMAA_N)] = 1000,
                  seed: Annotated[int, Query(ge=0, le=MAX_SEED)] = 0, level: LevelQ = 2,
                  bounds: BoundsQ = None, bound: BoundQ = None, prefer: PreferQ = None,
                  unit: Annotated[str | None, Query(max_length=40)] = None,
                  vs: Annotated[list[str] | None, Query(max_length=10)] = None,
                  k: TopKQ = 3,
                  confidence: Literal["none", "default"] = "none") -> dict[str, Any]:
    """SMAA-2 rank acceptability over pillar (or indicator) weights drawn uniformly from the
    admissible simplex: P(each rank), central weights, confidence factors, P(A above B).

    ``confidence``: the data of the confidence factors: ``none`` = the nominal data (factors
    0 or 1; quick), ``default`` = the 40 data and method alternatives of the default
    uncertainty spec (as the CLI; a few seconds more on first use)."""
    from aigap import present
    from aigap.analysis.uncertainty.acceptability import NOMINAL
    from aigap.analysis.uncertainty.acceptability import acceptability as run

    weights = weight_options(bounds, bound, prefer)
    nominal = _setup(store, cache, spec, NOMINAL)
    conf = None if confidence == "none" else _setup(store, cache, spec, confidence)
    key = ("smaa", spec, n, seed, level, repr(weights), k, confidence)
    res = cache.get_or_compute(key, lambda: run(spec, level=level, n=n, seed=seed, k=k,
                                                setup=nominal, confidence=conf, **weights))
    out = present.document(res)
    if unit:
        u = res.unit(unit)
        others = [res.unit(v) for v in vs or []]
        out.update({"unit": u, "p_above": {o: res.p_above(u, o) for o in others},
                    **{f"sentence_{lg}": present.sentence(res, lg, unit=u, vs=others)
                       for lg in ("en", "ko")}})
    return out  # type: ignore[no-any-return]


@router.get("/rank-range/{unit}", tags=["robustness"], response_model=RankRangeOut)
def rank_range(store: StoreDep, cache: CacheDep,
               unit: Annotated[str, Path(min_length=1, max_length=40)], spec: SpecQ = "aigap",
               level: LevelQ = 2, bounds: BoundsQ = None, bound: BoundQ = None,
               prefer: PreferQ = None, k: TopKQ = 3,
               samples: Annotated[int, Query(ge=1, le=MAX_RANGE_SAMPLES)] = 2000,
               seed: Annotated[int, Query(ge=0, le=MAX_SEED)] = 0) -> dict[str, Any]:
    """Best and worst rank the unit can reach over every admissible weighting (exact MILP for
    arithmetic aggregation), with the weights that attain each."""
    from aigap import present
    from aigap.analysis.uncertainty.acceptability import NOMINAL
    from aigap.analysis.uncertainty.rank_range import rank_range as run

    weights = weight_options(bounds, bound, prefer)
    nominal = _setup(store, cache, spec, NOMINAL)
    key = ("rank-range", spec, unit, level, repr(weights), k, samples, seed)
    res = cache.get_or_compute(key, lambda: run(spec, unit, level=level, k=k, samples=samples,
                                                seed=seed, setup=nominal, **weights))
    return present.document(res)  # type: ignore[no-any-return]
