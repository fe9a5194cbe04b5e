"""Fixtures of the web tests: the app on a real-mirror warehouse, a live uvicorn server on
127.0.0.1 and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("AIGAP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
INSTALL_HINT = "run scripts/install-browser.sh (installs Debian's chromium, fonts-noto-cjk " \
               "and playwright)"


@pytest.fixture(scope="session")
def web_db(real_db: Path) -> Path:
    """The real-mirror warehouse the app serves (passed explicitly to ``create_app``)."""
    return real_db


@pytest.fixture(autouse=True)
def _aigap_db(monkeypatch: pytest.MonkeyPatch, real_db: Path) -> None:
    """$AIGAP_DB for code under test that reads the default warehouse (runs after the root
    conftest's isolation, which blanks it)."""
    monkeypatch.setenv("AIGAP_DB", str(real_db))


@pytest.fixture(scope="session")
def web_app(web_db: Path) -> Any:
    from aigap.web import create_app

    return create_app(web_db)


@pytest.fixture(scope="session")
def client(web_app: Any) -> Iterator[Any]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    with TestClient(web_app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(web_app: Any) -> Iterator[Any]:
    """uvicorn on a free port of 127.0.0.1 in a background thread."""
    from aigap.web.main import ServerThread

    with ServerThread(web_app) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium; a missing browser is a failure with the fix, never a silent skip."""
    if not CHROMIUM.exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: {INSTALL_HINT}", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"playwright is not installed: {INSTALL_HINT}", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Page:
    """A Playwright page with the console errors and page errors it produced."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path, wait_until="load")

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        out = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(out), full_page=True)
        return out


@pytest.fixture()
def page(browser: Any, live_server: Any) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    wrapped = Page(pg, live_server.url)
    pg.on("console", lambda m: wrapped.errors.append(f"console: {m.text}")
          if m.type == "error" else None)
    pg.on("pageerror", lambda e: wrapped.errors.append(f"pageerror: {e}"))
    yield wrapped
    ctx.close()
