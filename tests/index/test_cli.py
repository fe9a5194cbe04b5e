"""`aigap rank` / `aigap explain` on a Typer app holding only this module's commands."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from aigap.cli import index as cli_index


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()
    cli_index.register(app)
    return app


def test_rank_json_top(app, asem_dir):
    r = CliRunner().invoke(app, ["rank", "--spec", "asem", "--top", "3", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [x["unit"] for x in rows] == ["DEU", "GBR", "FRA"]
    assert rows[0]["name"] == "Germany" and rows[0]["rank"] == 1


def test_rank_pillar_columns_table(app, asem_dir):
    r = CliRunner().invoke(app, ["rank", "--spec", "asem", "--level", "pillar", "-n", "5"])
    assert r.exit_code == 0, r.output
    assert "Physical" in r.output and "SusEcFin" in r.output and "Germany" in r.output


def test_rank_csv_level_number(app, asem_dir):
    r = CliRunner().invoke(app, ["rank", "--level", "3", "-n", "0", "-f", "csv"])
    assert r.exit_code == 0
    lines = r.output.strip().splitlines()
    assert lines[0] == "rank,unit,name,score,Conn,Sust" and len(lines) == 52


def test_explain_kor(app, asem_dir):
    r = CliRunner().invoke(app, ["explain", "KOR", "--spec", "asem"])
    assert r.exit_code == 0, r.output
    assert "Korea" in r.output and "LPI" in r.output and "contributions by aggregate" in r.output
    j = CliRunner().invoke(app, ["explain", "kor", "-f", "json"])
    total = sum(x["contribution"] for x in json.loads(j.output))
    assert total == pytest.approx(float(r.output.split("index score = ")[1].split()[0]), abs=1e-5)


def test_errors_are_one_line(app, asem_dir):
    r = CliRunner().invoke(app, ["rank", "--spec", "aigapx"])
    assert r.exit_code == 2 and ("shipped specs: aigap, aigap-intensity, aigap-scale, "
                                 "aigap-v1, asem") in r.output  # v2 adds the editions
    r = CliRunner().invoke(app, ["rank", "--level", "9"])
    assert r.exit_code == 2 and "out of range" in r.output
    r = CliRunner().invoke(app, ["explain", "ZZZ"])
    assert r.exit_code == 2 and "not in this build" in r.output
