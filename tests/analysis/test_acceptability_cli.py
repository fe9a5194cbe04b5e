"""`aigap acceptability` and `aigap rank-range` on the real mirror: formats, languages, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aigap.cli import app
from aigap.index import shipped_specs


@pytest.fixture(scope="module")
def spec() -> str:
    names = [s for s in shipped_specs() if s.startswith("aigap")]
    return "aigap-scale" if "aigap-scale" in names else names[0]


def run(real_db: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--db", str(real_db), *args])


def test_acceptability_table_and_sentence(real_db: Path, spec: str) -> None:
    res = run(real_db, "acceptability", "--spec", spec, "--top", "5", "--n", "600",
              "--unit", "KOR", "--vs", "JPN", "CHN", "--bounds", "0.05:0.5")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    out = res.stdout  # type: ignore[attr-defined]
    assert "Rank acceptability (SMAA-2)" in out and "Central weights" in out
    assert "▶ KOR" in out and "ranks above Japan with probability" in out
    assert "within the stated bounds" in out


def test_acceptability_json_and_korean(real_db: Path, spec: str) -> None:
    res = run(real_db, "acceptability", "--spec", spec, "--n", "400", "--unit", "kor",
              "--vs", "JPN", "--format", "json", "--confidence", "none")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    doc = json.loads(res.stdout)  # type: ignore[attr-defined]
    assert doc["unit"] == "KOR" and 0 <= doc["p_above"]["JPN"] <= 1
    assert doc["confidence_basis"].startswith("nominal")
    assert "일본" in doc["sentence_ko"] and "Japan" in doc["sentence_en"]
    for row in doc["units"]:
        assert abs(sum(v for k, v in row.items() if k[0] == "b" and k[1:].isdigit()) - 1) < 1e-9
    ko = run(real_db, "acceptability", "--spec", spec, "--n", "300", "--top", "3",
             "--lang", "ko")
    assert ko.exit_code == 0 and "순위 수용도" in ko.stdout  # type: ignore[attr-defined]


def test_rank_range_formats(real_db: Path, spec: str) -> None:
    res = run(real_db, "rank-range", "KOR", "--spec", spec, "--bounds", "0.1:0.4",
              "--format", "json")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    doc = json.loads(res.stdout)  # type: ignore[attr-defined]
    assert doc["exact"] and doc["best_rank"] <= doc["nominal_rank"] <= doc["worst_rank"]
    # an uncounted (zero-weight) pillar stays at 0; every counted one is within the bounds
    assert all(w == 0 or 0.1 - 1e-9 <= w <= 0.4 + 1e-9 for w in doc["best_weights"].values())
    assert any(w == 0 for k, w in doc["best_weights"].items() if "Enablers" in k) \
        or not any("Enablers" in k for k in doc["best_weights"])
    assert doc["attainable"] == (doc["best_rank"] <= 3) and "sentence_ko" in doc
    table = run(real_db, "rank-range", "KOR", "--spec", spec, "--bound", "Talent=0.1:0.2",
                "--prefer", "Research>=Talent", "--lang", "ko")
    assert table.exit_code == 0, table.output  # type: ignore[attr-defined]
    assert "도달 가능한 최고·최저 순위" in table.stdout  # type: ignore[attr-defined]
    csv = run(real_db, "rank-range", "KOR", "--spec", spec, "--format", "csv")
    assert csv.stdout.splitlines()[0].startswith("case,rank,w_")  # type: ignore[attr-defined]


@pytest.mark.parametrize("args, msg", [
    (["rank-range", "XYZ"], "unit 'XYZ' is not in this index"),
    (["rank-range", "KOR", "--bounds", "0.4"], "--bounds: '0.4' is not LO:HI"),
    (["rank-range", "KOR", "--bound", "Nope=0.1:0.2"], "'Nope': not a level-2 node"),
    (["rank-range", "KOR", "--bounds", "0.3:0.5"], "lower bounds"),
    (["acceptability", "--prefer", "Talent>Research"], "is not A>=B"),
    (["acceptability", "--top", "0"], "--top must be >= 1"),
])
def test_user_errors_are_one_line(real_db: Path, spec: str, args: list[str], msg: str) -> None:
    res = run(real_db, *args, "--spec", spec)
    assert res.exit_code == 2, res.output  # type: ignore[attr-defined]
    err = res.stderr  # type: ignore[attr-defined]
    assert msg in err and "Traceback" not in res.output  # type: ignore[attr-defined]
