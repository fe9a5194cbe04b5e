"""Resolve datasets to live downloads for ``aigap data pull --live``.

Files with a public API (OWID grapher charts, World Bank API v2) are fetched into the cache;
the others have no live source and are read from the mirror when there is one. A live fetch
that fails falls back to the mirror copy, with a warning, so one withdrawn chart does not stop
a pull.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from aigap import config
from aigap.data.live import LIVE_SOURCES, CachedHttp, mirror_only_reason
from aigap.data.sources.base import Dataset
from aigap.data.warehouse import ResolvedFile
from aigap.errors import ConfigError, FetchError


def live_resolver(
    *,
    data_dir: Path | None = None,
    refresh: bool = False,
    client: httpx.Client | None = None,
    cache: Path | None = None,
) -> Callable[[Dataset], ResolvedFile | str]:
    mirror: Path | None
    try:
        mirror = Path(data_dir) if data_dir else config.data_dir()
    except ConfigError:
        mirror = None
    http = CachedHttp(cache, client=client, sleep=lambda _s: None) if client is not None \
        else CachedHttp(cache)

    def resolve(ds: Dataset) -> ResolvedFile | str:
        fetch = LIVE_SOURCES.get(ds.relpath)
        fallback = mirror / ds.relpath if mirror is not None else None
        if fetch is not None:
            try:
                lf = fetch(client=http, cache=cache, refresh=refresh)
            except FetchError as exc:
                if fallback is not None and fallback.exists():
                    return ResolvedFile(fallback, warning=f"live fetch failed ({exc}); "
                                        "used the mirror copy")
                return f"live fetch failed: {exc}"
            return ResolvedFile(lf.path, origin="live", vintage=lf.vintage, url=lf.url)
        if fallback is not None and fallback.exists():
            return ResolvedFile(fallback)
        return f"{mirror_only_reason(ds.relpath)}; no mirror copy"

    return resolve
