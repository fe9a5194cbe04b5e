"""Concepts over series: the catalogue, coverage, the default-series rule, and gap() answering
for the newest series with the others side by side (real mirror and constructed warehouses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from aigap.analysis.diagnosis.gap import GapResult, gap
from aigap.cli import app
from aigap.data.catalogue import catalogue
from aigap.data.concepts import (
    Coverage,
    adequate,
    choose_series,
    concept,
    concept_of,
    concepts,
    load_concepts,
    resolve,
)
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError, SpecError
from aigap.i18n import has
from aigap.present import document, sentence


def test_every_series_is_a_catalogued_indicator_with_names() -> None:
    known = set(catalogue())
    for code, c in concepts().items():
        assert c.kind in {"scale", "intensity", "score", "signed", "rank"}
        assert has(f"concept.{code}", "en") and has(f"concept.{code}", "ko"), code
        for s in c.series:
            assert s.indicator in known, (code, s.indicator)
            assert has(f"series.{s.id}", "en") and has(f"series.{s.id}", "ko"), s.id


def test_a_concept_code_that_is_an_indicator_code_resolves_as_the_concept() -> None:
    con, fixed = resolve("private_ai_investment")  # also the CSET indicator's code
    assert con.code == "private_ai_investment" and fixed is None
    assert [s.id for s in con.series] == ["aiindex", "cset"]
    con, fixed = resolve("private_ai_investment_aiindex")
    assert con.code == "private_ai_investment" and fixed is not None and fixed.id == "aiindex"
    assert concept_of("ai_talent_net_migration").code == "ai_talent_flow"  # type: ignore[union-attr]
    assert concept_of("population") is None
    con, fixed = resolve("population")
    assert con.ad_hoc and fixed is not None and fixed.indicator == "population"
    with pytest.raises(AigapError, match="unknown concept 'private_ai_invest'"):
        concept("private_ai_invest")


def test_bad_concept_files_are_named(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("concepts:\n  x:\n    kind: size\n    series: [{id: a, indicator: b}]\n")
    with pytest.raises(SpecError, match=r"c.yaml: concepts.x.kind"):
        load_concepts(str(path))
    path.write_text("concepts:\n  x:\n    kind: scale\n    series:\n"
                    "      - {id: a, indicator: b}\n      - {id: a, indicator: c}\n")
    with pytest.raises(SpecError, match="series id appears twice"):
        load_concepts(str(path))


def _cov(observed: dict[int, set[str]], censored: tuple[int, ...] = ()) -> Coverage:
    return Coverage("c", "s", "i", "scale", "u", (), (), min(observed), max(observed),
                    {y: len(v) for y, v in observed.items()},
                    {y: frozenset(v) for y, v in observed.items()}, censored, 15, ())


def test_adequacy_per_purpose() -> None:
    cov = _cov({2024: {f"U{i}" for i in range(40)} | {"KOR"}, 2025: {"USA", "KOR", "CHN"}},
               censored=(2025,))
    assert adequate(cov, 2025, ["KOR", "USA"], "compare") is None  # censored but all listed
    assert "top-15" in (adequate(cov, 2025, ["KOR", "USA"], "rank") or "")
    assert adequate(cov, 2024, None, "rank") is None
    assert "fewer than 3" in (adequate(cov, 2025, ["KOR"], "trend") or "")
    assert "no 2025 value for JPN" in (adequate(cov, 2025, ["KOR", "JPN"], "compare") or "")


@given(st.dictionaries(st.integers(2000, 2030), st.sets(st.sampled_from(
    ["KOR", "USA", "CHN", "JPN"]), min_size=1), min_size=1))
def test_compare_is_adequate_exactly_when_every_unit_is_observed(
        observed: dict[int, set[str]]) -> None:
    cov = _cov(observed)
    for year, units in observed.items():
        ok = adequate(cov, year, ["KOR", "USA"], "compare") is None
        assert ok == ({"KOR", "USA"} <= units)


# --- the real mirror ------------------------------------------------------------------------

def test_private_ai_investment_defaults_to_ai_index_2025(real_wh: Warehouse) -> None:
    ch = choose_series(real_wh, "private_ai_investment", units=["KOR", "USA", "CHN"])
    assert (ch.chosen.series, ch.year, ch.reason) == ("aiindex", 2025, "newest")
    assert ch.chosen.indicator == "private_ai_investment_aiindex"
    assert 2025 in ch.chosen.censored_years and ch.chosen.top_n == 15
    (alt,) = ch.alternatives
    assert (alt.coverage.series, alt.year) == ("cset", 2023)
    assert ch.newer_than_asked == ()
    # a rank among peers may not use the censored 2025 chart: 2024 (AI Index 2025 edition)
    rank = choose_series(real_wh, "private_ai_investment", units=["KOR"], purpose="rank")
    assert (rank.chosen.series, rank.year) == ("aiindex", 2024)
    # a trend needs years: Korea has two AI Index values, ten CSET ones
    tr = choose_series(real_wh, "private_ai_investment", units=["KOR", "USA"], purpose="trend")
    assert (tr.chosen.series, tr.year) == ("cset", 2023)


def test_asking_for_an_older_series_warns_of_the_newer_one(real_wh: Warehouse) -> None:
    ch = choose_series(real_wh, "private_ai_investment", units=["KOR", "USA"], series="cset")
    assert (ch.chosen.series, ch.year, ch.reason) == ("cset", 2023, "asked")
    assert [(a.coverage.series, a.year) for a in ch.newer_than_asked] == [("aiindex", 2025)]
    assert "AI Index (2025)" in sentence(ch, "en") and "AI 인덱스(2025년)" in sentence(ch, "ko")
    with pytest.raises(AigapError, match=r"has no series .quid..*aiindex"):
        choose_series(real_wh, "private_ai_investment", series="quid")


def test_gap_answers_for_2025_with_cset_2023_beside_it(real_wh: Warehouse) -> None:
    res = gap(real_wh, "KOR", vs=["USA", "CHN"], indicators=["private_ai_investment"])
    assert isinstance(res, GapResult)
    head = {s.other: s for s in res.summaries}
    assert {s.year for s in res.summaries} == {2025}
    assert head["USA"].ratio == pytest.approx(285.875311 / 1.775384, rel=1e-4)  # 161x
    assert head["CHN"].ratio == pytest.approx(7.0, abs=0.05)
    alt = {s.other: s for s in res.alternatives}
    assert {s.series for s in res.alternatives} == {"cset"}
    assert {s.year for s in res.alternatives} == {2023}
    assert round(alt["USA"].ratio, 1) == 29.8 and round(alt["CHN"].ratio, 1) == 3.5
    en = sentence(res, "en")
    assert "2025 AI Index (used): United States 161.0x, China 7.0x" in en
    assert "2023 CSET: United States 29.8x, China 3.5x" in en
    assert "newer series" not in en
    assert "2025년 AI 인덱스(사용): 미국 161.0배, 중국 7.0배" in sentence(res, "ko")
    doc = document(res)
    json.dumps(doc)  # JSON-safe
    assert doc["series"]["private_ai_investment"]["chosen"]["series"] == "aiindex"
    assert doc["summary"][0]["year"] == 2025 and "161.0x" in doc["summary"][0]["sentence_en"]
    frame = res.to_frame()
    assert set(frame["indicator"]) == {"private_ai_investment_aiindex"}


def test_gap_on_the_asked_series_warns(real_wh: Warehouse) -> None:
    res = gap(real_wh, "KOR", vs=["USA"], indicators=["private_ai_investment"], series="cset",
              per=())
    assert res.summaries[0].year == 2023 and res.alternatives[0].year == 2025
    assert res.newer_than_asked() == [("private_ai_investment", "aiindex", 2025)]
    assert "A newer series than the one asked for exists: AI Index (2025)" in sentence(res, "en")
    with pytest.raises(AigapError, match="one indicator at a time"):
        gap(real_wh, "KOR", vs=["USA"], indicators=["private_ai_investment", "ai_diffusion"],
            series="cset")


def test_cli_gap_default_series_and_alternatives(real_db: Path) -> None:
    res = CliRunner().invoke(app, ["gap", "KOR", "--vs", "USA", "CHN", "--indicator",
                                   "private_ai_investment", "--basis", "level", "--db",
                                   str(real_db)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "In 2025, United States' private AI investment" in out and "161.0x" in out
    assert "2023 CSET: United States 29.8x, China 3.5x" in out
    res = CliRunner().invoke(app, ["gap", "KOR", "--vs", "USA", "-i", "private_ai_investment",
                                   "--series", "cset", "--format", "json", "--db",
                                   str(real_db)])
    doc = json.loads(res.stdout)
    assert doc["newer_than_asked"] == [{"concept": "private_ai_investment",
                                        "series": "aiindex", "year": 2025}]
    assert "AI Index (2025)" in doc["warning_en"]


def test_cli_trend_series_and_side_by_side(real_db: Path) -> None:
    res = CliRunner().invoke(app, ["trend", "KOR", "--vs", "USA", "-i",
                                   "private_ai_investment", "--horizon", "0", "--db",
                                   str(real_db)])
    assert res.exit_code == 0, res.output
    assert "CSET 2023 is the newest series with data adequate for a trend" in res.stdout
    assert "2025 AI Index: United States 161.0x" in res.stdout
    res = CliRunner().invoke(app, ["trend", "KOR", "--vs", "USA", "-i",
                                   "private_ai_investment", "--series", "aiindex", "--db",
                                   str(real_db)])
    assert res.exit_code == 2 and "private_ai_investment_aiindex" in res.stderr


def test_gap_figure_draws_every_series(real_wh: Warehouse) -> None:
    from aigap.present import figure

    res = gap(real_wh, "KOR", vs=["USA", "CHN"], indicators=["private_ai_investment"], per=())
    fig = figure(res, "en")
    names = [d.name for d in fig.data]
    assert "United States · AI Index" in names and "China · CSET" in names
    cset = next(d for d in fig.data if d.name == "United States · CSET")
    assert cset.line.dash == "dash" and len(cset.x) == 10  # 2014-2023
    assert fig.layout.yaxis.type == "log"
    assert "계열별" in figure(res, "ko").layout.title.text


def test_cli_data_concepts(real_db: Path) -> None:
    res = CliRunner().invoke(app, ["data", "concepts", "private_ai_investment", "--format",
                                   "json", "--db", str(real_db)])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [(r["id"], r["default"]) for r in rows] == [("aiindex", "*"), ("cset", "")]
    assert rows[0]["last_year"] == 2025 and "censored-top15" in rows[0]["flags"]
    res = CliRunner().invoke(app, ["data", "concepts", "--db", str(real_db)])
    assert res.exit_code == 0 and "ai_talent_flow" in res.stdout
