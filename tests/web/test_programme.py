"""The programme page (독자 AI 파운데이션 모델 프로젝트 as it runs): API and a real browser."""

from __future__ import annotations

from functools import reduce
from typing import Any

import pytest

NAME = "독자 AI 파운데이션 모델 프로젝트"


def _at(data: Any, path: str) -> Any:
    """``teams.4.published.2.value`` → data["teams"][4]["published"][2]["value"]."""
    return reduce(lambda d, k: d[int(k)] if isinstance(d, list) else d[k], path.split("."), data)


@pytest.fixture(scope="module")
def programme_json(client: Any) -> dict[str, dict[str, Any]]:
    """The API's answer in both languages (also warms the app's cache for the browser)."""
    out = {}
    for lang in ("en", "ko"):
        r = client.get("/api/v1/programme", params={"lang": lang})
        assert r.status_code == 200, r.text
        out[lang] = r.json()
    return out


def test_api_reports_the_state_posterior_designs_and_assumptions(
        programme_json: dict[str, dict[str, Any]]) -> None:
    en, ko = programme_json["en"], programme_json["ko"]
    assert en["programme"] == ko["programme"] == NAME
    status = {t["name"]: t["status"] for t in en["teams"]}
    assert status == {"Naver Cloud": "removed_by_rule", "Upstage": "advanced",
                      "SK Telecom": "advanced", "NC AI": "cut", "LG AI Research": "advanced",
                      "Motif Technologies consortium": "entrant"}
    lg = next(t for t in en["teams"] if t["name"] == "LG AI Research")
    assert lg["published_total"] == pytest.approx(90.2)
    user = next(p for p in lg["published"] if p["component"] == "user evaluation")
    assert user["value"] == 25.0 and user["censored"]  # 25.0 of 25: at the ceiling
    assert not any(p["censored"] for p in lg["published"] if p is not user)
    assert en["mean_scores"][0]["value"] == pytest.approx(79.7)
    post = en["posterior"]
    assert 0.3 < post["p_best_wins"] < 0.95
    assert post["p_best_eliminated"] == pytest.approx(
        post["p_best_eliminated_by_rule"] + post["p_best_eliminated_by_score"])
    # by rule = Naver Cloud being the best, by score = NC AI
    p_best = {t["name"]: t["p_truly_best"] for t in en["teams"]}
    assert post["p_best_eliminated_by_rule"] == pytest.approx(p_best["Naver Cloud"])
    assert post["p_best_eliminated_by_score"] == pytest.approx(p_best["NC AI"])
    assert [s["noise_scale"] for s in en["sweep"]] == [0.5, 1.0, 2.0]
    designs = en["designs"]
    assert designs["best"] in {d["name"] for d in designs["rows"]}
    assert sum(d["recommended"] for d in designs["rows"]) == 1
    assert {"published", "keep-1", "no-entrant", "funding-split"} <= {
        d["name"] for d in designs["rows"]}
    keys = {a["key"] for a in en["assumptions"]}
    assert {"prior", "entrant_prior", "noise", "noise_total", "bias", "score_scale",
            "p_fail", "schedule", "costs"} <= keys
    # the same numbers in both languages, different words
    assert ko["posterior"] == en["posterior"]
    assert ko["cost_unit"] == "십억 원(예시)" and en["cost_unit"] == "KRW bn (illustrative)"
    assert designs["cost_unit"] == en["cost_unit"]
    assert any("십억 원(예시)" in p for p in ko["text"])
    assert not any("KRW" in p for p in ko["text"])
    assert any("censored" in p for p in en["text"]) and any("중도절단" in p for p in ko["text"])


def test_api_schema_names_the_response_model(client: Any) -> None:
    schema = client.get("/openapi.json").json()
    op = schema["paths"]["/api/v1/programme"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ProgrammeOut")
    assert client.get("/api/v1/programme", params={"lang": "fr"}).status_code == 422


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_numbers_equal_the_api_and_no_console_errors(
        page: Any, programme_json: dict[str, dict[str, Any]], lang: str) -> None:
    data = programme_json[lang]
    page.goto(f"/programme?lang={lang}")
    pg = page.page
    pg.wait_for_selector("#programme-chart .main-svg")
    assert pg.get_attribute("html", "lang") == lang
    shown = pg.eval_on_selector_all(
        "[data-k]", "els => els.map(e => [e.dataset.k, e.dataset.fmt, e.innerText.trim()])")
    assert len(shown) >= 40
    checked = set()
    for key, fmt, text in shown:
        want = _at(data, key)
        assert text == fmt % want, (key, text, want)
        checked.add(key.split(".")[0])
    assert {"posterior", "teams", "stages", "sweep", "designs", "mean_scores"} <= checked
    main = pg.inner_text("main")
    assert NAME in main
    words = {"en": ("Assumptions (not published)", "at the maximum (censored",
                    "KRW bn (illustrative)", "removed by rule", "assumption"),
             "ko": ("가정(발표되지 않은 값)", "만점(중도절단", "십억 원(예시)", "기준에 따른 제외",
                    "LG AI연구원", "네이버클라우드", "발표")}[lang]
    for w in words:
        assert w in main, w
    if lang == "ko":
        assert "KRW" not in main
    for p in data["text"]:
        assert p in main
    assert pg.locator("#programme-assumptions tr").count() == len(data["assumptions"])
    assert pg.locator("#programme-designs tr.best").count() == 1
    page.shot(f"programme_{lang}")
    assert page.errors == []
