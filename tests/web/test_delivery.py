"""How the dashboard ships its bytes: gzip, cache lifetimes, no Monte Carlo on page load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aigap.web.main import plotly_js_path
from aigap.web.store import WEB_DIR


def test_plotly_is_served_precompressed_and_cached(client: Any) -> None:
    r = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert "immutable" in r.headers["cache-control"]
    raw = plotly_js_path().read_bytes()
    assert int(r.headers["content-length"]) < len(raw) / 2  # ~4.8 MB -> ~1.4 MB
    assert r.content == raw  # the client decodes it back to the shipped file
    plain = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw


def test_pages_and_api_are_gzipped(client: Any) -> None:
    page = client.get("/?lang=en", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers.get("content-encoding") == "gzip"
    api = client.get("/api/v1/index/aigap", headers={"Accept-Encoding": "gzip"})
    if api.status_code == 200 and len(api.content) > 1000:
        assert api.headers.get("content-encoding") == "gzip"


def test_static_files_have_a_cache_lifetime(client: Any) -> None:
    r = client.get("/static/app.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "max-age=3600" in r.headers["cache-control"]
    assert r.headers.get("content-encoding") == "gzip" and "etag" in r.headers
    assert r.content == (WEB_DIR / "static" / "app.js").read_bytes()


def test_no_robustness_request_on_page_load() -> None:
    js = (Path(WEB_DIR) / "static" / "app.js").read_text()
    start = js.index("function rankingPage()")
    body = js[start:js.index("function loadIntervals(", start)]
    assert "/api/v1/robustness" not in body  # the ranking page only wires a button
    assert "loadIntervals(ri, S)" in body
