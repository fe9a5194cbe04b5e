"""What it takes in policy units: lever classes, US$ costs, feasibility bounds, target year.

Known answers on a synthetic three-unit index (codes and units made up here, so the tests do
not depend on any shipped index's indicator list), properties on the real mirror.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigap.analysis.targets.bounds import MARGIN, fastest_growth, plausible_range
from aigap.analysis.targets.levers import DEFAULT_COSTS, load_costs
from aigap.analysis.targets.what_it_takes import what_it_takes
from aigap.errors import SpecError
from aigap.index import Spec, build_index
from aigap.present import sentence


def spec3() -> Spec:
    """Three equally weighted indicators: US$ investment, H100-equivalents, a WGI estimate."""
    return Spec.from_dict({
        "name": "toy-policy", "data": {"source": "frame"},
        "indicators": [
            {"code": "ai_investment", "parent": "P", "unit": "US$ (constant 2021)"},
            {"code": "gpu_h100e", "parent": "P", "unit": "H100 equivalents"},
            {"code": "gov_quality", "parent": "P", "unit": "estimate (-2.5 to 2.5)"}],
        "aggregates": [{"code": "P", "parent": "Index"}, {"code": "Index"}],
        "steps": [{"step": "normalise", "method": "minmax", "l": 0, "u": 100},
                  {"step": "aggregate", "method": "arithmetic"}],
    })


# normalised: inv A 20, B 100, C 0; gpu A 20, B 0, C 100; gov A 0, B 50, C 100
# scores: A 13.33, B 50, C 66.67
DATA = pd.DataFrame({"ai_investment": [2e9, 10e9, 0.0], "gpu_h100e": [2000.0, 0.0, 10000.0],
                     "gov_quality": [-1.0, 0.0, 1.0]}, index=["A", "B", "C"])
FIXED = {"by": None, "data": DATA, "margin": None, "growth": False}


def test_classes_follow_units_not_a_list() -> None:
    book = load_costs()
    assert book.path == str(DEFAULT_COSTS)
    assert not book.lever("any_wgi", "estimate (-2.5 to 2.5)").policy_lever
    assert not book.lever("some_index_pillar", "score 0-100").policy_lever
    assert not book.lever("x_rank", "rank (1 = best)").policy_lever
    h100 = book.lever("new_cluster", "H100 equivalents")
    assert h100.policy_lever and h100.cost_usd and h100.source and h100.unit_ko
    inv = book.lever("new_private_investment", "US$ (current)")
    assert inv.lever_class == "investment_usd" and inv.cost_usd == pytest.approx(0.5)
    assert book.lever("x", "billion US$ (current)").factor({}) == 1e9
    res = book.lever("researchers_fte_per_million", "per million people")
    assert res.factor({"population": 5e7}) == pytest.approx(50.0)
    assert np.isnan(res.factor({}))  # no population: no absolute amount
    unknown = book.lever("mystery", "widgets")
    assert unknown.policy_lever and unknown.cost_usd is None and unknown.lever_class == ""


def test_every_cost_in_the_shipped_file_has_its_reasoning() -> None:
    book = load_costs()
    for name, c in book.classes.items():
        assert str(c.get("source", c.get("why", ""))).strip(), name
        if c.get("policy_lever", True) is False:
            assert "cost_usd" not in c, name


def test_cheapest_mix_in_us_dollars_hand_solved() -> None:
    # rank 2 needs A > B's 50: +36.67 score = +110 normalised points (weights 1/3).
    # US$ per point: investment 0.1e9 US$ x 0.5 = 5e7; H100e 100 x 40,000 = 4e6 -> the
    # H100e go first, to the leader's 10,000 (+80 points), then investment +30 points = +3e9.
    res = what_it_takes(spec3(), "A", rank=2, **FIXED)
    assert res.feasible and res.verified_rank == 2 and res.costs_file == str(DEFAULT_COSTS)
    m = res.moves.set_index("indicator")
    assert set(m.index) == {"gpu_h100e", "ai_investment"}  # never the governance estimate
    assert m.loc["gpu_h100e", "raw_to"] == pytest.approx(10000.0)
    assert m.loc["gpu_h100e", "bound"] == "best unit in the index"
    assert m.loc["ai_investment", "raw_to"] == pytest.approx(5e9, rel=1e-6)
    assert m.loc["gpu_h100e", "change_abs"] == pytest.approx(8000.0)
    assert m.loc["gpu_h100e", "abs_unit"] == "H100-equivalents"
    assert m.loc["gpu_h100e", "cost_usd"] == pytest.approx(8000 * 40000)
    assert m.loc["ai_investment", "cost_usd"] == pytest.approx(3e9 * 0.5, rel=1e-6)
    assert res.cost_usd == pytest.approx(3.2e8 + 1.5e9, rel=1e-6)
    lev = res.levers.set_index("indicator")
    assert not lev.loc["gov_quality", "moves"]
    assert lev.loc["gov_quality", "lever_class"] == "governance_estimate"
    assert any("not policy levers" in n and "gov_quality" in n for n in res.notes)
    # options are ranked by US$: the feasible ones first, the mix among them
    opt = res.options
    assert list(opt.columns[:3]) == ["option", "name", "feasible"]
    feas = opt[opt["feasible"]]
    assert (np.diff(feas["cost_usd"].to_numpy()) >= 0).all()
    assert "mix" in set(opt["option"])
    # the engine agrees once the raw moves are written into the data
    new = DATA.copy()
    for r in res.moves.itertuples():
        new.loc["A", r.indicator] = r.raw_to
    assert build_index(spec3(), data=new).ranks.loc["A", "Index"] <= 2


def test_user_cost_file_changes_the_ranking(tmp_path: Path) -> None:
    # make compute dear (1e9 US$ per H100e): investment alone is now the cheaper route
    text = DEFAULT_COSTS.read_text(encoding="utf-8").replace(
        "    cost_usd: 40000\n", "    cost_usd: 1000000000\n")
    p = tmp_path / "costs.yaml"
    p.write_text(text, encoding="utf-8")
    res = what_it_takes(spec3(), "A", rank=2, costs=p, **FIXED)
    m = res.moves.set_index("indicator")
    assert m.loc["ai_investment", "raw_to"] == pytest.approx(10e9)  # up to the leader first
    assert res.costs_file == str(p)


def test_include_levers_and_no_percentages_of_estimates(tmp_path: Path) -> None:
    text = DEFAULT_COSTS.read_text(encoding="utf-8").replace(
        "indicators: {}", "indicators:\n  gov_quality: {class: governance_estimate, "
        "policy_lever: true, cost_usd: 1, source: test}")
    p = tmp_path / "costs.yaml"
    p.write_text(text, encoding="utf-8")
    off = what_it_takes(spec3(), "A", rank=2, costs=p, **FIXED)
    assert "gov_quality" in set(off.moves["indicator"])  # the file made it a lever
    row = off.moves.set_index("indicator").loc["gov_quality"]
    assert np.isnan(row["change_pct"])  # a % change of an estimate around zero means nothing
    default = what_it_takes(spec3(), "A", rank=2, include_levers=True, **FIXED)
    lev = default.levers.set_index("indicator")
    assert lev.loc["gov_quality", "moves"]  # may move, but has no cost: options only
    assert "gov_quality" in set(default.options["option"])
    assert "gov_quality" not in set(default.moves["indicator"])


def test_margin_bound_binds_and_is_named() -> None:
    # rank 1 (beat C's 66.67: +160 points) with the goalposts fixed: each indicator may reach
    # the best observed value + 10% of the range (norm 110): H100e +90, investment +70
    res = what_it_takes(spec3(), "A", rank=1, cap_at_leader=False, verify=False,
                        **{**FIXED, "margin": MARGIN})
    m = res.moves.set_index("indicator")
    assert m.loc["gpu_h100e", "raw_to"] == pytest.approx(11000.0)
    assert m.loc["gpu_h100e", "bound"].startswith("best observed + 10%")
    assert m.loc["ai_investment", "raw_to"] == pytest.approx(9e9, rel=1e-6)


def test_growth_bound_makes_it_infeasible_and_says_which() -> None:
    # history: from a base at least A's (2e9 US$, 2,000 H100e) the fastest sustained growth
    # is B's 10 %/yr; D grew 50 %/yr from a tiny base, which does not count for A
    rows = [(u, i, y, v * 1.5 ** (y - 2015)) for y in range(2015, 2021)
            for u, i, v in (("D", "ai_investment", 1e6), ("D", "gpu_h100e", 1.0))]
    for u, base in (("A", 1.0), ("B", 2.0), ("C", 3.0)):
        for y in range(2015, 2021):
            g = 1.10 if u == "B" else 1.0
            rows += [(u, "ai_investment", y, 1e9 * base * g ** (y - 2015)),
                     (u, "gpu_h100e", y, 1000 * base * g ** (y - 2015)),
                     (u, "gov_quality", y, base - 2.0)]
    hist = pd.DataFrame(rows, columns=["unit", "indicator", "year", "value"])
    res = what_it_takes(spec3(), "A", rank=2, by=None, years=3, data=DATA, history=hist,
                        margin=None)
    assert not res.feasible
    lev = res.levers.set_index("indicator")
    assert lev.loc["gpu_h100e", "fastest_pace"] == pytest.approx(0.10)
    assert lev.loc["gpu_h100e", "cap_fastest_growth"] == pytest.approx(2000 * 1.1**3)
    assert (res.options["bound"].str.startswith("fastest sustained change")).any()


def test_fastest_growth_rate_and_level() -> None:
    rows = [("X", y, 100 * 1.10 ** (y - 2010)) for y in range(2010, 2016)]
    rows += [("Y", y, 100 * 1.20 ** min(y - 2010, 3)) for y in range(2010, 2016)]
    h = pd.DataFrame(rows, columns=["unit", "year", "value"])
    g = fastest_growth(h, "count", horizon=3)
    assert g.kind == "growth" and g.window == 3 and g.up == pytest.approx(0.20)
    assert g.where == "Y 2010-2013"
    tiny = pd.concat([h, pd.DataFrame({"unit": "Z", "year": range(2010, 2016),
                                       "value": [1.5**k for k in range(6)]})])
    assert fastest_growth(tiny, "count", horizon=3).up == pytest.approx(0.5)
    # from a base of at least 100 only X and Y count; above every start, all count again
    assert fastest_growth(tiny, "count", horizon=3, min_start=100).up == pytest.approx(0.2)
    assert fastest_growth(tiny, "count", horizon=3, min_start=1e9).up == pytest.approx(0.5)
    assert g.limit(50.0, 2, 1) == pytest.approx(50 * 1.2**2)
    lv = fastest_growth(h.assign(value=h["value"] / 10), "score 0-100", horizon=3)
    assert lv.kind == "level" and lv.up > 0
    assert fastest_growth(h[h["year"] < 2012], "count", horizon=3).window == 0  # too short


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30),
       st.floats(0, 1))
def test_plausible_range_contains_the_data(values: list[float], margin: float) -> None:
    r = plausible_range(np.array(values), "count", margin=margin)
    assert r.lo <= min(values) + 1e-9 and r.hi >= max(values) - 1e-9
    if min(values) >= 0:
        assert r.lo >= 0  # counts never go negative
    pct = plausible_range(np.clip(values, 0, 100), "% of GDP", margin=margin)
    assert pct.lo >= 0 and pct.hi <= 100


@pytest.mark.parametrize(("text", "needle"), [
    ("classes: {a: {cost_usd: -1, source: x}}\n", "classes.a.cost_usd"),
    ("classes: {a: {cost_usd: 5}}\n", "needs its 'source'"),
    ("classes: {a: {scale: per-head}}\n", "classes.a.scale"),
    ("classes: {a: {}}\nrules: [{unit: x, class: b}]\n", "rules[0]: unknown class 'b'"),
    ("classes: {a: {}}\nrules: [{unit: '(', class: a}]\n", "rules[0].unit: bad regular"),
    ("classes: {a: {}}\nclasses: {b: {}}\n", "appears twice"),
    ("rules: []\n", "expected a mapping with 'classes:'"),
])
def test_bad_cost_file_names_the_place(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_costs(p)
    assert needle in str(exc.value) and str(p) in str(exc.value)


def test_missing_cost_file() -> None:
    with pytest.raises(SpecError, match="no such file"):
        what_it_takes(spec3(), "A", rank=2, costs="/nonexistent/costs.yaml", **FIXED)


def test_real_korea_rank3_by_2030(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Properties that hold whatever the index's indicators: no governance or perception
    lever, moves in raw and absolute units with costs, every move within its bounds."""
    monkeypatch.setenv("AIGAP_DB", str(real_db))
    res = what_it_takes("aigap", "KOR", rank=3)
    assert res.by == 2030 and res.costs_file is not None
    lev = res.levers.set_index("indicator")
    blocked = lev[lev["unit"].str.contains(r"estimate|^score|rank", regex=True)]
    assert len(blocked) and not blocked["moves"].any()
    if res.current_rank <= 3:
        return
    assert len(res.moves) and not set(res.moves["indicator"]) & set(blocked.index)
    for r in res.moves.itertuples():
        cap = lev.loc[r.indicator, "cap_best_observed"]
        assert r.raw_to <= cap + 1e-6 * abs(cap)
        grow = lev.loc[r.indicator, "cap_fastest_growth"]
        if np.isfinite(grow):
            assert r.raw_to <= grow + 1e-6 * abs(grow)
        assert r.abs_unit and np.isfinite(r.cost_usd)
        assert r.per_year_kind in ("% a year", "units a year")
    assert np.isfinite(res.cost_usd) and res.cost_usd > 0
    assert "2030" in sentence(res, "en") and "달러" in sentence(res, "ko")
