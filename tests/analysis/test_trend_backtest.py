"""trend: the fit window rule, backtests, linear models and when a catch-up year is given."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aigap.analysis.diagnosis.trend import TrendError, converge, fit_series, trend
from aigap.analysis.diagnosis.trendfit.converge import latest_gaps
from aigap.analysis.diagnosis.trendfit.fit import choose_model, holdout_size
from aigap.analysis.diagnosis.trendfit.window import (
    adequate_years,
    coverage,
    rule_window,
    user_window,
)
from aigap.data.warehouse import Warehouse
from aigap.present import sentence
from aigap.present.text.diagnosis import window_lines

YEARS = list(range(2014, 2024))


def _series(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"year": list(values), "value": list(values.values())})


def _panel(rows: dict[str, dict[int, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"iso3": c, "year": y, "value": v, "source": "s"}
                         for c, s in rows.items() for y, v in s.items()])


# --- the window rule --------------------------------------------------------------------------

def test_rule_drops_an_artefact_start() -> None:
    # Korea's CSET shape: US$16m in 2014 against 117-309m in 2015-2017
    s = _series({2014: 16e6, 2015: 309e6, 2016: 190e6, 2017: 117e6, 2018: 271e6,
                 2019: 804e6, 2020: 1067e6})
    w = rule_window(s, set(range(2000, 2030)), 10, model="log", who="KOR", indicator="i")
    assert (w.start, w.end) == (2015, 2020) and w.rule == "rule"
    (note,) = w.notes
    assert note.code == "artefact" and note.fields["year"] == 2014
    assert note.fields["factor"] == pytest.approx(190e6 / 16e6)
    # the linear model has no such rule: a small first value of a signed series is a value
    w = rule_window(s, set(range(2000, 2030)), 10, model="linear")
    assert w.start == 2014


def test_rule_takes_the_most_recent_adequate_run() -> None:
    # a source building up coverage (2 units, then 10) and a newest year of early reporters
    cov_rows = {f"C{i}": {y: 1.0 for y in range(2016, 2024)} for i in range(8)}
    cov_rows["KOR"] = {y: 2.0 ** (y - 2010) for y in range(2010, 2025)}
    cov_rows["USA"] = {y: 3.0 ** (y - 2010) for y in range(2010, 2025)}
    cov = coverage(_panel(cov_rows))
    adequate, ref = adequate_years(cov)
    assert adequate == set(range(2016, 2024)) and ref == 10  # 2010-2015: 2 units; 2024: 2
    w = rule_window(_series(cov_rows["KOR"]), adequate, ref, model="log")
    assert (w.start, w.end) == (2016, 2023)
    assert [(n.code, n.fields["years"]) for n in w.notes] == [("low_coverage",
                                                               "2010-2015, 2024")]
    # a top-15 chart: coverage is judged against N, not against its one full year
    cov2 = pd.Series({2013: 2, 2014: 2, 2023: 62, 2024: 15})
    assert adequate_years(cov2, top_n=15)[0] == {2023, 2024}
    # a missing year ends the run
    gap = {y: 1.5 ** (y - 2010) for y in [*range(2010, 2014), *range(2015, 2021)]}
    w = rule_window(_series(gap), set(range(2000, 2030)), 10, model="log")
    assert (w.start, w.end) == (2015, 2020) and [n.code for n in w.notes] == ["older_run"]


def test_rule_needs_five_years_and_names_the_way_out() -> None:
    s = _series({2020: 1.0, 2021: 2.0, 2022: 3.0, 2023: 4.0})
    with pytest.raises(TrendError, match=r"at least 5 \(or set a window with --window\)"):
        rule_window(s, set(range(2000, 2030)), 10, model="log", who="KOR", indicator="i")
    w = user_window(2016, None, pd.Series([2014, 2023]))
    assert (w.start, w.end, w.rule) == (2016, 2023, "user")
    with pytest.raises(TrendError, match="after its end"):
        user_window(2023, 2016, pd.Series([2014, 2023]))


# --- fits and backtests -------------------------------------------------------------------------

def test_exact_series_backtest_passes_with_zero_error() -> None:
    f = fit_series(_series({y: 1e8 * 1.2 ** (y - 2014) for y in YEARS}), model="log")
    bt = f.backtest
    assert bt is not None and bt.years == (2021, 2022, 2023) and bt.fit_years == (2014, 2020)
    assert bt.passed and bt.error == pytest.approx(0, abs=1e-9)
    assert bt.predicted == pytest.approx(bt.observed, rel=1e-9)
    assert holdout_size(5) == 1 and holdout_size(4) == 0 and holdout_size(10, 2) == 2


def test_a_break_fails_the_backtest_and_withholds_the_date() -> None:
    # the other side grows steadily; the unit's series jumps in its last three years, so the
    # fitted lines cross soon, but a fit on the earlier years did not see the jump coming
    rng = np.random.default_rng(3)
    u = {y: 1e8 * 1.05 ** (y - 2014) * math.exp(rng.normal(0, 0.02)) for y in YEARS}
    for y in (2021, 2022, 2023):
        u[y] *= 2.0 * 1.3 ** (y - 2021)
    o = {y: 5e8 * 1.05 ** (y - 2014) * math.exp(rng.normal(0, 0.02)) for y in YEARS}
    fu = fit_series(_series(u), model="log", iso3="U")
    fo = fit_series(_series(o), model="log", iso3="O")
    assert fu.backtest is not None and not fu.backtest.passed
    c = converge(fu, fo, n_draws=2000)
    assert c.backtest is not None and not c.backtest.passed
    assert c.verdict == "not_estimable" and c.catch_up_year is None
    assert "backtest_failed" in [r.code for r in c.reasons]
    en, ko = sentence(c, "en"), sentence(c, "ko")
    assert "no catch-up date" in en and "backtest fails" in en and "closes in" not in en
    assert "추정할 수 없습니다" in ko and "사후검증을 통과하지 못합니다" in ko


def test_newest_observation_outside_the_fit_withholds_the_date() -> None:
    # a converging pair fitted on 2014-2021; the newest year (outside the window) shows the
    # gap back at 100x: that observation contradicts the fit
    u = {y: 1e8 * 1.3 ** (y - 2014) for y in YEARS}
    o = {y: 20e8 * 1.1 ** (y - 2014) for y in YEARS}
    rng = np.random.default_rng(0)
    u = {y: v * math.exp(rng.normal(0, 0.05)) for y, v in u.items()}
    window = {y: v for y, v in u.items() if y <= 2021}
    fu = fit_series(_series(window), model="log", iso3="U")
    fo = fit_series(_series({y: v for y, v in o.items() if y <= 2021}), model="log", iso3="O")
    newest = _panel({"U": {2025: 1.0}, "O": {2025: 100.0}})
    latest = latest_gaps(fu, fo, {"other_series": newest}, "fitted")
    assert len(latest) == 1 and latest[0].gap == pytest.approx(100.0)
    assert not latest[0].consistent and latest[0].hi < 100
    c = converge(fu, fo, latest=latest, n_draws=2000)
    assert c.status == "converging" and c.verdict == "not_estimable"
    assert c.catch_up_year is None and c.close_year is not None  # the crossing stays data
    assert [r.code for r in c.reasons] == ["latest_inconsistent"]
    en = sentence(c, "en")
    assert "100.0x in 2025 (other_series, outside the fit's 90% interval" in en
    assert "newest observation (other_series, 2025: 100.0x) lies outside" in en
    # without the contradicting observation the same fit gives a year
    c2 = converge(fu, fo, n_draws=2000)
    assert c2.verdict == "date" and c2.catch_up_year == pytest.approx(c2.close_year)
    assert "closes in" in sentence(c2, "en")


def test_linear_model_for_signed_series() -> None:
    assert choose_model(pd.Series([0.1, -0.4, 0.2]), "per 10,000 members") == "linear"
    assert choose_model(pd.Series([10.0, 20.0]), "score 0-100") == "linear"
    assert choose_model(pd.Series([0.0, 5.0]), "US$") == "log"
    years = list(range(2016, 2024))
    u = _series({y: -1.0 + 0.3 * (y - 2016) for y in years})  # crosses zero: no logarithm
    o = _series({y: 2.0 + 0.1 * (y - 2016) for y in years})
    fu = fit_series(u, model="linear", iso3="U")
    fo = fit_series(o, model="linear", iso3="O")
    assert fu.slope == pytest.approx(0.3) and math.isnan(fu.growth)
    assert fu.backtest is not None and fu.backtest.passed
    c = converge(fu, fo, n_draws=2000)
    # gap 2023: (2.7) - (1.1) = 1.6, shrinking 0.2 a year: closes in 8 years
    assert c.model == "linear" and math.isnan(c.ratio_now)
    assert c.gap_now == pytest.approx(1.6) and c.years_to_close == pytest.approx(8.0)
    assert c.verdict == "date" and c.catch_up_year == pytest.approx(2031.0)
    en = sentence(c, "en")
    assert "is 1.6 above" in en and "the difference shrinks 0.2 a year" in en
    assert "차이가 해마다 0.2씩 줄고" in sentence(c, "ko")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), noise=st.floats(0.0, 0.6), k=st.integers(0, 3))
def test_a_year_only_when_every_condition_holds(seed: int, noise: float, k: int) -> None:
    rng = np.random.default_rng(seed)
    years = list(range(2012, 2024))
    u = _series({y: math.exp(0.25 * (y - 2012) + rng.normal(0, noise)) for y in years})
    o = _series({y: 30 * math.exp(0.08 * (y - 2012) + rng.normal(0, noise)) for y in years})
    fu = fit_series(u, model="log", iso3="U", holdout=k)
    fo = fit_series(o, model="log", iso3="O", holdout=k)
    c = converge(fu, fo, n_draws=1000, holdout=k)
    if c.verdict == "date":
        ci = c.years_to_close_ci
        assert ci is not None and math.isfinite(ci[1]) and ci[1] <= 100
        assert c.backtest is not None and c.backtest.passed
        assert all(lg.consistent for lg in c.latest) and not c.reasons
        assert c.catch_up_year == c.close_year
    else:
        assert c.catch_up_year is None
        assert c.verdict in ("diverging", "crossed") or c.reasons
    if k == 0:
        assert c.backtest is None and c.verdict != "date"


# --- the real mirror ------------------------------------------------------------------------------

def test_real_investment_case_gives_no_catch_up_date(real_wh: Warehouse) -> None:
    res = trend(real_wh, "KOR", vs=["USA", "CHN"], indicator="private_ai_investment")
    assert res.window_rule == "rule" and res.window == (2015, 2023)  # not 2014's US$16m
    assert [(n.code, n.fields["year"]) for n in res.window_notes] == [("artefact", 2014)]
    en, ko = window_lines(res, "en"), window_lines(res, "ko")
    assert en[0] == "Fit window 2015-2023, chosen by the window rule (docs/trends.md)"
    assert "2014 left out" in en[1] and "coverage artefact" in en[1]
    assert "2014년 제외" in ko[1]
    assert res.model == "log"
    assert {c.other for c in res.comparisons} == {"USA", "CHN"}
    for c in res.comparisons:
        assert c.catch_up_year is None and c.verdict in ("not_estimable", "diverging"), c
        assert c.latest and max(lg.year for lg in c.latest) >= 2023
        for lang in ("en", "ko"):
            text = sentence(c, lang)
            assert "2035" not in text and "~2027" not in text and "2027년 무렵" not in text
        assert "Newest observed gap" in sentence(c, "en")
        assert "최신 관측 격차" in sentence(c, "ko")
    frame = res.comparisons_frame()
    assert frame["catch_up_year"].isna().all()
    doc = res.to_dict()
    assert all(c["catch_up_year"] is None for c in doc["comparisons"])
    json.dumps(doc, allow_nan=False)


def test_real_net_migration_gets_a_linear_trend(real_wh: Warehouse) -> None:
    res = trend(real_wh, "KOR", vs=["USA"], indicator="ai_talent_net_migration")
    assert res.model == "linear" and res.window == (2021, 2025)
    kor = res.fits["KOR"]
    assert kor.n == 5 and kor.slope < 0 and kor.backtest is not None
    (c,) = res.comparisons
    assert c.model == "linear" and c.gap_now > 0 and c.catch_up_year is None
    assert c.latest[0].year == 2025
    assert c.latest[0].gap == pytest.approx(0.91968 - (-0.35437), abs=1e-4)


def test_cli_trend_on_net_migration_and_a_set_window(real_db: Path) -> None:
    from aigap.cli import app

    r = CliRunner().invoke(app, ["trend", "KOR", "--vs", "USA", "-i", "ai_talent_net_migration",
                                 "--db", str(real_db)])
    assert r.exit_code == 0, r.output
    assert "linear" in r.output and "Newest observed gap" in r.output
    r = CliRunner().invoke(app, ["trend", "KOR", "--vs", "USA", "-i", "private_ai_investment",
                                 "--window", "2016:2023", "--format", "json",
                                 "--db", str(real_db)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["window"] == [2016, 2023] and doc["window_rule"] == "user"
    assert doc["fits"]["KOR"]["backtest"]["years"] == [2021, 2022, 2023]
    assert doc["newest"][0]["year"] == 2023
    r = CliRunner().invoke(app, ["trend", "KOR", "-i", "private_ai_investment", "--model",
                                 "cubic", "--db", str(real_db)])
    assert r.exit_code == 2 and "unknown trend model 'cubic'" in r.output


def test_real_investment_case_confronts_the_newer_series(real_wh: Warehouse) -> None:
    """With the concepts layer, the AI Index's 2024-2025 gaps stand beside the CSET fit."""
    pytest.importorskip("aigap.data.concepts")
    res = trend(real_wh, "KOR", vs=["USA"], indicator="private_ai_investment")
    (c,) = res.comparisons
    ai = next(lg for lg in c.latest if lg.series == "private_ai_investment_aiindex")
    assert ai.year == 2025 and ai.gap == pytest.approx(161.0, abs=0.1)
    assert ai.previous is not None and ai.previous[0] == 2024
    assert ai.previous[1] == pytest.approx(82.2, abs=0.1)  # the gap widened 2024 -> 2025
    assert not ai.consistent and "latest_inconsistent" in [r.code for r in c.reasons]
    assert c.catch_up_year is None
    assert "161.0x in 2025" in sentence(c, "en") and "82.2x in 2024" in sentence(c, "en")
