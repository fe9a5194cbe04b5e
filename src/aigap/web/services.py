"""What the routes compute: plain functions over the store and the cache, no FastAPI imports.

Each returns the JSON-ready dict its route answers with; bad input raises
:class:`NotFoundError` (404) or :class:`InvalidInputError` (422) naming the value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from aigap import present
from aigap.i18n import pillar_name
from aigap.jsonsafe import json_safe as clean
from aigap.web.jobs import ProgressFn, job_progress
from aigap.web.schemas import (
    MAX_COMPARATORS,
    MAX_INDICATORS,
    MAX_ROBUSTNESS_N,
    MAX_ROBUSTNESS_SYNC_N,
)
from aigap.web.store import CachedIndex, IndexStore, InvalidInputError, NotFoundError, SizedLRU


def figure_json(fig: Any) -> dict[str, Any]:
    """A plotly Figure as a plain dict (data + layout) for Plotly.js."""
    return json.loads(fig.to_json())  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- validation


def check_request(store: IndexStore, unit: str, vs: Sequence[str],
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


# --------------------------------------------------------------------------- index


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
    if weights and not np.isfinite(scores).any():
        used = [p for p, x in zip(cached.pillars, w, strict=True) if x > 0]
        raise InvalidInputError(
            f"these weights give no unit a score (no unit has enough data on the weighted "
            f"pillars: {', '.join(used)}); weight more pillars")
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


def explain(store: IndexStore, spec: str, unit: str) -> dict[str, Any]:
    """A unit's index score split into indicator contributions."""
    cached = store.get(spec)
    u = unit.strip().upper()
    if u not in cached.units:
        raise NotFoundError(f"unit {unit!r} is not in the {spec!r} index")
    frame = cached.result.explain(u)
    return clean({"unit": u, "index_score": frame.attrs.get("index_score"),  # type: ignore[no-any-return]
                  "contributions": frame})


def indicators(store: IndexStore, pillar: str | None) -> list[dict[str, Any]]:
    cat = store.catalogue()
    if pillar is not None:
        sel = cat["pillar"].str.lower() == pillar.lower()
        if not sel.any():
            raise NotFoundError(f"unknown pillar {pillar!r}; pillars: "
                                f"{', '.join(sorted(cat['pillar'].dropna().unique()))}")
        cat = cat[sel]
    return clean(cat)  # type: ignore[no-any-return]


def countries(store: IndexStore, group: str | None) -> list[dict[str, Any]]:
    from aigap.data.countries import GROUPS

    if group is not None and group.upper().replace("-", "") not in (*GROUPS, "EU", "EU27"):
        raise NotFoundError(f"unknown group {group!r}; groups: {', '.join(GROUPS)}")
    with store.warehouse() as wh:
        frame = wh.countries(group)
    return clean(frame)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- diagnosis


def gap(store: IndexStore, unit: str, vs: Sequence[str], indicator: Sequence[str],
        per: Sequence[str], series: str | None = None) -> dict[str, Any]:
    from aigap.analysis.diagnosis.gap import gap as gap_fn

    u, others, inds = check_request(store, unit, vs, indicator)
    with store.warehouse() as wh:
        res = gap_fn(wh, u, vs=others, indicators=inds, per=tuple(per), series=series)
    return present.document(res)  # type: ignore[no-any-return]


def trend(store: IndexStore, unit: str, indicator: str, vs: Sequence[str],
          start: int | None, end: int | None, series_id: str | None = None) -> dict[str, Any]:
    from aigap.analysis.diagnosis.trend import trend as trend_fn

    u, others, inds = check_request(store, unit, vs, [indicator])
    with store.warehouse() as wh:
        res = trend_fn(wh, u, vs=others, indicator=inds[0], window=(start, end),
                       series=series_id)
        series = wh.panel([res.indicator], countries=[u, *others])
    out = present.document(res)
    out["series"] = clean(series[["iso3", "year", "value"]])
    return out  # type: ignore[no-any-return]


def peer_rank(store: IndexStore, unit: str, indicator: str, group: str,
              year: int | None) -> dict[str, Any]:
    from aigap.analysis.diagnosis.peer_rank import peer_rank as peer_fn

    u, _, inds = check_request(store, unit, [], [indicator])
    with store.warehouse() as wh:
        res = peer_fn(wh, u, indicator=inds[0], peers=group, year=year)
    return present.document(res)  # type: ignore[no-any-return]


def profile(store: IndexStore, cache: SizedLRU, unit: str, spec: str,
            peers: str) -> dict[str, Any]:
    from aigap.analysis.diagnosis.profile import profile as profile_fn

    u = store.check_country(unit)
    cached = store.get(spec)
    res = cache.get_or_compute(("profile", spec, u, peers),
                               lambda: profile_fn(spec, u, peers=peers, result=cached.result))
    return present.document(res)  # type: ignore[no-any-return]


def decompose(store: IndexStore, cache: SizedLRU, a: str, b: str, spec: str) -> dict[str, Any]:
    from aigap.analysis.diagnosis.decompose import decompose as decompose_fn

    ua, ub = store.check_country(a), store.check_country(b)
    cached = store.get(spec)
    res = cache.get_or_compute(("decompose", spec, ua, ub),
                               lambda: decompose_fn(spec, ua, vs=ub, result=cached.result))
    return present.document(res)  # type: ignore[no-any-return]


def what_it_takes(store: IndexStore, cache: SizedLRU, unit: str, rank: int, spec: str,
                  lang: str) -> dict[str, Any]:
    """What it takes (cached), as JSON with a sentence in ``lang``."""
    from aigap.analysis.targets.what_it_takes import what_it_takes as wit_fn

    u = store.check_country(unit)
    cached = store.get(spec)
    if u not in cached.units:
        raise NotFoundError(f"{u} is not in the {spec!r} index")
    def compute() -> Any:
        from aigap.analysis.targets.scenarios import history_from_warehouse

        history = None
        if store.has_warehouse and store.data_for(spec) is not None:
            with store.warehouse() as wh:  # the app's warehouse, not the default one
                history = history_from_warehouse(wh, cached.result.framework.indicators)
        return wit_fn(spec, u, rank=rank, data=store.data_for(spec), history=history)

    res = cache.get_or_compute(("what_it_takes", spec, u, rank), compute)
    out = clean(res.to_dict())
    out["sentence"] = present.sentence(res, lang)
    return out  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- uncertainty


def robustness_key(spec: str, n: int, seed: int) -> tuple[Any, ...]:
    return ("robustness", spec, n, seed)


def robustness(store: IndexStore, cache: SizedLRU, spec: str, n: int, seed: int,
               progress: ProgressFn | None = None) -> dict[str, Any]:
    """Robustness of ``spec``'s ranks over ``n`` replications (cached).

    The cache keeps ``{"json": ..., "result": ...}``; the full result (every replication's
    ranks and scores, ~21 MB at n=50,000) only for runs small enough for a synchronous
    request, which need it for their figure; larger runs keep the summary alone.
    """
    from aigap.analysis.uncertainty.robustness import BLOCK
    from aigap.analysis.uncertainty.robustness import robustness as robustness_fn

    if n > MAX_ROBUSTNESS_N:
        raise InvalidInputError(f"n={n} is above the web cap of {MAX_ROBUSTNESS_N:,}")
    store.get(spec)  # 404 for an unknown spec before any work

    def run() -> dict[str, Any]:
        kwargs: dict[str, Any] = {"data": store.data_for(spec)}
        if progress is not None:
            kwargs["progress"] = job_progress(progress, "replications")
            kwargs["chunk_size"] = BLOCK  # finer progress; results do not depend on chunking
        res = robustness_fn(spec, n=n, seed=seed, **kwargs)
        return {"json": robustness_json(store, res),
                "result": res if n <= MAX_ROBUSTNESS_SYNC_N else None}

    return cache.get_or_compute(robustness_key(spec, n, seed), run)  # type: ignore[no-any-return]


def robustness_json(store: IndexStore, res: Any) -> dict[str, Any]:
    frame = res.to_frame()
    ko = store.country_names("ko")
    rows = [{"unit": str(u), "name_ko": ko.get(str(u), str(r["name"])), **r}
            for u, r in frame.iterrows()]
    return clean({"summary": res.summary(), "units": rows})  # type: ignore[no-any-return]


def robustness_sync(store: IndexStore, cache: SizedLRU, spec: str, n: int, seed: int,
                    figure: bool, lang: str) -> dict[str, Any]:
    """The synchronous robustness answer (n up to the sync cap), optionally with its figure."""
    if n > MAX_ROBUSTNESS_SYNC_N:
        raise InvalidInputError(
            f"n={n} is too large for a synchronous request (at most "
            f"{MAX_ROBUSTNESS_SYNC_N:,}); POST /api/v1/robustness/jobs runs up to "
            f"{MAX_ROBUSTNESS_N:,} replications in the background")
    hit = robustness(store, cache, spec, n, seed)
    out = dict(hit["json"])
    if figure:
        out["figure"] = figure_json(present.figure(hit["result"], lang))
        if lang == "ko":
            relabel_units(out["figure"], store.country_names("ko"))
        out["figure"]["layout"].pop("title", None)  # the page has its own heading
        out["figure"]["layout"]["margin"] = {"l": 10, "r": 10, "t": 10, "b": 40}
    return out


_UNIT_LABEL = re.compile(r"^(<b>)?(.*) \(([A-Z]{3})\)(</b>)?$")


def relabel_units(fig: dict[str, Any], names: Mapping[str, str]) -> None:
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


# --------------------------------------------------------------------------- strategy


def frontier_lag(store: IndexStore, unit: str, vs: Sequence[str], metric: str, n_boot: int,
                 seed: int) -> dict[str, Any]:
    from aigap.analysis.strategy.frontier import frontier_lag_from_warehouse

    u, others, _ = check_request(store, unit, vs, [])
    with store.warehouse() as wh:
        res = frontier_lag_from_warehouse(wh, u, vs=others, metric=metric, n_boot=n_boot,
                                          seed=seed)
    return present.document(res)  # type: ignore[no-any-return]


def niche(store: IndexStore, unit: str) -> dict[str, Any]:
    from aigap.analysis.strategy.niche import niche_from_warehouse

    u = store.check_country(unit)
    with store.warehouse() as wh:
        res = niche_from_warehouse(wh, u)
    return present.document(res)  # type: ignore[no-any-return]


def partners(store: IndexStore, unit: str, top: int) -> dict[str, Any]:
    from aigap.analysis.strategy.partners import partners_from_warehouse

    u = store.check_country(unit)
    with store.warehouse() as wh:
        res = partners_from_warehouse(wh, u, top=top)
    return clean(res.to_dict())  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- tournament


def tournament_configs() -> list[str]:
    from aigap.config import TOURNAMENTS_DIR

    return sorted(p.stem for p in TOURNAMENTS_DIR.glob("*.yaml")
                  if not p.stem.startswith("designs"))


def check_tournament(config: str) -> str:
    """``config`` if it is a shipped tournament config (or an old name of one, as the model
    accepts), else a 404 listing them."""
    from aigap.tournament.model import ALIASES

    if config not in tournament_configs() and ALIASES.get(config) not in tournament_configs():
        raise NotFoundError(f"unknown tournament config {config!r}; configs: "
                            f"{', '.join(tournament_configs())}")
    return config


def run_tournament(config: str, n: int, seed: int, noise: float | None, lang: str = "en",
                   figure: bool = False, progress: ProgressFn | None = None) -> dict[str, Any]:
    from aigap.present.tournament import summary_table, tournament_summary_figure
    from aigap.tournament.simulate import load_config, simulate_tournament, sweep_config

    cfg = load_config(check_tournament(config))
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


def tournament(cache: SizedLRU, config: str, n: int, seed: int, noise: float | None,
               lang: str, figure: bool) -> dict[str, Any]:
    """A tournament run (cached by all its parameters)."""
    check_tournament(config)
    return cache.get_or_compute(  # type: ignore[no-any-return]
        ("tournament", config, n, seed, noise, lang, figure),
        lambda: run_tournament(config, n, seed, noise, lang, figure))
