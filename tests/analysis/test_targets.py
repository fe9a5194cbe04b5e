"""what-it-takes: hand-solved LP optimum on a 3-unit toy index, bounds, caps, inversion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigap.analysis.targets.what_it_takes import what_it_takes
from aigap.config import data_dir
from aigap.errors import SpecError
from aigap.index import Spec, build_index
from aigap.present import sentence

# the index-point objective with others held fixed and no observed-value caps: the hand-solved
# optimum of the engine (policy units are tested in test_targets_policy.py)
LEGACY = {"by": None, "costs": None, "margin": None}


@pytest.fixture(scope="module")
def asem_dir():
    path = data_dir() / "asem"
    if not (path / "iData.csv").is_file():
        pytest.skip("ASEM data mirror not available")
    return path


def toy_spec(method: str = "arithmetic", lo: float = 0.0) -> Spec:
    """Two indicators (weights 1 and 3) in one pillar: effective weights 0.25 and 0.75."""
    return Spec.from_dict({
        "name": "toy", "data": {"source": "frame"},
        "indicators": [{"code": "i0", "parent": "P", "weight": 1, "unit": "count"},
                       {"code": "i1", "parent": "P", "weight": 3, "unit": "count"}],
        "aggregates": [{"code": "P", "parent": "Index"}, {"code": "Index"}],
        "steps": [{"step": "normalise", "method": "minmax", "l": lo, "u": 100},
                  {"step": "aggregate", "method": method}],
    })


# i0: A=2, B=10, C=0 -> 20, 100, 0;  i1: A=2, B=0, C=10 -> 20, 0, 100
# scores: A = .25*20 + .75*20 = 20, B = 25, C = 75  (ranks C, B, A)
TOY = pd.DataFrame({"i0": [2.0, 10.0, 0.0], "i1": [2.0, 0.0, 10.0]}, index=["A", "B", "C"])


def engine_rank(spec: Spec, data: pd.DataFrame, moves: pd.DataFrame, unit: str) -> int:
    new = data.copy()
    for r in moves.itertuples():
        new.loc[unit, r.indicator] = r.raw_to
    return int(build_index(spec, data=new).ranks.loc[unit, "Index"])


def test_toy_matches_hand_solution() -> None:
    # rank 2 needs A >= B's 25: gap 5. Cost per score point: i0 1/.25 = 4, i1 1/.75 = 4/3,
    # so only i1 moves, by 5/.75 = 6.667 normalised points: 20 -> 26.667, raw 2 -> 2.6667.
    res = what_it_takes(toy_spec(), "A", rank=2, data=TOY, **LEGACY)
    assert res.feasible and res.method == "lp-highs" and res.gap == 0
    assert list(res.moves["indicator"]) == ["i1"]
    m = res.moves.iloc[0]
    assert m["normalised_to"] == pytest.approx(20 + 5 / 0.75, abs=1e-6)
    assert m["raw_to"] == pytest.approx(2 + (5 / 0.75) / 10, abs=1e-6)  # exact min-max inverse
    assert m["change_pct"] == pytest.approx((m["raw_to"] / 2 - 1) * 100)
    assert m["score_gain"] == pytest.approx(5.0, abs=1e-6)
    assert res.cost == pytest.approx(5 / 0.75, abs=1e-6)
    assert res.current_rank == 3 and res.new_rank == 2 and res.verified_rank == 2
    assert engine_rank(toy_spec(), TOY, res.moves, "A") <= 2


def test_cost_switches_indicator() -> None:
    # with i1 costing 5 per point, i0 is cheaper (4 vs 6.67 per score point): Δi0 = 5/.25 = 20
    res = what_it_takes(toy_spec(), "A", rank=2, cost={"i1": 5}, data=TOY, **LEGACY)
    assert list(res.moves["indicator"]) == ["i0"]
    assert res.moves.iloc[0]["raw_to"] == pytest.approx(4.0, abs=1e-6)
    assert res.cost == pytest.approx(20.0, abs=1e-6)
    assert engine_rank(toy_spec(), TOY, res.moves, "A") <= 2


def test_infeasible_reports_shortfall() -> None:
    # rank 1 needs 75; i0 <= 5 (norm 50), i1 <= 6 (norm 60): max .25*50 + .75*60 = 57.5
    res = what_it_takes(toy_spec(), "A", rank=1, bounds={"i0": (None, 5), "i1": (None, 6)},
                        data=TOY, **LEGACY)
    assert not res.feasible
    assert res.max_score == pytest.approx(57.5)
    assert res.shortfall == pytest.approx(75 - 57.5)
    assert res.best_rank == 2
    assert "cannot reach" in sentence(res, "en") and "부족" in sentence(res, "ko")
    assert res.to_dict()["feasible"] is False


def test_bounds_respected() -> None:
    # i1 <= 2.5 (norm 25, gain 3.75); the rest (1.25) from i0: Δi0 = 5 -> raw 2.5
    res = what_it_takes(toy_spec(), "A", rank=2, bounds={"i1": (None, 2.5)}, data=TOY, **LEGACY)
    got = res.moves.set_index("indicator")["raw_to"]
    assert got["i1"] == pytest.approx(2.5, abs=1e-6) and got["i0"] <= 10
    assert got["i0"] == pytest.approx(2.5, abs=1e-6)
    assert res.cost == pytest.approx(5 + 5, abs=1e-6)


def test_growth_bound() -> None:
    # +10 %/year over 2 years: i1 <= 2.42 (norm 24.2), i0 <= 2.42 (norm 24.2):
    # max = .25*24.2 + .75*24.2 = 24.2 < 25 -> infeasible, short by 0.8
    res = what_it_takes(toy_spec(), "A", rank=2, max_growth=0.1, years=2, data=TOY, **LEGACY)
    assert not res.feasible and res.shortfall == pytest.approx(0.8, abs=1e-9)
    assert (res.moves["raw_to"] <= 2 * 1.1**2 + 1e-9).all()


def test_cap_at_leader_vs_fixed_goalposts() -> None:
    # rank 1 (beat C's 75), i1 expensive: i0 goes first, capped at the leader B (raw 10)
    capped = what_it_takes(toy_spec(), "A", rank=1, cost={"i1": 100}, data=TOY, **LEGACY)
    got = capped.moves.set_index("indicator")
    assert got.loc["i0", "raw_to"] == pytest.approx(10.0)  # the best raw value among units
    assert got.loc["i1", "normalised_to"] == pytest.approx(20 + 35 / 0.75, abs=1e-6)
    assert engine_rank(toy_spec(), TOY, capped.moves, "A") == 1
    free = what_it_takes(toy_spec(), "A", rank=1, cost={"i1": 100}, cap_at_leader=False,
                         data=TOY, verify=False, **LEGACY)
    got = free.moves.set_index("indicator")
    assert list(got.index) == ["i0"] and got.loc["i0", "raw_to"] == pytest.approx(24.0)
    assert any("fixed goalposts" in n for n in free.notes)


def test_already_there_and_errors() -> None:
    res = what_it_takes(toy_spec(), "C", rank=1, data=TOY, **LEGACY)
    assert res.feasible and res.moves.empty and res.cost == 0 and "already" in sentence(res)
    with pytest.raises(SpecError, match="not in this build"):
        what_it_takes(toy_spec(), "ZZZ", rank=1, data=TOY, **LEGACY)
    with pytest.raises(SpecError, match="unknown indicator"):
        what_it_takes(toy_spec(), "A", rank=1, cost={"nope": 1}, data=TOY, **LEGACY)


def test_geometric_reaches_target_with_gap() -> None:
    rng = np.random.default_rng(3)
    data = pd.DataFrame(rng.lognormal(size=(12, 2)), columns=["i0", "i1"],
                        index=[f"U{k:02d}" for k in range(12)])
    spec = toy_spec("geometric", lo=1.0)
    ranks = build_index(spec, data=data).ranks["Index"]
    unit = ranks.sort_values().index[6]  # 7th: not the minimum of an indicator it moves
    res = what_it_takes(spec, unit, rank=3, data=data, **LEGACY)
    assert res.feasible and res.method.startswith("convex")
    assert res.new_rank <= 3 and res.verified_rank is not None and res.verified_rank <= 3
    assert 0 <= res.gap <= 1e-3 * max(1.0, res.cost)
    assert engine_rank(spec, data, res.moves, unit) <= 3
    # the LP of the linearisation at the start point is not cheaper than the certified optimum
    lin = what_it_takes(toy_spec(lo=1.0), unit, rank=3, data=data, verify=False, **LEGACY)
    assert lin.cost > 0


def test_asem_treated_korea(asem_dir) -> None:
    res = what_it_takes("asem-treated", "kor", rank=5, **LEGACY)
    assert res.unit == "KOR" and res.feasible and res.verified_rank is not None
    assert res.verified_rank <= 5
    assert res.moves["score_gain"].sum() == pytest.approx(res.new_score - res.current_score)
    assert sentence(res, "ko").startswith("한국이 5위에 오르려면")
