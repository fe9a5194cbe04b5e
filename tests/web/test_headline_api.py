"""GET /api/v1/headline: the AI 3강 numbers, equal to the library's headline()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aigap.analysis.uncertainty.structural import headline
from aigap.data.warehouse import Warehouse


def test_headline_route_returns_the_library_numbers(client: Any, real_db: Path) -> None:
    r = client.get("/api/v1/headline", params={"unit": "KOR", "spec": "aigap", "lang": "en"})
    assert r.status_code == 200, r.text
    body = r.json()
    with Warehouse.open(real_db) as wh:
        h = headline(wh, "KOR", "aigap")
    assert body["full"]["p_top3"] == pytest.approx(h.p_top3)
    assert body["smaa"]["p_top3"] == pytest.approx(h.smaa_p_top3)
    assert (body["rank_range"]["best"], body["rank_range"]["worst"]) == (
        h.rank_range.best_rank, h.rank_range.worst_rank)
    assert body["nominal_rank"] == h.nominal_rank
    assert body["lines"]["full"][0].startswith("Under the full uncertainty, South Korea")
    assert body["lines"]["full"][1].startswith("Assumptions:")
    assert "private_ai_investment_aiindex" not in body["lines"]["full"][1]  # named, not coded
    again = client.get("/api/v1/headline", params={"unit": "KOR", "lang": "ko"})
    assert again.status_code == 200 and again.json()["full"] == body["full"]  # cached
    assert again.json()["title"].startswith("AI 3강")


def test_headline_route_names_an_unknown_country(client: Any) -> None:
    r = client.get("/api/v1/headline", params={"unit": "XXX"})
    assert r.status_code in (404, 422) and "XXX" in r.text
