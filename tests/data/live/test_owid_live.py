"""OWID grapher connector: CSV + metadata -> a mirror-shaped file with vintage and unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from aigap.data.live.owid import fetch_owid, owid_urls
from aigap.data.sources.base import read_csv_checked
from aigap.errors import DataFormatError, FetchError

FIXTURES = Path(__file__).parent / "fixtures" / "owid"
MIRROR_OWID = Path(__file__).resolve().parents[4] / "shared" / "data" / "raw" / "owid_cset_ai"
SLUG = "private-investment-in-artificial-intelligence-cset"
COLUMN = "Estimated investment - Field: All"
CSV_URL, META_URL = owid_urls(SLUG)
REL = f"raw/owid_cset_ai/{SLUG}.csv"


def _csv() -> bytes:
    return (FIXTURES / f"{SLUG}.csv").read_bytes()


def _meta() -> dict[str, Any]:
    return json.loads((FIXTURES / f"{SLUG}.metadata.json").read_text())


def _serve(router: Any, csv: bytes | None = None, meta: Any = None) -> None:
    router.add(CSV_URL, httpx.Response(200, content=_csv() if csv is None else csv))
    body = json.dumps(_meta() if meta is None else meta).encode()
    router.add(META_URL, httpx.Response(200, content=body))


def test_urls_follow_the_documented_pattern() -> None:
    csv_url, meta_url = owid_urls(SLUG)
    assert csv_url == (f"https://ourworldindata.org/grapher/{SLUG}.csv"
                       "?v=1&csvType=full&useColumnShortNames=false")
    assert meta_url == f"https://ourworldindata.org/grapher/{SLUG}.metadata.json"


def test_happy_path_records_vintage_unit_and_writes_mirror_layout(
    router: Any, tmp_path: Path
) -> None:
    _serve(router)
    live = fetch_owid(SLUG, client=router.client(), cache=tmp_path, value_column=COLUMN,
                      relpath=REL)
    assert live.path == tmp_path / "live" / REL
    assert live.vintage == "2024-11-18"  # the column's lastUpdated, not the download date
    assert live.unit == "constant 2021 US$"
    assert live.metadata["chart"]["title"].startswith("Annual private investment")
    assert live.metadata["dateDownloaded"] == "2026-05-02"
    assert live.url == CSV_URL and META_URL in live.urls
    assert not live.from_cache
    assert live.path.read_bytes() == _csv()  # verbatim, so the mirror parser reads it as is

    df = read_csv_checked(live.path, ["Entity", "Code", "Year", COLUMN], numeric=[COLUMN])
    assert list(df.columns[:4]) == ["Entity", "Code", "Year", COLUMN]
    kor = df[(df["Code"] == "KOR") & (df["Year"] == "2023")]
    assert kor[COLUMN].tolist() == [1.45e9]

    sidecar = json.loads(live.path.with_name(live.path.name + ".live.json").read_text())
    assert sidecar["vintage"] == "2024-11-18" and sidecar["value_column"] == COLUMN
    saved_meta = json.loads(live.path.with_name(f"{SLUG}.metadata.json").read_text())
    assert saved_meta["columns"][COLUMN]["unit"] == "constant 2021 US$"


@pytest.mark.skipif(not MIRROR_OWID.is_dir(), reason="local mirror not present")
def test_fixture_header_matches_the_local_mirror() -> None:
    mirror_header = (MIRROR_OWID / f"{SLUG}.csv").read_text().splitlines()[0]
    assert _csv().decode().splitlines()[0] == mirror_header


def test_second_call_is_served_from_cache(router: Any, tmp_path: Path) -> None:
    _serve(router)
    client = router.client()
    fetch_owid(SLUG, client=client, cache=tmp_path)
    again = fetch_owid(SLUG, client=client, cache=tmp_path)
    assert router.count() == 2  # metadata + CSV, once
    assert again.from_cache and again.vintage == "2024-11-18"


def test_refresh_downloads_again(router: Any, tmp_path: Path) -> None:
    _serve(router)
    client = router.client()
    fetch_owid(SLUG, client=client, cache=tmp_path)
    meta = _meta()
    meta["columns"][COLUMN]["lastUpdated"] = "2025-12-01"
    _serve(router, meta=meta)
    again = fetch_owid(SLUG, client=client, cache=tmp_path, refresh=True)
    assert router.count() == 4
    assert not again.from_cache and again.vintage == "2025-12-01"


def test_vintage_falls_back_to_date_downloaded(router: Any, tmp_path: Path) -> None:
    meta = _meta()
    del meta["columns"][COLUMN]["lastUpdated"]
    _serve(router, meta=meta)
    assert fetch_owid(SLUG, client=router.client(), cache=tmp_path).vintage == "2026-05-02"


def test_truncated_csv_is_a_format_error_and_not_cached(router: Any, tmp_path: Path) -> None:
    cut = _csv()[: _csv().index(b"South Korea,KOR,2023") + len(b"South Korea,KOR")]
    _serve(router, csv=cut)
    client = router.client()
    with pytest.raises(DataFormatError) as exc:
        fetch_owid(SLUG, client=client, cache=tmp_path)
    assert exc.value.file == CSV_URL
    assert exc.value.row == 5 and "truncated" in str(exc.value)
    assert not (tmp_path / "live").exists()  # nothing half-written for the parser to read
    _serve(router)
    fetch_owid(SLUG, client=client, cache=tmp_path)  # the bad body was evicted
    assert router.count(CSV_URL) == 2


def test_missing_columns(router: Any, tmp_path: Path) -> None:
    _serve(router, csv=b"Entity,Code,Value\nChina,CHN,1\n")
    with pytest.raises(DataFormatError) as exc:
        fetch_owid(SLUG, client=router.client(), cache=tmp_path)
    assert exc.value.column == "Year" and exc.value.file == CSV_URL


def test_renamed_value_column(router: Any, tmp_path: Path) -> None:
    _serve(router, csv=b"Entity,Code,Year,Investment\nChina,CHN,2023,1\n")
    with pytest.raises(DataFormatError) as exc:
        fetch_owid(SLUG, client=router.client(), cache=tmp_path, value_column=COLUMN)
    assert exc.value.column == COLUMN


def test_non_numeric_value(router: Any, tmp_path: Path) -> None:
    _serve(router, csv=f"Entity,Code,Year,{COLUMN}\nChina,CHN,2023,1\nChina,CHN,2024,n/a\n"
           .encode())
    with pytest.raises(DataFormatError) as exc:
        fetch_owid(SLUG, client=router.client(), cache=tmp_path)
    assert (exc.value.row, exc.value.column) == (3, COLUMN)


def test_header_only_csv(router: Any, tmp_path: Path) -> None:
    _serve(router, csv=f"Entity,Code,Year,{COLUMN}\n".encode())
    with pytest.raises(DataFormatError, match="no data rows"):
        fetch_owid(SLUG, client=router.client(), cache=tmp_path)


def test_malformed_metadata_json(router: Any, tmp_path: Path) -> None:
    router.add(CSV_URL, httpx.Response(200, content=_csv()))
    router.add(META_URL, httpx.Response(200, content=b'{"chart": {"title": '))
    with pytest.raises(DataFormatError, match="not valid JSON") as exc:
        fetch_owid(SLUG, client=router.client(), cache=tmp_path)
    assert exc.value.file == META_URL


def test_metadata_without_the_csv_column(router: Any, tmp_path: Path) -> None:
    meta = _meta()
    entry = meta["columns"].pop(COLUMN)
    meta["columns"] = {"Other A": entry, "Other B": entry}
    _serve(router, meta=meta)
    with pytest.raises(DataFormatError) as exc:
        fetch_owid(SLUG, client=router.client(), cache=tmp_path)
    assert exc.value.file == META_URL and COLUMN in str(exc.value)


def test_withdrawn_chart_404(router: Any, tmp_path: Path) -> None:
    slug = "artificial-intelligence-patents-submitted-per-million"
    _, meta_url = owid_urls(slug)
    router.add(meta_url, httpx.Response(404))
    with pytest.raises(FetchError, match="404") as exc:
        fetch_owid(slug, client=router.client(), cache=tmp_path)
    assert meta_url in str(exc.value)
    assert router.count() == 1


def test_invalid_slug_is_rejected_before_any_request(router: Any, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="slug"):
        fetch_owid("../etc/passwd", client=router.client(), cache=tmp_path)
    assert router.count() == 0


def test_real_server_end_to_end(local_server: Any, tmp_path: Path) -> None:
    """No mocks: a real socket, the default httpx client, the real cache."""
    local_server.add(f"/grapher/{SLUG}.csv?v=1&csvType=full&useColumnShortNames=false", _csv(),
                     Content_Type="text/csv")
    local_server.add_json(f"/grapher/{SLUG}.metadata.json", _meta())
    base = f"{local_server.base}/grapher"
    live = fetch_owid(SLUG, cache=tmp_path, base_url=base, value_column=COLUMN, relpath=REL)
    again = fetch_owid(SLUG, cache=tmp_path, base_url=base, value_column=COLUMN, relpath=REL)
    assert len(local_server.hits) == 2 and again.from_cache
    assert (live.vintage, live.unit) == ("2024-11-18", "constant 2021 US$")
    df = read_csv_checked(live.path, ["Entity", "Code", "Year", COLUMN], numeric=[COLUMN])
    assert sorted(df["Code"].unique()) == ["CHN", "KOR", "OWID_WRL", "USA"]
