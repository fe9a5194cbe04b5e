"""`aigap frontier-lag | niche | partners`: speed, specialisation and partners of a country."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from aigap.analysis.strategy import frontier as fr
from aigap.analysis.strategy import niche as ni
from aigap.analysis.strategy import partners as pa
from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    emit,
    emit_json,
    user_errors,
)
from aigap.cli.data import DB_OPTION, open_warehouse
from aigap.data.countries import check_iso3
from aigap.errors import AigapError
from aigap.i18n import pillar_name
from aigap.present.strategy import domain_name, metric_label, trend_verdict


class Metric(StrEnum):
    compute = "compute"
    parameters = "parameters"


class LagMethod(StrEnum):
    interp = "interp"
    step = "step"


class CountingRule(StrEnum):
    fractional = "fractional"
    whole = "whole"


class NicheTable(StrEnum):
    domains = "domains"
    technologies = "technologies"


class WeakRuleOpt(StrEnum):
    own_median = "own_median"
    world_median = "world_median"


COUNTRY_ARG = typer.Argument(..., help="ISO3 code of the country, e.g. KOR")
DATA_DIR_OPTION = typer.Option(None, "--data-dir",
                               help="mirror folder holding raw/epoch_ai (default "
                               "$AIGAP_DATA_DIR or ../shared/data)")


def _ko(lang: Lang) -> bool:
    return lang is Lang.ko


def _notes(notes: list[str]) -> None:
    for n in notes:
        console.print(f"[dim]- {n}[/]", highlight=False)


def _window(text: str, what: str) -> tuple[int, int]:
    try:
        a, b = (int(x) for x in text.split("-"))
    except ValueError:
        raise AigapError(f"{what} must look like 2019-2023, not {text!r}") from None
    return a, b


def frontier_lag_cmd(
    country: str = COUNTRY_ARG,
    vs: Annotated[list[str] | None, typer.Option("--vs", help="comparators (default USA CHN)")]
    = None,
    metric: Annotated[Metric, typer.Option(help="compute or parameters")] = Metric.compute,
    method: Annotated[LagMethod, typer.Option(help="interp (log-linear between records) or "
                                              "step (running max as is)")] = LagMethod.interp,
    cutoff: Annotated[str, typer.Option(help="ignore models published after this date "
                                        "(2024-25 incomplete)")] = fr.DEFAULT_CUTOFF,
    start_year: Annotated[int, typer.Option("--from", help="first reference year-end")]
    = fr.DEFAULT_START_YEAR,
    n_boot: Annotated[int, typer.Option("--n-boot", help="bootstrap replicates (0 = none)")]
    = 500,
    level: Annotated[float, typer.Option(help="interval level")] = 0.9,
    seed: Annotated[int, typer.Option(help="bootstrap seed")] = 0,
    domestic_only: Annotated[bool, typer.Option(
        "--domestic-only", help="only the country's single-country models")] = False,
    world: Annotated[bool, typer.Option("--world/--no-world",
                                        help="also compare with the world frontier")] = True,
    counts: Annotated[bool, typer.Option("--counts", help="show the model-count comparison "
                                         "(csv: instead of the lags)")] = False,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
    db: Path | None = DB_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Years behind the frontier in training compute (or parameters), with bootstrap intervals.

    For each year-end, how long the country took (or is taking) to reach the level each
    comparator had then. ">= x" = not reached by the cutoff (a lower bound). See
    docs/strategy.md.
    """
    country = check_iso3([country])[0]
    with open_warehouse(db) as wh:
        em = fr.load_epoch_models(wh, data_dir)
        names = wh.country_names(lang.value)
    try:
        cut = pd.Timestamp(cutoff)
    except ValueError:
        raise AigapError(f"--cutoff must be a date like 2023-12-31, not {cutoff!r}") from None
    res = fr.frontier_lag(em.models, country, vs or ["USA", "CHN"], metric=metric.value,
                          cutoff=str(cut.date()), start_year=start_year, method=method.value,
                          include_world=world, domestic_only=domestic_only, n_boot=n_boot,
                          level=level, seed=seed, provenance=em.provenance)
    if fmt is OutputFormat.json:
        emit_json(res.to_dict())
        return
    if fmt is OutputFormat.csv:
        emit(res.counts if counts else res.lags, fmt)
        return
    ko = _ko(lang)
    world_name = "세계 최전선" if ko else "world frontier"

    def nm(c: str) -> str:
        return world_name if c == fr.WORLD else names.get(c, c)

    who = names.get(country, country)
    pct = round(level * 100)
    lags = res.lags
    view = pd.DataFrame({
        ("비교 대상" if ko else "vs"): lags["comparator"].map(nm),
        ("기준 시점" if ko else "date"): lags["ref_date"],
        ("비교국 log10" if ko else "vs log10"): lags["comparator_log10"].round(2),
        (f"{who} log10"): lags["country_log10"].round(2),
        ("격차(년)" if ko else "lag (years)"): lags["lag_label"],
        (f"{pct}% 하한" if ko else f"{pct}% lo"): lags["lo"].round(1),
        (f"{pct}% 상한" if ko else f"{pct}% hi"): lags["hi"].round(1),
    })
    metric_text = metric_label(res.metric, lang.value)
    title = (f"{who}의 최전선 격차: {metric_text} ({res.method}, {res.cutoff}까지)" if ko else
             f"{who}: years behind in {metric_text} ({res.method}, models up to {res.cutoff})")
    emit(view, fmt, title=title,
         caption=(">= x: 마감일까지 미도달(하한값), <= x: 첫 모델 이전 수준(상한값)" if ko else
                  ">= x: not reached by the cutoff (lower bound); <= x: level below the "
                  "country's first model (upper bound)"))
    tr = res.trends
    emit(pd.DataFrame({
        ("비교 대상" if ko else "vs"): tr["comparator"].map(nm),
        ("기울기(년/년)" if ko else "slope (years/year)"): tr["slope_years_per_year"].round(2),
        (f"{pct}% 구간" if ko else f"{pct}% interval"): [
            f"{a:.2f} ~ {b:.2f}" if pd.notna(a) else "–" for a, b in zip(tr["lo"], tr["hi"],
                                                                         strict=True)],
        ("관측점" if ko else "points"): tr["n_points"],
        ("판정" if ko else "verdict"): [trend_verdict(v, lang.value) for v in tr["verdict"]],
    }), fmt, title="격차 추세(관측된 격차의 선형 기울기)" if ko else
        "Trend of the lag (slope of observed lags on the date)")
    if counts:
        c = res.counts
        emit(pd.DataFrame({
            ("비교 대상" if ko else "vs"): c["comparator"].map(nm),
            ("연도" if ko else "year"): c["year"],
            who: c["country_count"],
            ("비교국" if ko else "comparator"): c["comparator_count"],
            ("비율" if ko else "ratio"): c["ratio"].round(3),
            ("3년 비율" if ko else "3-year ratio"): c["ratio_3y"].round(3),
        }), fmt, title="연도별 주목할 만한 모델 수" if ko else "Notable models per year")
    _notes(res.notes)


def niche_cmd(
    country: str = COUNTRY_ARG,
    counting: Annotated[CountingRule, typer.Option(
        help="multi-domain models: fractional (1/k each) or whole (1 each)")]
    = CountingRule.fractional,
    early: Annotated[str, typer.Option(help="earlier window")] = "2014-2018",
    recent: Annotated[str, typer.Option(help="recent window")] = "2019-2023",
    min_count: Annotated[int, typer.Option("--min-count", help="small-count warning below "
                                           "this many models")] = ni.MIN_COUNT,
    table: Annotated[NicheTable, typer.Option("--table", help="csv: which table")]
    = NicheTable.domains,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
    db: Path | None = DB_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Revealed comparative advantage by AI domain (Epoch) and by technology (Belfer CETI)."""
    country = check_iso3([country])[0]
    e, r = _window(early, "--early"), _window(recent, "--recent")
    with open_warehouse(db) as wh:
        em = fr.load_epoch_models(wh, data_dir)
        ceti = ni.load_ceti_scores(wh)
        names = wh.country_names(lang.value)
    res = ni.niche(em.models, ceti, country, counting=counting.value, early=e, recent=r,
                   min_count=min_count, provenance=em.provenance)
    if fmt is OutputFormat.json:
        emit_json(res.to_dict())
        return
    if fmt is OutputFormat.csv:
        emit(res.to_frame("domain" if table is NicheTable.domains else "technology"), fmt)
        return
    ko = _ko(lang)
    who = names.get(country, country)
    d = res.domains
    flags = []
    for row in d.itertuples():
        f = []
        if row.strong and row.growing:
            f.append("강점·성장" if ko else "strong, growing")
        elif row.strong:
            f.append("강점" if ko else "strong")
        if row.small_count:
            f.append("표본 적음" if ko else "small n")
        flags.append(", ".join(f))
    emit(pd.DataFrame({
        "#": d["rank"],
        ("분야" if ko else "domain"): d["label_ko"] if ko else d["domain"],
        ("모델 수" if ko else "models"): d["count"],
        ("세계 모델 수" if ko else "world models"): d["world_count"],
        "RCA": d["rca"].round(2), ("대칭 RCA" if ko else "sym. RCA"): d["rca_sym"].round(2),
        f"RCA {e[0]}-{e[1]}": d["rca_early"].round(2),
        f"RCA {r[0]}-{r[1]}": d["rca_recent"].round(2),
        ("비고" if ko else "flags"): flags,
    }), fmt, title=(f"{who}의 분야별 현시비교우위(Epoch AI, {res.window[0]}~{res.window[1]}년, "
                    f"{res.country_models}개 모델, {res.counting})" if ko else
                    f"{who}: revealed comparative advantage by domain (Epoch AI, "
                    f"{res.window[0]}-{res.window[1]}, {res.country_models} models, "
                    f"{res.counting} counting)"))
    t = res.technologies
    if not t.empty:
        emit(pd.DataFrame({
            ("기술" if ko else "technology"): t["label_ko" if ko else "label_en"],
            ("평균 점수" if ko else "mean score"): t["mean_score"].round(3),
            ("세계 평균" if ko else "world mean"): t["world_mean_score"].round(3),
            ("순위" if ko else "rank"): [f"{a}/{b}" for a, b in
                                        zip(t["rank_of_countries"], t["n_countries"],
                                            strict=True)],
            "RCA": t["rca"].round(2), ("대칭 RCA" if ko else "sym. RCA"): t["rca_sym"].round(2),
        }), fmt, title=("벨퍼 CETI 2025(초안) 기술별 점수 기반 RCA" if ko else
                        "Belfer CETI 2025 (draft): score-based RCA by technology"))
    sg = res.strong_and_growing()
    if len(sg):
        labels = [domain_name(x, lang.value) for x in sg["domain"]]
        console.print(("강점이면서 성장 중인 분야: " if ko else "Strong and growing: ")
                      + ", ".join(labels), highlight=False)
    _notes(res.notes)


def partners_cmd(
    country: str = COUNTRY_ARG,
    top: Annotated[int | None, typer.Option(min=1, help="show the best N partners")] = 10,
    candidates: Annotated[list[str] | None, typer.Option(
        "--countries", "-c", help="candidate partners (default: Tortoise countries and OECD "
        "members with pillar scores)")] = None,
    w_complement: Annotated[float, typer.Option("--w-complement", help="weight of "
                                                "complementarity")] = 0.6,
    w_collab: Annotated[float, typer.Option("--w-collab", help="weight of co-developed "
                                            "models")] = 0.25,
    w_gov: Annotated[float, typer.Option("--w-gov", help="weight of governance "
                                         "similarity")] = 0.15,
    weak_rule: Annotated[WeakRuleOpt, typer.Option(
        "--weak-rule", help="weak pillars: below the country's own median percentile, or "
        "below the cross-country median")] = WeakRuleOpt.own_median,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
    db: Path | None = DB_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Partners ranked by how well their strengths cover the country's weak pillars."""
    country = check_iso3([country])[0]
    weights = pa.PartnerWeights(w_complement, w_collab, w_gov)
    with open_warehouse(db) as wh:
        em = fr.load_epoch_models(wh, data_dir)
        profile = pa.load_tortoise_profile(wh)
        gov, gov_year = pa.load_gov_readiness(wh, country)
        names = wh.country_names(lang.value)
    res = pa.partners(profile, country, models=em.models, gov=gov, gov_year=gov_year,
                      candidates=candidates, weights=weights, weak_rule=weak_rule.value,
                      top=top, provenance=em.provenance)
    if fmt is OutputFormat.json:
        emit_json(res.to_dict())
        return
    if fmt is OutputFormat.csv:
        out = res.to_frame()
        out["covers"] = out["covers"].map(";".join)
        emit(out, fmt)
        return
    ko = _ko(lang)
    who = names.get(country, country)
    wk = res.weak
    emit(pd.DataFrame({
        ("약점 부문" if ko else "weak pillar"): [pillar_name(p, lang.value)
                                               for p in wk["pillar"]],
        ("점수" if ko else "score"): wk["score"],
        ("백분위" if ko else "percentile"): wk["percentile"].round(2),
        ("가중치" if ko else "weight"): wk["weight"].round(2),
    }), fmt, title=(f"{who}의 상대적 약점 부문(토터스 글로벌 AI 지수)" if ko else
                    f"{who}: relatively weak pillars (Tortoise Global AI Index)"))
    t = res.table
    emit(pd.DataFrame({
        "#": t["rank"],
        ("국가" if ko else "partner"): t["partner"].map(lambda c: names.get(c, c)),
        ("보완성" if ko else "complement."): t["complementarity"].round(3),
        ("보완 부문" if ko else "covers"): t["covers"].map(
            lambda ps: ", ".join(pillar_name(p, lang.value) for p in ps)),
        ("공동 모델" if ko else "joint models"): t["co_developed_models"],
        ("협력" if ko else "collab."): t["collaboration"].round(3),
        (f"정부 AI 준비도 {res.gov_year}" if ko else f"gov. readiness {res.gov_year}"):
            t["gov_ai_readiness"].round(1),
        ("거버넌스 유사성" if ko else "gov. similarity"): t["governance_similarity"].round(3),
        ("종합" if ko else "total"): t["total"].round(3),
    }), fmt, title=("협력 후보국 순위" if ko else "Partners ranked"),
        caption=(f"가중치: 보완성 {weights.complementarity:g}, 기존 협력 "
                 f"{weights.collaboration:g}, 거버넌스 유사성 {weights.governance:g}" if ko else
                 f"weights: complementarity {weights.complementarity:g}, collaboration "
                 f"{weights.collaboration:g}, governance similarity {weights.governance:g}"))
    _notes(res.notes)


def register(app: typer.Typer) -> None:
    app.command("frontier-lag")(user_errors(frontier_lag_cmd))
    app.command("niche")(user_errors(niche_cmd))
    app.command("partners")(user_errors(partners_cmd))
