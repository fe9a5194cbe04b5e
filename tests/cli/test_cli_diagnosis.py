"""`aigap profile` and `aigap decompose` as a user runs them, on the real warehouse."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aigap.cli import app

runner = CliRunner()


@pytest.fixture()
def db(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIGAP_DB", str(real_db))
    return real_db


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_profile_korean_table_and_sentence(db: Path) -> None:
    code, out, _ = run("profile", "KOR", "--spec", "aigap", "--peers", "OECD", "--lang", "ko")
    assert code == 0
    for name in ("인재", "연구", "투자·상업화", "인프라·컴퓨팅", "정부·정책", "백분위"):
        assert name in out
    assert "인구 100만 명당 연구원 수" in out  # indicator names in Korean
    assert "OECD 회원국과 비교하면 한국은" in out


def test_profile_json_and_csv(db: Path) -> None:
    code, out, _ = run("profile", "KOR", "--peers", "G7", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    # index v2: six AI pillars + the zero-weight Enablers (v1 had 5 pillars)
    assert doc["group"] == "G7" and not doc["unit_is_member"] and len(doc["pillars"]) == 7
    assert all(0 <= p["percentile"] <= 100 for p in doc["pillars"])
    assert doc["sentence_en"].startswith("Compared with G7 members, South Korea")
    code, out, _ = run("profile", "KOR", "--peers", "JPN,DEU,USA", "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert (df["level"] == "pillar").sum() == 7 and (df["n"] <= 4).all()


def test_decompose_waterfall_table(db: Path) -> None:
    code, out, _ = run("decompose", "KOR", "USA", "--spec", "aigap")
    assert code == 0
    assert "start: United States" in out and "end: South Korea" in out
    assert "Investment & Commercial" in out and "gap between the United States" in out
    code, out, _ = run("decompose", "KOR", "USA", "--level", "indicator", "--format", "csv")
    df = pd.read_csv(io.StringIO(out))
    # index v2: 22 indicators (v1: 17)
    assert code == 0 and len(df) == 22 and set(df["level"]) == {"indicator"}
    code, out, _ = run("decompose", "KOR", "USA", "--format", "json")
    doc = json.loads(out)
    total = sum(r["contribution"] for r in doc["contributions"] if r["level"] == "pillar")
    assert abs(total - doc["gap"]) < 1e-12 and doc["method"] == "linear"


def test_decompose_korean(db: Path) -> None:
    code, out, _ = run("decompose", "KOR", "CHN", "--lang", "ko")
    assert code == 0 and "출발: 중국" in out and "도착: 한국" in out
    assert "한국(" in out and "종합점수 격차" in out


@pytest.mark.parametrize(("args", "message"), [
    (("profile", "XXQ"), "unknown country code"),
    (("profile", "PRK"), "PRK is not in the aigap index"),
    (("profile", "KOR", "--peers", "OCED"), "unknown peer group 'OCED'"),
    (("decompose", "KOR", "ZZZ"), "unknown country code"),
    (("decompose", "KOR", "USA", "--level", "pillars"), "--level must be pillar or indicator"),
])
def test_user_errors_exit_2_on_one_line(db: Path, args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
