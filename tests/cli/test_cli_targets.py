"""`aigap what-it-takes` and `aigap scenario` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aigap.cli import app
from aigap.config import data_dir

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def _need_asem() -> None:
    if not (data_dir() / "asem" / "iData_panel.csv").is_file():
        pytest.skip("ASEM data mirror not available")


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_what_it_takes_table_and_json() -> None:
    code, out, _ = run("what-it-takes", "KOR", "--rank", "5", "--spec", "asem", "--by", "none")
    assert code == 0 and "GDPGrow" in out and "reach 5th place" in out
    code, out, _ = run("what-it-takes", "KOR", "-k", "5", "-s", "asem", "--lang", "ko",
                       "--format", "json", "--by", "none")
    d = json.loads(out)
    assert code == 0 and d["feasible"] is True and d["verified_rank"] <= 5
    assert d["sentence"].startswith("한국이 5위에 오르려면") and d["moves"]


def test_what_it_takes_bad_input_exit_2() -> None:
    for args in (["ZZZ", "-s", "asem"], ["KOR", "-s", "asem", "--cost", "GDPGrow"],
                 ["KOR", "-s", "no-such-spec"], ["KOR", "-s", "asem", "--bound", "x=1:2"]):
        code, _out, err = run("what-it-takes", *args)
        assert code == 2, args
        assert err.strip().count("\n") == 0 and err.startswith("error:")


def _panel_yaml(tmp_path: Path) -> str:
    p = tmp_path / "asem-panel.yaml"
    p.write_text("name: asem-panel\ndata: {source: asem, panel: true}\n"
                 "structure: {from: asem_imeta}\nsteps:\n  - {step: normalise, method: minmax}\n"
                 "  - {step: aggregate, method: arithmetic}\n", encoding="utf-8")
    return str(p)


def test_scenario_table_json_and_bad_what_if(tmp_path: Path) -> None:
    spec = _panel_yaml(tmp_path)
    code, out, _ = run("scenario", "--spec", spec, "--to", "2026", "--n", "100")
    assert code == 0 and "P(KOR in the top 3 by 2026)" in out
    code, out, _ = run("scenario", "-s", spec, "--to", "2026", "--n", "100", "--what-if",
                       "KOR.Flights*2", "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["what_if"] == ["KOR.Flights*2"] and len(d["table"]) == 51
    assert "p_top3_baseline" in d["table"][0]
    code, _, err = run("scenario", "-s", spec, "--n", "10", "--what-if", "KOR.Flightz*2")
    assert code == 2 and "unknown indicator 'Flightz'" in err and "Flights" in err
