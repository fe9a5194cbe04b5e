"""Frontier lag on constructed curves with known answers, and on the real Epoch data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.strategy.frontier import (
    MIN_TREND_POINTS,
    WORLD,
    decimal_year,
    frontier_lag,
    lag_years,
    level_at,
    load_epoch_models,
    model_vintages,
    paper_ids,
    record_curve,
    time_to_reach,
)
from aigap.errors import AigapError, WarehouseError

APRIL = "Epoch AI notable models snapshot (~Apr 2025)"


def make_models(rows: list[tuple[str, list[str], float | None]]) -> pd.DataFrame:
    """(date, countries, compute) -> the columns of read_models that the analyses use."""
    dates = pd.to_datetime([r[0] for r in rows])
    return pd.DataFrame({
        "model": [f"m{i}" for i in range(len(rows))],
        "organization": "org",
        "countries": [r[1] for r in rows],
        "domains": [["Language"] for _ in rows],
        "publication_date": dates,
        "year": pd.array(dates.year, dtype="Int64"),
        "training_compute_flop": [np.nan if r[2] is None else r[2] for r in rows],
        "parameters": np.nan,
    })


def shifted(shift: int, follower_levels: int = 10) -> pd.DataFrame:
    """USA sets a record of 1e(18+i) on 1 Jan 2010+i; KOR does the same ``shift`` years later."""
    rows = [(f"{2010 + i}-01-01", ["USA"], 10.0 ** (18 + i)) for i in range(10)]
    rows += [(f"{2010 + i + shift}-01-01", ["KOR"], 10.0 ** (18 + i))
             for i in range(follower_levels)]
    return make_models(rows)


def test_record_curve_keeps_only_new_maxima() -> None:
    t = np.array([2000.0, 2001.0, 2001.0, 2002.0, 2003.0])
    v = np.array([1.0, 3.0, 2.0, 2.5, 4.0])
    ct, cl = record_curve(t, v)
    assert ct.tolist() == [2000.0, 2001.0, 2003.0]
    assert cl.tolist() == [1.0, 3.0, 4.0]


def test_level_and_reach_are_inverse_under_interpolation() -> None:
    curve = (np.array([2000.0, 2004.0]), np.array([10.0, 14.0]))
    assert level_at(curve, np.array([2002.0]), "interp")[0] == pytest.approx(12.0)
    assert time_to_reach(curve, np.array([12.0]), "interp")[0] == pytest.approx(2002.0)
    assert np.isnan(level_at(curve, np.array([1999.0]), "interp")[0])
    assert np.isinf(time_to_reach(curve, np.array([15.0]), "interp")[0])
    assert level_at(curve, np.array([2003.0]), "step")[0] == 10.0


def test_curve_shifted_by_two_years_has_lag_two() -> None:
    res = frontier_lag(shifted(2), "KOR", vs=["USA"], start_year=2010, cutoff="2030-12-31",
                       include_world=False, n_boot=0, method="interp")
    inside = res.lags[res.lags["ref_date"] < "2019-01-01"]
    assert len(inside) == 9
    assert inside["lag_years"].to_numpy() == pytest.approx(np.full(9, 2.0), abs=1e-9)
    assert not inside["censored"].any()


def test_trend_of_a_closing_gap_is_its_slope() -> None:
    """KOR's records come every 9 months against USA's 12: the lag shrinks 0.25 years a year."""
    rows = [(f"{2010 + i}-01-01", ["USA"], 10.0 ** (18 + i)) for i in range(10)]
    rows += [(str((pd.Timestamp("2013-01-01") + pd.DateOffset(months=9 * i)).date()), ["KOR"],
              10.0 ** (18 + i)) for i in range(10)]
    res = frontier_lag(make_models(rows), "KOR", vs=["USA"], start_year=2010, cutoff="2018-06-30",
                       include_world=False, n_boot=0)
    trend = res.trends.iloc[0]
    assert trend["n_points"] >= 6
    assert trend["slope_years_per_year"] == pytest.approx(-0.25, abs=0.01)


def test_step_method_measures_from_the_last_record() -> None:
    res = frontier_lag(shifted(2), "KOR", vs=["USA"], start_year=2012, cutoff="2030-12-31",
                       include_world=False, n_boot=0, method="step")
    row = res.lags.iloc[0]  # 2012-12-31: USA's record of 1 Jan 2012, reached by KOR 1 Jan 2014
    assert row["lag_years"] == pytest.approx(2014.0 - decimal_year(pd.Series(
        [pd.Timestamp("2012-12-31")]))[0])


def test_level_never_reached_is_a_censored_lower_bound() -> None:
    res = frontier_lag(shifted(2, follower_levels=3), "KOR", vs=["USA"], start_year=2015,
                       cutoff="2020-12-31", include_world=False, n_boot=0, method="interp")
    row = res.lags.iloc[0]  # USA at end-2015 > KOR's best (1e20)
    assert row["censored"] and row["lag_label"].startswith(">=")
    cut = decimal_year(pd.Series([pd.Timestamp("2020-12-31")]))[0]
    assert row["lag_years"] == pytest.approx(cut - row["ref_year"])


def test_level_below_first_model_is_an_upper_bound() -> None:
    lag, cens, upper = lag_years((np.array([2015.0]), np.array([20.0])),
                                 (np.array([2010.0]), np.array([18.0])),
                                 np.array([2011.0]), 2020.0, "interp")
    assert lag[0] == pytest.approx(4.0) and upper[0] and not cens[0]


def test_bootstrap_is_seeded_and_brackets_a_stable_lag() -> None:
    models = shifted(2)
    a = frontier_lag(models, "KOR", vs=["USA"], start_year=2012, cutoff="2030-12-31", n_boot=60,
                     seed=3, method="interp")
    b = frontier_lag(models, "KOR", vs=["USA"], start_year=2012, cutoff="2030-12-31", n_boot=60,
                     seed=3, method="interp")
    pd.testing.assert_frame_equal(a.lags, b.lags)
    usa = a.lags[(a.lags["comparator"] == "USA") & (a.lags["ref_date"] < "2019-01-01")]
    assert (usa["lo"] <= usa["lag_years"] + 1e-9).all()
    assert (usa["hi"] >= usa["lag_years"] - 1e-9).all()
    assert WORLD in a.comparators


def test_multi_country_models_count_for_each_country() -> None:
    models = make_models([("2015-01-01", ["USA", "KOR"], 1e20), ("2016-01-01", ["USA"], 1e21)])
    res = frontier_lag(models, "KOR", vs=["USA"], start_year=2015, cutoff="2016-12-31",
                       include_world=False, n_boot=0, attribution="any")
    assert res.n_models == 1 and res.n_models_with_metric == 1
    counts = res.counts.set_index("year")
    assert counts.loc[2015, "country_count"] == 1 and counts.loc[2015, "ratio"] == 1.0
    assert counts.loc[2016, "ratio"] == 0.0
    dom = frontier_lag(models, "KOR", vs=["USA"], start_year=2015, cutoff="2016-12-31",
                       include_world=False, n_boot=0, attribution="any")
    assert dom.records["model"].tolist() == ["m0"]


def test_user_errors() -> None:
    models = shifted(2)
    with pytest.raises(AigapError, match="unknown country"):
        frontier_lag(models, "XXQ", vs=["USA"], n_boot=0)
    with pytest.raises(AigapError, match=r"no (own )?notable models"):
        frontier_lag(models, "JPN", vs=["USA"], n_boot=0)
    with pytest.raises(AigapError, match="metric"):
        frontier_lag(models, "KOR", vs=["USA"], metric="flops", n_boot=0)


# --- real data -----------------------------------------------------------------------------
def test_real_kor_trails_usa(real_wh: object) -> None:
    em = load_epoch_models(real_wh)
    assert em.provenance["matches_warehouse"] is True
    res = frontier_lag(em.models, "KOR", vs=["USA", "CHN"], n_boot=50, provenance=em.provenance)
    assert res.n_models > 5
    usa = res.lags[res.lags["comparator"] == "USA"]
    observed = usa[usa["bound"] == ""]
    assert len(observed) >= 2 and (observed["lag_years"] > 0).all()
    assert usa["censored"].iloc[-1]  # KOR had not matched the US 2023 frontier by end-2023
    assert set(res.trends["comparator"]) == {"USA", "CHN", WORLD}
    d = res.to_dict()
    assert d["provenance"]["sha256"] == em.sha256 and d["lags"]


def test_real_frontier_section(real_wh: object) -> None:
    from aigap.present.strategy import frontier_section

    sec = frontier_section(real_wh, "KOR", "ko", n_boot=20)
    assert sec["figures"] and sec["figures"][0].data
    assert any("한국" in s for s in sec["text"]["ko"])
    assert any("South Korea" in s for s in sec["text"]["en"])


def test_real_vintage_is_a_parameter(real_wh: object) -> None:
    """Both Epoch vintages load from the same warehouse table; the newest is the default."""
    late = load_epoch_models(real_wh, "Epoch AI data bundle, late 2025 (models to 2025-11-24)")
    april = load_epoch_models(real_wh, APRIL)
    assert load_epoch_models(real_wh).vintage == late.vintage
    assert len(late.models) == 965 and len(april.models) == 924
    assert late.provenance["source"] == "epoch_2025_12_notable_models"
    assert late.models["publication_date"].max() > april.models["publication_date"].max()
    res = frontier_lag(late.models, "KOR", vs=["USA"], cutoff="2025-06-30", n_boot=0,
                       provenance=late.provenance)
    assert res.n_models > 10 and res.provenance["vintage"] == late.vintage
    any_org = frontier_lag(late.models, "KOR", vs=["USA"], cutoff="2025-06-30", n_boot=0,
                           attribution="any")
    assert any_org.n_models > 12


# --- attribution, papers, tolerance, support, trend points (known answers) ------------------
def test_own_attribution_leaves_shared_models_out_and_lists_them() -> None:
    models = make_models([("2015-01-01", ["USA", "KOR"], 1e22), ("2016-01-01", ["KOR"], 1e19),
                          ("2016-06-01", ["USA"], 1e21)])
    own = frontier_lag(models, "KOR", vs=["USA"], start_year=2015, n_boot=0,
                       include_world=False)
    assert own.records["model"].tolist() == ["m1"]
    assert own.multinational["model"].tolist() == ["m0"]
    assert own.multinational["countries"].iloc[0] == "USA,KOR"
    # the shared model is not the USA's own either: its frontier starts with m2
    assert own.lags["comparator_log10"].dropna().max() == pytest.approx(21.0)
    anyone = frontier_lag(models, "KOR", vs=["USA"], start_year=2015, n_boot=0,
                          include_world=False, attribution="any")
    assert anyone.records["model"].tolist() == ["m0"] and anyone.multinational.empty


def test_paper_ids_join_title_link_and_organisation_date() -> None:
    models = pd.DataFrame({
        "model": ["a", "b", "c", "d", "e", "f"],
        "reference": ["ProtTrans:Towards Life's Code", "ProtTrans: Towards Life’s Code",
                      None, None, "Other", "Another"],
        "link": [None, None, "https://x.org/p/", "http://www.x.org/p", None, None],
        "organization": ["TUM", "TUM", "A", "B", "Lab,Uni", "Uni,Lab"],
        "publication_date": pd.to_datetime(["2021-05-04"] * 2 + ["2020-01-01", "2020-02-01",
                                                                "2019-01-01", "2019-01-01"]),
    })
    p = paper_ids(models)
    assert p[0] == p[1]  # title differs only in spacing and apostrophe
    assert p[2] == p[3]  # same link, written differently
    assert p[4] == p[5]  # same organisations (any order), same date
    assert len(set(p)) == 3


def test_a_shortfall_within_tolerance_counts_as_reached() -> None:
    """KOR's best is 0.04 log10 short of the USA's 2016 level: reached, not ">= 4 years"."""
    models = make_models([("2016-01-01", ["USA"], 10 ** 22.0), ("2017-01-01", ["KOR"],
                                                               10 ** 21.96)])
    strict = frontier_lag(models, "KOR", vs=["USA"], start_year=2016, cutoff="2020-12-31",
                          include_world=False, n_boot=0, tolerance=0.0)
    row = strict.lags.iloc[0]
    assert row["censored"] and row["shortfall_log10"] == pytest.approx(0.04)
    res = frontier_lag(models, "KOR", vs=["USA"], start_year=2016, cutoff="2020-12-31",
                       include_world=False, n_boot=0)
    row = res.lags.iloc[0]
    assert not row["censored"] and row["within_tolerance"] and row["reached_by"] == "m1"
    assert row["lag_years"] == pytest.approx(2017.0 - row["ref_year"])
    far = make_models([("2016-01-01", ["USA"], 1e22), ("2017-01-01", ["KOR"], 10 ** 21.7)])
    row = frontier_lag(far, "KOR", vs=["USA"], start_year=2016, cutoff="2020-12-31",
                       include_world=False, n_boot=0).lags.iloc[0]
    assert row["censored"] and row["shortfall_log10"] == pytest.approx(0.3)


def test_a_lag_resting_on_one_paper_says_so() -> None:
    models = make_models([("2016-01-01", ["USA"], 1e22), ("2018-01-01", ["KOR"], 1e22),
                          ("2015-01-01", ["USA"], 1e20), ("2016-06-01", ["KOR"], 1e20),
                          ("2016-07-01", ["KOR"], 2e20)])
    res = frontier_lag(models, "KOR", vs=["USA"], start_year=2015, cutoff="2019-01-01",
                       include_world=False, n_boot=40)
    lags = res.lags.set_index("ref_date")
    assert lags.loc["2016-12-31", "support"] == 1 and lags.loc["2016-12-31", "one_point"]
    assert lags.loc["2015-12-31", "support"] == 3 and not lags.loc["2015-12-31", "one_point"]
    assert res.latest()["one_point"].iloc[0]


def test_trend_needs_independent_points_not_year_ends() -> None:
    """Two KOR records against a steadily rising USA: nine year-end lags fall by a year a
    year (both ends pinned to the same two models), but there are only two observations."""
    rows = [(f"{2010 + i}-01-01", ["USA"], 10.0 ** (18 + i)) for i in range(10)]
    rows += [("2012-06-01", ["KOR"], 1e19), ("2021-01-01", ["KOR"], 1e27)]
    res = frontier_lag(make_models(rows), "KOR", vs=["USA"], start_year=2010,
                       cutoff="2021-06-30", include_world=False, n_boot=0)
    observed = res.lags[res.lags["bound"].eq("") & res.lags["lag_years"].notna()]
    assert len(observed) >= 8  # many year-end lags, falling a year a year ...
    assert np.polyfit(observed["ref_year"], observed["lag_years"], 1)[0] == pytest.approx(
        -1.0, abs=0.15)
    trend = res.trends.iloc[0]
    assert trend["n_points"] == 2 < MIN_TREND_POINTS  # ... but two independent points
    assert not np.isfinite(trend["slope_years_per_year"])
    assert trend["verdict"] == "insufficient data"


def test_default_cutoff_keeps_every_model_and_flags_the_last_months() -> None:
    models = make_models([("2016-01-01", ["USA"], 1e22), ("2024-12-09", ["KOR"], 1e22),
                          ("2025-03-16", ["USA"], 1e23)])
    res = frontier_lag(models, "KOR", vs=["USA"], start_year=2016, include_world=False,
                       n_boot=0)
    assert res.cutoff == "2025-03-16" and res.incomplete_from == "2024-03-16"
    assert "m1" in res.records["model"].tolist()
    inc = res.lags.set_index("ref_date")["incomplete"]
    assert inc["2024-12-31"] and not inc["2023-12-31"]


# --- real data: the facts of issue 15 ------------------------------------------------------
def test_real_korea_own_frontier_is_not_protT5(real_wh: object) -> None:
    """Since 2021 Korea's own level is set by Korean-only models; ProtT5 is listed apart."""
    for vintage in (None, APRIL):
        em = load_epoch_models(real_wh, vintage)
        res = frontier_lag(em.models, "KOR", vs=["USA"], n_boot=0)
        assert not res.records["model"].str.contains("Prot").any()
        assert set(res.records["countries"]) == {"KOR"}
        prot = res.multinational[res.multinational["model"].str.contains("ProtT5")]
        assert len(prot) and prot["organization"].str.contains("Seoul National").all()
        # EXAONE 3.5 (1.25e24 FLOP, Dec 2024) is in the data and on the curve
        exa = res.records.set_index("model").loc["EXAONE 3.5 32B"]
        assert exa["date"] == "2024-12-09" and exa["log10_compute"] == pytest.approx(
            np.log10(1.25e24))


def test_real_april_best_korean_only_model_to_2023_is_volcano(real_wh: object) -> None:
    em = load_epoch_models(real_wh, APRIL)
    res = frontier_lag(em.models, "KOR", vs=["USA"], cutoff="2023-12-31", n_boot=0)
    assert res.records["model"].iloc[-1] == "Volcano 13B"


def test_real_at_least_four_years_needs_more_than_a_rounding_shortfall(real_wh: object
                                                                       ) -> None:
    """The old reading (any organisation, interpolated, cut at 2023, no tolerance) said
    ">= 4.0 years" behind the USA's end-2019 level on a 0.046 log10 shortfall; the tolerance
    rule counts that level as reached."""
    em = load_epoch_models(real_wh, APRIL)
    old = dict(cutoff="2023-12-31", method="interp", attribution="any", n_boot=0,
               include_world=False)
    strict = frontier_lag(em.models, "KOR", vs=["USA"], tolerance=0.0, **old)
    row = strict.lags.set_index("ref_date").loc["2019-12-31"]
    assert row["lag_label"] == ">= 4.0" and row["shortfall_log10"] < 0.05
    row = frontier_lag(em.models, "KOR", vs=["USA"], **old).lags.set_index(
        "ref_date").loc["2019-12-31"]
    assert not row["censored"] and row["within_tolerance"]
    assert (frontier_lag(em.models, "KOR", vs=["USA"], n_boot=0).lags
            .query("censored")["shortfall_log10"] > 0.1).all()


def test_real_unknown_vintage_is_a_clear_error(real_wh: object) -> None:
    assert model_vintages(real_wh)[-1].startswith("Epoch AI data bundle, late 2025")
    with pytest.raises(WarehouseError, match="its vintages"):
        load_epoch_models(real_wh, "Apr")


def test_bootstrap_after_an_explicit_cutoff_draws_the_remaining_papers() -> None:
    models = shifted(2).assign(paper=np.arange(20) * 3)  # paper numbers with gaps
    res = frontier_lag(models, "KOR", vs=["USA"], start_year=2012, cutoff="2016-06-30",
                       include_world=False, n_boot=30)
    assert res.lags["lo"].notna().any()


def test_one_influential_point_does_not_make_a_trend() -> None:
    """Four record points: one old, very late model and three level ones. The OLS interval
    excludes zero, but without the first point the slope turns: no direction is called."""
    rows = [(f"{2000 + i}-01-01", ["USA"], 10.0 ** (10 + i)) for i in range(26)]
    # (date the USA reached the level, KOR's date): lags 11, 3, 3.5, 3
    rows += [("2012-01-01", ["KOR"], 1e11), ("2018-01-01", ["KOR"], 1e25),
             ("2020-07-02", ["KOR"], 1e27), ("2022-01-01", ["KOR"], 1e29)]
    res = frontier_lag(make_models(rows), "KOR", vs=["USA"], start_year=2010,
                       include_world=False, n_boot=0)
    pts = res.points[res.points["bound"].eq("")]
    assert len(pts) == 4
    trend = res.trends.iloc[0]
    assert trend["hi"] < 0 and not trend["leave_one_out_stable"]
    assert trend["verdict"] == "one point decides"
