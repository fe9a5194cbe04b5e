"""Shared fixtures: a fake AIGAP_HOME, a MockTransport router, WB page builders, a local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from aigap.data.live.http import CachedHttp

FIXTURES = Path(__file__).parent / "fixtures"
MIRROR = Path(__file__).resolve().parents[4] / "shared" / "data"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def aigap_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("AIGAP_HOME", str(home))
    # A proxy from the environment would swallow requests to 127.0.0.1.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    return home


class Router:
    """httpx.MockTransport handler: per-URL queues of replies (the last one repeats)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[httpx.Request] = []

    def add(self, url: str, *replies: Reply) -> None:
        self.routes[str(httpx.URL(url))] = list(replies)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = str(request.url)
        if key not in self.routes:
            raise AssertionError(f"unexpected request {key}")
        queue = self.routes[key]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            return reply(request)
        return reply

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))

    def count(self, url: str | None = None) -> int:
        if url is None:
            return len(self.requests)
        return sum(str(r.url) == str(httpx.URL(url)) for r in self.requests)


@pytest.fixture
def router() -> Router:
    return Router()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_http(
    tmp_path: Path, router: Router, sleeps: list[float]
) -> Callable[..., CachedHttp]:
    """A CachedHttp on the router that records sleeps instead of sleeping."""

    def make(**kwargs: Any) -> CachedHttp:
        kwargs.setdefault("backoff", 1.0)
        return CachedHttp(tmp_path / "http", client=router.client(), sleep=sleeps.append,
                          **kwargs)

    return make


def wb_item(
    iso3: str, year: int, value: Any, name: str = "", code: str = "NY.GDP.MKTP.CD"
) -> dict[str, Any]:
    """One observation as the World Bank API v2 sends it."""
    return {
        "indicator": {"id": code, "value": "GDP (current US$)"},
        "country": {"id": iso3[:2] if iso3 else "1W", "value": name or iso3},
        "countryiso3code": iso3,
        "date": str(year),
        "value": value,
        "unit": "",
        "obs_status": "",
        "decimal": 0,
    }


def wb_page(
    items: list[Any] | None, *, page: int, pages: int, total: int, per_page: int = 1000,
    lastupdated: str = "2026-04-08",
) -> httpx.Response:
    header = {"page": page, "pages": pages, "per_page": str(per_page), "total": total,
              "sourceid": "2", "lastupdated": lastupdated}
    return httpx.Response(200, json=[header, items])


@pytest.fixture
def wb() -> Any:
    """The page builders, reachable from test modules without importing conftest."""

    class Builders:
        item = staticmethod(wb_item)
        page = staticmethod(wb_page)

    return Builders


class LocalServer:
    """A real HTTP server on 127.0.0.1 serving canned (status, headers, body) per path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits.append(self.path)
                status, headers, body = outer.routes.get(
                    self.path, (404, {"Content-Type": "text/plain"}, b"not found")
                )
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # keep pytest output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def add(self, path: str, body: bytes, status: int = 200, **headers: str) -> None:
        self.routes[path] = (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)

    def add_json(self, path: str, obj: Any) -> None:
        self.add(path, json.dumps(obj).encode(), Content_Type="application/json")


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    srv = LocalServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.server.shutdown()
        srv.server.server_close()
        srv.thread.join(timeout=5)
