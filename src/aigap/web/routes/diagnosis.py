"""Diagnosis and target routes: gap, trend, peer rank, profile, decomposition, what it takes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from aigap.web import services
from aigap.web.deps import CacheDep, StoreDep
from aigap.web.schemas import DocumentOut, GapOut, Lang, TrendOut, WhatItTakesOut

router = APIRouter()

UnitQ = Annotated[str, Query(description="ISO3 code, e.g. KOR", min_length=1, max_length=40)]
SpecQ = Annotated[str, Query(max_length=100)]
Year = Annotated[int | None, Query(ge=1900, le=2100)]


@router.get("/gap", tags=["analysis"], response_model=GapOut)
def gap(store: StoreDep, unit: UnitQ,
        vs: Annotated[list[str], Query(description="comparators (repeat)")],
        indicator: Annotated[list[str], Query(description="indicator codes (repeat)")],
        per: Annotated[list[Literal["capita", "gdp"]] | None, Query()] = None,
        series: Annotated[str | None, Query(max_length=40, description="another series of "
                                            "the concept (e.g. cset)")] = None,
        ) -> dict[str, Any]:
    """Gap of ``unit`` to each comparator: levels, per capita and per GDP, every year, on the
    concept's default series, with the other series side by side."""
    return services.gap(store, unit, vs, indicator, per if per is not None else ("capita", "gdp"),
                        series)


@router.get("/trend", tags=["analysis"], response_model=TrendOut)
def trend(store: StoreDep, unit: UnitQ, indicator: Annotated[str, Query(max_length=100)],
          vs: Annotated[list[str] | None, Query()] = None, start: Year = None,
          end: Year = None,
          series: Annotated[str | None, Query(max_length=40, description="another series of "
                                              "the concept (e.g. aiindex)")] = None,
          ) -> dict[str, Any]:
    """Log-linear growth of each country and whether the gaps close."""
    return services.trend(store, unit, indicator, vs or [], start, end, series)


@router.get("/peer-rank", tags=["analysis"], response_model=DocumentOut)
def peer_rank(store: StoreDep, unit: UnitQ, indicator: Annotated[str, Query(max_length=100)],
              group: Annotated[str, Query(max_length=200)] = "OECD",
              year: Year = None) -> dict[str, Any]:
    """Rank of ``unit`` within a group (OECD, G20, ... or a comma list of ISO3 codes)."""
    return services.peer_rank(store, unit, indicator, group, year)


@router.get("/profile/{unit}", tags=["analysis"], response_model=DocumentOut)
def profile(store: StoreDep, cache: CacheDep, unit: Annotated[str, Path(max_length=40)],
            spec: SpecQ = "aigap",
            peers: Annotated[str, Query(max_length=200, description="a group (OECD, G20, ...) "
                                        "or ISO3 codes, comma-separated")] = "OECD",
            ) -> dict[str, Any]:
    """Percentiles of a country among peers on every pillar and indicator, with its
    strengths and weaknesses."""
    return services.profile(store, cache, unit, spec, peers)


@router.get("/decompose", tags=["analysis"], response_model=DocumentOut)
def decompose(store: StoreDep, cache: CacheDep, a: UnitQ, b: UnitQ,
              spec: SpecQ = "aigap") -> dict[str, Any]:
    """Why ``a`` and ``b`` differ: the index gap split by pillar and indicator."""
    return services.decompose(store, cache, a, b, spec)


@router.get("/what-it-takes", tags=["analysis"], response_model=WhatItTakesOut)
def what_it_takes(store: StoreDep, cache: CacheDep, unit: UnitQ,
                  rank: Annotated[int, Query(ge=1, le=50)] = 3, spec: SpecQ = "aigap",
                  lang: Lang = "en") -> dict[str, Any]:
    """Cheapest indicator changes that lift ``unit`` to rank ``rank``."""
    return services.what_it_takes(store, cache, unit, rank, spec, lang)
