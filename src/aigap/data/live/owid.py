"""Our World in Data grapher charts: ``<slug>.csv`` plus ``<slug>.metadata.json``.

The CSV (``csvType=full&useColumnShortNames=false``) has the columns
``Entity,Code,Year,<value column title>``, the same layout as the mirror files under
``raw/owid_cset_ai/``, so it is written verbatim and read by the same parser. The metadata JSON
holds ``chart`` (title, citation, ...), ``columns`` keyed by the CSV column title (``unit``,
``shortUnit``, ``lastUpdated``, ``nextUpdate``, ``citationLong``, ...) and ``dateDownloaded``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import httpx

from aigap.data.live.http import (
    CachedHttp,
    LiveFile,
    atomic_write_bytes,
    atomic_write_json,
    live_root,
    resolve_http,
)
from aigap.errors import DataFormatError, FetchError

OWID_GRAPHER = "https://ourworldindata.org/grapher"
ID_COLUMNS = ("Entity", "Code", "Year")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def owid_urls(slug: str, base_url: str = OWID_GRAPHER) -> tuple[str, str]:
    """The (CSV, metadata JSON) URLs of a grapher chart."""
    base = base_url.rstrip("/")
    return (
        f"{base}/{slug}.csv?v=1&csvType=full&useColumnShortNames=false",
        f"{base}/{slug}.metadata.json",
    )


def fetch_owid(
    slug: str,
    *,
    client: httpx.Client | CachedHttp | None = None,
    cache: Path | None = None,
    refresh: bool = False,
    value_column: str | None = None,
    relpath: str | None = None,
    base_url: str = OWID_GRAPHER,
) -> LiveFile:
    """Download (or reuse) one grapher chart and write it as ``<cache>/live/<relpath>``.

    ``value_column`` names the expected value column (default: the single non-id column).
    ``relpath`` is the mirror path the file stands in for (default ``raw/owid/<slug>.csv``).
    The vintage is the column's ``lastUpdated``, else the metadata's ``dateDownloaded``.
    """
    if not _SLUG.match(slug):
        raise FetchError(f"invalid Our World in Data chart slug {slug!r}")
    csv_url, meta_url = owid_urls(slug, base_url)
    http, owned = resolve_http(client, cache)
    try:
        meta_resp = http.get(meta_url, refresh=refresh)
        csv_resp = http.get(csv_url, refresh=refresh)
        try:
            metadata = _load_metadata(meta_resp.read_bytes(), meta_url)
            data = csv_resp.read_bytes()
            column = check_owid_csv(data, csv_url, value_column)
            col_meta = _column_metadata(metadata, column, meta_url)
        except DataFormatError:
            # A bad payload must not stick in the cache and fail every later run.
            http.evict(meta_url)
            http.evict(csv_url)
            raise
    finally:
        if owned:
            http.close()

    unit = _first_str(col_meta, "unit", "shortUnit")
    vintage = (
        _first_str(col_meta, "lastUpdated")
        or _first_str(metadata, "dateDownloaded")
        or csv_resp.fetched_at[:10]
    )
    rel = relpath or f"raw/owid/{slug}.csv"
    out = live_root(cache) / rel
    atomic_write_bytes(out, data)
    atomic_write_json(out.with_name(f"{slug}.metadata.json"), metadata)
    fetched_at = min(meta_resp.fetched_at, csv_resp.fetched_at)
    live = LiveFile(
        path=out,
        url=csv_url,
        vintage=vintage,
        fetched_at=fetched_at,
        from_cache=meta_resp.from_cache and csv_resp.from_cache,
        metadata=metadata,
        unit=unit,
        urls=(csv_url, meta_url),
    )
    atomic_write_json(
        out.with_name(out.name + ".live.json"),
        {
            "relpath": rel,
            "url": csv_url,
            "metadata_url": meta_url,
            "vintage": vintage,
            "unit": unit,
            "value_column": column,
            "fetched_at": fetched_at,
        },
    )
    return live


def check_owid_csv(data: bytes, url: str, value_column: str | None = None) -> str:
    """Check a grapher CSV and return its value column; raise DataFormatError naming the place.

    Catches what a cut-off download or a changed chart looks like: missing columns, rows with
    the wrong number of fields, non-integer years, non-numeric values, no data rows.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFormatError(url, f"not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise DataFormatError(url, "empty response")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise DataFormatError(url, f"malformed CSV header: {exc}", row=1) from None
    missing = [c for c in ID_COLUMNS if c not in header]
    if missing:
        raise DataFormatError(
            url, f"missing column(s) {missing}; found {header}", row=1, column=missing[0]
        )
    extra = [c for c in header if c not in ID_COLUMNS]
    if value_column is None:
        if len(extra) != 1:
            raise DataFormatError(url, f"expected one value column besides {list(ID_COLUMNS)}; "
                                  f"found {extra}", row=1)
        value_column = extra[0]
    elif value_column not in header:
        raise DataFormatError(
            url, f"missing value column; found {header}", row=1, column=value_column
        )
    i_year, i_value = header.index("Year"), header.index(value_column)
    rows = 0
    try:
        for fields in reader:
            line = reader.line_num
            if not fields:
                continue
            if len(fields) != len(header):
                raise DataFormatError(
                    url, f"{len(fields)} field(s) where the header has {len(header)} "
                    "(truncated download?)", row=line,
                )
            year = fields[i_year].strip()
            if not re.fullmatch(r"-?\d+", year):
                raise DataFormatError(url, f"year {year!r} is not an integer",
                                      row=line, column="Year")
            value = fields[i_value].strip()
            if value and not _is_number(value):
                raise DataFormatError(url, f"non-numeric value {value!r}",
                                      row=line, column=value_column)
            rows += 1
    except csv.Error as exc:
        raise DataFormatError(url, f"malformed CSV: {exc}", row=reader.line_num) from None
    if rows == 0:
        raise DataFormatError(url, "header but no data rows")
    return value_column


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _load_metadata(data: bytes, url: str) -> dict[str, Any]:
    try:
        meta = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataFormatError(url, f"not valid JSON: {exc}") from None
    if not isinstance(meta, dict):
        raise DataFormatError(url, f"expected a JSON object, got {type(meta).__name__}")
    if not isinstance(meta.get("columns"), dict) or not meta["columns"]:
        raise DataFormatError(url, "missing or empty 'columns' object", column="columns")
    return meta


def _column_metadata(meta: dict[str, Any], column: str, url: str) -> dict[str, Any]:
    """The ``columns`` entry describing the CSV's value column."""
    cols: dict[str, Any] = meta["columns"]
    entry = cols.get(column)
    if entry is None and len(cols) == 1:
        # Titles can differ by whitespace or a renamed chart; one column is unambiguous.
        entry = next(iter(cols.values()))
    if not isinstance(entry, dict):
        raise DataFormatError(
            url, f"no metadata for CSV column {column!r}; 'columns' has {list(cols)}",
            column=f"columns.{column}",
        )
    return entry


def _first_str(obj: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
