"""Claim checks: verdict rules on constructed data and the shipped claims on the real data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from aigap.analysis.diagnosis.claims import check_claims, load_claims
from aigap.cli import app
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import SpecError
from aigap.present import sentence
from aigap.present.text import claims_frame as checks_frame
from factories import DATASETS, make_mirror


@pytest.fixture()
def small_wh(tmp_path: Path) -> Warehouse:
    db = tmp_path / "w.duckdb"
    pull(db_path=db, data_dir=make_mirror(tmp_path / "m"), datasets=DATASETS)
    return Warehouse.open(db)


def write_claims(path: Path, claims: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"claims": claims}, allow_unicode=True))
    return path


def ratio_claim(**kw: object) -> dict:
    base = {"id": "c", "kind": "ratio", "text_en": "t", "indicator": "private_ai_investment",
            "unit": "KOR", "vs": ["USA", "CHN"]}
    return {**base, **kw}


@pytest.mark.parametrize(
    ("bounds", "verdict"),
    [({"min": 1, "max": 100}, "supported"),      # USA 29.8x, CHN 3.5x: both inside
     ({"min": 10, "max": 100}, "partly"),        # only the USA is tens of times
     ({"min": 100, "max": 1000}, "contradicted")],
)
def test_ratio_verdicts(small_wh: Warehouse, tmp_path: Path, bounds: dict, verdict: str) -> None:
    claims = load_claims([write_claims(tmp_path / "c.yaml", [ratio_claim(**bounds)])],
                         shipped=False)
    (check,) = check_claims(small_wh, claims)
    assert check.verdict == verdict
    usa = next(e for e in check.evidence if e["other"] == "USA")
    assert usa["year"] == 2023 and usa["ratio"] == pytest.approx(77.65e9 / 2605634733)
    assert check.sources == ["owid_cset_private_ai_investment"]


def test_orders_of_magnitude(small_wh: Warehouse, tmp_path: Path) -> None:
    claims = load_claims([write_claims(tmp_path / "c.yaml",
                                       [ratio_claim(log10=True, min=1, max=2)])], shipped=False)
    (check,) = check_claims(small_wh, claims)
    assert check.verdict == "partly"  # USA 1.47 orders, China 0.54
    assert "1.47 orders of magnitude" in sentence(check, "en")
    assert "로그 기준 1.47" in sentence(check, "ko")


def test_missing_year_is_not_checkable(small_wh: Warehouse, tmp_path: Path) -> None:
    claims = load_claims([write_claims(tmp_path / "c.yaml", [ratio_claim(year=2010)])],
                         shipped=False)
    (check,) = check_claims(small_wh, claims)
    assert check.verdict == "not checkable" and "2010" in sentence(check, "en")


@pytest.mark.parametrize(
    ("claims", "message"),
    [([ratio_claim(kind="rumour")], "kind"),
     ([ratio_claim(vs=[])], "vs"),
     ([ratio_claim(), ratio_claim()], "appears twice"),
     ([{**ratio_claim(), "colour": "red"}], "colour")],
)
def test_bad_claim_files_are_named(tmp_path: Path, claims: list[dict], message: str) -> None:
    path = write_claims(tmp_path / "bad.yaml", claims)
    with pytest.raises(SpecError, match=message):
        load_claims([path], shipped=False)


def test_shipped_claims_have_korean_and_english_text() -> None:
    claims = load_claims()
    assert len(claims) >= 6
    assert all(c.text_ko and c.text_en for c in claims)
    kinds = {c.kind for c in claims}
    assert kinds == {"ratio", "peer_rank", "index_rank", "profile"}


def test_shipped_claims_on_real_data(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIGAP_DB", str(real_db))
    with Warehouse.open(real_db) as wh:
        checks = {c.id: c for c in check_claims(wh)}
    # "One or two more zeros", judged per source: AI Index 2025 has the USA two digits and
    # China one digit above Korea (supported); CSET 2023 has China in Korea's digit (partly).
    zeros = checks["investment-zeros"]
    assert zeros.verdict == "supported"
    assert [(b["source"], b["year"], b["verdict"]) for b in zeros.by_source] == [
        ("aiindex", 2025, "supported"), ("cset", 2023, "partly")]
    assert "supported on AI Index 2025; partly on CSET 2023" in sentence(zeros, "en")
    talent = checks["talent-net-inflow-oecd"]
    assert talent.evidence[0]["rank"] == 31 and talent.evidence[0]["of_with_data"] == 36
    assert talent.verdict == "not checkable"  # 35th is no year of this vintage: not "partly"
    assert checks["tortoise-7th"].verdict == "supported"
    assert checks["belfer-ai-9th"].evidence[0]["rank"] == 8
    assert checks["ai-top3"].verdict == "contradicted"
    assert all(c.sources for c in checks.values() if c.verdict != "not checkable")
    frame = checks_frame(list(checks.values()), "ko")
    assert set(frame["verdict"]) <= {"사실", "대체로 사실", "절반의 사실", "사실 아님", "판단 유보"}


def test_cli_check_claims_json(real_db: Path) -> None:
    import json

    res = CliRunner().invoke(app, ["--db", str(real_db), "check-claims", "--id", "tortoise-7th",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert row["verdict"] == "supported" and row["sources"] == ["tortoise_global_ai_index"]


def test_cli_bad_claim_file_is_one_line(tmp_path: Path, real_db: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("claims: [{id: x}]\n")
    res = CliRunner().invoke(app, ["--db", str(real_db), "check-claims", "--file", str(bad)])
    assert res.exit_code == 2 and "bad.yaml" in res.stderr and "Traceback" not in res.output


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfe x", "not UTF-8 text"),
    (b"", "claims file is empty"),
    (b"claims:\n  - text_en: [unclosed\n", "invalid YAML (line 3"),
    (b"- a\n- b\n", "expected a mapping with a 'claims:' list"),
    (b"claims: [{id: x, text_en: t}]\n", "claims[0]: missing or unknown 'kind'"),
])
def test_unreadable_claim_files_get_one_line(tmp_path: Path, content: bytes,
                                             message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(content)
    with pytest.raises(SpecError) as err:
        load_claims([path], shipped=False)
    assert message in str(err.value) and "\n" not in str(err.value)
