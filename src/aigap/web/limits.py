"""What bounds one client's hold on the server: HTTP timeouts and sizes, in-flight requests.

* :class:`BoundedH11Protocol`: uvicorn's h11 protocol with a deadline for a request's line and
  headers (408 and close past it); uvicorn itself holds a connection whose headers never end.
* :class:`LimitsMiddleware`: request bodies at most ``max_body`` bytes (413) read within
  ``body_timeout`` seconds (408), and at most ``max_inflight`` requests at once (429 with
  Retry-After) so that a flood queues nowhere.
* :func:`uvicorn_config`: the uvicorn settings (keep-alive, header size, connection cap) that
  ``aigap serve`` and the test server share.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    """The server's limits (the README's "Limits of `aigap serve`" table lists them)."""

    header_timeout: float = 10.0  # s for the request line and headers
    body_timeout: float = 10.0  # s for the whole request body
    keep_alive: int = 5  # s an idle keep-alive connection stays open
    max_header_bytes: int = 16 * 1024  # request line + headers (uvicorn: 400 beyond)
    max_body: int = 1024 * 1024  # bytes of a request body (413 beyond)
    max_inflight: int = 64  # requests being answered at once (429 beyond)
    max_connections: int = 1000  # uvicorn's limit_concurrency (its 503 beyond: a last resort)
    retry_after: int = 1  # s, the Retry-After of the in-flight limit's 429


LIMITS = Limits()


def _plain(status: int, reason: str, text: str) -> bytes:
    body = text.encode()
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n").encode() + body


class BoundedH11Protocol(H11Protocol):
    """h11 with a header deadline and size: a connection that has not sent a complete request
    line and headers within ``header_timeout`` seconds (of opening, or of its last response)
    gets a 408, one whose headers pass ``max_header_bytes`` a 431; both are closed. (uvicorn's
    ``h11_max_incomplete_event_size`` alone lets through any headers that arrive at once.)"""

    header_timeout: float = LIMITS.header_timeout
    max_header_bytes: int = LIMITS.max_header_bytes

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes, self._head_tail = 0, b""
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # still reading a request line and headers
            buf = self._head_tail + data
            end = buf.find(b"\r\n\r\n")
            seen = self._head_bytes + (len(data) if end < 0 else end - len(self._head_tail))
            if seen > self.max_header_bytes:
                self._cancel_header_timer()
                self.transport.write(_plain(431, "Request Header Fields Too Large",
                                            f"request headers larger than "
                                            f"{self.max_header_bytes:,} bytes"))
                self.transport.close()
                return
            self._head_bytes, self._head_tail = (seen, buf[-3:]) if end < 0 else (0, b"")
        super().data_received(data)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_deadline)

    def _cancel_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
        self._header_timer = None

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # a request's headers are complete
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()  # the next request on this connection has a deadline too

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _header_deadline(self) -> None:
        self._header_timer = None
        busy = self.cycle is not None and not self.cycle.response_complete
        if self.transport.is_closing() or busy or self.conn.their_state is not h11.IDLE:
            return
        self.transport.write(_plain(408, "Request Timeout",
                                    f"request headers not complete within "
                                    f"{self.header_timeout:g} s"))
        self.transport.close()


async def _send_json(send: Send, status: int, message: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class LimitsMiddleware:
    """Body size and time limits and an in-flight request cap, as a pure ASGI middleware.

    A request with a body is read in full here (it is at most ``max_body`` bytes) and replayed
    to the app, so the app never waits on a slow client.
    """

    def __init__(self, app: ASGIApp, limits: Limits = LIMITS) -> None:
        self.app, self.limits = app, limits
        self.inflight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lim = self.limits
        if self.inflight >= lim.max_inflight:
            await _send_json(send, 429, f"the server is answering {lim.max_inflight} requests "
                             "already; try again shortly",
                             [(b"retry-after", str(lim.retry_after).encode())])
            return
        self.inflight += 1
        try:
            replay = await self._read_body(scope, receive, send)
            if replay is not None:
                await self.app(scope, replay, send)
        finally:
            self.inflight -= 1

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """A receive that replays the checked body, or None once an error was answered."""
        lim = self.limits
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _send_json(send, 400, "Content-Length is not a number")
                return None
            if size > lim.max_body:
                await _send_json(send, 413, f"request body of {size:,} bytes is larger than "
                                 f"the limit of {lim.max_body:,}")
                return None
        if scope.get("method") in ("GET", "HEAD", "OPTIONS") and declared is None:
            return receive
        chunks: list[bytes] = []
        total = 0
        try:
            async with asyncio.timeout(lim.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    total += len(chunk)
                    if total > lim.max_body:
                        await _send_json(send, 413, f"request body larger than the limit of "
                                         f"{lim.max_body:,} bytes")
                        return None
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await _send_json(send, 408, f"request body not received within "
                             f"{lim.body_timeout:g} s")
            return None
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # the app waits for a disconnect: pass it on
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay


def uvicorn_settings(limits: Limits = LIMITS) -> dict[str, Any]:
    """uvicorn's keyword arguments for the server's limits (``aigap serve`` and tests)."""
    protocol = BoundedH11Protocol
    if (limits.header_timeout, limits.max_header_bytes) != (protocol.header_timeout,
                                                            protocol.max_header_bytes):
        protocol = type("BoundedH11Protocol", (BoundedH11Protocol,),
                        {"header_timeout": limits.header_timeout,
                         "max_header_bytes": limits.max_header_bytes})
    return {"http": protocol, "timeout_keep_alive": limits.keep_alive,
            "h11_max_incomplete_event_size": limits.max_header_bytes,
            "limit_concurrency": limits.max_connections}


def uvicorn_config(app: Any, host: str, port: int, limits: Limits = LIMITS,
                   **kwargs: Any) -> Any:
    """uvicorn's Config for ``app`` with the server's limits."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, **uvicorn_settings(limits), **kwargs)
