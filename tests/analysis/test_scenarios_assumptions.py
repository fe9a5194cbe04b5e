"""Scenarios that say what they assume: one-edition flags, methodology breaks, plausibility
caps, the top-10 backtest and the one default n."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from aigap.analysis.targets.bounds import MARGIN
from aigap.analysis.targets.scenarios import (
    DEFAULT_N,
    METHOD_BREAKS,
    after_breaks,
    scenario,
)
from aigap.index import Spec
from aigap.present import sentence

UNITS = [f"U{k:02d}" for k in range(12)]


def spec(*extra: dict) -> Spec:
    return Spec.from_dict({
        "name": "toy-panel", "data": {"source": "frame", "panel": True},
        "indicators": [{"code": "inv", "parent": "P", "unit": "US$"},
                       {"code": "pubs", "parent": "P", "unit": "count"}, *extra],
        "aggregates": [{"code": "P", "parent": "Index"}, {"code": "Index"}],
        "steps": [{"step": "normalise", "method": "minmax"}, {"step": "aggregate"}],
    })


def panel(years: range = range(2010, 2021), one_edition: bool = False) -> pd.DataFrame:
    """12 units on exact exponential paths of distinct growth (so trends rank exactly)."""
    rows = []
    for k, u in enumerate(UNITS):
        for y in years:
            t = y - years[0]
            row = {"unit": u, "Time": y, "inv": 100.0 * (1 + 0.01 * k) ** t,
                   "pubs": 50.0 + k + 0.5 * k * t}
            if one_edition:
                row["dc"] = float(k) if y == years[-1] else np.nan
            rows.append(row)
    return pd.DataFrame(rows).set_index("unit")


def test_one_edition_is_flagged_and_said() -> None:
    sp = spec({"code": "dc", "parent": "P", "unit": "count"})
    res = scenario(sp, to=2025, n=50, data=panel(one_edition=True), unit="U03")
    a = res.assumptions.set_index("indicator")
    assert a.loc["dc", "editions"] == 1 and a.loc["dc", "flag"] == "one edition: held constant"
    assert a.loc["inv", "editions"] == 11 and "one edition" not in a.loc["inv", "flag"]
    assert (res.projections.query("indicator == 'dc'")["model"] == "constant").all()
    text = sentence(res, "en")
    assert "Held constant (one edition): dc" in text
    assert "한 판만" in sentence(res, "ko")
    assert res.to_dict()["assumptions"][2]["flag"].startswith("one edition")


def test_method_break_is_not_extrapolated_across() -> None:
    # a score series that doubles its level at a new framework edition: fit after it only
    src = next(iter(METHOD_BREAKS))
    rows = [("A", "s", y, 10.0 + y - 2015, "old_edition", "score 0-100") for y in range(2015, 2020)]
    rows += [("A", "s", y, 60.0, src, "score 0-100") for y in range(2020, 2023)]
    rows += [("A", "t", y, 1.0 + (y > 2019), "x", "score 0-10" if y < 2020 else "score 0-100")
             for y in range(2015, 2023)]
    h = pd.DataFrame(rows, columns=["unit", "indicator", "year", "value", "source", "measure"])
    # the break edition (2020-2022) starts the series: the fit uses those years only
    kept, notes = after_breaks(h)
    s = kept[kept["indicator"] == "s"]
    assert s["year"].min() == 2020 and "method break 2020" in notes["s"]
    assert (s["value"] == 60.0).all()  # flat after the break: no trend from the old scale
    t = kept[kept["indicator"] == "t"]
    assert t["year"].min() == 2020 and "unit changes" in notes["t"]
    assert len(kept[kept["indicator"] == "s"]) < len(h[h["indicator"] == "s"])


def test_projections_are_capped_at_the_plausible_range() -> None:
    # U11 grows 11 %/yr: by 2040 it would be ~7x its 2020 value; the cap is best + 10% range
    data = panel()
    res = scenario(spec(), to=2040, n=20, data=data, backtest_runs=False)
    p = res.projections.set_index(["unit", "indicator"])
    best = data["inv"].max()
    cap = best + MARGIN * (best - data["inv"].min())
    assert p.loc[("U11", "inv"), "projected"] == pytest.approx(cap)
    assert p.loc[("U11", "inv"), "capped"]
    assert res.assumptions.set_index("indicator").loc["inv", "n_capped"] >= 1
    free = scenario(spec(), to=2040, n=20, data=data, margin=None, backtest_runs=False)
    assert free.projections.set_index(["unit", "indicator"]).loc[
        ("U11", "inv"), "projected"] > cap
    # no negative counts: a falling linear count stops at zero
    down = data.copy()
    down["pubs"] = 100.0 - 9 * (down["Time"] - 2010)
    neg = scenario(spec(), to=2040, n=20, data=down, backtest_runs=False, linear=["pubs"])
    assert (neg.projections.query("indicator == 'pubs'")["projected"] >= 0).all()


def test_backtest_of_exact_trends_is_right() -> None:
    # without caps (which bind on the short past history and tie the leaders)
    res = scenario(spec(), to=2025, n=20, data=panel(), unit="U03", margin=None,
                   linear=["pubs"])
    bt = res.backtest
    assert bt is not None and bt["horizon"] == 5 and bt["top"] == 10
    assert len(bt["runs"]) >= 2
    first = bt["runs"][0]
    assert first["base"] == 2012 and first["target"] == 2017
    # exact trends: the projected top 10 is right, rank by rank
    assert bt["overlap"] == pytest.approx(1.0) and bt["exact"] == pytest.approx(1.0)
    assert first["projected_top"] == first["observed_top"] == UNITS[::-1][:10]
    # with the caps of the past data the leaders tie at the cap: fewer exact ranks
    capped = scenario(spec(), to=2025, n=20, data=panel(), unit="U03", linear=["pubs"])
    assert capped.backtest["exact"] < 1.0
    assert "Backtest" in sentence(res, "en") and "백테스트" in sentence(res, "ko")


def test_backtest_says_when_the_data_are_too_short() -> None:
    res = scenario(spec(), to=2030, n=20, data=panel(range(2019, 2022)), unit="U03")
    assert res.backtest is not None and res.backtest["overlap"] is None
    assert "too short" in res.backtest["note"]
    assert "No backtest" in sentence(res, "en")


def test_backtest_shortens_the_horizon_and_says_so() -> None:
    res = scenario(spec(), to=2040, n=20, data=panel(), unit="U03")
    bt = res.backtest
    assert bt["asked_horizon"] == 20 and bt["horizon"] == 10 - 2
    assert "shortened" in bt["note"]


def test_one_default_n(tmp_path) -> None:
    import inspect

    from aigap.analysis.targets import scenarios
    from aigap.cli import app

    assert inspect.signature(scenarios.scenario).parameters["n"].default == DEFAULT_N
    from aigap.report import sections

    assert "n=DEFAULT_N" in inspect.getsource(sections.targets_section)
    # the CLI without --n uses the same constant (checked on a tiny panel spec)
    p = tmp_path / "toy.yaml"
    p.write_text("name: toy\ndata: {source: asem, panel: true}\nstructure: {from: asem_imeta}\n"
                 "steps:\n  - {step: normalise, method: minmax}\n  - {step: aggregate}\n",
                 encoding="utf-8")
    from aigap.config import data_dir

    if not (data_dir() / "asem" / "iData_panel.csv").is_file():
        pytest.skip("ASEM data mirror not available")
    out = CliRunner().invoke(app, ["scenario", "-s", str(p), "--to", "2026", "--format",
                                   "json"])
    assert out.exit_code == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["n"] == DEFAULT_N and "assumptions" in d and "backtest" in d
    assert d["sentence"].startswith("P(KOR in the top 3 by 2026)")


def test_growth_from_a_small_base_is_capped_by_what_large_bases_showed() -> None:
    # eleven large units grow 5 %/yr; U00 grows 60 %/yr from a tiny base. Its projection may
    # rise only as fast as anyone did from a base at least as large as its last value: 5 %/yr
    data = panel()
    t = data["Time"] - 2010
    data["inv"] = np.where(data.index == "U00", 1.0 * 1.6**t, 1000.0 * 1.05**t)
    res = scenario(spec(), to=2025, n=20, data=data, backtest_runs=False)
    p = res.projections.set_index(["unit", "indicator"])
    last = 1.6**10
    assert p.loc[("U00", "inv"), "projected"] == pytest.approx(last * 1.05**5, rel=1e-9)
    assert p.loc[("U00", "inv"), "capped"]
    free = scenario(spec(), to=2025, n=20, data=data, backtest_runs=False, margin=None)
    assert free.projections.set_index(["unit", "indicator"]).loc[
        ("U00", "inv"), "projected"] == pytest.approx(last * 1.6**5, rel=1e-6)


def test_break_and_few_editions_are_said_in_the_sentence() -> None:
    data = panel()
    long = data.reset_index().melt(id_vars=["unit", "Time"], var_name="indicator",
                                   value_name="value").rename(columns={"Time": "year"})
    src = next(iter(METHOD_BREAKS))
    long["source"] = np.where((long["indicator"] == "inv") & (long["year"] >= 2016), src, "old")
    res = scenario(spec(), to=2025, n=20, data=data, history=long, unit="U03",
                   backtest_runs=False)
    a = res.assumptions.set_index("indicator")
    assert "method break 2016" in a.loc["inv", "flag"] and a.loc["inv", "first_year"] == 2016
    assert "Not extrapolated across a method break (fitted after it): inv" in sentence(res)
    two = long[long["year"] >= 2019]
    res2 = scenario(spec(), to=2025, n=20, data=data, history=two, unit="U03",
                    backtest_runs=False)
    assert res2.assumptions.set_index("indicator").loc["pubs", "flag"].startswith("2 editions")
    assert "two editions" in sentence(res2)
