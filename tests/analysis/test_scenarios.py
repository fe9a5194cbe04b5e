"""Scenarios: exact projection of noiseless trends, P(top k), seeds, what-if parsing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.targets.scenarios import WhatIfError, parse_what_if, scenario
from aigap.config import data_dir
from aigap.index import Spec, load_spec
from aigap.present import sentence

YEARS = range(2018, 2023)


def toy_spec() -> Spec:
    return Spec.from_dict({
        "name": "toy-panel", "data": {"source": "frame", "panel": True},
        "indicators": [{"code": "inv", "parent": "P", "unit": "US$"},
                       {"code": "pubs", "parent": "P", "unit": "count"}],
        "aggregates": [{"code": "P", "parent": "Index"}, {"code": "Index"}],
        "steps": [{"step": "normalise", "method": "minmax"}, {"step": "aggregate"}],
    })


def toy_panel(noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """A grows investment 10 %/yr exactly; B 5 %/yr; C flat; D linear in pubs."""
    rng = np.random.default_rng(seed)
    rows = []
    for y in YEARS:
        t = y - 2018
        e = np.exp(noise * rng.standard_normal(4))
        rows += [("A", y, 100 * 1.10**t * e[0], 50.0), ("B", y, 150 * 1.05**t * e[1], 60.0),
                 ("C", y, 120.0 * e[2], 40.0), ("D", y, 80.0 * e[3], 30.0 + 5 * t)]
    df = pd.DataFrame(rows, columns=["unit", "Time", "inv", "pubs"]).set_index("unit")
    return df


def test_exact_exponential_projects_exactly() -> None:
    res = scenario(toy_spec(), to=2030, n=50, seed=1, data=toy_panel(), linear=["pubs"],
                   margin=None)
    pr = res.projections.set_index(["unit", "indicator"])
    assert pr.loc[("A", "inv"), "projected"] == pytest.approx(100 * 1.10**12, rel=1e-9)
    assert pr.loc[("A", "inv"), "model"] == "log-linear"
    assert pr.loc[("A", "inv"), "growth_pct_per_year"] == pytest.approx(10.0, rel=1e-9)
    assert pr.loc[("D", "pubs"), "model"] == "linear"  # forced by linear=
    assert pr.loc[("D", "pubs"), "projected"] == pytest.approx(30 + 5 * 12, rel=1e-9)
    # zero noise: every sample is the central projection
    t = res.table.set_index("unit")
    assert (t["rank_p05"] == t["rank_p95"]).all()
    assert (t["median_rank"] == t["central_rank"]).all()
    assert set(t["p_top3"]) <= {0.0, 1.0}


def test_short_series_held_constant() -> None:
    panel = toy_panel()
    panel = panel[~((panel.index == "C") & (panel["Time"] < 2021))]  # C: 2 points only
    res = scenario(toy_spec(), to=2030, n=20, data=panel)
    pr = res.projections.set_index(["unit", "indicator"])
    assert pr.loc[("C", "inv"), "model"] == "constant"
    assert pr.loc[("C", "inv"), "projected"] == pytest.approx(120.0)
    assert "held constant" in pr.loc[("C", "inv"), "flag"]


def test_p_top_k_sane_and_seeds_reproducible() -> None:
    data = toy_panel(noise=0.05)
    a = scenario(toy_spec(), to=2030, n=400, seed=7, k=2, data=data)
    b = scenario(toy_spec(), to=2030, n=400, seed=7, k=2, data=data)
    c = scenario(toy_spec(), to=2030, n=400, seed=8, k=2, data=data)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table["score_median"].equals(c.table["score_median"])
    p = a.table["p_top2"]
    # two units per sample are in the top 2 (a few more when scores tie, ties share a rank)
    assert p.between(0, 1).all() and 2.0 <= p.sum() <= 2.02
    assert (a.table["rank_p05"] <= a.table["median_rank"]).all()
    assert (a.table["median_rank"] <= a.table["rank_p95"]).all()


def test_what_if_doubling_raises_score() -> None:
    data = toy_panel(noise=0.05)
    base = scenario(toy_spec(), to=2030, n=300, seed=3, data=data)
    up = scenario(toy_spec(), to=2030, n=300, seed=3, data=data, what_if="D.inv*2")
    s0 = base.table.set_index("unit").loc["D", "score_median"]
    s1 = up.table.set_index("unit").loc["D", "score_median"]
    assert s1 > s0
    row = up.row("d")
    assert row["p_top3"] >= row["p_top3_baseline"]
    assert "D.inv*2" in sentence(up, unit="D")


@pytest.mark.parametrize("text,expected", [
    ("KOR.private_ai_investment*2", [("KOR", "private_ai_investment", "*", 2.0)]),
    ("KOR.x+-5, USA.y=0.3", [("KOR", "x", "+", -5.0), ("USA", "y", "=", 0.3)]),
    ("kor.x * 1.5e1", [("kor", "x", "*", 15.0)]),
])
def test_parser_accepts(text: str, expected: list[tuple]) -> None:
    got = [(w.unit, w.indicator, w.op, w.value) for w in parse_what_if(text)]
    assert got == expected


@pytest.mark.parametrize("text,msg", [
    ("", "empty"), ("KOR.x*", "expected"), ("KOR.x*2; import os", "expected"),
    ("__import__('os').x*2", "expected"), ("KOR.x*-2", ">= 0"), ("KOR.x/2", "expected"),
    ("ZZZ.x*2", "unknown unit"), ("KOR.nope*2", "unknown indicator"),
])
def test_parser_rejects(text: str, msg: str) -> None:
    with pytest.raises(WhatIfError, match=msg):
        parse_what_if(text, units=["KOR", "USA"], indicators=["x", "y"])


def test_no_history_is_a_clear_error() -> None:
    spec = toy_spec().model_copy(update={"data": toy_spec().data.model_copy(
        update={"panel": False})})
    one = toy_panel()
    one = one[one["Time"] == 2022].drop(columns="Time")
    with pytest.raises(Exception, match="no history"):
        scenario(spec, to=2030, n=10, data=one)


def test_asem_panel() -> None:
    if not (data_dir() / "asem" / "iData_panel.csv").is_file():
        pytest.skip("ASEM data mirror not available")
    raw = load_spec("asem").model_dump(by_alias=True, exclude_none=True)
    raw["data"] = {"source": "asem", "panel": True}
    res = scenario(Spec.from_dict(raw), to=2026, n=200, seed=0)
    assert res.base_year == 2022 and len(res.table) == 51
    assert res.table["p_top3"].sum() == pytest.approx(3.0)


def test_scenario_on_the_real_aigap_index(real_db, monkeypatch) -> None:
    """Warehouse history, group-defined units and screening carry through to the projection."""
    from aigap.analysis.targets.scenarios import scenario as run_scenario

    monkeypatch.setenv("AIGAP_DB", str(real_db))
    base = run_scenario("aigap", to=2030, n=400, seed=1)
    table = base.table.set_index("unit")
    assert {"KOR", "USA", "CHN", "JPN"} <= set(table.index)
    # index v2: TWN passes screening on the AI sources (v1 screened it out), NPL does not
    assert "TWN" in table.index and "NPL" not in table.index
    doubled = run_scenario("aigap", to=2030, n=400, seed=1,
                           what_if="KOR.private_ai_investment_aiindex*2")
    row = doubled.table.set_index("unit").loc["KOR"]
    assert row["p_top3"] >= row["p_top3_baseline"]
