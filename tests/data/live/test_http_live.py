"""The cached HTTP layer: cache hits, refresh, retries, back-off, failures, atomic writes."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from aigap.data.live import http as live_http
from aigap.data.live.http import (
    CachedHttp,
    HttpStatusError,
    atomic_write_bytes,
    cache_key,
    parse_retry_after,
)
from aigap.errors import FetchError

URL = "https://example.org/data.csv?v=1"


def test_cache_hit_makes_no_request(router: Any, make_http: Callable[..., CachedHttp]) -> None:
    router.add(URL, httpx.Response(200, content=b"a,b\n1,2\n", headers={"ETag": '"v1"'}))
    http = make_http()
    first = http.get(URL)
    second = http.get(URL)
    assert router.count() == 1
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.read_bytes() == b"a,b\n1,2\n"
    assert second.fetched_at == first.fetched_at  # the download time, not the lookup time
    side = json.loads((http.cache / f"{cache_key(URL)}.json").read_text())
    assert side["url"] == URL and side["status"] == 200 and side["etag"] == '"v1"'
    assert side["fetched_at"].endswith("Z")


def test_cache_is_on_disk_under_aigap_home(router: Any, aigap_home: Path) -> None:
    router.add(URL, httpx.Response(200, content=b"x"))
    with CachedHttp(client=router.client()) as http:
        resp = http.get(URL)
    assert resp.path.is_relative_to(aigap_home / "cache" / "http")
    # A new instance (a new process) still hits the cache.
    with CachedHttp(client=router.client()) as http:
        assert http.get(URL).from_cache
    assert router.count() == 1


def test_refresh_bypasses_cache(router: Any, make_http: Callable[..., CachedHttp]) -> None:
    router.add(URL, httpx.Response(200, content=b"old"), httpx.Response(200, content=b"new"))
    http = make_http()
    assert http.get(URL).read_bytes() == b"old"
    fresh = http.get(URL, refresh=True)
    assert router.count() == 2
    assert not fresh.from_cache
    assert fresh.read_bytes() == b"new"
    assert http.get(URL).read_bytes() == b"new"  # the refreshed body replaced the cache


def test_refresh_revalidates_with_etag_and_keeps_body_on_304(
    router: Any, make_http: Callable[..., CachedHttp]
) -> None:
    router.add(
        URL,
        httpx.Response(200, content=b"body", headers={"ETag": '"abc"'}),
        httpx.Response(304),
    )
    http = make_http()
    http.get(URL)
    again = http.get(URL, refresh=True)
    assert router.requests[1].headers["If-None-Match"] == '"abc"'
    assert again.read_bytes() == b"body"


def test_retries_503_with_growing_backoff(
    router: Any, make_http: Callable[..., CachedHttp], sleeps: list[float]
) -> None:
    router.add(URL, httpx.Response(503), httpx.Response(503), httpx.Response(503),
               httpx.Response(200, content=b"ok"))
    resp = make_http(backoff=0.5).get(URL)
    assert resp.read_bytes() == b"ok"
    assert router.count() == 4
    assert sleeps == [0.5, 1.0, 2.0]
    assert all(b > a for a, b in itertools.pairwise(sleeps))


def test_backoff_is_capped(router: Any, make_http: Callable[..., CachedHttp],
                           sleeps: list[float]) -> None:
    router.add(URL, httpx.Response(502))
    with pytest.raises(HttpStatusError):
        make_http(backoff=1.0, max_backoff=3.0, max_retries=4).get(URL)
    assert sleeps == [1.0, 2.0, 3.0, 3.0]


def test_429_honours_retry_after(router: Any, make_http: Callable[..., CachedHttp],
                                 sleeps: list[float]) -> None:
    router.add(URL, httpx.Response(429, headers={"Retry-After": "7"}),
               httpx.Response(200, content=b"ok"))
    assert make_http().get(URL).read_bytes() == b"ok"
    assert sleeps == [7.0]


def test_retry_after_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    seconds = parse_retry_after(format_datetime(when, usegmt=True))
    assert seconds is not None and 25 <= seconds <= 31
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


def test_final_failure_names_url_and_status(
    router: Any, make_http: Callable[..., CachedHttp], sleeps: list[float]
) -> None:
    router.add(URL, httpx.Response(503))
    with pytest.raises(FetchError) as exc:
        make_http(max_retries=3).get(URL)
    assert isinstance(exc.value, HttpStatusError)
    assert exc.value.status == 503 and exc.value.attempts == 4
    assert URL in str(exc.value) and "503" in str(exc.value)
    assert router.count() == 4 and len(sleeps) == 3
    assert not any(make_http().cache.glob("*.body"))  # failures are not cached


def test_404_fails_at_once(router: Any, make_http: Callable[..., CachedHttp],
                           sleeps: list[float]) -> None:
    router.add(URL, httpx.Response(404))
    with pytest.raises(FetchError, match="404") as exc:
        make_http().get(URL)
    assert URL in str(exc.value)
    assert router.count() == 1 and sleeps == []


def test_connection_errors_are_retried_then_reported(
    router: Any, make_http: Callable[..., CachedHttp], sleeps: list[float]
) -> None:
    router.add(URL, httpx.ConnectError("connection refused"))
    with pytest.raises(FetchError, match="connection refused") as exc:
        make_http(max_retries=2).get(URL)
    assert URL in str(exc.value) and "3 attempts" in str(exc.value)
    assert len(sleeps) == 2


def test_timeout_then_success(router: Any, make_http: Callable[..., CachedHttp],
                              sleeps: list[float]) -> None:
    router.add(URL, httpx.ReadTimeout("slow"), httpx.Response(200, content=b"ok"))
    assert make_http().get(URL).read_bytes() == b"ok"
    assert sleeps == [1.0]


def test_corrupt_cache_entry_is_a_miss(router: Any, make_http: Callable[..., CachedHttp]) -> None:
    router.add(URL, httpx.Response(200, content=b"good"))
    http = make_http()
    resp = http.get(URL)
    resp.path.write_bytes(b"go")  # e.g. a half-copied cache from elsewhere
    assert http.get(URL).read_bytes() == b"good"
    assert router.count() == 2


def test_atomic_write_leaves_no_partial_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out" / "file.csv"

    def crash(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"x" * 10_000)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # the temp file was removed too


def test_failed_refresh_keeps_previous_cache(
    router: Any, make_http: Callable[..., CachedHttp], monkeypatch: pytest.MonkeyPatch
) -> None:
    router.add(URL, httpx.Response(200, content=b"v1"), httpx.Response(200, content=b"v2"))
    http = make_http()
    http.get(URL)
    real_replace = os.replace

    def crash_on_body(src: str, dst: str) -> None:
        if str(dst).endswith(".body"):
            raise OSError("killed mid-write")
        real_replace(src, dst)

    monkeypatch.setattr(live_http.os, "replace", crash_on_body)
    with pytest.raises(OSError):
        http.get(URL, refresh=True)
    monkeypatch.setattr(live_http.os, "replace", real_replace)
    assert http.get(URL).read_bytes() == b"v1"
    assert not [p for p in http.cache.iterdir() if p.name.endswith(".part")]


def test_real_server_end_to_end(local_server: Any, tmp_path: Path) -> None:
    local_server.add("/a.txt", b"hello", ETag='"e1"')
    local_server.add("/missing", b"nope", status=404)
    with CachedHttp(tmp_path / "http", sleep=lambda s: None) as http:
        assert http.get(f"{local_server.base}/a.txt").read_bytes() == b"hello"
        assert http.get(f"{local_server.base}/a.txt").from_cache
        with pytest.raises(HttpStatusError) as exc:
            http.get(f"{local_server.base}/missing")
    assert exc.value.status == 404
    assert local_server.hits == ["/a.txt", "/missing"]
