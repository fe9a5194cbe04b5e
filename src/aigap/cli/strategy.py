"""`aigap frontier-lag | niche | partners`: speed, specialisation and partners of a country."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

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
    current_lang,
    emit,
    emit_json,
    user_errors,
)
from aigap.cli.data import DB_OPTION, open_warehouse
from aigap.data.countries import check_iso3
from aigap.errors import AigapError
from aigap.i18n import pillar_name
from aigap.i18n import t as catalogue_text
from aigap.present.names import column
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
VINTAGE_OPTION = typer.Option(None, "--vintage",
                              help="vintage of the Epoch AI models (default: the April-2025 "
                              "snapshot); Warehouse.record_tables() lists them")


def L(key: str, **fields: Any) -> str:
    """``cli.strategy.<key>`` of the catalogue in the running command's --lang."""
    return catalogue_text(f"cli.strategy.{key}", current_lang(), **fields)


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
    vintage: str | None = VINTAGE_OPTION,
) -> None:
    """Years behind the frontier in training compute (or parameters), with bootstrap intervals.

    For each year-end, how long the country took (or is taking) to reach the level each
    comparator had then. ">= x" = not reached by the cutoff (a lower bound). See
    docs/strategy.md.
    """
    country = check_iso3([country])[0]
    with open_warehouse(db) as wh:
        em = fr.load_epoch_models(wh, vintage)
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
    world_name = L("world_frontier")

    def nm(c: str) -> str:
        return world_name if c == fr.WORLD else names.get(c, c)

    who = names.get(country, country)
    pct = round(level * 100)
    lags = res.lags
    view = pd.DataFrame({
        L("vs"): lags["comparator"].map(nm),
        L("date"): lags["ref_date"],
        L("vs_log10"): lags["comparator_log10"].round(2),
        (f"{who} log10"): lags["country_log10"].round(2),
        L("lag_years"): lags["lag_label"],
        L("lo", pct=pct): lags["lo"].round(1),
        L("hi", pct=pct): lags["hi"].round(1),
    })
    metric_text = metric_label(res.metric, lang.value)
    title = L("frontier_title", who=who, metric=metric_text, res=res)
    emit(view, fmt, title=title, caption=L("frontier_caption"))
    tr = res.trends
    emit(pd.DataFrame({
        L("vs"): tr["comparator"].map(nm),
        L("slope_years_year"): tr["slope_years_per_year"].round(2),
        L("interval", pct=pct): [
            f"{a:.2f} ~ {b:.2f}" if pd.notna(a) else "–" for a, b in zip(tr["lo"], tr["hi"],
                                                                         strict=True)],
        L("points"): tr["n_points"],
        L("verdict"): [trend_verdict(v, lang.value) for v in tr["verdict"]],
    }), fmt, title=L("lag_trend_title"))
    if counts:
        c = res.counts
        emit(pd.DataFrame({
            L("vs"): c["comparator"].map(nm),
            L("year"): c["year"],
            who: c["country_count"],
            L("comparator"): c["comparator_count"],
            L("ratio"): c["ratio"].round(3),
            L("3_year_ratio"): c["ratio_3y"].round(3),
        }), fmt, title=L("notable_models_per_year"))
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
    vintage: str | None = VINTAGE_OPTION,
) -> None:
    """Revealed comparative advantage by AI domain (Epoch) and by technology (Belfer CETI)."""
    country = check_iso3([country])[0]
    e, r = _window(early, "--early"), _window(recent, "--recent")
    with open_warehouse(db) as wh:
        em = fr.load_epoch_models(wh, vintage)
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
    who = names.get(country, country)
    d = res.domains
    flags = []
    for row in d.itertuples():
        f = []
        if row.strong and row.growing:
            f.append(L("strong_growing"))
        elif row.strong:
            f.append(L("strong"))
        if row.small_count:
            f.append(L("small_n"))
        flags.append(", ".join(f))
    emit(pd.DataFrame({
        "#": d["rank"],
        L("domain"): [domain_name(x, lang.value) for x in d["domain"]],
        L("models"): d["count"],
        L("world_models"): d["world_count"],
        "RCA": d["rca"].round(2), L("sym_rca"): d["rca_sym"].round(2),
        f"RCA {e[0]}-{e[1]}": d["rca_early"].round(2),
        f"RCA {r[0]}-{r[1]}": d["rca_recent"].round(2),
        L("flags"): flags,
    }), fmt, title=L("niche_title", who=who, res=res))
    t = res.technologies
    if not t.empty:
        emit(pd.DataFrame({
            L("technology"): t[column(t.columns, "label", lang.value)],
            L("mean_score"): t["mean_score"].round(3),
            L("world_mean"): t["world_mean_score"].round(3),
            L("rank"): [f"{a}/{b}" for a, b in
                                        zip(t["rank_of_countries"], t["n_countries"],
                                            strict=True)],
            "RCA": t["rca"].round(2), L("sym_rca"): t["rca_sym"].round(2),
        }), fmt, title=L("ceti_title"))
    sg = res.strong_and_growing()
    if len(sg):
        labels = [domain_name(x, lang.value) for x in sg["domain"]]
        console.print(L("strong_and_growing")
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
    vintage: str | None = VINTAGE_OPTION,
) -> None:
    """Partners ranked by how well their strengths cover the country's weak pillars."""
    country = check_iso3([country])[0]
    weights = pa.PartnerWeights(w_complement, w_collab, w_gov)
    with open_warehouse(db) as wh:
        em = fr.load_epoch_models(wh, vintage)
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
    who = names.get(country, country)
    wk = res.weak
    emit(pd.DataFrame({
        L("weak_pillar"): [pillar_name(p, lang.value)
                                               for p in wk["pillar"]],
        L("score"): wk["score"],
        L("percentile"): wk["percentile"].round(2),
        L("weight"): wk["weight"].round(2),
    }), fmt, title=L("weak_title", who=who))
    t = res.table
    emit(pd.DataFrame({
        "#": t["rank"],
        L("partner"): t["partner"].map(lambda c: names.get(c, c)),
        L("complement"): t["complementarity"].round(3),
        L("covers"): t["covers"].map(
            lambda ps: ", ".join(pillar_name(p, lang.value) for p in ps)),
        L("joint_models"): t["co_developed_models"],
        L("collab"): t["collaboration"].round(3),
        L("gov_readiness", res=res):
            t["gov_ai_readiness"].round(1),
        L("gov_similarity"): t["governance_similarity"].round(3),
        L("total"): t["total"].round(3),
    }), fmt, title=L("partners_ranked"),
        caption=L("weights", weights=weights))
    _notes(res.notes)


def register(app: typer.Typer) -> None:
    app.command("frontier-lag")(user_errors(frontier_lag_cmd))
    app.command("niche")(user_errors(niche_cmd))
    app.command("partners")(user_errors(partners_cmd))
