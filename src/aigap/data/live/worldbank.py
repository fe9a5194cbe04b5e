"""World Bank Indicators API v2 (JSON), written as the mirror's per-indicator CSV.

A page is ``[header, rows]`` with ``header = {"page", "pages", "per_page", "total", "sourceid",
"lastupdated"}`` and rows like ``{"indicator": {"id", "value"}, "country": {"id", "value"},
"countryiso3code", "date", "value", ...}``. Errors come back with HTTP 200 as
``[{"message": [{"id", "key", "value"}]}]``.

Countries vs aggregates: the API mixes countries with regions and income groups ("EAS", "HIC",
"WLD", ...). A code is kept iff pycountry knows it as ISO 3166-1 alpha-3, or it is one of the
World Bank's own economy codes in :data:`WB_NON_ISO_ECONOMIES` (Kosovo ``XKX`` and the Channel
Islands ``CHI``), which the local mirror also keeps. Everything dropped is listed in
``LiveFile.metadata["dropped_aggregates"]``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pycountry

from aigap.data.live.http import (
    CachedHttp,
    CachedResponse,
    LiveFile,
    atomic_write_bytes,
    atomic_write_json,
    live_root,
    resolve_http,
)
from aigap.errors import DataFormatError, FetchError

WB_API = "https://api.worldbank.org/v2"
WB_COLUMNS = ["iso3", "year", "country_name", "value", "wb_indicator", "canonical_name"]
# World Bank economies without an ISO 3166-1 code; kept because they are countries (not
# aggregates) and the mirror files hold them.
WB_NON_ISO_ECONOMIES = {"XKX": "Kosovo", "CHI": "Channel Islands"}


class WorldBankApiError(FetchError):
    """The API answered (HTTP 200) with an error message instead of data."""


def is_country(iso3: str) -> bool:
    """True for a country/economy code, False for an aggregate or a blank."""
    code = iso3.strip().upper()
    if len(code) != 3:
        return False
    return code in WB_NON_ISO_ECONOMIES or pycountry.countries.get(alpha_3=code) is not None


def worldbank_url(
    code: str,
    *,
    page: int,
    per_page: int = 1000,
    date_range: tuple[int, int] = (2018, 2025),
    source: int | None = 2,
    base_url: str = WB_API,
) -> str:
    """The URL of one page (built by hand so the cache key is stable)."""
    url = (
        f"{base_url.rstrip('/')}/country/all/indicator/{code}?format=json"
        f"&per_page={per_page}&date={date_range[0]}:{date_range[1]}&page={page}"
    )
    return url + (f"&source={source}" if source is not None else "")


def fetch_worldbank(
    code: str,
    canonical_name: str,
    *,
    date_range: tuple[int, int] = (2018, 2025),
    per_page: int = 1000,
    source: int | None = 2,
    client: httpx.Client | CachedHttp | None = None,
    cache: Path | None = None,
    refresh: bool = False,
    relpath: str | None = None,
    base_url: str = WB_API,
) -> LiveFile:
    """Download every page of one indicator and write ``<cache>/live/<relpath>``.

    ``relpath`` defaults to ``raw/world_bank_wdi/<canonical_name>.csv`` (the mirror's name).
    The CSV has exactly :data:`WB_COLUMNS`; rows with a null value and aggregates are left out.
    The vintage is the API's ``lastupdated``.
    """
    if per_page < 1:
        raise FetchError(f"per_page must be positive, got {per_page}")
    if date_range[0] > date_range[1]:
        raise FetchError(f"empty date range {date_range[0]}:{date_range[1]}")
    http, owned = resolve_http(client, cache)
    responses: list[CachedResponse] = []
    try:
        try:
            rows, meta = _fetch_pages(
                http, responses, code, canonical_name,
                page_url=lambda p: worldbank_url(
                    code, page=p, per_page=per_page, date_range=date_range,
                    source=source, base_url=base_url,
                ),
                refresh=refresh,
            )
        except DataFormatError:
            # A malformed page must not stick in the cache (and pages must agree, so drop all).
            for resp in responses:
                http.evict(resp.url)
            raise
        except WorldBankApiError:
            http.evict(responses[-1].url)  # an error answer is not data; ask again next time
            raise
    finally:
        if owned:
            http.close()

    first_url = responses[0].url
    if not rows:
        raise FetchError(
            f"World Bank returned no country observations for {code} in "
            f"{date_range[0]}:{date_range[1]} ({first_url})"
        )
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(WB_COLUMNS)
    writer.writerows(rows)
    rel = relpath or f"raw/world_bank_wdi/{canonical_name}.csv"
    out = live_root(cache) / rel
    atomic_write_bytes(out, buf.getvalue().encode("utf-8"))
    fetched_at = min(r.fetched_at for r in responses)
    meta.update(date_range=f"{date_range[0]}:{date_range[1]}", per_page=per_page, source=source)
    live = LiveFile(
        path=out,
        url=first_url,
        vintage=str(meta["lastupdated"]),
        fetched_at=fetched_at,
        from_cache=all(r.from_cache for r in responses),
        metadata=meta,
        unit=meta.get("unit") or None,
        urls=tuple(r.url for r in responses),
    )
    atomic_write_json(
        out.with_name(out.name + ".live.json"),
        {"relpath": rel, "url": first_url, "vintage": live.vintage,
         "fetched_at": fetched_at, **meta},
    )
    return live


def _fetch_pages(
    http: CachedHttp,
    responses: list[CachedResponse],
    code: str,
    canonical_name: str,
    *,
    page_url: Callable[[int], str],
    refresh: bool,
) -> tuple[list[list[str]], dict[str, Any]]:
    """Follow all pages; return the CSV rows and a summary of the headers."""
    rows: list[list[str]] = []
    seen: set[tuple[str, int]] = set()
    dropped: set[str] = set()
    items = 0
    page, pages = 1, 1
    header: dict[str, Any] = {}
    first: dict[str, Any] = {}
    indicator_name = unit = ""
    while page <= pages:
        url = page_url(page)
        resp = http.get(url, refresh=refresh)
        responses.append(resp)
        header, page_rows = parse_page(resp.read_bytes(), url)
        if page == 1:
            first, pages = header, header["pages"]
        elif header["pages"] != pages:
            raise DataFormatError(
                url, f"'pages' is {header['pages']} here but {pages} on page 1 "
                "(data changed during download? retry with refresh)", column="pages",
            )
        for i, item in enumerate(page_rows):
            obs = parse_item(item, url, i, code)
            items += 1
            if not indicator_name:
                indicator_name, unit = obs["indicator_name"], obs["unit"]
            if not is_country(obs["iso3"]):
                dropped.add(obs["iso3"] or obs["country_id"] or "<blank>")
                continue
            if obs["value"] is None:
                continue
            key = (obs["iso3"], obs["year"])
            if key in seen:
                raise DataFormatError(url, f"item [{i}]: duplicate observation {key}")
            seen.add(key)
            rows.append([obs["iso3"], str(obs["year"]), obs["country_name"], obs["value"],
                         code, canonical_name])
        page += 1
    if items != first["total"]:
        raise DataFormatError(
            responses[0].url,
            f"header says total {first['total']} but the {pages} page(s) held {items} items",
            column="total",
        )
    meta: dict[str, Any] = {
        "source_name": "World Bank API v2",
        "indicator": code,
        "indicator_name": indicator_name,
        "unit": unit,
        "lastupdated": first["lastupdated"],
        "sourceid": first.get("sourceid"),
        "total": first["total"],
        "pages": pages,
        "rows": len(rows),
        "dropped_aggregates": sorted(dropped),
    }
    return rows, meta


def parse_page(data: bytes, url: str) -> tuple[dict[str, Any], list[Any]]:
    """Split one page into (header, rows); raise FetchError for an API error message."""
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataFormatError(url, f"not valid JSON: {exc}") from None
    if (
        isinstance(payload, list)
        and payload
        and isinstance(payload[0], dict)
        and "message" in payload[0]
    ):
        raise WorldBankApiError(
            f"World Bank API error for {url}: {_messages(payload[0]['message'])}"
        )
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], dict)):
        shape = type(payload).__name__
        if isinstance(payload, list):
            shape += f" of {len(payload)}"
        raise DataFormatError(url, f"expected a JSON array [header, rows], got a {shape}")
    head, rows = payload
    header: dict[str, Any] = dict(head)
    for key in ("page", "pages", "total"):
        header[key] = _int_field(head, key, url)
    last = head.get("lastupdated")
    if not isinstance(last, str) or not last.strip():
        raise DataFormatError(url, "header lacks 'lastupdated'", column="lastupdated")
    if rows is None:  # the API sends null when a page (or the whole query) has no data
        rows = []
    if not isinstance(rows, list):
        raise DataFormatError(url, f"rows are a {type(rows).__name__}, not an array", column="1")
    return header, rows


def parse_item(item: Any, url: str, index: int, code: str) -> dict[str, Any]:
    """Check one observation; errors name the URL and the item's index in the rows array."""
    where = f"item [{index}]"
    if not isinstance(item, dict):
        raise DataFormatError(url, f"{where}: expected an object, got {type(item).__name__}")
    indicator = item.get("indicator")
    country = item.get("country")
    if not isinstance(indicator, dict) or not isinstance(country, dict):
        raise DataFormatError(url, f"{where}: missing 'indicator' or 'country' object")
    ind_id = indicator.get("id")
    if not isinstance(ind_id, str) or ind_id.upper() != code.upper():
        raise DataFormatError(url, f"{where}: indicator {ind_id!r}, expected {code!r}",
                              column="indicator.id")
    iso3 = item.get("countryiso3code")
    if iso3 is None:
        iso3 = ""
    if not isinstance(iso3, str):
        raise DataFormatError(url, f"{where}: countryiso3code {iso3!r} is not a string",
                              column="countryiso3code")
    date = item.get("date")
    try:
        year = int(str(date).strip())
    except ValueError:
        raise DataFormatError(url, f"{where}: date {date!r} is not a year",
                              column="date") from None
    value = item.get("value")
    if value is not None:
        # bool is an int subclass; a true/false here is not a measurement.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DataFormatError(url, f"{where}: value {value!r} is not numeric", column="value")
        if not math.isfinite(value):
            raise DataFormatError(url, f"{where}: value {value!r} is not finite", column="value")
    name = country.get("value")
    return {
        "iso3": iso3.strip().upper(),
        "country_id": str(country.get("id") or ""),
        "country_name": name if isinstance(name, str) else "",
        "year": year,
        "value": None if value is None else repr(value) if isinstance(value, float) else str(value),
        "indicator_name": str(indicator.get("value") or ""),
        "unit": str(item.get("unit") or ""),
    }


def _int_field(head: dict[str, Any], key: str, url: str) -> int:
    value = head.get(key)
    # per_page arrives as a string on some endpoints; accept digit strings for all counts.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DataFormatError(url, f"header lacks an integer {key!r} (got {value!r})", column=key)
    try:
        return int(value)
    except ValueError:
        raise DataFormatError(url, f"header {key!r} is {value!r}, not an integer",
                              column=key) from None


def _messages(raw: Any) -> str:
    if not isinstance(raw, list):
        return str(raw)
    parts = []
    for m in raw:
        if isinstance(m, dict):
            parts.append(f"{m.get('key', '')}: {m.get('value', '')} (id {m.get('id', '?')})")
        else:
            parts.append(str(m))
    return "; ".join(parts) or "no message"
