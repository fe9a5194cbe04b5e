"""The HTML report: built from the real warehouse, rendered in headless Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aigap.cli import app
from aigap.data.warehouse import Warehouse
from aigap.report import build_report

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def report_files(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("report")
    files = {}
    with Warehouse.open(real_db) as wh:
        import os

        old = os.environ.get("AIGAP_DB")
        os.environ["AIGAP_DB"] = str(real_db)
        try:
            for lang in ("ko", "en"):
                files[lang] = out / f"kor-{lang}.html"
                files[lang].write_text(build_report("KOR", lang, wh=wh), encoding="utf-8")
        finally:
            if old is None:
                os.environ.pop("AIGAP_DB", None)
            else:
                os.environ["AIGAP_DB"] = old
    return files


def test_report_is_self_contained(report_files: dict[str, Path]) -> None:
    text = report_files["ko"].read_text(encoding="utf-8")
    assert '<html lang="ko">' in text
    # no network: no external scripts, stylesheets or fonts
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+href=\"?https?:", text)
    assert not re.search(r"<img[^>]+src=\"?https?:", text)
    assert "Plotly" in text and len(text) > 3_000_000  # plotly.js is inlined


def test_report_has_every_section_and_sources(report_files: dict[str, Path]) -> None:
    text = report_files["ko"].read_text(encoding="utf-8")
    for sid in ["ai3", "index", "profile", "gaps", "trends", "decompose", "peers", "robustness",
                "audit", "targets", "claims", "frontier_lag", "niche", "partners", "tournament",
                "sources"]:
        assert f'id="{sid}"' in text, sid
    assert "한국의 AI 격차 진단" in text
    for dataset in ["owid_cset_private_ai_investment", "aiindex2026_fig_4_4_24",
                    "tortoise_global_ai_index",
                    # the strategy sections cite the Epoch vintage they use: the newest
                    "epoch_2025_12_notable_models"]:
        assert dataset in text, dataset
    en = report_files["en"].read_text(encoding="utf-8")
    assert "South Korea: AI competitiveness gap diagnosis" in en
    assert "orders of magnitude" in en


def test_report_renders_in_chromium(report_files: dict[str, Path]) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Chromium is missing: run scripts/install-browser.sh")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            for lang, path in report_files.items():
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.on("console", lambda m: errors.append(m.text) if m.type == "error"
                        else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
                n_plots = page.locator(".js-plotly-plot").count()
                assert n_plots >= 10, n_plots
                # every chart drew something
                assert page.locator(".js-plotly-plot .main-svg").count() >= n_plots
                page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
    assert errors == []


def test_report_cli_writes_file(real_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "k.html"
    res = CliRunner().invoke(app, ["--db", str(real_db), "report", "KOR", "--lang", "en", "-o",
                                   str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and "wrote" in res.stdout


def test_report_pdf(real_db: Path, tmp_path: Path) -> None:
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        pytest.fail("Chromium is missing: run scripts/install-browser.sh")
    out = tmp_path / "k.html"
    res = CliRunner().invoke(app, ["--db", str(real_db), "report", "KOR", "-o", str(out),
                                   "--pdf"])
    assert res.exit_code == 0, res.output
    pdf = out.with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 50_000


def test_report_unknown_country_is_one_line(real_db: Path) -> None:
    res = CliRunner().invoke(app, ["--db", str(real_db), "report", "XXX"])
    assert res.exit_code == 2 and "unknown country" in res.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["report", "NPL"], "NPL is not in the aigap index"),
    (["report", "KOR", "--spec", "tortoise"], "needs a spec with pillars"),
    (["report", "KOR", "--spec", "asem"], "over the warehouse"),
])
def test_report_refuses_what_it_cannot_show(real_db: Path, args: list[str],
                                            message: str) -> None:
    res = CliRunner().invoke(app, ["--db", str(real_db), *args, "-o", "/dev/null"])
    assert res.exit_code == 2 and message in res.stderr, res.output
    assert "Traceback" not in res.output


def test_report_uses_the_warehouse_it_is_given(real_db: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """No silent fall-back to the default warehouse (which here does not exist)."""
    monkeypatch.setenv("AIGAP_DB", str(tmp_path / "absent.duckdb"))
    with Warehouse.open(real_db) as wh:
        text = build_report("KOR", "en", wh=wh)
    assert 'id="robustness"' in text and 'id="targets"' in text


def test_atomic_write_leaves_no_temp_file(tmp_path: Path) -> None:
    from aigap.report.builder import atomic_write

    target = tmp_path / "r.html"
    atomic_write(target, "one")
    atomic_write(target, "two")
    assert target.read_text(encoding="utf-8") == "two"

    with pytest.raises(TypeError):
        atomic_write(target, 42)  # type: ignore[arg-type]  # write fails mid-way
    assert target.read_text(encoding="utf-8") == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
