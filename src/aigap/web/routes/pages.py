"""Dashboard pages: server-rendered Jinja2 with Plotly.js figures and a little plain JS.

Language comes from ``?lang=ko|en`` (then remembered in a cookie), else the cookie, else
English. Figures are built server-side as Plotly JSON and drawn by ``static/app.js``.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from aigap import present
from aigap.errors import AigapError
from aigap.i18n.numbers import DASH, format_number, format_ratio
from aigap.jsonsafe import json_safe
from aigap.present.theme import COUNTRY_COLOURS, HIGHLIGHT, TEMPLATE, country_colour
from aigap.web import services
from aigap.web.deps import CacheDep, StoreDep
from aigap.web.i18n import LANGS, normalise_lang, t
from aigap.web.schemas import DEFAULT_TOURNAMENT, Finite
from aigap.web.services import figure_json, pillar_label
from aigap.web.store import WEB_DIR, CachedIndex, IndexStore, NotFoundError

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))

LANG_COOKIE = "aigap_lang"
COMPARATORS = ("USA", "CHN")
DEFAULT_TREND = "private_ai_investment"
BASE = COUNTRY_COLOURS["other"]


def page_lang(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in LANGS:
        return q  # type: ignore[return-value]
    return normalise_lang(request.cookies.get(LANG_COOKIE))


def _json_script(obj: Any) -> Markup:
    """JSON safe to embed in <script type="application/json"> (no "</script>" break-out)."""
    text = json.dumps(json_safe(obj), ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render(request: Request, template: str, lang: str, /, status: int = 200,
           **ctx: Any) -> HTMLResponse:
    """Render a page with the common context; remember an explicit ?lang= in a cookie."""
    other = "ko" if lang == "en" else "en"
    params = dict(request.query_params)
    params["lang"] = other
    switch_url = request.url.path + "?" + "&".join(f"{k}={v}" for k, v in params.items())

    def tr(key: str, **fmt: object) -> str:
        return t(key, lang, **fmt)

    resp = templates.TemplateResponse(request, template, {
        "lang": lang, "t": tr, "switch_url": switch_url, "other_lang": other,
        "json_script": _json_script, "path": request.url.path, **ctx,
    }, status_code=status)
    if request.query_params.get("lang") in LANGS:
        resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return resp


def _error_page(request: Request, lang: str, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", lang, status=status, message=message)


# --------------------------------------------------------------------------- ranking


@router.get("/", response_class=HTMLResponse)
def ranking_page(request: Request, store: StoreDep,
                 spec: Annotated[str, Query(max_length=100)] = "aigap") -> Response:
    lang = page_lang(request)
    try:
        cached = store.get(spec)
    except AigapError as exc:
        return _error_page(request, lang, 404 if isinstance(exc, NotFoundError) else 400,
                           str(exc))
    data = services.ranking(store, cached, None, lang)
    data["colours"] = {"highlight": HIGHLIGHT, "base": COUNTRY_COLOURS["USA"]}  # app.js bars
    return render(request, "ranking.html", lang, data=data, spec=spec,
                  strings={k: t(k, lang) for k in ("rank", "country", "score", "index_score",
                                                   "loading", "not_available",
                                                   "changed_rank", "units_ranked")})


# --------------------------------------------------------------------------- country


def _ratio(a: float, b: float, lang: str) -> str:
    """``a / b`` as "3.2x" / "3.2배"; only for two positive values (a ratio of signed scores,
    such as net migration, means nothing)."""
    if any(math.isnan(x) for x in (a, b)) or a <= 0 or b <= 0:
        return DASH
    r = a / b
    return format_ratio(r, lang, 1 if r < 100 else 0)


def _radar(cached: CachedIndex, rows: dict[str, dict[str, Any]], unit: str, leader: str | None,
           lang: str) -> dict[str, Any]:
    import plotly.graph_objects as go

    theta = [pillar_label(cached, p, lang) for p in cached.pillars]
    fig = go.Figure()
    shown = [c for c in dict.fromkeys((leader, *COMPARATORS)) if c and c in rows and c != unit]
    for code in [*shown, unit]:
        r = rows[code]
        vals = [r["pillars"][p] for p in cached.pillars]
        colour = country_colour(code, highlight=unit, default=COUNTRY_COLOURS["leader"])
        fig.add_trace(go.Scatterpolar(
            r=[*vals, vals[0]], theta=[*theta, theta[0]], name=f"{r['name']} ({code})",
            line={"color": colour, "width": 3 if code == unit else 1.5},
            fill="toself" if code == unit else None, opacity=0.9))
    fig.update_layout(polar={"radialaxis": {"range": [0, 100]}}, height=420,
                      margin={"l": 60, "r": 60, "t": 30, "b": 30},
                      legend={"orientation": "h", "y": -0.12}, template=TEMPLATE)
    return figure_json(fig)


def _gaps(store: IndexStore, cached: CachedIndex, unit: str, leader_names: dict[str, str],
          lang: str) -> list[dict[str, Any]]:
    """Per indicator: the unit's value, the USA's, China's and the leader's (raw values)."""
    res = cached.result
    fw = res.framework
    raw = res.dataset("Raw")
    raw = raw[raw.index.isin(cached.units)]  # the leader among the index's own units
    names = store.indicator_names(lang)
    out = []
    for ind in fw.indicators:
        if ind not in raw:
            continue
        col = raw[ind].astype(float)
        have = col.dropna()
        if have.empty:
            continue
        lead = str(have.idxmax() if fw.direction.get(ind, 1) > 0 else have.idxmin())
        v = float(col.get(unit, np.nan))
        row = {"code": ind, "name": names.get(ind, fw.names.get(ind, ind)),
               "pillar": pillar_label(cached, fw.parent[ind] or "", lang),
               "unit_of_measure": fw.units.get(ind) or "", "value": format_number(v, lang),
               "leader": leader_names.get(lead, lead), "leader_code": lead,
               "leader_value": format_number(float(col[lead]), lang),
               "leader_ratio": _ratio(float(col[lead]), v, lang)}
        for c in COMPARATORS:
            cv = float(col.get(c, np.nan))
            row[c] = format_number(cv, lang)
            row[f"{c}_ratio"] = _ratio(cv, v, lang)
        out.append(row)
    cat = store.catalogue() if store.has_warehouse else pd.DataFrame()
    if not cat.empty:  # the warehouse knows each indicator's unit better than the spec
        units = dict(zip(cat["code"], cat["unit"], strict=True))
        for row in out:
            row["unit_of_measure"] = row["unit_of_measure"] or units.get(row["code"], "")
    return out


def _strengths(store: IndexStore, cached: CachedIndex, unit: str,
               lang: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The unit's best and worst indicators by rank among the index's units (raw values)."""
    res = cached.result
    fw = res.framework
    raw = res.dataset("Raw")
    raw = raw[raw.index.isin(cached.units)]  # rank among the units the index compares
    names = store.indicator_names(lang)
    recs = []
    for ind in fw.indicators:
        if ind not in raw or pd.isna(raw[ind].get(unit, np.nan)):
            continue
        col = raw[ind].astype(float).dropna()
        if len(col) < 3:
            continue
        ranks = col.rank(ascending=fw.direction.get(ind, 1) < 0, method="min")
        rk, n = int(ranks[unit]), len(col)
        recs.append({"code": ind, "name": names.get(ind, fw.names.get(ind, ind)),
                     "pillar": pillar_label(cached, fw.parent[ind] or "", lang),
                     "rank": rk, "n": n, "pct": (rk - 1) / (n - 1)})
    recs.sort(key=lambda r: (r["pct"], r["rank"]))
    k = min(3, len(recs) // 2)
    return recs[:k], list(reversed(recs[-k:])) if k else []


def _trend(store: IndexStore, unit: str, indicator: str, lang: str) -> dict[str, Any]:
    """Line chart (log scale when all values are positive) and the convergence sentences."""
    import plotly.graph_objects as go

    from aigap.analysis.diagnosis.trend import trend

    others = [c for c in COMPARATORS if c != unit]
    names = store.country_names(lang) or store.country_names("en")
    with store.warehouse() as wh:
        panel = wh.panel([indicator], countries=[unit, *others])
        try:
            res = trend(wh, unit, vs=others, indicator=indicator)
            sentences = [present.sentence(c, lang) for c in res.comparisons]
            sentences += list(res.skipped.values())
        except AigapError as exc:
            sentences = [str(exc)]
    fig = go.Figure()
    for code in [*others, unit]:
        sub = panel[panel["iso3"] == code].sort_values("year")
        if sub.empty:
            continue
        colour = country_colour(code, highlight=unit, default=BASE)
        fig.add_trace(go.Scatter(x=sub["year"], y=sub["value"], mode="lines+markers",
                                 name=names.get(code, code),
                                 line={"color": colour, "width": 3 if code == unit else 2}))
    positive = not panel.empty and bool((panel["value"] > 0).all())
    measure = str(panel["unit"].iloc[0]) if not panel.empty else ""
    fig.update_layout(
        height=380, template=TEMPLATE, margin={"l": 70, "r": 20, "t": 20, "b": 40},
        yaxis={"type": "log" if positive else "linear",
               "title": measure + (f" ({t('log_scale', lang)})" if positive else "")},
        xaxis={"title": t("year", lang), "dtick": 1},
        legend={"orientation": "h", "y": -0.2})
    return {"figure": figure_json(fig), "sentences": sentences,
            "has_data": not panel.empty, "log": positive}


@router.get("/country/{unit}", response_class=HTMLResponse)
def country_page(request: Request, store: StoreDep, cache: CacheDep,
                 unit: Annotated[str, Path(max_length=40)],
                 spec: Annotated[str, Query(max_length=100)] = "aigap",
                 trend: Annotated[str, Query(max_length=100)] = DEFAULT_TREND,
                 k: Annotated[int, Query(ge=1, le=50)] = 3) -> Response:
    lang = page_lang(request)
    try:
        u = store.check_country(unit)
        if u != unit:
            return RedirectResponse(str(request.url.replace(path=f"/country/{u}")), 307)
        cached = store.get(spec)
        if store.has_warehouse:
            store.check_indicator(trend)
    except NotFoundError as exc:
        return _error_page(request, lang, 404, str(exc))
    data = services.ranking(store, cached, None, lang)
    rows = {r["unit"]: r for r in data["rows"]}
    names = services.unit_names(store, cached, lang)
    ctx: dict[str, Any] = {"unit": u, "name": names.get(u, u), "spec": spec, "k": k,
                           "in_index": u in rows, "n_units": data["n_units"],
                           "trend_code": trend, "comparators": COMPARATORS}
    if u in rows:
        row = rows[u]
        leader = data["rows"][0]["unit"]
        ctx.update(row=row, leader=leader, leader_name=names.get(leader, leader),
                   radar=_radar(cached, rows, u, leader, lang),
                   gaps=_gaps(store, cached, u, names, lang),
                   pillars=data["pillars"])
        ctx["strengths"], ctx["weaknesses"] = _strengths(store, cached, u, lang)
        ctx["wit"] = None
        if (row["rank"] or 0) > k:
            try:
                wit = services.what_it_takes(store, cache, u, k, spec, lang)
                ind_names = store.indicator_names(lang)
                wit["moves"] = [{**m, "name": ind_names.get(m["indicator"], m["name"])}
                                for m in wit.get("moves", [])]
                ctx["wit"] = wit
            except AigapError as exc:
                ctx["wit_error"] = str(exc)
    if store.has_warehouse:
        ctx["trend"] = _trend(store, u, trend, lang)
        ind_names = store.indicator_names(lang)
        ctx["trend_choices"] = [(c, ind_names.get(c, c))
                                for c in cached.result.framework.indicators]
    return render(request, "country.html", lang, **ctx)


# --------------------------------------------------------------------------- tournament


@router.get("/tournament", response_class=HTMLResponse)
def tournament_page(request: Request, cache: CacheDep,
                    config: Annotated[str, Query(max_length=100)] = DEFAULT_TOURNAMENT,
                    noise: Annotated[Finite | None, Query(ge=0, le=2)] = None) -> Response:
    from aigap.present.tournament import config_title
    from aigap.tournament.simulate import load_config

    lang = page_lang(request)
    try:
        services.check_tournament(config)  # an unknown config is a 404, never the default
    except NotFoundError as exc:
        return _error_page(request, lang, 404, str(exc))
    cfg = load_config(config)
    default_noise = float(cfg.stage_evaluation(0).effective_sd)
    n = 20_000
    run = services.tournament(cache, config, n, 0, noise, lang, figure=True)
    title = config_title(cfg, lang)
    return render(request, "tournament.html", lang, run=run, n=n, title=title,
                  noise=noise if noise is not None else default_noise,
                  default_noise=default_noise)


# --------------------------------------------------------------------------- programme


@router.get("/programme", response_class=HTMLResponse)
def programme_page(request: Request, cache: CacheDep) -> Response:
    """독자 AI 파운데이션 모델 프로젝트 as it runs (the data of GET /api/v1/programme)."""
    from aigap.present.tournament import label, tournament_summary_figure
    from aigap.web.routes.tournament import programme, programme_state

    lang = page_lang(request)
    data = programme(cache, lang)
    def build() -> dict[str, Any]:
        fig = figure_json(tournament_summary_figure(programme_state(cache).posterior, lang))
        # the title goes above the chart as text: inside a narrow chart it overlaps the plot
        fig["layout"].pop("title", None)
        fig["layout"].update(height=520, margin={"l": 60, "r": 20, "t": 40, "b": 170},
                             legend={"orientation": "h", "y": -0.55})
        return fig

    fig = cache.get_or_compute(("programme_figure", lang), build)
    return render(request, "programme.html", lang, data=data, figure=fig,
                  label=lambda key: label(key, lang))
