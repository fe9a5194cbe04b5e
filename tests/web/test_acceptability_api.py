"""GET /api/v1/acceptability and /api/v1/rank-range/{unit}: answers, sentences, errors."""

from __future__ import annotations

from typing import Any

from aigap.index import shipped_specs


def _spec() -> str:
    names = [s for s in shipped_specs() if s.startswith("aigap")]
    return "aigap-scale" if "aigap-scale" in names else names[0]


def test_acceptability(client: Any) -> None:
    r = client.get("/api/v1/acceptability", params={
        "spec": _spec(), "n": 500, "unit": "kor", "vs": ["JPN"], "bounds": "0.05:0.6",
        "confidence": "default"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["unit"] == "KOR" and 0 <= doc["p_above"]["JPN"] <= 1
    assert "Japan" in doc["sentence_en"] and "일본" in doc["sentence_ko"]
    assert doc["weights"]["bounds"]["Talent"] == [0.05, 0.6]
    assert doc["confidence_basis"].startswith("uncertainty 'default'")
    kor = next(u for u in doc["units"] if u["uCode"] == "KOR")
    assert abs(sum(v for c, v in kor.items() if c[0] == "b" and c[1:].isdigit()) - 1) < 1e-9
    assert doc["pairwise"]["KOR"]["JPN"] == doc["p_above"]["JPN"]
    quick = client.get("/api/v1/acceptability", params={"spec": _spec(), "n": 200}).json()
    assert quick["confidence_basis"].startswith("nominal")


def test_rank_range(client: Any) -> None:
    r = client.get("/api/v1/rank-range/KOR", params={"spec": _spec(), "bounds": "0.1:0.4",
                                                     "prefer": ["Talent>=Research"]})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["exact"] and doc["best_rank"] <= doc["nominal_rank"] <= doc["worst_rank"]
    w = doc["best_weights"]
    assert w["Talent"] >= w["Research"] - 1e-9 and doc["sentence_ko"]


def test_bad_input_is_a_clear_4xx(client: Any) -> None:
    bad = client.get("/api/v1/rank-range/KOR", params={"spec": _spec(), "bounds": "0.4"})
    assert bad.status_code in (400, 422) and "LO:HI" in bad.text
    unknown = client.get("/api/v1/acceptability", params={"spec": "nope"})
    assert unknown.status_code == 404
    big = client.get("/api/v1/acceptability", params={"n": 10**6})
    assert big.status_code == 422
