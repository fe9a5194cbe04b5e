"""The real programme's config, the new model features and conditioning on observed results."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy.stats import norm

from aigap.errors import SpecError
from aigap.tournament.model import DEFAULT_CONFIG, load_config
from aigap.tournament.observed import load_observed
from aigap.tournament.simulate import (
    _condition,
    _draw,
    _observe,
    _plan,
    compare_designs,
    simulate_reference,
    simulate_tournament,
    sweep_tournament,
)

REAL = "sovereign-ai-2026"


def within(est: float, se: float, expected: float, k: float = 4.0) -> bool:
    return abs(est - expected) <= k * se + 1e-12


def config(means: list[float], *, sd: float = 1.0, noise: float = 0.5,
           stages: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "name": "t",
        "teams": [{"name": f"T{i}", "approach": f"a{i}", "prior": {"mean": m, "sd": sd}}
                  for i, m in enumerate(means)],
        "evaluation": {"noise_sd": noise},
        "stages": stages or [{"name": "s1", "id": "s1", "rule": {"type": "winner_takes_all"}}],
        **extra,
    }


# ----------------------------------------------------------------------- the shipped config


def test_default_config_is_the_real_programme_with_its_published_schedule() -> None:
    cfg = load_config(DEFAULT_CONFIG)
    assert cfg.name == REAL
    assert [t.name for t in cfg.teams][:5] == [
        "Naver Cloud", "Upstage", "SK Telecom", "NC AI", "LG AI Research"]
    entrant = cfg.teams[5]
    assert entrant.enters_at == 1 and "not official" in (entrant.note or "")
    first = cfg.stages[0]
    assert first.eligibility is not None and first.eligibility.name == "originality"
    assert first.rule.type == "drop_lowest"  # the plan: 5 → 4
    weights = [c.weight for c in cfg.stage_evaluation(0).components or []]
    assert weights == [40, 35, 25]
    assert cfg.stages[2].rule.type == "top_k" and cfg.stages[2].rule.k == 2  # 2 by 2027
    assert "독자 AI 파운데이션 모델 프로젝트" in (cfg.title_ko or "")
    # the generic model is kept, under its new name and the old one
    assert load_config("sovereign-ai-generic").stage_path() == "5→3→1"
    assert load_config("sovereign-ai").name == "sovereign-ai-generic"


def test_plan_without_eligibility_failures_cuts_five_to_four() -> None:
    cfg = load_config(REAL).model_dump(exclude_none=True, exclude={"team_defaults"})
    for st in cfg["stages"]:
        st.pop("eligibility", None)
    res = simulate_tournament(cfg, n=20_000, seed=0)
    assert res.stages["expected_alive"].tolist()[:2] == [4.0, 4.0]  # 5→4, +1 entrant → 4
    assert res.stages["expected_alive"].iloc[2] == 2.0


def test_default_observed_reproduces_the_first_stage_outcome() -> None:
    res = simulate_tournament(REAL, n=60_000, seed=1, observed="default")
    funded = res.teams["p_funded_end"]
    assert funded["Naver Cloud"] == 0.0 and funded["NC AI"] == 0.0
    assert res.stages["expected_alive"].iloc[0] == 3.0
    assert res.stages["p_best_removed_by_rule"].iloc[0] == pytest.approx(
        res.teams.loc["Naver Cloud", "p_truly_best"])
    assert res.stages["p_best_removed_by_score"].iloc[0] == pytest.approx(
        res.teams.loc["NC AI", "p_truly_best"])
    # LG's published lead makes it the favourite; the answer is a probability, not certainty
    assert res.teams["p_truly_best"].idxmax() == "LG AI Research"
    assert 0.3 < res.p_best_wins < 0.95
    assert 0.05 < res.acceptance < 0.9
    assert res.to_dict()["observed"] == "sovereign-ai-2026-01.yaml"


def test_conditioned_draws_meet_the_published_points_exactly() -> None:
    cfg = load_config(REAL)
    obs = load_observed("default", cfg)
    assert obs is not None
    plan = _plan(cfg)
    cond = _condition(plan, cfg, obs)
    assert cond.proj is not None and cond.a is not None and cond.resid0 is not None
    z, _ = cond.apply(_draw(plan, 0, 0, [500]))
    got = _observe(plan, obs, z)
    want = np.array([p.value for p in obs.points])[:, None]
    # exact points are met exactly; LG's user evaluation (25.0 of 25, censored) from above
    cens = np.array([p.censored for p in obs.points])
    assert cens.sum() == 1
    assert np.allclose(got[~cens], want[~cens], atol=1e-9)
    assert (got[cens] >= want[cens] - 1e-9).all() and (got[cens] > want[cens] + 0.1).any()
    comps = [p.value for p in obs.points if p.kind == "component"]
    assert math.fsum(comps) == pytest.approx(90.2)


# ------------------------------------------------------------------------------ features


def test_eligibility_rule_removes_regardless_of_score() -> None:
    stages = [{"name": "s1", "rule": {"type": "keep_all"},
               "eligibility": {"name": "orig", "p_fail": 0.0, "p_fail_by_team": {"T0": 0.3}}}]
    res = simulate_tournament(config([5.0, 0.0, 0.0], noise=0.0, stages=stages), n=50_000,
                              seed=2)
    p = res.teams["p_funded_end"]
    assert within(p["T0"], math.sqrt(0.21 / 50_000), 0.7)  # the strongest team, cut by rule
    assert p["T1"] == 1.0
    assert within(res.stages["p_best_removed_by_rule"].iloc[0], 0.002, 0.3)


def test_drop_lowest_and_entrant() -> None:
    stages = [{"name": "s1", "rule": {"type": "drop_lowest", "n": 1}, "cost_per_team": 1},
              {"name": "s2", "rule": {"type": "drop_lowest", "n": 2}, "cost_per_team": 1}]
    cfg = config([0.0, 1.0, 2.0, 3.0], noise=0.0, sd=0.0, stages=stages)
    cfg["teams"][0]["enters_at"] = 1
    res = simulate_tournament(cfg, n=1_000, seed=0)
    assert load_config(cfg).stage_path() == "3→2+1→1"  # the entrant joins after stage 1
    # stage 1: T1 (lowest of the three) goes; stage 2: T0 joins, then the two lowest go
    assert res.teams["p_funded_end"].tolist() == [0.0, 0.0, 0.0, 1.0]
    assert res.expected_cost == 3 + 3
    assert res.stages["expected_stage_cost"].tolist() == [3.0, 3.0]
    ref = simulate_reference(cfg, n=200, seed=0)
    assert (ref["winner"] == 3).all() and (ref["cost"] == 6).all()


def test_vectorised_eligibility_and_components_match_the_loop() -> None:
    res = simulate_tournament(REAL, n=3_000, seed=4)
    ref = simulate_reference(REAL, n=3_000, seed=4)
    assert ref["regret"].mean() == pytest.approx(res.expected_regret, rel=1e-9)
    assert ref["cost"].mean() == pytest.approx(res.expected_cost, rel=1e-9)


@pytest.mark.parametrize(("change", "needle"), [
    (lambda c: c["teams"][0].update(enters_at=3), "teams[0].enters_at = 3"),
    (lambda c: c["stages"][0].update(rule={"type": "drop_lowest", "n": 3}),
     "rule.n = 3 would cut every one"),
    (lambda c: c["stages"][0].update(eligibility={"name": "x", "p_fail_by_team": {"Q": 0.1}}),
     "p_fail_by_team: unknown team(s) Q"),
])
def test_bad_new_fields_name_the_place(change: Any, needle: str) -> None:
    cfg = config([0, 1, 2])
    change(cfg)
    with pytest.raises(SpecError, match=None) as exc:
        load_config(cfg)
    assert needle in str(exc.value)


@pytest.mark.parametrize(("obs", "needle"), [
    ({"stages": [{"stage": "s9", "advanced": ["T0"]}]}, "unknown stage 's9'"),
    ({"stages": [{"stage": "s1", "advanced": ["Nobody"]}]}, "stages[0].advanced: unknown team"),
    ({"stages": [{"stage": "s1", "advanced": ["T0"], "removed_by_rule": ["T1"]}]},
     "has no `eligibility` rule"),
    ({"stages": [{"stage": "s1", "advanced": ["T0"], "scores": {"T0": {"total": 3}}}]},
     "need `score_scale`"),
    ({"stages": [{"stage": "s1", "advanced": ["T0"], "scorez": {}}]}, "unknown field"),
])
def test_bad_observed_results_name_the_place(obs: dict[str, Any], needle: str) -> None:
    with pytest.raises(SpecError) as exc:
        simulate_tournament(config([0, 0]), n=100, observed=obs)
    assert needle in str(exc.value)


def test_impossible_observation_is_a_clear_error() -> None:
    cfg = config([0.0, 10.0], sd=0.0, noise=0.0)
    with pytest.raises(SpecError, match="consistent with the observed results"):
        simulate_tournament(cfg, n=1_000, observed={"stages": [{"stage": "s1",
                                                                "advanced": ["T0"]}]})


# ---------------------------------------------------------------- posterior vs closed forms


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
def test_posterior_after_a_rank_observation_matches_the_closed_form(sigma: float) -> None:
    """Two equal teams, T0 beat T1 once: P(T0 truly better) = 1/2 + arcsin(ρ)/π with
    ρ = corr(c0 − c1, s0 − s1) = 1/√(1 + σ²) (bivariate normal orthant)."""
    n = 200_000
    obs = {"stages": [{"stage": "s1", "advanced": ["T0"]}]}
    res = simulate_tournament(config([0.0, 0.0], noise=sigma), n=n, seed=7, observed=obs)
    expected = 0.5 + math.asin(1 / math.sqrt(1 + sigma**2)) / math.pi
    p = res.teams.loc["T0", "p_truly_best"]
    assert within(p, math.sqrt(p * (1 - p) / res.n), expected)
    assert within(res.acceptance, math.sqrt(0.25 / n), 0.5)


def test_posterior_after_published_components_matches_the_conjugate_update() -> None:
    """Prior N(0, 1); two components with error sd e1, e2 read r1, r2: the posterior is
    N(Σ r/e² / (1 + Σ 1/e²), 1 / (1 + Σ 1/e²)); P(T0 > T1 ~ N(0, 1)) = Φ(μ / √(v + 1))."""
    e1, e2, r1, r2 = 0.5, 1.0, 1.2, 2.0
    cfg = config([0.0, 0.0], stages=[{"name": "s1", "id": "s1", "rule": {"type": "keep_all"}}])
    cfg["evaluation"] = {"components": [{"name": "a", "weight": 60, "noise_sd": e1},
                                        {"name": "b", "weight": 40, "noise_sd": e2}]}
    cfg["score_scale"] = {"center": 50, "unit": 10}
    pts = {"a": 0.6 * (50 + 10 * r1), "b": 0.4 * (50 + 10 * r2)}
    obs = {"stages": [{"stage": "s1", "advanced": ["T0", "T1"],
                       "scores": {"T0": {"components": pts}}}]}
    res = simulate_tournament(cfg, n=200_000, seed=8, observed=obs)
    prec = 1 + 1 / e1**2 + 1 / e2**2
    mu, var = (r1 / e1**2 + r2 / e2**2) / prec, 1 / prec
    assert res.acceptance == 1.0
    assert res.teams.loc["T0", "mean_final_capability"] == pytest.approx(mu, abs=4 * math.sqrt(
        var / res.n))
    p = res.teams.loc["T0", "p_truly_best"]
    assert within(p, math.sqrt(p * (1 - p) / res.n), norm.cdf(mu / math.sqrt(var + 1)))


def test_published_mean_with_uncertain_center_is_conditioned_exactly() -> None:
    """Two teams, known points scale spread, unknown center: the average pins the center and
    a published total then places the team against the other (closed form, Gaussian)."""
    cfg = config([0.0, 0.0], noise=0.0, stages=[
        {"name": "s1", "id": "s1", "rule": {"type": "keep_all"}}])
    cfg["score_scale"] = {"center": 70, "center_sd": 10, "unit": 5}
    obs = {"stages": [{"stage": "s1", "advanced": ["T0", "T1"], "mean_score": 80,
                       "scores": {"T0": {"total": 85}}}]}
    res = simulate_tournament(cfg, n=20_000, seed=9, observed=obs)
    # noise 0: c0 − c1 = 2 (85 − 80)/5 = 2 exactly, so T0 is always the better team
    assert res.teams.loc["T0", "p_truly_best"] == 1.0
    caps = res.teams["mean_final_capability"]
    assert caps["T0"] - caps["T1"] == pytest.approx(2.0, abs=1e-9)


# -------------------------------------------------------------------- scores at the ceiling


def test_lg_user_score_at_the_ceiling_is_censored_and_the_mean_uses_its_capped_total() -> None:
    cfg = load_config(REAL)
    obs = load_observed("default", cfg)
    assert obs is not None
    by_kind = {(p.kind, p.component): p for p in obs.points}
    assert by_kind[("component", 2)].censored and by_kind[("component", 2)].value == 25.0
    assert not by_kind[("component", 0)].censored and not by_kind[("component", 1)].censored
    mean = by_kind[("mean", None)]
    # 79.7 is the mean of five published totals; LG's is the capped 90.2, a constant
    assert mean.teams == tuple(cfg.team_index(n) for n in (
        "Naver Cloud", "Upstage", "SK Telecom", "NC AI"))
    assert mean.value == pytest.approx((5 * 79.7 - 90.2) / 4)


def _ceiling_config(sigma: float) -> dict[str, Any]:
    cfg = config([0.0, 0.0], noise=sigma, stages=[
        {"name": "s1", "id": "s1", "rule": {"type": "keep_all"}}])
    cfg["score_scale"] = {"center": 0, "unit": 1, "total": 2}  # points = score, maximum 2
    return cfg


@pytest.mark.parametrize("sigma", [0.5, 1.0])
def test_score_at_the_maximum_conditions_as_at_least_the_maximum(sigma: float) -> None:
    """Prior N(0, 1), score s = c + e (sd σ) published at the maximum m: s ≥ m, so
    E[c | s ≥ m] = φ(α)/(1 − Φ(α)) / √(1 + σ²) with α = m/√(1 + σ²) (truncated normal),
    above the E[c | s = m] = m/(1 + σ²) that treating the 2.0 as exact would give."""
    m, n = 2.0, 200_000
    obs = {"stages": [{"stage": "s1", "advanced": ["T0", "T1"],
                       "scores": {"T0": {"total": m}}}]}
    res = simulate_tournament(_ceiling_config(sigma), n=n, seed=10, observed=obs)
    assert res.acceptance == 1.0  # the inequality is met by a transform, not by rejection
    sd = math.sqrt(1 + sigma**2)
    alpha = m / sd
    mills = norm.pdf(alpha) / norm.sf(alpha)
    expected = mills / sd
    # Var[c | s ≥ m] for the standard error: Var[c|s] + β² Var[s | s ≥ m]
    beta = 1 / sd**2
    var = (1 - beta) + beta**2 * sd**2 * (1 + alpha * mills - mills**2)
    got = res.teams.loc["T0", "mean_final_capability"]
    assert got == pytest.approx(expected, abs=4 * math.sqrt(var / n))
    assert got > m / (1 + sigma**2) + 0.05
    # the other team is untouched by T0's reading
    assert abs(res.teams.loc["T1", "mean_final_capability"]) < 4 / math.sqrt(n)


def test_two_scores_at_the_maximum_transform_one_and_reject_on_the_other() -> None:
    """Both teams at the ceiling: symmetric, so each is truly best half of the time, and the
    second inequality is met by rejection (P(s1 ≥ m | s0 ≥ m) < 1)."""
    obs = {"stages": [{"stage": "s1", "advanced": ["T0", "T1"],
                       "scores": {"T0": {"total": 2.0}, "T1": {"total": 2.0}}}]}
    res = simulate_tournament(_ceiling_config(1.0), n=100_000, seed=11, observed=obs)
    assert 0.0 < res.acceptance < 0.5
    p = res.teams.loc["T0", "p_truly_best"]
    assert within(p, math.sqrt(0.25 / res.n), 0.5)
    caps = res.teams["mean_final_capability"]
    assert caps["T0"] == pytest.approx(caps["T1"], abs=0.05)


@pytest.mark.parametrize(("scores", "needle"), [
    ({"T0": {"total": 2.5}}, "exceeds the maximum"),
])
def test_scores_above_the_maximum_are_errors(scores: dict[str, Any], needle: str) -> None:
    obs = {"stages": [{"stage": "s1", "advanced": ["T0", "T1"], "scores": scores}]}
    with pytest.raises(SpecError, match=needle):
        simulate_tournament(_ceiling_config(1.0), n=100, seed=0, observed=obs)


def test_component_above_its_maximum_names_the_component() -> None:
    cfg = load_config(REAL)
    obs = {"stages": [{"stage": "first", "advanced": ["LG AI Research", "SK Telecom", "Upstage"],
                       "removed_by_rule": ["Naver Cloud"],
                       "scores": {"LG AI Research": {"components": {"user evaluation": 26.0}}}}]}
    with pytest.raises(SpecError, match=r"scores\.LG AI Research\.components\.user evaluation"):
        load_observed(obs, cfg)


# ---------------------------------------------------------------- sweeps, designs, API


def test_sweep_and_designs_from_the_current_state() -> None:
    sw = sweep_tournament(REAL, "noise_scale=0.5,2", n=30_000, seed=0, observed="default")
    p = sw.frame()["p_best_wins"].to_numpy()
    assert p[0] > p[1]  # noisier evaluations: less likely to end with the best team
    cmp = compare_designs(REAL, "designs-2026", n=30_000, seed=0, observed="default")
    f = cmp.frame().set_index("design")
    names = [d.name for d in cmp.designs]
    assert {"published", "keep-1", "keep-3", "no-entrant", "funding-split"} <= set(names)
    val = dict(zip(names, f["objective_value"], strict=True))
    assert val["published"] > val["keep-1"]  # a second finalist is an option worth having
    assert val["published"] > val["no-entrant"]  # the re-entry slot adds capability
    within_budget = dict(zip(names, f["within_budget"], strict=True))
    assert not within_budget["keep-3"]
    assert cmp.best is not None and within_budget[cmp.best]


def test_top_level_api_takes_observed() -> None:
    import aigap

    res = aigap.simulate_tournament(REAL, n=5_000, seed=0, observed="default")
    assert res.observed is not None and res.n < res.n_proposed == 5_000
    assert aigap.simulate_tournament(REAL, n=5_000, seed=0).observed is None


def test_cli_observed_option(tmp_path: Any) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from aigap.cli.tournament import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """aigap (test harness)."""

    register(app)
    runner = CliRunner()
    post = runner.invoke(app, ["tournament", "--n", "20000", "--format", "json"])
    assert post.exit_code == 0, post.output
    data = json.loads(post.stdout)
    assert data["config"] == REAL and data["observed"] == "sovereign-ai-2026-01.yaml"
    assert data["n"] < data["n_proposed"] == 20_000
    prior = json.loads(runner.invoke(app, ["tournament", "--n", "20000", "--format", "json",
                                           "--observed", "none"]).stdout)
    assert prior["observed"] is None and prior["n"] == 20_000
    own = tmp_path / "results.yaml"
    own.write_text("stages:\n  - {stage: first, advanced: [Upstage, NC AI, LG AI Research],"
                   " removed_by_rule: [Naver Cloud]}\n")
    mine = json.loads(runner.invoke(app, ["tournament", "--n", "20000", "--format", "json",
                                          "--observed", str(own)]).stdout)
    funded = {r["team"]: r["p_funded_end"] for r in mine["teams"]}
    assert funded["SK Telecom"] == 0.0 and funded["NC AI"] > 0
    bad = runner.invoke(app, ["tournament", "--n", "2000", "--observed", "nope.yaml"])
    assert bad.exit_code == 2 and "observed results 'nope.yaml' not found" in bad.output


def test_report_section_answers_the_question_in_both_languages() -> None:
    from types import SimpleNamespace

    from aigap.report.sections import tournament_section

    sec = tournament_section(SimpleNamespace(lang="ko"))  # the section reads only the language
    assert sec["id"] == "tournament" and "독자 AI 파운데이션 모델 프로젝트" in sec["title"]
    en, ko = sec["text"]["en"], sec["text"]["ko"]
    assert any("Naver Cloud removed by the originality rule" in s for s in en)
    assert any("final pick with probability" in s and "%" in s for s in en)
    assert any("최종 선정할 확률은" in s for s in ko)
    assert any(s.startswith("Published:") and "Assumed:" in s for s in en)
    assert all(s.rstrip().endswith(("다.", "다).")) for s in ko)  # 합니다체 sentences
    rows = sec["tables"]["designs"]
    assert len(rows) == 8 and sum(r["예산 내 최선"] == "★" for r in rows) == 1


def test_design_differences_are_paired_on_common_draws() -> None:
    cmp = compare_designs(REAL, "designs-2026", n=20_000, seed=3, observed="default")
    d, se = cmp.difference("keep-1", "published")
    (v1, s1), (v0, s0) = (cmp.results[[x.name for x in cmp.designs].index(k)].objective()
                          for k in ("keep-1", "published"))
    assert d == pytest.approx(v1 - v0, abs=1e-5)  # float32 draws: tiny rounding only
    assert 0 < se < math.hypot(s0, s1) / 3  # pairing removes most of the shared variance
    assert cmp.difference("published", "published") == (0.0, 0.0)
    # a design on other draws (one team fewer) falls back to independent errors
    _, se_ind = cmp.difference("no-entrant", "published")
    assert se_ind > se


def test_cost_unit_has_a_korean_label_and_an_unknown_unit_stays_as_written() -> None:
    from aigap.present.tournament import cost_unit_label

    cfg = load_config(REAL)
    assert cost_unit_label(cfg, "en") == "KRW bn (illustrative)"
    assert cost_unit_label(cfg, "ko") == "십억 원(예시)"
    other = cfg.model_copy(update={"cost_unit": "EUR m"})
    assert cost_unit_label(other, "ko") == "EUR m"


def test_programme_view_before_any_result_has_no_published_points() -> None:
    from aigap.present.tournament import programme_view
    from aigap.tournament.simulate import programme_state

    state = programme_state(REAL, n=4_000, seed=0, observed=None, designs=None,
                            noise_scales=(1.0,))
    view = programme_view(state, "ko")
    assert view["observed"] is None and view["designs"] is None
    assert all(not t["published"] for t in view["teams"])
    assert {t["status"] for t in view["teams"]} == {"selected", "entrant"}
    assert view["posterior"]["p_best_eliminated"] == 0.0
    assert all(a["label"] and a["value"] for a in view["assumptions"])
