"""`aigap gap | trend | peer-rank` as a user runs them, on the real warehouse."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from aigap.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_gap_table_and_sentence(real_db: Path) -> None:
    code, out, _ = run("gap", "KOR", "--vs", "USA", "CHN", "--indicator",
                       "private_ai_investment", "--years", "2022-2023", "--db", str(real_db))
    assert code == 0
    assert "United States" in out and "China" in out and "% of GDP" in out
    assert "29.8" in out and "owid_cset_private_ai_investment" in out
    assert "vintage: OWID grapher" in out
    assert "29.8x South Korea's" in out


def test_gap_csv_and_json(real_db: Path) -> None:
    code, out, _ = run("gap", "KOR", "--vs", "USA", "-i", "private_ai_investment", "--basis",
                       "level", "--format", "csv", "--series", "cset", "--db", str(real_db))
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert set(df["basis"]) == {"level"} and df["year"].min() == 2014
    assert {"source", "vintage", "other_source", "other_vintage"} <= set(df.columns)
    code, out, _ = run("gap", "KOR", "--vs", "USA", "-i", "private_ai_investment", "--format",
                       "json", "--lang", "ko", "--series", "cset", "--db", str(real_db))
    doc = json.loads(out)
    assert doc["summary"][0]["year"] == 2023 and "배" in doc["summary"][0]["sentence_ko"]


def test_trend_json_and_korean_table(real_db: Path) -> None:
    code, out, _ = run("trend", "KOR", "--vs", "USA", "-i", "private_ai_investment",
                       "--window", "2014:2023", "--format", "json", "--db", str(real_db))
    assert code == 0
    doc = json.loads(out)
    assert doc["fits"]["KOR"]["n"] == 10 and doc["comparisons"][0]["other"] == "USA"
    assert len(doc["projection"]) == 10
    code, out, _ = run("trend", "KOR", "--vs", "USA", "-i", "private_ai_investment",
                       "--lang", "ko", "--db", str(real_db))
    assert code == 0 and "미국" in out and "해소" in out


def test_peer_rank_sentence(real_db: Path) -> None:
    code, out, _ = run("peer-rank", "KOR", "-i", "private_ai_investment", "--group", "OECD",
                       "--db", str(real_db))
    assert code == 0 and "KOR ranks" in out and "OECD members with data in 2023" in out
    code, out, _ = run("peer-rank", "KOR", "-i", "private_ai_investment", "--lang", "ko",
                       "--format", "json", "--db", str(real_db))
    doc = json.loads(out)
    assert "OECD 회원국 중 데이터가 있는" in doc["sentence_ko"]
    assert len(doc["table"]) == 38


def test_user_errors_exit_2_one_line(real_db: Path) -> None:
    cases = [
        ("gap", "KOR", "--vs", "XXX", "-i", "private_ai_investment"),
        ("gap", "KOR", "--vs", "USA", "-i", "no_such_indicator"),
        ("peer-rank", "KOR", "-i", "private_ai_investment", "--group", "G8"),
        ("trend", "KOR", "-i", "tortoise_total"),
    ]
    for args in cases:
        code, _out, err = run(*args, "--db", str(real_db))
        assert code == 2, args
        assert err.startswith("error:") and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1, err
