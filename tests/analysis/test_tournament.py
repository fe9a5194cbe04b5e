"""Tournament simulator: closed forms, rules, reproducibility, validation, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer
from scipy.stats import norm
from typer.testing import CliRunner

from aigap.cli.tournament import register
from aigap.errors import SpecError
from aigap.present.tournament import comparison_figure, sweep_figure, tournament_summary_figure
from aigap.tournament.model import Evaluation
from aigap.tournament.simulate import (
    BLOCK,
    compare_designs,
    load_config,
    parse_sweep,
    simulate_reference,
    simulate_tournament,
    sweep_tournament,
)

N = 200_000


def make_config(
    means: list[float],
    *,
    prior_sd: float = 0.0,
    noise: float = 0.0,
    stages: list[dict[str, Any]] | None = None,
    approaches: list[str] | None = None,
    growth: dict[str, float] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    teams = [
        {"name": f"T{i}", "approach": (approaches or [f"a{i}" for i in range(len(means))])[i],
         "prior": {"mean": m, "sd": prior_sd}, "growth": growth or {}}
        for i, m in enumerate(means)
    ]
    return {
        "name": "test",
        "teams": teams,
        "evaluation": {"noise_sd": noise},
        "stages": stages or [{"name": "s1", "rule": {"type": "winner_takes_all"}}],
        **extra,
    }


def within(est: float, se: float, expected: float, k: float = 4.0) -> bool:
    return abs(est - expected) <= k * se + 1e-12


# ------------------------------------------------------------------------ closed forms


@pytest.mark.parametrize(("d", "s"), [(0.5, 1.0), (1.0, 0.5), (0.2, 0.3)])
def test_two_teams_one_stage_matches_normal_cdf(d: float, s: float) -> None:
    res = simulate_tournament(make_config([0.0, d], noise=s), n=N, seed=1)
    expected = norm.cdf(d / (s * math.sqrt(2)))
    assert within(res.p_best_wins, res.p_best_wins_se, expected)
    # regret is d whenever the wrong team is picked
    assert res.expected_regret == pytest.approx(d * (1 - res.p_best_wins), rel=1e-9)


def test_panel_of_correlated_judges_has_the_closed_form_effective_noise() -> None:
    comps = [
        {"name": "bench", "weight": 2, "noise_sd": 0.6},
        {"name": "panel", "weight": 1, "noise_sd": 1.2, "judges": 8, "correlation": 0.4},
    ]
    sd = math.sqrt((2 / 3) ** 2 * 0.36 + (1 / 3) ** 2 * 1.44 * (0.4 + 0.6 / 8))
    assert Evaluation(components=comps).effective_sd == pytest.approx(sd)
    cfg = make_config([0.0, 0.4])
    cfg["evaluation"] = {"components": comps}
    res = simulate_tournament(cfg, n=N, seed=2)
    assert within(res.p_best_wins, res.p_best_wins_se, norm.cdf(0.4 / (sd * math.sqrt(2))))


def test_more_judges_cannot_remove_their_shared_error() -> None:
    many = Evaluation(components=[{"name": "p", "weight": 1, "noise_sd": 1.0, "judges": 10_000,
                                   "correlation": 0.25}])
    assert many.effective_sd == pytest.approx(0.5, abs=1e-3)


def test_symmetric_teams_win_equally_often() -> None:
    stages = [{"name": "s1", "rule": {"type": "top_k", "k": 3}},
              {"name": "s2", "rule": {"type": "winner_takes_all"}}]
    cfg = make_config([0.0] * 5, prior_sd=1.0, noise=0.7, stages=stages,
                      growth={"mean": 0.3, "rate_sd": 0.2, "shock_sd": 0.2})
    res = simulate_tournament(cfg, n=N, seed=3)
    assert res.p_win.sum() == pytest.approx(1.0)
    for p, se in zip(res.p_win, res.p_win_se, strict=True):
        assert within(p, se, 0.2)
    assert (res.teams["p_truly_best"].sub(0.2).abs() < 4 * res.p_win_se).all()


def test_zero_noise_always_picks_the_best() -> None:
    stages = [{"name": "s1", "rule": {"type": "top_k", "k": 2}},
              {"name": "s2", "rule": {"type": "winner_takes_all"}}]
    cfg = make_config([0.0, 0.3, -0.2, 0.1], prior_sd=1.0, noise=0.0, stages=stages,
                      growth={"mean": 0.5, "shock_sd": 0.0})
    res = simulate_tournament(cfg, n=50_000, seed=4)
    assert res.p_best_wins == 1.0
    assert res.expected_regret == 0.0


def test_noise_lowers_selection_accuracy_monotonically() -> None:
    sw = sweep_tournament("sovereign-ai-generic", "noise=0.1:1.5:4", n=50_000, seed=5)
    p = sw.frame()["p_best_wins"].to_numpy()
    assert (np.diff(p) < 0).all()
    assert (np.diff(sw.frame()["expected_regret"].to_numpy()) > 0).all()


# ------------------------------------------------------------------------- elimination rules


def one_stage(rule: dict[str, Any], means: list[float], **kw: Any) -> Any:
    return simulate_tournament(
        make_config(means, stages=[{"name": "s1", "rule": rule, "cost_per_team": 10}], **kw),
        n=2_000, seed=0)


def test_top_k_keeps_exactly_k_and_charges_everyone_funded() -> None:
    stages = [{"name": "s1", "rule": {"type": "top_k", "k": 3}, "cost_per_team": 10},
              {"name": "s2", "rule": {"type": "top_k", "k": 2}, "cost_per_team": 5}]
    res = simulate_tournament(make_config([0, 1, 2, 3, 4], prior_sd=1, noise=1, stages=stages),
                              n=10_000, seed=0)
    assert res.stages["expected_alive"].tolist() == [3.0, 2.0]
    assert res.expected_teams_funded == 2.0
    assert res.expected_cost == 5 * 10 + 3 * 5


def test_threshold_keeps_everyone_above_the_bar() -> None:
    res = one_stage({"type": "threshold", "threshold": 1.5}, [0, 1, 2, 3])
    assert res.teams["p_funded_end"].tolist() == [0, 0, 1, 1]
    nobody = one_stage({"type": "threshold", "threshold": 10, "min_keep": 2}, [0, 1, 2, 3])
    assert nobody.teams["p_funded_end"].tolist() == [0, 0, 1, 1]


def test_portfolio_prefers_distinct_approaches() -> None:
    appr = ["A", "A", "B", "B"]
    distinct = one_stage({"type": "portfolio", "k": 2}, [3, 2, 1, 0], approaches=appr)
    assert distinct.teams["p_funded_end"].tolist() == [1, 0, 1, 0]
    assert distinct.expected_approaches_funded == 2
    plain = one_stage({"type": "portfolio", "k": 2, "distinct_approaches": False}, [3, 2, 1, 0],
                      approaches=appr)
    assert plain.teams["p_funded_end"].tolist() == [1, 1, 0, 0]
    assert plain.expected_approaches_funded == 1


def test_proportional_funding_shares_and_min_share() -> None:
    res = one_stage({"type": "proportional", "floor": 0}, [1, 2, 3])
    assert res.teams["mean_final_share"].tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6])
    cut = one_stage({"type": "proportional", "floor": 0, "min_share": 0.2}, [1, 2, 3])
    assert cut.teams["mean_final_share"].tolist() == pytest.approx([0, 0.4, 0.6])
    assert cut.expected_teams_funded == 2


def test_winner_takes_all_and_keep_all() -> None:
    wta = one_stage({"type": "winner_takes_all"}, [0, 2, 1])
    assert wta.teams["p_win"].tolist() == [0, 1, 0]
    assert wta.expected_teams_funded == 1
    keep = one_stage({"type": "keep_all"}, [0, 2, 1])
    assert keep.expected_teams_funded == 3
    assert keep.teams["p_win"].tolist() == [0, 1, 0]  # the top scorer is the winner


def test_vectorised_rules_match_the_per_tournament_loop() -> None:
    cmp = compare_designs("sovereign-ai-generic", "designs", n=1_500, seed=9)
    for design, res in zip(cmp.designs, cmp.results, strict=True):
        ref = simulate_reference(design.config, 1_500, seed=9)
        wins = np.bincount(ref["winner"], minlength=5) / 1_500
        assert res.p_win.to_numpy() == pytest.approx(wins, abs=1e-12), design.name
        assert res.expected_regret == pytest.approx(ref["regret"].mean(), abs=1e-12)
        assert res.expected_cost == pytest.approx(ref["cost"].mean(), abs=1e-9)


# -------------------------------------------------------------------------- reproducibility


def test_same_seed_same_numbers_and_chunk_size_does_not_matter() -> None:
    n = 3 * BLOCK + 123
    a = simulate_tournament("sovereign-ai-generic", n=n, seed=11, chunk_size=BLOCK)
    b = simulate_tournament("sovereign-ai-generic", n=n, seed=11, chunk_size=2 * BLOCK)
    c = simulate_tournament("sovereign-ai-generic", n=n, seed=11, chunk_size=10 * BLOCK)
    for other in (b, c):
        assert other.to_dict() == a.to_dict()
    d = simulate_tournament("sovereign-ai-generic", n=n, seed=12)
    assert d.p_best_wins != a.p_best_wins


def test_random_seed_is_recorded_and_replays() -> None:
    a = simulate_tournament("sovereign-ai-generic", n=5_000, seed=None)
    b = simulate_tournament("sovereign-ai-generic", n=5_000, seed=a.seed)
    assert a.to_dict() == b.to_dict()


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda c: c["stages"].append({"name": "x", "rule": {"type": "top_k", "k": 1}}),
         "stages[1].rule.k = 1 cuts nobody"),
        (lambda c: c["stages"][0].update(rule={"type": "best_of"}), "unknown rule type"),
        (lambda c: c["stages"][0].update(rule={"k": 2}), "missing `type`"),
        (lambda c: c["teams"][1].update(nosie=1), "teams[1].nosie: unknown field"),
        (lambda c: c["teams"][0]["prior"].pop("sd"), "teams[0].prior: `sd` is required"),
        (lambda c: c["teams"][1].update(name="T0"), "duplicate team name(s): T0"),
        (lambda c: c.update(evaluation={"noise_sd": 1, "components": [
            {"name": "b", "weight": 1, "noise_sd": 1}]}), "evaluation: give exactly one of"),
        (lambda c: c["evaluation"].update(noise_sd=-1), "evaluation.noise_sd: Input should be"),
        (lambda c: c.update(teams=c["teams"][:1]), "teams: List should have at least 2"),
        (lambda c: c["stages"][0].update(rule={"type": "portfolio", "k": 5}),
         "stages[0].rule.k = 5 cuts nobody"),
    ],
)
def test_invalid_configs_name_the_field(change: Any, needle: str) -> None:
    cfg = make_config([0, 1, 2])
    change(cfg)
    with pytest.raises(SpecError) as exc:
        load_config(cfg)
    assert needle in str(exc.value)
    assert "\n" not in str(exc.value)


def test_prior_from_benchmark_scores() -> None:
    cfg = make_config([0, 0])
    cfg["benchmark_scale"] = {"center": 60, "unit": 5}
    cfg["teams"][0]["prior"] = {"benchmark_scores": [70, 66], "measurement_sd": 4}
    res = simulate_tournament(cfg, n=20_000, seed=0)
    assert res.teams["prior_mean"].iloc[0] == pytest.approx(1.6)
    with pytest.raises(SpecError, match="one benchmark score gives no spread"):
        cfg["teams"][0]["prior"] = {"benchmark_scores": [70]}
        load_config(cfg)


def test_files_and_names(tmp_path: Path) -> None:
    assert load_config("sovereign-ai-generic").name == "sovereign-ai-generic"
    assert load_config("tournaments/sovereign-ai-generic.yaml").stage_path() == "5→3→1"
    with pytest.raises(SpecError, match="shipped names"):
        load_config("no-such-design")
    bad = tmp_path / "bad.yaml"
    bad.write_text("teams: [unclosed\n")
    with pytest.raises(SpecError, match=r"bad.yaml: invalid YAML \(line"):
        load_config(bad)


def test_bad_run_arguments() -> None:
    with pytest.raises(SpecError, match="at least 2"):
        simulate_tournament("sovereign-ai-generic", n=1)
    for spec in ("noise", "volume=1:2:3", "noise=1:0.1:0", "stages=1.5,2", "noise=-1,2"):
        with pytest.raises(SpecError):
            parse_sweep(spec)
    with pytest.raises(SpecError, match="impossible"):
        sweep_tournament("sovereign-ai-generic", "stages=5", n=100)


# ---------------------------------------------------------------------- designs & sweeps


def test_stage_sweep_builds_even_cuts_with_fixed_length_and_budget() -> None:
    sw = sweep_tournament("sovereign-ai-generic", "stages=1:4", n=20_000, seed=0)
    assert sw.frame()["path"].tolist() == ["5→1", "5→3→1", "5→4→2→1", "5→4→3→2→1"]
    for r in sw.results:
        assert sum(s.growth_scale for s in r.config.stages) == pytest.approx(2.0)


def test_design_comparison_and_budget_choice() -> None:
    cmp = compare_designs("sovereign-ai-generic", "designs", n=20_000, seed=0)
    frame = cmp.frame()
    assert len(frame) == 7 and frame["recommended"].tolist().count("★") == 1
    fits = [r.expected_cost <= 200 for r in cmp.results]
    best = next(r for d, r in zip(cmp.designs, cmp.results, strict=True) if d.name == cmp.best)
    assert best.expected_cost <= 200
    assert best.expected_best_funded_capability == max(
        r.expected_best_funded_capability for r, ok in zip(cmp.results, fits, strict=True) if ok)
    cheap = compare_designs("sovereign-ai-generic", "designs", n=5_000, seed=0, budget=140)
    assert cheap.best == "early-pick"
    assert compare_designs("sovereign-ai-generic", "designs", n=2_000, budget=1).best is None
    json.dumps(cmp.to_dict())


def test_figures_are_plotly_in_both_languages() -> None:
    import plotly.graph_objects as go

    res = simulate_tournament("sovereign-ai-generic", n=5_000)
    cmp = compare_designs("sovereign-ai-generic", "designs", n=2_000)
    sw = sweep_tournament("sovereign-ai-generic", "noise=0.2,0.8", n=2_000)
    for lang, word in (("en", "best"), ("ko", "최고")):
        for fig in (tournament_summary_figure(res, lang), comparison_figure(cmp, lang),
                    sweep_figure(sw, lang)):
            assert isinstance(fig, go.Figure) and len(fig.data) >= 3
            assert word in json.dumps(json.loads(fig.to_json()), ensure_ascii=False)


def test_result_api_and_json() -> None:
    res = simulate_tournament("sovereign-ai-generic", n=20_000, seed=0)
    assert isinstance(res.p_win, pd.Series) and res.p_win.index[0] == "Naver Cloud"
    assert 0 < res.p_best_wins <= res.p_best_survives <= 1
    assert res.expected_regret >= 0 and res.expected_regret_se > 0
    d = json.loads(json.dumps(res.to_dict()))
    assert d["n"] == 20_000 and len(d["teams"]) == 5 and len(d["stages"]) == 2
    assert set(res.long_frame()["scope"]) == {"summary", "team", "stage"}


# ------------------------------------------------------------------------------------ CLI


@pytest.fixture
def cli() -> tuple[CliRunner, typer.Typer]:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """aigap (test harness)."""

    register(app)
    return CliRunner(), app


def test_cli_table(cli: tuple[CliRunner, typer.Typer]) -> None:
    runner, app = cli
    out = runner.invoke(app, ["tournament", "-c", "sovereign-ai-generic", "--n", "20000"])
    assert out.exit_code == 0, out.output
    assert "P(truly best team wins)" in out.stdout and "LG AI Research" in out.stdout
    ko = runner.invoke(app, ["tournament", "-c", "sovereign-ai-generic", "--n", "20000",
                             "--lang", "ko"])
    assert "최고 팀 선발 확률" in ko.stdout and "기대 기회손실" in ko.stdout


def test_cli_json_and_csv(cli: tuple[CliRunner, typer.Typer]) -> None:
    runner, app = cli
    out = runner.invoke(app, ["tournament", "-c", "sovereign-ai-generic", "--n", "20000",
                              "--format", "json"])
    assert out.exit_code == 0
    data = json.loads(out.stdout)
    assert 0 < data["p_best_wins"] < 1 and data["p_best_wins_se"] > 0
    cmp = runner.invoke(app, ["tournament", "-c", "sovereign-ai-generic", "--compare", "designs",
                              "--n", "5000", "--format", "json"])
    assert json.loads(cmp.stdout)["best_design"] == "portfolio-2"
    sw = runner.invoke(app, ["tournament", "-c", "sovereign-ai-generic", "--sweep",
                             "noise=0.1:1.0:3", "--n", "5000", "--format", "csv"])
    assert sw.exit_code == 0 and sw.stdout.splitlines()[0].startswith("noise,path,p_best_wins")
    assert len(sw.stdout.splitlines()) == 4


def test_cli_bad_config_exits_2_with_one_line(
    cli: tuple[CliRunner, typer.Typer], tmp_path: Path
) -> None:
    runner, app = cli
    cfg = make_config([0, 1, 2])
    cfg["stages"][0]["rule"] = {"type": "top_k", "k": 3}
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(cfg))  # JSON is YAML
    out = runner.invoke(app, ["tournament", "--config", str(path)])
    assert out.exit_code == 2
    lines = [ln for ln in out.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "bad.yaml: stages[0].rule.k" in lines[0]
    both = runner.invoke(app, ["tournament", "--compare", "designs", "--sweep", "noise=1"])
    assert both.exit_code == 2 and "cannot be combined" in both.output
