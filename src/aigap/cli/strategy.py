"""`aigap frontier-lag | niche | partners`: speed, specialisation and partners of a country."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    current_lang,
    render,
    user_errors,
)
from aigap.cli.data import DB_OPTION, open_warehouse
from aigap.errors import AigapError
from aigap.i18n import pillar_name
from aigap.i18n import t as catalogue_text
from aigap.present.names import column

if TYPE_CHECKING:  # loaded when a command runs: `aigap --help` stays quick
    pass


def _default(module: str, name: str) -> Callable[[], Any]:
    """An option's default read from its analysis module when the command runs (importing the
    analyses at start-up would make `aigap --help` slow)."""

    def get() -> Any:
        return getattr(importlib.import_module(f"aigap.analysis.strategy.{module}"), name)

    return get


class Metric(StrEnum):
    compute = "compute"
    parameters = "parameters"


class LagMethod(StrEnum):
    interp = "interp"
    step = "step"


class AttributionOpt(StrEnum):
    own = "own"
    any = "any"


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
                              help="vintage of the Epoch AI models (default: the newest); "
                              "`aigap data records` / Warehouse.record_tables() list them")


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
    method: Annotated[LagMethod, typer.Option(help="step (records as published) or interp "
                                              "(log-linear between records)")]
    = LagMethod.step,
    attribution: Annotated[AttributionOpt, typer.Option(
        help="own: only models whose organisations are all in the country; any: every model "
        "an organisation of the country took part in")] = AttributionOpt.own,
    tolerance: float = typer.Option(
        ..., default_factory=_default("frontier", "DEFAULT_TOLERANCE"),
        help="log10 shortfall still counted as reached (Epoch's estimates are rough)"),
    cutoff: Annotated[str | None, typer.Option(
        help="ignore models published after this date (default: the vintage's newest "
        "model; the last 12 months are flagged incomplete)")] = None,
    start_year: int = typer.Option(..., "--from", default_factory=_default(
        "frontier", "DEFAULT_START_YEAR"), help="first reference year-end"),
    n_boot: Annotated[int, typer.Option("--n-boot", help="bootstrap replicates (0 = none)")]
    = 500,
    level: Annotated[float, typer.Option(help="interval level")] = 0.9,
    seed: Annotated[int, typer.Option(help="bootstrap seed")] = 0,
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

    For each year-end, how long the country's own models took (or are taking) to reach the
    level each comparator had then. ">= x" = not reached by the cutoff (a lower bound, only
    when the shortfall exceeds the tolerance); "one model" = the lag rests on a single paper.
    The trend is fitted on independent record points only. See docs/strategy.md.
    """
    import pandas as pd

    from aigap.analysis.strategy import frontier as fr
    from aigap.data.countries import check_iso3
    from aigap.present.strategy import metric_label, trend_verdict

    country = check_iso3([country])[0]
    cut = None
    if cutoff is not None:
        try:
            cut = str(pd.Timestamp(cutoff).date())
        except ValueError:
            raise AigapError(f"--cutoff must be a date like 2023-12-31, not {cutoff!r}") from None
    with open_warehouse(db) as wh:
        names = wh.country_names(lang.value)
        res = fr.frontier_lag_from_warehouse(
            wh, country, vs=vs or ["USA", "CHN"], vintage=vintage, metric=metric.value,
            cutoff=cut, start_year=start_year, method=method.value,
            attribution=attribution.value, tolerance=tolerance, include_world=world,
            n_boot=n_boot, level=level, seed=seed)
    if fmt is not OutputFormat.table:
        render(res.counts if counts and fmt is OutputFormat.csv else res, fmt, lang)
        return
    world_name = L("world_frontier")

    def nm(c: str) -> str:
        return world_name if c == fr.WORLD else names.get(c, c)

    who = names.get(country, country)
    pct = round(level * 100)
    lags = res.lags
    basis = [L("one_model") if one else L("within_tolerance") if near else ""
             for one, near in zip(lags["one_point"], lags["within_tolerance"], strict=True)]
    basis = [f"{b}, {L('incomplete')}" if inc and b else L("incomplete") if inc else b
             for b, inc in zip(basis, lags["incomplete"], strict=True)]
    render(pd.DataFrame({
        L("vs"): lags["comparator"].map(nm),
        L("date"): lags["ref_date"],
        L("vs_log10"): lags["comparator_log10"].round(2),
        (f"{who} log10"): lags["country_log10"].round(2),
        L("lag_years"): lags["lag_label"],
        L("lo", pct=pct): lags["lo"].round(1),
        L("hi", pct=pct): lags["hi"].round(1),
        L("reached_by"): lags["reached_by"],
        L("shortfall"): lags["shortfall_log10"].round(2),
        L("basis"): basis,
    }), fmt, lang, title=L("frontier_title", who=who, metric=metric_label(res.metric,
                                                                           lang.value),
                             res=res),
        caption=L("frontier_caption", tol=res.tolerance))
    tr = res.trends
    render(pd.DataFrame({
        L("vs"): tr["comparator"].map(nm),
        L("slope_years_year"): tr["slope_years_per_year"].round(2),
        L("interval", pct=pct): [
            f"{a:.2f} ~ {b:.2f}" if pd.notna(a) else "–" for a, b in zip(tr["lo"], tr["hi"],
                                                                         strict=True)],
        L("points"): tr["n_points"],
        L("verdict"): [trend_verdict(v, lang.value) for v in tr["verdict"]],
    }), fmt, lang, title=L("lag_trend_title", n=fr.MIN_TREND_POINTS))
    if len(res.multinational):
        mu = res.multinational
        render(pd.DataFrame({
            L("model"): mu["model"], L("date"): mu["date"],
            L("organization"): mu["organization"], L("countries"): mu["countries"],
            "log10": mu["log10_" + res.metric].round(2),
        }), fmt, lang, title=L("multinational_title", who=who))
    if counts:
        c = res.counts
        render(pd.DataFrame({
            L("vs"): c["comparator"].map(nm),
            L("year"): c["year"],
            who: c["country_count"],
            L("comparator"): c["comparator_count"],
            L("ratio"): c["ratio"].round(3),
            L("3_year_ratio"): c["ratio_3y"].round(3),
        }), fmt, lang, title=L("notable_models_per_year"))
    _notes(res.notes)


def niche_cmd(
    country: str = COUNTRY_ARG,
    counting: Annotated[CountingRule, typer.Option(
        help="multi-domain models: fractional (1/k each) or whole (1 each)")]
    = CountingRule.fractional,
    early: Annotated[str, typer.Option(help="earlier window")] = "2014-2018",
    recent: Annotated[str | None, typer.Option(
        help="recent window (default: 2019 to the newest model's year)")] = None,
    min_count: int = typer.Option(..., "--min-count",
                                  default_factory=_default("niche", "MIN_COUNT"),
                                  help="domains with fewer papers are flagged, never strong"),
    table: Annotated[NicheTable, typer.Option("--table", help="csv: which table")]
    = NicheTable.domains,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
    db: Path | None = DB_OPTION,
    vintage: str | None = VINTAGE_OPTION,
) -> None:
    """Revealed comparative advantage by AI domain (Epoch) and by technology (Belfer CETI)."""
    import pandas as pd

    from aigap.analysis.strategy import niche as ni
    from aigap.data.countries import check_iso3
    from aigap.present.strategy import domain_name

    country = check_iso3([country])[0]
    e = _window(early, "--early")
    r = _window(recent, "--recent") if recent else None
    with open_warehouse(db) as wh:
        names = wh.country_names(lang.value)
        res = ni.niche_from_warehouse(wh, country, vintage=vintage, counting=counting.value,
                                      early=e, recent=r, min_count=min_count)
    e, r = res.early, res.recent
    if fmt is OutputFormat.json:
        render(res, OutputFormat.json, lang)
        return
    if fmt is OutputFormat.csv:
        render(res.to_frame("domain" if table is NicheTable.domains else "technology"), fmt, lang)
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
    render(pd.DataFrame({
        "#": d["rank"],
        L("domain"): [domain_name(x, lang.value) for x in d["domain"]],
        L("papers"): d["count"],
        L("models"): d["models"],
        L("world_papers"): d["world_count"],
        "RCA": d["rca"].round(2), L("sym_rca"): d["rca_sym"].round(2),
        f"RCA {e[0]}-{e[1]}": d["rca_early"].round(2),
        f"RCA {r[0]}-{r[1]}": d["rca_recent"].round(2),
        L("flags"): flags,
    }), fmt, lang, title=L("niche_title", who=who, res=res))
    t = res.technologies
    if not t.empty:
        render(pd.DataFrame({
            L("technology"): t[column(t.columns, "label", lang.value)],
            L("mean_score"): t["mean_score"].round(3),
            L("world_mean"): t["world_mean_score"].round(3),
            L("rank"): [f"{a}/{b}" for a, b in
                                        zip(t["rank_of_countries"], t["n_countries"],
                                            strict=True)],
            "RCA": t["rca"].round(2), L("sym_rca"): t["rca_sym"].round(2),
        }), fmt, lang, title=L("ceti_title"))
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
        "--countries", "-c", help="candidate partners (default: the aigap index's units and OECD "
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
    import pandas as pd

    from aigap.analysis.strategy import partners as pa
    from aigap.data.countries import check_iso3

    country = check_iso3([country])[0]
    weights = pa.PartnerWeights(w_complement, w_collab, w_gov)
    with open_warehouse(db) as wh:
        names = wh.country_names(lang.value)
        res = pa.partners_from_warehouse(wh, country, vintage=vintage, candidates=candidates,
                                         weights=weights, weak_rule=weak_rule.value, top=top)
    if fmt is OutputFormat.json:
        render(res, OutputFormat.json, lang)
        return
    if fmt is OutputFormat.csv:
        out = res.to_frame()
        out["covers"] = out["covers"].map(";".join)
        render(out, fmt, lang)
        return
    who = names.get(country, country)
    wk = res.weak
    render(pd.DataFrame({
        L("weak_pillar"): [pillar_name(p, lang.value)
                                               for p in wk["pillar"]],
        L("score"): wk["score"],
        L("percentile"): wk["percentile"].round(2),
        L("weight"): wk["weight"].round(2),
    }), fmt, lang, title=L("weak_title", who=who))
    t = res.table
    render(pd.DataFrame({
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
    }), fmt, lang, title=L("partners_ranked"),
        caption=L("weights", weights=weights))
    _notes(res.notes)


def register(app: typer.Typer) -> None:
    app.command("frontier-lag")(user_errors(frontier_lag_cmd))
    app.command("niche")(user_errors(niche_cmd))
    app.command("partners")(user_errors(partners_cmd))
