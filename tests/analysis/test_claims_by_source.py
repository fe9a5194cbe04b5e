"""Claims judged per source on the real mirror: every series that can test a claim, published
ranks with the EU counted as one unit, and ranks this vintage cannot reproduce."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aigap.analysis.diagnosis.claims import check_claims, load_claims
from aigap.data.warehouse import Warehouse
from aigap.errors import SpecError
from aigap.present import sentence


def _claims(tmp_path: Path, claims: list[dict]) -> list:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"claims": claims}, allow_unicode=True))
    return load_claims([path], shipped=False)


@pytest.fixture(scope="module")
def shipped(real_db: Path) -> dict:
    with Warehouse.open(real_db) as wh:
        return {c.id: c for c in check_claims(wh)}


def test_belfer_ninth_is_supported_with_the_eu_as_one_unit(shipped: dict) -> None:
    belfer = shipped["belfer-ai-9th"]
    assert belfer.verdict == "supported"
    published = next(e for e in belfer.evidence if "published" in e)
    assert (published["rank"], published["of"]) == (9, 26)
    recomputed = belfer.evidence[0]
    assert recomputed["rank"] == 8 and recomputed["with_aggregate_units"] == [8, 9]
    assert {b["source"]: b["verdict"] for b in belfer.by_source} == {
        "published": "supported", "recomputed": "supported"}
    en = sentence(belfer, "en")
    assert "9 of 26" in en and "counted as one unit" in en and "8-9" in en
    assert "published_rankings" in belfer.sources


def test_talent_35th_is_not_checkable_with_this_vintage(shipped: dict) -> None:
    talent = shipped["talent-net-inflow-oecd"]
    assert talent.verdict == "not checkable"
    ranks = {e["year"]: (e["rank"], e["worst"]) for e in talent.evidence}
    assert ranks[2025] == (31, 33) and ranks[2023] == (31, 33) and ranks[2024] == (23, 25)
    assert max(w for _, w in ranks.values()) == 33  # never 35, even with JPN, COL above
    en = sentence(talent, "en")
    assert "Not checkable with this vintage" in en and "worst possible rank is 33rd" in en
    assert "31st of 36 with data in 2023 and 2025" in en and "23rd of 36" in en
    ko = sentence(talent, "ko")
    assert "판단할 수 없습니다" in ko and "최저 33위" in ko


def test_investment_claims_are_judged_on_every_series(shipped: dict) -> None:
    tens = shipped["investment-tens-of-times-2023"]  # a 2023 claim: only CSET has Korea then
    assert tens.verdict == "partly"
    assert tens.by_source[0]["source"] == "cset" and tens.by_source[0]["year"] == 2023
    assert tens.by_source[1]["source"] == "aiindex"
    assert tens.by_source[1]["verdict"] == "not checkable"
    assert "no 2023 value for KOR" in tens.by_source[1]["why"]
    ko = sentence(shipped["investment-zeros"], "ko")
    assert "AI 인덱스 2025 기준 사실" in ko and "CSET 2023 기준 절반의 사실" in ko


def test_series_option_moves_the_headline(real_db: Path) -> None:
    with Warehouse.open(real_db) as wh:
        claims = [c for c in load_claims() if c.id == "investment-zeros"]
        (check,) = check_claims(wh, claims, series="cset")
    assert check.verdict == "partly" and check.by_source[0]["source"] == "cset"


def test_a_peer_rank_far_from_every_year_is_contradicted(real_db: Path,
                                                         tmp_path: Path) -> None:
    claims = _claims(tmp_path, [{"id": "x", "kind": "peer_rank", "text_en": "t",
                                 "indicator": "ai_talent_net_migration", "rank": 2, "of": 38}])
    with Warehouse.open(real_db) as wh:
        (check,) = check_claims(wh, claims)
    assert check.verdict == "contradicted"


def test_a_claims_figure_from_another_vintage_is_not_checkable(real_db: Path,
                                                               tmp_path: Path) -> None:
    # 23rd is within the 2024 bounds, but the cited 2024 figure is not the mirror's (-0.15)
    claims = _claims(tmp_path, [{"id": "x", "kind": "peer_rank", "text_en": "t", "year": 2024,
                                 "indicator": "ai_talent_net_migration", "rank": 23,
                                 "value": -0.36}])
    with Warehouse.open(real_db) as wh:
        (check,) = check_claims(wh, claims)
    assert check.verdict == "not checkable"
    assert "rests on another vintage" in sentence(check, "en")


def test_index_rank_needs_a_source(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="spec to recompute, a published ranking"):
        _claims(tmp_path, [{"id": "x", "kind": "index_rank", "text_en": "t", "rank": 1}])


def test_an_index_rank_one_place_off_is_mostly_supported(real_db: Path, tmp_path: Path) -> None:
    claims = _claims(tmp_path, [
        {"id": "a", "kind": "index_rank", "text_en": "t", "spec": "tortoise", "rank": 8},
        {"id": "b", "kind": "index_rank", "text_en": "t", "spec": "tortoise", "rank": 12}])
    with Warehouse.open(real_db) as wh:
        near, far = check_claims(wh, claims)
    assert near.verdict == "mostly" and far.verdict == "contradicted"  # Korea is 7th of 62
    from aigap.present.text import claims_frame

    assert list(claims_frame([near, far], "ko")["verdict"]) == ["대체로 사실", "사실 아님"]
