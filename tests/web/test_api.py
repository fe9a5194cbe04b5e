"""The JSON API: re-ranking arithmetic, validation messages, errors, jobs, pages' plumbing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

# index v2 (aigap = aigap-scale); v1 had the first, third, fifth and sixth pillars and Research
PILLARS = ["Talent", "Research", "Frontier Models", "Investment & Commercial",
           "Infrastructure & Compute", "Government & Policy", "Enablers"]


def _scores(body: dict[str, Any]) -> dict[str, float]:
    return {r["unit"]: r["score"] for r in body["rows"]}


def test_nominal_index_matches_pipeline(client: Any, web_db: Path) -> None:
    from aigap.index import build_index

    body = client.get("/api/v1/index/aigap").json()
    res = build_index("aigap")
    assert [p["code"] for p in body["pillars"]] == PILLARS
    got = _scores(body)
    for unit, score in res.index.items():
        assert got[unit] == pytest.approx(score, abs=1e-3)
    ranks = [r["rank"] for r in body["rows"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert body["rows"][0]["unit"] == res.index.idxmax()


def test_rerank_equals_full_rebuild(client: Any, web_db: Path) -> None:
    """Re-weighting the cached pillar scores gives what a full pipeline run with those weights
    gives (same aggregation, same missing-data rule)."""
    from aigap.index import build_index, load_spec

    weights = {"Talent": 3.0, "Research": 0.5, "Government & Policy": 0.0}
    body = client.post("/api/v1/index/aigap/rank", json={"weights": weights}).json()
    sp = load_spec("aigap")
    aggs = [a.model_copy(update={"weight": weights.get(a.code, a.weight)})
            for a in sp.aggregates]
    rebuilt = build_index(sp.model_copy(update={"aggregates": aggs}))
    got = _scores(body)
    for unit, score in rebuilt.index.items():
        assert got[unit] == pytest.approx(score, abs=1e-3)
    assert {p["code"]: p["weight"] for p in body["pillars"]}["Talent"] == 3.0
    nominal = [r["unit"] for r in client.get("/api/v1/index/aigap").json()["rows"]]
    assert [r["unit"] for r in body["rows"]] != nominal


def test_rescore_missing_pillar_reweights() -> None:
    """A unit missing a pillar is scored on the others, weights re-normalised; none -> NaN."""
    from aigap.web.store import CachedIndex

    P = np.array([[10.0, 20.0, 30.0], [10.0, np.nan, 30.0], [np.nan, np.nan, np.nan]])
    ci = CachedIndex(name="t", result=None, pillars=["a", "b", "c"],
                     default_weights=np.ones(3), units=["X", "Y", "Z"], pillar_scores=P,
                     method="arithmetic", dat_thresh=None)
    s = ci.rescore(np.array([1.0, 2.0, 1.0]))
    assert s[0] == pytest.approx((10 + 40 + 30) / 4)
    assert s[1] == pytest.approx((10 + 30) / 2)
    assert np.isnan(s[2])
    ci.dat_thresh = 0.9  # Y has 2 of 3 pillars: below the threshold
    assert np.isnan(ci.rescore(np.ones(3))[1])
    assert list(ci.rank(np.array([5.0, 7.0, np.nan]))[:2]) == [2.0, 1.0]


@pytest.mark.parametrize(("weights", "needle"), [
    ({"Talent": -1}, "must not be negative"),
    ({"Nope": 1}, "unknown pillar(s) 'Nope'"),
    (dict.fromkeys(PILLARS, 0), "all pillar weights are zero"),
])
def test_bad_weights_are_422_with_reason(client: Any, weights: dict[str, float],
                                         needle: str) -> None:
    r = client.post("/api/v1/index/aigap/rank", json={"weights": weights})
    assert r.status_code == 422
    assert needle in r.json()["error"]


def test_malformed_body_is_422(client: Any) -> None:
    r = client.post("/api/v1/index/aigap/rank", json={"weights": {"Talent": "heavy"}})
    assert r.status_code == 422 and "weights.Talent" in r.json()["error"]
    r = client.post("/api/v1/index/aigap/rank", json={"weights": {}, "extra": 1})
    assert r.status_code == 422


@pytest.mark.parametrize(("url", "status", "needle"), [
    ("/api/v1/gap?unit=XXX&vs=USA&indicator=private_ai_investment", 404,
     "unknown country code 'XXX'"),
    ("/api/v1/gap?unit=KOR&vs=USA&indicator=private_ai_investmnt", 404,
     "did you mean private_ai_investment"),
    ("/api/v1/trend?unit=KOR&indicator=nope", 404, "unknown indicator 'nope'"),
    ("/api/v1/index/nospec", 404, "unknown spec 'nospec'"),
    ("/api/v1/jobs/doesnotexist", 404, "unknown job"),
    ("/api/v1/robustness?n=20000", 422, "too large for a synchronous request"),
    ("/api/v1/robustness?n=10000000", 422, "less than or equal to 50000"),
    ("/api/v1/tournament?n=10000000", 422, "less than or equal to 200000"),
    ("/api/v1/tournament?config=../../etc/passwd", 404, "unknown tournament config"),
    ("/api/v1/trend?unit=KOR&vs=KOR&indicator=private_ai_investment", 422,
     "cannot be compared with itself"),
    ("/api/v1/countries?group=NATO", 404, "unknown group"),
    ("/api/v1/no-such-endpoint", 404, "Not Found"),
])
def test_specific_4xx_messages(client: Any, url: str, status: int, needle: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert needle in r.json()["error"]


def test_internal_errors_are_generic_500(web_db: Path) -> None:
    from fastapi.testclient import TestClient

    from aigap.web import create_app

    app = create_app(web_db)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail /etc/shadow")

    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert r.status_code == 500
    assert r.json() == {"error": "internal server error"}
    assert "secret" not in r.text and "Traceback" not in r.text


def test_cors_off_by_default(client: Any, web_db: Path) -> None:
    from fastapi.testclient import TestClient

    from aigap.web import create_app

    hdr = {"Origin": "https://evil.example"}
    assert "access-control-allow-origin" not in client.get("/api/v1/health", headers=hdr).headers
    on = TestClient(create_app(web_db, cors_origins=["https://evil.example"]))
    assert on.get("/api/v1/health", headers=hdr).headers["access-control-allow-origin"] == \
        "https://evil.example"


def test_analysis_endpoints(client: Any) -> None:
    gap = client.get("/api/v1/gap", params={"unit": "KOR", "vs": ["USA", "CHN"],
                                            "indicator": "private_ai_investment"}).json()
    lvl = [r for r in gap["rows"] if r["basis"] == "level" and r["other"] == "USA"
           and r["ratio"] is not None]
    assert lvl and all(r["ratio"] > 1 for r in lvl)  # the US invests more every year
    tr = client.get("/api/v1/trend", params={"unit": "KOR", "vs": "USA",
                                             "indicator": "private_ai_investment"}).json()
    assert tr["fits"]["KOR"]["n"] >= 5 and tr["series"]
    pr = client.get("/api/v1/peer-rank", params={"unit": "KOR",
                                                 "indicator": "private_ai_investment"}).json()
    assert pr["group"] == "OECD" and 1 <= pr["rank"] <= pr["ranked_of"]
    ex = client.get("/api/v1/index/aigap/explain/KOR").json()
    total = sum(c["contribution"] for c in ex["contributions"])
    assert total == pytest.approx(ex["index_score"], rel=1e-9)
    inds = client.get("/api/v1/indicators", params={"pillar": "Talent"}).json()
    assert inds and {i["pillar"] for i in inds} == {"Talent"}
    oecd = client.get("/api/v1/countries", params={"group": "OECD"}).json()
    kor = next(c for c in oecd if c["iso3"] == "KOR")
    assert kor["name_ko"] == "한국"


def test_openapi_lists_every_analysis(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/api/v1/robustness", "/api/v1/what-it-takes", "/api/v1/profile/{unit}",
                 "/api/v1/decompose", "/api/v1/frontier-lag", "/api/v1/niche",
                 "/api/v1/partners", "/api/v1/tournament", "/api/v1/index/{spec}/rank"]:
        assert path in paths, path


def test_what_it_takes(client: Any) -> None:
    body = client.get("/api/v1/what-it-takes", params={"unit": "KOR", "rank": 3,
                                                       "lang": "ko"}).json()
    assert body["current_rank"] > 3 and body["new_rank"] <= 3 and body["moves"]
    assert "3위" in body["sentence"]


def _wait(client: Any, job_id: str) -> dict[str, Any]:
    seen = []
    for _ in range(300):
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        seen.append(job["progress"])
        if job["status"] in ("done", "failed"):
            assert seen == sorted(seen)  # progress never goes back
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_robustness_job_matches_sync_run(client: Any) -> None:
    r = client.post("/api/v1/robustness/jobs", json={"spec": "aigap", "n": 3000, "seed": 7})
    assert r.status_code == 202 and r.json()["status"] in ("queued", "running", "done")
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done" and job["progress"] == 1.0
    sync = client.get("/api/v1/robustness", params={"n": 3000, "seed": 7}).json()
    assert job["result"]["units"] == sync["units"]
    kor = next(u for u in sync["units"] if u["unit"] == "KOR")
    assert kor["rank_p05"] <= kor["median_rank"] <= kor["rank_p95"]
    assert 0 <= kor["p_top3"] <= 1
    # the same request again is the same job (no second run)
    again = client.post("/api/v1/robustness/jobs", json={"spec": "aigap", "n": 3000, "seed": 7})
    assert again.json()["id"] == job["id"]


def test_tournament_job_and_noise(client: Any) -> None:
    r = client.post("/api/v1/tournament/jobs", json={"n": 40_000, "seed": 1, "noise": 0.2})
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done" and job["result"]["result"]["n"] == 40_000
    quiet = client.get("/api/v1/tournament", params={"noise": 0.0, "n": 20_000}).json()
    noisy = client.get("/api/v1/tournament", params={"noise": 1.5, "n": 20_000}).json()
    assert quiet["result"]["p_best_wins"] > noisy["result"]["p_best_wins"]


def test_pages_language_and_local_plotly(client: Any) -> None:
    r = client.get("/?lang=ko")
    assert r.status_code == 200 and '<html lang="ko">' in r.text
    assert "순위" in r.text and "가중치" in r.text and "투자·상업화" in r.text
    assert r.cookies.get("aigap_lang") == "ko"
    assert "Noto Sans CJK KR" in client.get("/static/style.css").text
    # no CDN: every script comes from this server
    assert 'src="http' not in r.text and '<script src="/static/app.js"' in r.text
    # app.js loads Plotly from this server after the page's load event
    assert '"/vendor/plotly.min.js"' in client.get("/static/app.js").text
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    en = client.get("/country/KOR", headers={"Cookie": "aigap_lang=en"})
    assert '<html lang="en">' in en.text and "Strengths" in en.text
    assert client.get("/country/ZZZ").status_code == 404
    assert client.get("/country/kor", follow_redirects=False).status_code == 307
    assert '<label for="w-1">' in client.get("/?lang=en").text


def test_serve_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch, web_db: Path) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from aigap.cli import app
    from aigap.web.limits import uvicorn_settings

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    res = CliRunner().invoke(app, ["serve", "--db", str(web_db), "--port", "8765"])
    assert res.exit_code == 0, res.output
    assert calls == [{"host": "127.0.0.1", "port": 8765, "log_level": "info",
                      **uvicorn_settings()}]
    missing = CliRunner().invoke(app, ["serve", "--db", str(web_db.parent / "none.duckdb")])
    assert missing.exit_code == 2


def test_profile_and_decompose(client: Any) -> None:
    prof = client.get("/api/v1/profile/KOR", params={"peers": "OECD"})
    assert prof.status_code == 200, prof.text
    assert "KOR" in prof.text
    dec = client.get("/api/v1/decompose", params={"a": "KOR", "b": "USA"})
    assert dec.status_code == 200, dec.text
    assert client.get("/api/v1/decompose", params={"a": "KOR", "b": "QQQ"}).status_code == 404
    assert client.get("/api/v1/profile/KOR", params={"peers": "NOPE"}).status_code == 400


def test_strategy_endpoints(client: Any) -> None:
    lag = client.get("/api/v1/frontier-lag", params={"unit": "KOR", "vs": ["USA"],
                                                     "n_boot": 20})
    assert lag.status_code == 200, lag.text
    body = lag.json()
    assert body["country"] == "KOR" and "USA" in body["comparators"]
    assert body["n_models"] > 0 and body["lags"]
    niche = client.get("/api/v1/niche", params={"unit": "KOR"})
    assert niche.status_code == 200, niche.text
    assert "Semiconductors" in niche.text or "semicon" in niche.text
    partners = client.get("/api/v1/partners", params={"unit": "KOR", "top": 5})
    assert partners.status_code == 200, partners.text
    assert "USA" in partners.text and "complementarity" in partners.text
    assert client.get("/api/v1/niche", params={"unit": "ZZZ"}).status_code == 404
    assert client.get("/api/v1/partners", params={"unit": "KOR", "top": 0}).status_code == 422


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "harmonic", "median"])
def test_rescore_is_the_engines_aggregation(method: str) -> None:
    """Re-ranking from cached pillars equals a full build, whatever the root's aggregation."""
    import numpy as np

    from aigap.index import Spec, build_index
    from aigap.web.store import CachedIndex

    rng = np.random.default_rng(3)
    data = pd.DataFrame(rng.uniform(1, 100, (15, 6)), index=[f"U{i}" for i in range(15)],
                        columns=[f"i{k}" for k in range(6)])
    data.iloc[2, 4] = np.nan
    raw = {"name": "t", "data": {"source": "frame"},
           "indicators": [{"code": f"i{k}", "parent": "P1" if k < 3 else "P2"}
                          for k in range(6)],
           "aggregates": [{"code": "P1", "parent": "Index", "weight": 1},
                          {"code": "P2", "parent": "Index", "weight": 3}, {"code": "Index"}],
           "steps": [{"step": "normalise", "method": "minmax", "l": 1, "u": 100},
                     {"step": "aggregate", "method": {2: "arithmetic", 3: method}}]}
    res = build_index(Spec.from_dict(raw), data)
    cached = CachedIndex.from_result("t", res)
    got = cached.rescore(cached.default_weights)
    np.testing.assert_allclose(got, res.scores["Index"].to_numpy(), rtol=1e-12)
