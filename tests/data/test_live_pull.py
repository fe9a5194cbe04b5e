"""`pull --live`: API-backed files come from the (mocked) internet, the rest from the mirror."""

from __future__ import annotations

from pathlib import Path

import httpx

from aigap.data.live_pull import live_resolver
from aigap.data.warehouse import Warehouse, pull
from factories import DATASETS, make_mirror

FIXTURES = Path(__file__).parent / "live" / "fixtures" / "owid"
SLUG = "private-investment-in-artificial-intelligence-cset"


def handler(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    if url.startswith(f"https://ourworldindata.org/grapher/{SLUG}.csv"):
        return httpx.Response(200, content=(FIXTURES / f"{SLUG}.csv").read_bytes())
    if url.startswith(f"https://ourworldindata.org/grapher/{SLUG}.metadata.json"):
        return httpx.Response(200, content=(FIXTURES / f"{SLUG}.metadata.json").read_bytes())
    return httpx.Response(404)


def test_live_pull_mixes_live_and_mirror(tmp_path: Path) -> None:
    mirror = make_mirror(tmp_path / "m")
    client = httpx.Client(transport=httpx.MockTransport(handler))
    resolver = live_resolver(data_dir=mirror, client=client, cache=tmp_path / "cache")
    db = tmp_path / "w.duckdb"
    report = pull(db_path=db, datasets=DATASETS, resolver=resolver)
    with Warehouse.open(db) as wh:
        src = wh.sources().set_index("id")
    inv = src.loc["owid_cset_private_ai_investment"]
    assert inv["origin"] == "live"
    assert inv["url"].startswith("https://ourworldindata.org/grapher/")
    assert src.loc["tortoise_global_ai_index", "origin"] == "mirror"  # no live API
    # the World Bank answered 404: the mirror copy was used and the user is told
    assert src.loc["wb_gdp_current_usd", "origin"] == "mirror"
    assert [d for d, _ in report.warnings] == ["wb_gdp_current_usd"]
    assert "404" in report.warnings[0][1]


def test_live_pull_without_mirror_skips_what_has_no_api(tmp_path: Path) -> None:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    empty = tmp_path / "empty"
    empty.mkdir()
    resolver = live_resolver(data_dir=empty, client=client, cache=tmp_path / "cache")
    report = pull(db_path=tmp_path / "w.duckdb", datasets=DATASETS, resolver=resolver)
    assert [d for d, _ in report.loaded] == ["owid_cset_private_ai_investment"]
    skipped = dict(report.skipped)
    assert "no mirror copy" in skipped["tortoise_global_ai_index"]
    assert "live fetch failed" in skipped["wb_gdp_current_usd"]
