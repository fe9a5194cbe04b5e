"""Nothing wrong gets in silently, and no client can hold the server: numeric input checks,
job limits (429 + Retry-After), caches bounded by bytes, truncated error echoes, HTTP header
and body limits (408/413) and a bounded flood on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# index v2 (aigap = aigap-scale); v1 had the first, third, fifth and sixth pillars and Research
PILLARS = ["Talent", "Research", "Frontier Models", "Investment & Commercial",
           "Infrastructure & Compute", "Government & Policy", "Enablers"]


# --------------------------------------------------------------------------- structure


def test_every_route_has_a_response_model(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    missing = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            ok = [c for c in op["responses"] if c.startswith("2")]
            schema = op["responses"][ok[0]].get("content", {}).get("application/json", {}) \
                .get("schema", {})
            if not ("$ref" in schema or "$ref" in schema.get("items", {})):
                missing.append(f"{method.upper()} {path}")
    assert len(spec["paths"]) >= 20
    assert not missing, missing


def test_routes_take_the_store_through_a_dependency(web_db: Path) -> None:
    from fastapi.testclient import TestClient

    from aigap.web import create_app
    from aigap.web.deps import get_store

    class Fake:
        def spec_names(self) -> list[str]:
            return ["only-this"]

    app = create_app(web_db)
    app.dependency_overrides[get_store] = Fake
    assert TestClient(app).get("/api/v1/specs").json() == {"specs": ["only-this"]}


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("body", "needle"), [
    (b'{"weights": {"Talent": 1e308}}', "must be at most 1000"),
    (b'{"weights": {"Talent": NaN}}', "must be a finite number"),
    (b'{"weights": {"Talent": Infinity}}', "must be a finite number"),
])
def test_huge_or_non_finite_weights_are_422(client: Any, body: bytes, needle: str) -> None:
    r = client.post("/api/v1/index/aigap/rank", content=body,
                    headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert needle in r.json()["error"]


@pytest.mark.parametrize("url", [
    "/api/v1/tournament?noise=NaN", "/api/v1/tournament?noise=inf",
    "/api/v1/frontier-lag?unit=KOR&seed=99999999999", "/api/v1/robustness?seed=-1",
])
def test_non_finite_or_out_of_range_query_numbers_are_422(client: Any, url: str) -> None:
    assert client.get(url).status_code == 422


def test_weights_giving_no_scores_are_422() -> None:
    from aigap.web import services
    from aigap.web.store import CachedIndex, InvalidInputError

    P = np.array([[10.0, np.nan], [20.0, np.nan]])
    ci = CachedIndex(name="t", result=None, pillars=["a", "b"], default_weights=np.ones(2),
                     units=["X", "Y"], pillar_scores=P, method="arithmetic", dat_thresh=None)
    with pytest.raises(InvalidInputError, match=r"give no unit a score.*: b\)"):
        services.ranking(None, ci, {"a": 0, "b": 1}, "en")  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(w=st.lists(st.floats(0, 1000, allow_nan=False), min_size=7, max_size=7)
       .filter(lambda w: sum(w) > 0))
def test_any_valid_weights_give_finite_scores(client: Any, w: list[float]) -> None:
    r = client.post("/api/v1/index/aigap/rank", json={"weights": dict(zip(PILLARS, w,
                                                                       strict=True))})
    assert r.status_code == 200, r.text
    scores = [row["score"] for row in r.json()["rows"] if row["score"] is not None]
    assert scores and all(np.isfinite(scores)) and all(0 <= s <= 100 + 1e-6 for s in scores)


# --------------------------------------------------------------------------- echoes


def test_error_bodies_never_echo_unbounded_input(client: Any) -> None:
    key = "x" * 200_000
    r = client.post("/api/v1/index/aigap/rank", json={"weights": {key: "heavy"}})
    assert r.status_code == 422 and len(r.content) < 3_000
    r = client.post("/api/v1/index/aigap/rank", json={"weights": {key: 1}})
    assert r.status_code == 422 and len(r.content) < 3_000
    assert "characters)" in r.json()["error"]


def test_unknown_tournament_config_page_is_404(client: Any) -> None:
    r = client.get("/tournament", params={"config": "no-such-config"})
    assert r.status_code == 404 and "no-such-config" in r.text
    assert client.get("/tournament", params={"config": "sovereign-ai"}).status_code == 200


# --------------------------------------------------------------------------- jobs


@pytest.fixture()
def gate() -> Iterator[threading.Event]:
    ev = threading.Event()
    yield ev
    ev.set()


def test_job_limits_per_client_and_total(gate: threading.Event) -> None:
    from aigap.web.jobs import JobManager, TooManyJobsError

    jm = JobManager(workers=1, per_client=2, max_active=3)
    work = lambda progress: gate.wait(30)  # noqa: E731
    jm.submit("t", {}, work, key=1, client="a")
    jm.submit("t", {}, work, key=2, client="a")
    assert jm.submit("t", {}, work, key=1, client="a").id  # the same request: its own job
    with pytest.raises(TooManyJobsError, match="at most 2 per client"):
        jm.submit("t", {}, work, key=3, client="a")
    jm.submit("t", {}, work, key=4, client="b")
    with pytest.raises(TooManyJobsError, match="server is busy"):
        jm.submit("t", {}, work, key=5, client="c")
    assert jm.active() == 3 and jm.active("a") == 2
    gate.set()
    deadline = time.monotonic() + 30
    while jm.active() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert jm.active() == 0
    jm.submit("t", {}, lambda p: 1, key=6, client="a")  # room again
    jm.shutdown()


def test_job_route_answers_429_with_retry_after(web_db: Path, gate: threading.Event) -> None:
    from fastapi.testclient import TestClient

    from aigap.web import create_app
    from aigap.web.jobs import JobManager

    app = create_app(web_db, jobs=JobManager(workers=1, per_client=1, max_active=1))
    c = TestClient(app)
    app.state.jobs.submit("block", {}, lambda p: gate.wait(30), client="testclient")
    r = c.post("/api/v1/tournament/jobs", json={"n": 2})
    assert r.status_code == 429, r.text
    assert int(r.headers["retry-after"]) > 0 and "per client" in r.json()["error"]


def test_finished_jobs_are_kept_by_bytes() -> None:
    from aigap.web.jobs import JobManager

    jm = JobManager(workers=1, result_bytes=3 * 2**20)
    jobs = [jm.submit("t", {}, lambda p: np.zeros(2**20 // 8 * 2), key=i) for i in range(4)]
    deadline = time.monotonic() + 30
    while any(j.active for j in jobs) and time.monotonic() < deadline:
        time.sleep(0.02)
    kept = [j.id for j in jm.list()]
    assert jobs[0].id not in kept and jobs[-1].id in kept  # oldest dropped first
    assert jm.result_nbytes() <= 3 * 2**20
    jm.shutdown()


def test_analysis_cache_is_bounded_by_bytes() -> None:
    from aigap.web.store import SizedLRU

    cache = SizedLRU(max_bytes=5 * 2**20)
    for i in range(10):
        cache.get_or_compute(i, lambda: {"a": np.zeros(2**20 // 8)})  # 1 MiB each
    assert cache.nbytes <= 5 * 2**20 and len(cache) < 10
    assert cache.peek(9) is not None and cache.peek(0) is None
    big = cache.get_or_compute("big", lambda: np.zeros(2**20))  # 8 MiB: answered, not kept
    assert big.shape == (2**20,) and cache.peek("big") is None


def test_large_robustness_runs_keep_only_the_summary(client: Any, web_app: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from aigap.web import services

    monkeypatch.setattr(services, "MAX_ROBUSTNESS_SYNC_N", 10)
    r = client.post("/api/v1/robustness/jobs", json={"n": 12, "seed": 7})
    assert r.status_code == 202
    for _ in range(300):
        job = client.get(f"/api/v1/jobs/{r.json()['id']}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["status"] == "done" and job["result"]["units"]
    hit = web_app.state.cache.peek(services.robustness_key("aigap", 12, 7))
    assert hit["result"] is None and hit["json"]["summary"]


# --------------------------------------------------------------------------- HTTP limits


@pytest.fixture(scope="module")
def strict_server(web_db: Path) -> Iterator[Any]:
    """A server with short timeouts and small caps, so each limit is reached quickly."""
    from aigap.web import create_app
    from aigap.web.jobs import JobManager
    from aigap.web.limits import Limits
    from aigap.web.main import ServerThread

    limits = Limits(header_timeout=1.0, body_timeout=1.0, max_body=64 * 1024, max_inflight=16)
    app = create_app(web_db, limits=limits,
                     jobs=JobManager(workers=1, per_client=2, max_active=4))
    with ServerThread(app, limits=limits) as srv:
        yield srv


def _raw(srv: Any, data: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection((srv.host, srv.port), timeout=wait) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
        return out


def test_unfinished_headers_get_408(strict_server: Any) -> None:
    t0 = time.monotonic()
    out = _raw(strict_server, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    assert out.startswith(b"HTTP/1.1 408"), out[:100]
    assert time.monotonic() - t0 < 5  # closed by the server, not by our socket timeout


def test_slow_body_gets_408_and_big_body_413(strict_server: Any) -> None:
    head = (b"POST /api/v1/index/aigap/rank HTTP/1.1\r\nHost: x\r\ncontent-type: "
            b"application/json\r\ncontent-length: 100\r\n\r\n{")
    assert _raw(strict_server, head).startswith(b"HTTP/1.1 408")
    big = (b"POST /api/v1/index/aigap/rank HTTP/1.1\r\nHost: x\r\ncontent-type: "
           b"application/json\r\ncontent-length: 100000\r\n\r\n")
    assert _raw(strict_server, big).startswith(b"HTTP/1.1 413")
    huge_header = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000
    assert _raw(strict_server, huge_header + b"\r\n\r\n").startswith(b"HTTP/1.1 431")
    fine = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert _raw(strict_server, fine).startswith(b"HTTP/1.1 200")


def test_bounded_flood(strict_server: Any) -> None:
    """300 requests from 8 threads plus 200 half-open connections: no 5xx, the limits answer
    429/413/408, and a normal request is served after."""
    import httpx

    half_open = []
    for _ in range(200):
        s = socket.create_connection((strict_server.host, strict_server.port), timeout=10)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # never finished
        half_open.append(s)
    statuses: list[int] = []
    lock = threading.Lock()
    big = {"weights": {"Talent": 1}, "pad": "x" * 100_000}

    def worker(k: int) -> None:
        with httpx.Client(base_url=strict_server.url, timeout=60) as c:
            for i in range(300 // 8 + (k < 300 % 8)):
                kind = i % 4
                if kind == 0:
                    r = c.post("/api/v1/index/aigap/rank", json={"weights": {"Talent": i % 5}})
                elif kind == 1:
                    r = c.post("/api/v1/index/aigap/rank", json=big)
                elif kind == 2:
                    r = c.post("/api/v1/tournament/jobs",
                               json={"n": 200_000, "seed": k * 1000 + i})
                else:
                    r = c.get("/api/v1/health")
                with lock:
                    statuses.append(r.status_code)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    answers = []
    for s in half_open:
        try:
            s.settimeout(10)
            answers.append(s.recv(100)[:12])
        except OSError:
            answers.append(b"")
        s.close()
    assert len(statuses) == 300
    assert not [s for s in statuses if s >= 500], sorted(set(statuses))
    assert {413, 429} <= set(statuses), sorted(set(statuses))
    assert sum(a == b"HTTP/1.1 408" for a in answers) >= 190, set(answers)
    r = httpx.get(strict_server.url + "/api/v1/index/aigap", timeout=30)
    assert r.status_code == 200 and r.json()["rows"]
