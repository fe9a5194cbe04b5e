"""`aigap frontier-lag | niche | partners` as a user runs them, on the real warehouse."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aigap.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_frontier_lag_table(real_db: Path) -> None:
    code, out, _ = run("frontier-lag", "KOR", "--vs", "USA", "CHN", "--n-boot", "20",
                       "--db", str(real_db))
    assert code == 0
    assert "United States" in out and "China" in out and ">= " in out
    assert "Trend of the lag" in out


def test_frontier_lag_csv_and_json(real_db: Path) -> None:
    code, out, _ = run("frontier-lag", "KOR", "--vs", "USA", "--no-world", "--n-boot", "10",
                       "--format", "csv", "--db", str(real_db))
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert set(df["comparator"]) == {"USA"}
    assert {"lag_years", "lo", "hi", "censored", "lag_label"} <= set(df.columns)
    code, out, _ = run("frontier-lag", "KOR", "--n-boot", "0", "--counts", "-f", "csv",
                       "--db", str(real_db))
    assert code == 0 and "ratio_3y" in out.splitlines()[0]
    code, out, _ = run("frontier-lag", "KOR", "--n-boot", "10", "-f", "json", "--cutoff",
                       "2022-12-31", "--db", str(real_db))
    d = json.loads(out)
    assert d["country"] == "KOR" and d["cutoff"] == "2022-12-31" and d["trends"]


def test_niche_korean_labels(real_db: Path) -> None:
    code, out, _ = run("niche", "KOR", "--lang", "ko", "--db", str(real_db))
    assert code == 0
    assert "언어" in out and "반도체" in out and "모델 수" in out


def test_niche_csv_tables(real_db: Path) -> None:
    code, out, _ = run("niche", "KOR", "-f", "csv", "--counting", "whole", "--db", str(real_db))
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert {"count", "rca", "rca_sym", "small_count"} <= set(df.columns) and df["count"].sum() > 0
    code, out, _ = run("niche", "KOR", "-f", "csv", "--table", "technologies",
                       "--db", str(real_db))
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == 5


def test_partners_shows_every_part(real_db: Path) -> None:
    code, out, _ = run("partners", "KOR", "--top", "5", "--lang", "ko", "--db", str(real_db))
    assert code == 0
    assert "보완성" in out and "거버넌스 유사성" in out and "미국" in out
    code, out, _ = run("partners", "KOR", "--countries", "USA", "JPN", "DEU", "-f", "json",
                       "--w-gov", "0", "--db", str(real_db))
    d = json.loads(out)
    assert {p["partner"] for p in d["partners"]} == {"USA", "JPN", "DEU"}
    assert d["weights"]["governance"] == 0


@pytest.mark.parametrize("args", [
    ["frontier-lag", "XXQ"],
    ["frontier-lag", "ZWE", "--n-boot", "0"],
    ["niche", "ZWE"],
    ["partners", "ZWE"],
    ["niche", "KOR", "--early", "2014"],
    ["partners", "KOR", "--w-complement", "-1"],
])
def test_user_errors_exit_2_on_one_line(real_db: Path, args: list[str]) -> None:
    code, _, err = run(*args, "--db", str(real_db))
    assert code == 2
    assert err.strip().startswith("error:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


APRIL = "Epoch AI notable models snapshot (~Apr 2025)"


def test_frontier_lag_vintage_attribution_and_document(real_db: Path) -> None:
    """JSON is the result's document (to_dict plus sentences); own models by default."""
    base = ["frontier-lag", "KOR", "--vs", "USA", "--n-boot", "0", "-f", "json",
            "--vintage", APRIL, "--cutoff", "2023-12-31", "--db", str(real_db)]
    code, out, _ = run(*base)
    assert code == 0
    d = json.loads(out)
    assert d["attribution"] == "own" and d["provenance"]["vintage"] == APRIL
    assert d["records"][-1]["model"] == "Volcano 13B"
    assert any("ProtT5" in m["model"] for m in d["multinational"])
    assert "own models" in d["sentence_en"] and "자체 모델" in d["sentence_ko"]
    code, out, _ = run(*base, "--attribution", "any")
    assert code == 0
    assert "ProtT5-XXL" in [r["model"] for r in json.loads(out)["records"]]


def test_frontier_lag_default_is_the_newest_vintage_without_a_cut(real_db: Path) -> None:
    code, out, _ = run("frontier-lag", "KOR", "--vs", "USA", "--n-boot", "0", "-f", "json",
                       "--db", str(real_db))
    d = json.loads(out)
    assert code == 0 and d["cutoff"] == "2025-11-24"
    assert "EXAONE 3.5 32B" in [r["model"] for r in d["records"]]
    assert d["tolerance_log10"] == 0.1 and d["incomplete_from"] == "2024-11-24"


def test_niche_counts_papers(real_db: Path) -> None:
    code, out, _ = run("niche", "KOR", "-f", "json", "--vintage", APRIL, "--recent",
                       "2019-2023", "--db", str(real_db))
    assert code == 0
    d = json.loads(out)
    assert d["country_models"] == 15 and d["country_papers"] == 12
    assert "Biology" not in d["strong_and_growing"]
    assert "15 notable models (12 papers)" in d["sentence_en"]
