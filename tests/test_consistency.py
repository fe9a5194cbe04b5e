"""One convention everywhere: the report, the CLI (``--format json``) and the API (FastAPI
TestClient), run on the same real-mirror warehouse, print the same headline numbers.

Headlines: Korea's index rank and score, its pillar ranks (among all units and among OECD
members), the OECD median of each pillar (the one peer rule: members as of the data year,
Korea not its own peer), the gap ratios on private AI investment (KOR vs USA, CHN, newest
year), Korea's OECD rank in net AI talent migration and the number of members it is ranked
among (with the year: one year policy per concept), and the weak pillars partners cover (one
pillar basis).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from aigap.cli import app

SPEC = "aigap"
UNIT = "KOR"
MIGRATION = "ai_talent_net_migration"
INVESTMENT = "private_ai_investment"

runner = CliRunner()


def cli_json(db: Path, *args: str) -> Any:
    res = runner.invoke(app, ["--db", str(db), *args, "--format", "json"])
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


# --------------------------------------------------------------------------- the three fronts


@pytest.fixture(scope="module")
def report(real_db: Path) -> Iterator[dict[str, Any]]:
    """The report's sections (English) and its context, built once."""
    from aigap.data.warehouse import Warehouse
    from aigap.report.sections import (
        ReportContext,
        gaps_section,
        index_section,
        peer_section,
        profile_section,
    )

    with Warehouse.open(real_db) as wh:
        ctx = ReportContext(wh, unit=UNIT, lang="en", spec=SPEC)
        out = {"ctx": ctx, "index": index_section(ctx), "profile": profile_section(ctx),
               "peers": peer_section(ctx), "gaps": gaps_section(ctx)}
        from aigap.analysis.diagnosis.claims import check_claims
        from aigap.analysis.strategy.partners import partners_from_warehouse

        out["claims"] = check_claims(wh, indices={SPEC: (ctx.index, ctx.frame)})
        out["partners"] = partners_from_warehouse(wh, UNIT, result=ctx.index, top=5)
        yield out


@pytest.fixture(scope="module")
def cli(real_db: Path) -> dict[str, Any]:
    return {
        "rank": cli_json(real_db, "rank", "--spec", SPEC, "--level", "2", "--top", "0"),
        "profile": cli_json(real_db, "profile", UNIT, "--spec", SPEC),
        "peer": cli_json(real_db, "peer-rank", UNIT, "-i", MIGRATION, "--group", "OECD"),
        "gap": cli_json(real_db, "gap", UNIT, "--vs", "USA", "CHN", "-i", INVESTMENT),
        "partners": cli_json(real_db, "partners", UNIT, "--top", "5"),
    }


@pytest.fixture(scope="module")
def api(real_db: Path) -> dict[str, Any]:
    from aigap.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    def get(c: Any, path: str, **params: Any) -> Any:
        r = c.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    with TestClient(create_app(real_db)) as c:
        return {
            "rank": get(c, f"/api/v1/index/{SPEC}"),
            "profile": get(c, f"/api/v1/profile/{UNIT}", spec=SPEC, peers="OECD"),
            "peer": get(c, "/api/v1/peer-rank", unit=UNIT, indicator=MIGRATION, group="OECD"),
            "gap": get(c, "/api/v1/gap", unit=UNIT, vs=["USA", "CHN"], indicator=[INVESTMENT]),
            "partners": get(c, "/api/v1/partners", unit=UNIT, top=5),
        }


# --------------------------------------------------------------------------- helpers


def min_rank(scores: dict[str, float | None], unit: str) -> int:
    """1 + units with a strictly higher score (ties share the best rank)."""
    s = pd.Series(scores, dtype=float).dropna()
    return int(s.rank(method="min", ascending=False)[unit])


def report_rows(sec: dict[str, Any], table: str) -> list[dict[str, Any]]:
    return sec["tables"][table]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- the assertions


def test_index_rank_and_score(report: dict[str, Any], cli: dict[str, Any],
                              api: dict[str, Any]) -> None:
    ctx = report["ctx"]
    root = ctx.root
    r_rep = int(ctx.index.ranks.loc[UNIT, root])
    s_rep = float(ctx.index.scores.loc[UNIT, root])
    row_cli = next(r for r in cli["rank"] if r["unit"] == UNIT)
    row_api = next(r for r in api["rank"]["rows"] if r["unit"] == UNIT)
    assert r_rep == row_cli["rank"] == row_api["rank"]
    assert row_cli["score"] == pytest.approx(s_rep, abs=1e-9)
    assert row_api["score"] == round(s_rep, 4)  # the API rounds to 4 decimals
    # the report's table shows the same score and rank
    table = {r[ctx.col("pillar")]: r for r in report_rows(report["index"], "pillars")}
    n = int(ctx.index.scores[root].notna().sum())
    assert table[ctx.pillar(root)][ctx.col("rank_of", n=n)] == r_rep
    assert table[ctx.pillar(root)][ctx.col("score")] == round(s_rep, 1)
    assert len(cli["rank"]) == api["rank"]["n_units"] == n


def test_pillar_ranks_among_all_units(report: dict[str, Any], cli: dict[str, Any],
                                      api: dict[str, Any]) -> None:
    ctx = report["ctx"]
    n = int(ctx.index.scores[ctx.root].notna().sum())
    table = {r[ctx.col("pillar")]: r for r in report_rows(report["index"], "pillars")}
    for p in ctx.pillars:
        rep = table[ctx.pillar(p)][ctx.col("rank_of", n=n)]
        by_cli = min_rank({r["unit"]: r[p] for r in cli["rank"]}, UNIT)
        by_api = min_rank({r["unit"]: r["pillars"][p] for r in api["rank"]["rows"]}, UNIT)
        assert rep == by_cli == by_api, p


def test_oecd_medians_and_ranks_one_convention(report: dict[str, Any], cli: dict[str, Any],
                                               api: dict[str, Any]) -> None:
    """The report's "OECD median" column, the profile (report, CLI, API) and the claims give
    one median per pillar: Korea left out, members as of the data year."""
    ctx = report["ctx"]
    prof_cli = {p["code"]: p for p in cli["profile"]["pillars"]}
    prof_api = {p["code"]: p for p in api["profile"]["pillars"]}
    assert cli["profile"]["members"] == api["profile"]["members"] == ctx.members
    assert cli["profile"]["year"] == api["profile"]["year"] == ctx.index.year
    median_col = ctx.col("median", peers=ctx.peers)
    rank_col = ctx.col("rank_in", peers=ctx.peers)
    index_table = {r[ctx.col("pillar")]: r for r in report_rows(report["index"], "pillars")}
    profile_table = {r[ctx.col("pillar")]: r for r in report_rows(report["profile"], "profile")}
    peers = [m for m in ctx.members if m != UNIT and m in ctx.index.scores.index]
    for p in ctx.pillars:
        c, a = prof_cli[p], prof_api[p]
        assert c["peer_median"] == pytest.approx(a["peer_median"], abs=1e-12), p
        assert (c["rank"], c["n"]) == (a["rank"], a["n"]), p
        assert c["n"] == len(peers) + 1  # "k of n": n counts Korea, never "of 37" beside "/38"
        assert index_table[ctx.pillar(p)][median_col] == round(c["peer_median"], 1), p
        assert profile_table[ctx.pillar(p)][rank_col] == c["rank"], p
    # the claims' profile check uses the same medians and the same comparison set
    prof_claims = [ch for ch in report["claims"] if ch.facts.get("kind") == "profile"
                   and ch.facts.get("spec") == SPEC]
    assert prof_claims
    for ch in prof_claims:
        assert ch.facts["members"] == len(peers)
        for item in ch.facts["items"]:
            assert item["peer_median"] == pytest.approx(prof_cli[item["pillar"]]["peer_median"],
                                                        abs=1e-12)
            assert item["percentile"] == pytest.approx(
                prof_cli[item["pillar"]]["percentile"], abs=1e-9)


def test_gap_ratios_newest_year(report: dict[str, Any], cli: dict[str, Any],
                                api: dict[str, Any]) -> None:
    ctx = report["ctx"]

    def newest(doc: dict[str, Any]) -> dict[str, tuple[int, float]]:
        return {s["other"]: (s["year"], s["ratio"]) for s in doc["summary"]}

    c, a = newest(cli["gap"]), newest(api["gap"])
    assert c.keys() == {"USA", "CHN"}
    assert c == a
    rows = report_rows(report["gaps"], "ratios")
    year = max(r[ctx.col("year")] for r in rows)
    rep = {r[ctx.col("vs")]: r[ctx.col("ratio")] for r in rows if r[ctx.col("year")] == year}
    for other, (y, ratio) in c.items():
        assert y == year
        assert rep[ctx.name(other)] == round(ratio, 1)


def test_net_talent_migration_one_year_policy(report: dict[str, Any], cli: dict[str, Any],
                                              api: dict[str, Any]) -> None:
    """Index, report's OECD section, claims, CLI and API: one year and one rank "k of n"."""
    ctx = report["ctx"]
    c, a = cli["peer"], api["peer"]
    assert (c["year"], c["rank"], c["ranked_of"], c["n_members"]) == \
        (a["year"], a["rank"], a["ranked_of"], a["n_members"])
    # the index takes its value from the same year (the spec's data rule)
    years = ctx.frame.attrs["value_years"]
    years = years[years["Time"] == ctx.index.year] if "Time" in years else years
    assert int(years.loc[UNIT, MIGRATION]) == c["year"]
    # the report's OECD section
    name = ctx.indicator_name(MIGRATION)
    row = next(r for r in report_rows(report["peers"], "ranks")
               if r[ctx.col("indicator")] == name)
    assert (row[ctx.col("year")], row[ctx.col("rank")], row[ctx.col("with_data")]) == \
        (c["year"], c["rank"], c["ranked_of"])
    # the claims on the same indicator, checked for the newest year
    claims = [ch for ch in report["claims"] if ch.facts.get("kind") in ("peer_rank",
              "not_reproducible") and ch.facts["peer_rank"] is not None
              and ch.facts["peer_rank"].indicator == MIGRATION]
    assert claims
    for ch in claims:
        newest = ch.facts["years"][0]
        assert (newest["year"], newest["rank"], newest["of_with_data"]) == \
            (c["year"], c["rank"], c["ranked_of"])
    # and the profile's indicator row (raw values among the same members)
    ind = next(i for i in cli["profile"]["indicators"] if i["code"] == MIGRATION)
    assert (ind["rank"], ind["n"]) == (c["rank"], c["ranked_of"])


def test_partners_judge_weak_pillars_on_the_index(report: dict[str, Any], cli: dict[str, Any],
                                                  api: dict[str, Any]) -> None:
    ctx = report["ctx"]
    counted = [p for p in ctx.pillars if ctx.index.framework.weight.get(p, 1.0) > 0]
    weak_rep = [w for w in report["partners"].weak["pillar"]]
    weak_cli = [w["pillar"] for w in cli["partners"]["weak_pillars"]]
    weak_api = [w["pillar"] for w in api["partners"]["weak_pillars"]]
    assert weak_rep == weak_cli == weak_api
    assert weak_cli and set(weak_cli) <= set(counted)
    assert cli["partners"]["pillar_source"] == api["partners"]["pillar_source"]
    assert [p["partner"] for p in cli["partners"]["partners"]] == \
        [p["partner"] for p in api["partners"]["partners"]] == \
        list(report["partners"].table["partner"])
