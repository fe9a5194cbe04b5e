"""`aigap robustness` and `aigap sensitivity` as a user runs them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aigap.cli import app
from aigap.config import data_dir

runner = CliRunner()


@pytest.fixture(autouse=True)
def _asem() -> None:
    if not (data_dir() / "asem" / "iData.csv").is_file():
        pytest.skip("ASEM data mirror not available")


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_robustness_table_highlights_unit() -> None:
    code, out, _ = run("robustness", "--spec", "asem-treated", "--n", "2000", "--unit", "kor",
                       "--seed", "1")
    assert code == 0
    assert "5–95% rank interval" in out and "P(top 3)" in out
    assert "▶ KOR" in out
    assert "KOR: nominal rank 15" in out
    assert "2,000 replications, seed 1" in out


def test_robustness_json_and_korean() -> None:
    code, out, _ = run("robustness", "--spec", "asem-treated", "--n", "1000", "--format",
                       "json", "--top-k", "5")
    assert code == 0
    doc = json.loads(out)
    assert doc["n"] == 1000 and doc["k"] == 5 and doc["spec"] == "asem-treated"
    rec = {r["uCode"]: r for r in doc["units"]}
    assert rec["DEU"]["median_rank"] == 1 and 0 <= rec["KOR"]["p_top5"] <= 1
    assert {"rank_p05", "rank_p95", "p_top3", "mean_abs_shift"} <= set(rec["KOR"])
    code, out, _ = run("robustness", "--spec", "asem-treated", "--n", "500", "--lang", "ko")
    assert code == 0 and "순위 구간 (5–95%)" in out and "상위 3위 확률" in out


def test_sensitivity_json() -> None:
    code, out, _ = run("sensitivity", "--spec", "asem-treated", "--n", "256", "--unit", "KOR",
                       "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["runs"] == 256 * 8
    assert {r["target"] for r in doc["indices"]} == {"mean_abs_shift", "KOR"}
    assert {r["factor"] for r in doc["indices"]} >= {"normalisation", "aggregation"}


def test_user_errors_exit_2_on_one_line(tmp_path) -> None:
    code, out, err = run("robustness", "--spec", "no-such-spec")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown spec 'no-such-spec'" in err
    bad = tmp_path / "u.yaml"
    bad.write_text("normalisation: [{method: zscore, sd: -1}]\n")
    code, _, err = run("robustness", "--spec", "asem-treated", "--uncertainty", str(bad))
    assert code == 2 and "normalisation[0].sd" in err
    code, _, err = run("sensitivity", "--spec", "asem-treated", "--n", "100")
    assert code == 2 and "power of 2" in err
    code, _, err = run("robustness", "--spec", "asem-treated", "--n", "10", "--unit", "XYZ")
    assert code == 2 and "--unit 'XYZ'" in err
