"""A small cached HTTP GET layer for the live connectors.

Every successful response body is kept on disk under ``<cache>/http/<sha256(url)>.body`` with a
sidecar ``<sha256(url)>.json`` (url, fetched_at, status, etag, last-modified, body sha256). A
cached URL is served without any request until ``refresh=True``; the cache never expires by
itself because a pull must be reproducible (the vintage is what was downloaded, not "now").

Transient failures (connection errors, timeouts, HTTP 429 and 5xx) are retried with exponential
back-off; ``Retry-After`` is honoured. Other 4xx fail at once. Every failure is a
:class:`~aigap.errors.FetchError` naming the URL.

API keys come from environment variables (:func:`api_key_from_env`) and travel as
``secret_params``: sent with the request, never written to the cache or shown in a message.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import os
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from aigap.config import cache_dir
from aigap.errors import ConfigError, FetchError

USER_AGENT = "aigap/0.1 (AI competitiveness gap diagnostics; +python-httpx)"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class HttpStatusError(FetchError):
    """The server answered with an error status (after retries, if it was retryable)."""

    def __init__(self, url: str, status: int, reason: str, attempts: int) -> None:
        self.url = url
        self.status = status
        self.attempts = attempts
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"GET {url} failed{tries}: HTTP {status} {reason}".rstrip())


@dataclass(frozen=True)
class CachedResponse:
    """A response body held on disk."""

    url: str
    path: Path
    status: int
    fetched_at: str  # ISO 8601 UTC of the download (not of this call when served from cache)
    from_cache: bool  # True when no request was made
    etag: str | None = None
    last_modified: str | None = None

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class LiveFile:
    """A live download, written where the mirror parser can read it.

    ``path`` has the same layout as the mirror file it replaces; ``vintage`` is the publisher's
    own date (OWID ``lastUpdated``, World Bank ``lastupdated``), not the download date.
    """

    path: Path
    url: str
    vintage: str
    fetched_at: str
    from_cache: bool
    metadata: dict[str, Any] = field(default_factory=dict)
    unit: str | None = None
    urls: tuple[str, ...] = ()  # every URL read (metadata, all pages)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cache_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The temp file lives in the same directory because ``os.replace`` is only atomic within one
    file system.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode())


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class CachedHttp:
    """GET with an on-disk cache and retries.

    ``client`` may be any :class:`httpx.Client` (tests pass one built on ``httpx.MockTransport``);
    ``sleep`` is injectable so tests can record back-off delays instead of waiting.
    """

    def __init__(
        self,
        cache: Path | None = None,
        *,
        client: httpx.Client | None = None,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.cache = Path(cache) if cache is not None else cache_dir() / "http"
        self._owns_client = client is None
        self.client = client or httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}
        )
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.sleep = sleep

    def __enter__(self) -> CachedHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    # -- cache -------------------------------------------------------------------------------

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = cache_key(url)
        return self.cache / f"{key}.body", self.cache / f"{key}.json"

    def cached(self, url: str) -> CachedResponse | None:
        """The cached response for ``url``, or None if absent or inconsistent."""
        body, side = self._paths(url)
        try:
            info = json.loads(side.read_text("utf-8"))
            data = body.read_bytes()
        except (OSError, ValueError):
            return None
        # The body is written before its sidecar, so a crash between the two (or a stale
        # sidecar) shows up as a checksum mismatch and counts as a miss.
        if (
            not isinstance(info, dict)
            or info.get("url") != url
            or info.get("sha256") != hashlib.sha256(data).hexdigest()
        ):
            return None
        return CachedResponse(
            url=url,
            path=body,
            status=int(info.get("status", 200)),
            fetched_at=str(info.get("fetched_at", "")),
            from_cache=True,
            etag=info.get("etag"),
            last_modified=info.get("last_modified"),
        )

    def evict(self, url: str) -> None:
        """Forget ``url`` (used when a cached payload turns out to be unusable)."""
        for path in self._paths(url):
            path.unlink(missing_ok=True)

    def _store(self, url: str, resp: httpx.Response, data: bytes) -> CachedResponse:
        body, side = self._paths(url)
        fetched_at = utc_now()
        etag = resp.headers.get("etag")
        last_modified = resp.headers.get("last-modified")
        atomic_write_bytes(body, data)
        atomic_write_json(
            side,
            {
                "url": url,
                "fetched_at": fetched_at,
                "status": resp.status_code,
                "etag": etag,
                "last_modified": last_modified,
                "content_type": resp.headers.get("content-type"),
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            },
        )
        return CachedResponse(url, body, resp.status_code, fetched_at, False, etag, last_modified)

    # -- network -----------------------------------------------------------------------------

    def get(
        self, url: str, *, refresh: bool = False, secret_params: Mapping[str, str] | None = None
    ) -> CachedResponse:
        """The body of ``url``: from the cache unless ``refresh``, else downloaded and cached.

        ``secret_params`` (API keys) are added to the query string of the request only: they
        are not part of the cache key, the sidecar or any error message, which all use ``url``.
        """
        hit = self.cached(url)
        if hit is not None and not refresh:
            return hit
        headers: dict[str, str] = {}
        if hit is not None:
            # Refreshing: let the server answer 304 if nothing changed, saving the download.
            if hit.etag:
                headers["If-None-Match"] = hit.etag
            if hit.last_modified:
                headers["If-Modified-Since"] = hit.last_modified
        resp = self._request(url, headers, secret_params)
        if resp.status_code == 304 and hit is not None:
            return self._store(url, resp, hit.read_bytes())
        if resp.status_code == 304:
            raise FetchError(f"GET {url}: unexpected HTTP 304 without a cached copy")
        return self._store(url, resp, resp.content)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return min(self.backoff * 2**attempt, self.max_backoff)

    def _request(
        self, url: str, headers: dict[str, str], secret_params: Mapping[str, str] | None = None
    ) -> httpx.Response:
        attempts = self.max_retries + 1
        target = url
        if secret_params:
            # Appended by hand: httpx's params= would replace the query string, not extend it.
            target += ("&" if "?" in url else "?") + urllib.parse.urlencode(secret_params)
        problem = ""
        status: tuple[int, str] | None = None
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                resp = self.client.get(target, headers=headers, follow_redirects=True)
            except httpx.UnsupportedProtocol as exc:
                raise FetchError(f"GET {url} failed: {exc}") from exc
            except httpx.TimeoutException as exc:
                problem, status = f"timed out ({type(exc).__name__})", None
            except httpx.TransportError as exc:
                problem, status = f"connection error: {exc or type(exc).__name__}", None
            except httpx.HTTPError as exc:  # decoding errors, too many redirects: not transient
                raise FetchError(f"GET {url} failed: {exc}") from exc
            else:
                code = resp.status_code
                if code < 400:
                    return resp
                if code != 429 and code < 500:
                    raise HttpStatusError(url, code, resp.reason_phrase, attempt + 1)
                status = (code, resp.reason_phrase)
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
            if attempt < attempts - 1:
                self.sleep(self._delay(attempt, retry_after))
        if status is not None:
            raise HttpStatusError(url, status[0], status[1], attempts)
        raise FetchError(f"GET {url} failed after {attempts} attempts: {problem}")


def resolve_http(
    client: httpx.Client | CachedHttp | None, cache: Path | None
) -> tuple[CachedHttp, bool]:
    """A :class:`CachedHttp` for a connector call, and whether the caller must close it."""
    if isinstance(client, CachedHttp):
        return client, False
    http_dir = Path(cache) / "http" if cache is not None else None
    return CachedHttp(http_dir, client=client), True


def live_root(cache: Path | None) -> Path:
    """Where live files are written, laid out like the mirror (``<root>/raw/...``)."""
    return (Path(cache) if cache is not None else cache_dir()) / "live"


class MissingKeyError(ConfigError):
    """A connector needs an API key and its environment variable is not set."""


def api_key_from_env(var: str, *, signup_url: str, service: str) -> str:
    """The API key in ``$var``; without one, a :class:`MissingKeyError` saying what to set."""
    key = os.environ.get(var, "").strip()
    if not key:
        raise MissingKeyError(f"set {var} (get a key at {signup_url}) to use {service}")
    return key


def base_url_from_env(var: str, default: str) -> str:
    """``$var`` if set (a proxy, a mirror, a test server), else ``default``; no trailing '/'."""
    raw = os.environ.get(var, "").strip()
    if not raw:
        return default
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL as exc:
        raise ConfigError(f"{var}={raw!r} is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"{var}={raw!r} is not an http:// or https:// URL")
    return raw.rstrip("/")
