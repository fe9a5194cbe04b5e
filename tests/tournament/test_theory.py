"""Results from the tournament literature, reproduced from the model's own assumptions.

Fullerton and McAfee (1999, JPE), "Auctioning entry into tournaments": in research
tournaments the optimal number of finalists is often two. Taylor (1995, AER), "Digging for
golden carrots": more entrants raise the expected best outcome, with diminishing returns,
and noisy evaluation shrinks what an extra entrant is worth. With equal normal priors N(0, 1)
and evaluation noise σ (no growth), the closed forms below follow from Gaussian algebra.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from aigap.tournament.simulate import simulate_tournament

N = 200_000
E_MAX = {1: 0.0, 2: 1 / math.sqrt(math.pi), 3: 1.5 / math.sqrt(math.pi)}  # E max of n N(0,1)


def within(est: float, se: float, expected: float, k: float = 4.0) -> bool:
    return abs(est - expected) <= k * se + 1e-12


def cfg(n_teams: int, noise: float, stages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": "theory",
            "teams": [{"name": f"T{i}", "approach": f"a{i}", "prior": {"mean": 0.0, "sd": 1.0}}
                      for i in range(n_teams)],
            "evaluation": {"noise_sd": noise}, "stages": stages}


@pytest.mark.parametrize("sigma", [0.5, 1.0])
def test_keeping_two_finalists_instead_of_one_gains_the_closed_form_amount(sigma: float) -> None:
    """Two finalists, one noisy final evaluation. Keep 1: P(best) = 1/2 + arcsin(ρ)/π with
    ρ = 1/√(1+σ²), E[capability kept] = 1/√(π(1+σ²)). Keep 2: P = 1, E = E max = 1/√π."""
    keep1 = simulate_tournament(cfg(2, sigma, [{"name": "final", "rule": {
        "type": "winner_takes_all"}}]), n=N, seed=1)
    keep2 = simulate_tournament(cfg(2, sigma, [{"name": "final", "rule": {
        "type": "keep_all"}}]), n=N, seed=1)
    rho = 1 / math.sqrt(1 + sigma**2)
    p1 = 0.5 + math.asin(rho) / math.pi
    assert within(keep1.p_best_wins, keep1.p_best_wins_se, p1)
    assert keep2.p_best_survives == 1.0
    gain = keep2.p_best_survives - keep1.p_best_wins
    assert within(gain, keep1.p_best_wins_se, 0.5 - math.asin(rho) / math.pi)
    assert within(keep1.expected_best_funded_capability,
                  keep1.expected_best_funded_capability_se, E_MAX[2] * rho)
    assert within(keep2.expected_best_funded_capability,
                  keep2.expected_best_funded_capability_se, E_MAX[2])


def test_two_finalists_is_optimal_for_a_range_of_finalist_costs() -> None:
    """Fullerton–McAfee: the value of the best finalist rises with the number of finalists k
    but with shrinking increments, so for any cost per finalist between the second and the
    first increment, k = 2 maximises value − cost."""
    sigma = 0.7
    values = []
    for k in (1, 2, 3, 4):
        rule = {"type": "winner_takes_all"} if k == 1 else {"type": "top_k", "k": k}
        r = simulate_tournament(cfg(6, sigma, [{"name": "select", "rule": rule}]), n=N, seed=2)
        values.append(r.expected_best_funded_capability)
    inc = [b - a for a, b in itertools.pairwise(values)]
    assert all(d > 0 for d in inc)
    assert inc[0] > inc[1] > inc[2]  # diminishing returns (common random numbers: exact order)
    cost = (inc[0] + inc[1]) / 2
    net = [v - cost * k for k, v in zip((1, 2, 3, 4), values, strict=True)]
    assert max(range(4), key=net.__getitem__) == 1  # k = 2


@pytest.mark.parametrize("sigma", [0.0, 1.0])
def test_more_entrants_raise_the_winner_by_the_expected_maximum(sigma: float) -> None:
    """Taylor: with n entrants and one noisy pick, E[winner] = E[max of n] / √(1+σ²): entry
    helps, by less each time, and noise scales every entrant's value down."""
    got = {}
    for n_teams in (2, 3):
        r = simulate_tournament(cfg(n_teams, sigma, [{"name": "pick", "rule": {
            "type": "winner_takes_all"}}]), n=N, seed=3)
        expected = E_MAX[n_teams] / math.sqrt(1 + sigma**2)
        assert within(r.expected_winner_capability, r.expected_winner_capability_se, expected)
        got[n_teams] = r.expected_winner_capability
    assert got[3] > got[2]
    # the third entrant adds half of what the second did (E max: 0 → 1/√π → 1.5/√π)
    assert (got[3] - got[2]) < got[2]
