"""World Bank API v2 connector: paging, aggregates, error payloads, malformed pages."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from aigap.data.live.http import CachedHttp
from aigap.data.live.worldbank import (
    WB_COLUMNS,
    fetch_worldbank,
    is_country,
    worldbank_url,
)
from aigap.data.sources.base import read_csv_checked
from aigap.errors import DataFormatError, FetchError

FIXTURES = Path(__file__).parent / "fixtures" / "worldbank"
MIRROR_WDI = Path(__file__).resolve().parents[4] / "shared" / "data" / "raw" / "world_bank_wdi"
CODE = "NY.GDP.MKTP.CD"


def url(page: int, per_page: int = 4, **kw: Any) -> str:
    return worldbank_url(CODE, page=page, per_page=per_page, **kw)


def serve_three_pages(router: Any, wb: Any) -> None:
    """10 items over 3 pages of 4: countries, aggregates, a null, Kosovo."""
    items = [
        wb.item("KOR", 2023, 1712792854202.4, "Korea, Rep."),
        wb.item("KOR", 2022, 1673916511799.0, "Korea, Rep."),
        wb.item("USA", 2023, 27360935000000, "United States"),
        wb.item("EAS", 2023, 3.1e13, "East Asia & Pacific"),
        wb.item("", 2023, 5.0e12, "Africa Eastern and Southern"),
        wb.item("WLD", 2023, 1.05e14, "World"),
        wb.item("XKX", 2023, 10468224574.7539, "Kosovo"),
        wb.item("PRK", 2023, None, "Korea, Dem. People's Rep."),
        wb.item("HIC", 2023, 6.3e13, "High income"),
        wb.item("CHN", 2023, 17794783039552.0, "China"),
    ]
    for p in (1, 2, 3):
        router.add(url(p), wb.page(items[(p - 1) * 4: p * 4], page=p, pages=3, total=10,
                                   per_page=4))


def test_url_shape() -> None:
    assert url(2) == ("https://api.worldbank.org/v2/country/all/indicator/NY.GDP.MKTP.CD"
                      "?format=json&per_page=4&date=2018:2025&page=2&source=2")
    assert "source" not in url(1, source=None)


def test_paging_collects_all_pages_and_drops_aggregates(
    router: Any, wb: Any, tmp_path: Path
) -> None:
    serve_three_pages(router, wb)
    live = fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                           cache=tmp_path)
    assert [str(r.url) for r in router.requests] == [url(1), url(2), url(3)]
    assert all(r.url.params["per_page"] == "4" for r in router.requests)
    assert live.path == tmp_path / "live" / "raw" / "world_bank_wdi" / "gdp_current_usd.csv"
    assert live.vintage == "2026-04-08"
    assert live.metadata["dropped_aggregates"] == ["1W", "EAS", "HIC", "WLD"]
    assert live.metadata["total"] == 10 and live.metadata["rows"] == 5
    assert live.metadata["indicator_name"] == "GDP (current US$)"

    with live.path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == WB_COLUMNS
    assert [r[0] for r in rows[1:]] == ["KOR", "KOR", "USA", "XKX", "CHN"]  # API order kept
    assert rows[1] == ["KOR", "2023", "Korea, Rep.", "1712792854202.4", CODE, "gdp_current_usd"]
    df = read_csv_checked(live.path, WB_COLUMNS, numeric=["value"])
    assert df["value"].tolist()[2] == 27360935000000.0


@pytest.mark.skipif(not (MIRROR_WDI / "gdp_current_usd.csv").is_file(),
                    reason="local mirror not present")
def test_columns_match_the_local_mirror(router: Any, wb: Any, tmp_path: Path) -> None:
    serve_three_pages(router, wb)
    live = fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                           cache=tmp_path)
    mirror_header = (MIRROR_WDI / "gdp_current_usd.csv").read_text().splitlines()[0]
    assert live.path.read_text().splitlines()[0] == mirror_header


def test_cache_hit_and_refresh(router: Any, wb: Any, tmp_path: Path) -> None:
    serve_three_pages(router, wb)
    client = router.client()
    fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=client, cache=tmp_path)
    again = fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=client, cache=tmp_path)
    assert router.count() == 3 and again.from_cache
    fresh = fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=client,
                            cache=tmp_path, refresh=True)
    assert router.count() == 6 and not fresh.from_cache


def test_error_payload_is_a_fetch_error_with_the_message(router: Any, tmp_path: Path) -> None:
    router.add(url(1), httpx.Response(200, content=(FIXTURES / "error_invalid_value.json")
                                      .read_bytes()))
    client = router.client()
    for _ in range(2):
        with pytest.raises(FetchError) as exc:
            fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=client,
                            cache=tmp_path)
        assert not isinstance(exc.value, DataFormatError)
        assert "The provided parameter value is not valid" in str(exc.value)
        assert url(1) in str(exc.value) and "120" in str(exc.value)
    assert router.count() == 2  # the error answer was not cached


def test_retry_on_503_inside_paging(
    router: Any, wb: Any, make_http: Callable[..., CachedHttp], sleeps: list[float],
    tmp_path: Path,
) -> None:
    items = [wb.item("KOR", 2023, 1.0), wb.item("JPN", 2023, 2.0)]
    router.add(url(1), wb.page(items[:1], page=1, pages=2, total=2, per_page=1))
    router.add(url(2), httpx.Response(503), httpx.Response(503),
               wb.page(items[1:], page=2, pages=2, total=2, per_page=1))
    live = fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=make_http(),
                           cache=tmp_path)
    assert live.metadata["rows"] == 2
    assert sleeps == [1.0, 2.0]


def test_malformed_json(router: Any, tmp_path: Path) -> None:
    router.add(url(1), httpx.Response(200, content=b'[{"page": 1, "pages": '))
    with pytest.raises(DataFormatError, match="not valid JSON") as exc:
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)
    assert exc.value.file == url(1)


def test_missing_pages_in_header(router: Any, tmp_path: Path) -> None:
    header = {"page": 1, "per_page": "4", "total": 1, "lastupdated": "2026-04-08"}
    router.add(url(1), httpx.Response(200, json=[header, []]))
    with pytest.raises(DataFormatError) as exc:
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)
    assert exc.value.file == url(1) and exc.value.column == "pages"


@pytest.mark.parametrize("payload", [{"page": 1}, [{"page": 1}], [1, 2, 3]])
def test_wrong_shape(router: Any, tmp_path: Path, payload: Any) -> None:
    router.add(url(1), httpx.Response(200, json=payload))
    with pytest.raises(DataFormatError, match="expected a JSON array") as exc:
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)
    assert exc.value.file == url(1)


def test_non_numeric_value_names_page_url_and_item_index(
    router: Any, wb: Any, tmp_path: Path
) -> None:
    good = [wb.item("KOR", 2023, 1.0), wb.item("JPN", 2023, 2.0)]
    bad = [wb.item("USA", 2023, 3.0), wb.item("CHN", 2023, 4.0), wb.item("DEU", 2023, "4.5e12")]
    router.add(url(1), wb.page(good, page=1, pages=2, total=5, per_page=2))
    router.add(url(2), wb.page(bad, page=2, pages=2, total=5, per_page=2))
    client = router.client()
    with pytest.raises(DataFormatError) as exc:
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=client, cache=tmp_path)
    assert exc.value.file == url(2)
    assert "item [2]" in str(exc.value) and exc.value.column == "value"
    # Every page was evicted, so a fixed upstream is picked up without --refresh.
    fixed = [*bad[:2], wb.item("DEU", 2023, 4.5e12)]
    router.add(url(2), wb.page(fixed, page=2, pages=2, total=5, per_page=2))
    live = fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=client, cache=tmp_path)
    assert live.metadata["rows"] == 5 and router.count(url(1)) == 2


def test_boolean_value_is_rejected(router: Any, wb: Any, tmp_path: Path) -> None:
    router.add(url(1), wb.page([wb.item("KOR", 2023, True)], page=1, pages=1, total=1))
    with pytest.raises(DataFormatError, match=r"item \[0\]"):
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)


def test_wrong_indicator_in_payload(router: Any, wb: Any, tmp_path: Path) -> None:
    item = wb.item("KOR", 2023, 1.0, code="SP.POP.TOTL")
    router.add(url(1), wb.page([item], page=1, pages=1, total=1))
    with pytest.raises(DataFormatError) as exc:
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)
    assert exc.value.column == "indicator.id"


def test_total_mismatch(router: Any, wb: Any, tmp_path: Path) -> None:
    router.add(url(1), wb.page([wb.item("KOR", 2023, 1.0)], page=1, pages=1, total=3))
    with pytest.raises(DataFormatError, match="total 3") as exc:
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)
    assert exc.value.column == "total"


def test_pages_changing_mid_download(router: Any, wb: Any, tmp_path: Path) -> None:
    router.add(url(1), wb.page([wb.item("KOR", 2023, 1.0)], page=1, pages=2, total=2))
    router.add(url(2), wb.page([wb.item("JPN", 2023, 1.0)], page=2, pages=3, total=3))
    with pytest.raises(DataFormatError) as exc:
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)
    assert exc.value.file == url(2) and exc.value.column == "pages"


def test_no_data_is_a_fetch_error(router: Any, wb: Any, tmp_path: Path) -> None:
    router.add(url(1), wb.page(None, page=1, pages=0, total=0))
    with pytest.raises(FetchError, match="no country observations") as exc:
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)
    assert url(1) in str(exc.value)


def test_duplicate_observation(router: Any, wb: Any, tmp_path: Path) -> None:
    items = [wb.item("KOR", 2023, 1.0), wb.item("KOR", 2023, 2.0)]
    router.add(url(1), wb.page(items, page=1, pages=1, total=2))
    with pytest.raises(DataFormatError, match=r"item \[1\]: duplicate"):
        fetch_worldbank(CODE, "gdp_current_usd", per_page=4, client=router.client(),
                        cache=tmp_path)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("KOR", True), ("USA", True), ("XKX", True), ("CHI", True), ("kor", True),
     ("EAS", False), ("WLD", False), ("HIC", False), ("EUU", False), ("", False),
     ("1W", False)],
)
def test_is_country(code: str, expected: bool) -> None:
    assert is_country(code) is expected


def test_real_server_paging(local_server: Any, wb: Any, tmp_path: Path) -> None:
    """Two pages over a real socket with the default client."""
    base = f"{local_server.base}/v2"
    pages = {
        1: [wb.item("KOR", 2023, 1.5, "Korea, Rep."), wb.item("WLD", 2023, 9.0, "World")],
        2: [wb.item("USA", 2023, 2.5, "United States")],
    }
    for p, items in pages.items():
        path = worldbank_url(CODE, page=p, per_page=2, base_url=base)[len(local_server.base):]
        header = {"page": p, "pages": 2, "per_page": "2", "total": 3, "sourceid": "2",
                  "lastupdated": "2026-04-08"}
        local_server.add_json(path, [header, items])
    live = fetch_worldbank(CODE, "gdp_current_usd", per_page=2, cache=tmp_path, base_url=base)
    df = read_csv_checked(live.path, WB_COLUMNS, numeric=["value"])
    assert df["iso3"].tolist() == ["KOR", "USA"]
    assert len(local_server.hits) == 2
    sidecar = json.loads(live.path.with_name(live.path.name + ".live.json").read_text())
    assert sidecar["vintage"] == "2026-04-08" and sidecar["dropped_aggregates"] == ["WLD"]
