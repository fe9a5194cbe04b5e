"""The FastAPI application (:func:`create_app`): JSON API under /api/v1, dashboard pages,
error handlers, limits; :class:`ServerThread` serves it from a background thread.

Each spec's index is built once (at first use) and kept; re-weighting pillars is a weighted
mean of the cached pillar scores, so the pipeline never runs again for a weight change.
"""

from __future__ import annotations

import functools
import gzip
import logging
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from aigap.errors import AigapError
from aigap.web.jobs import JobManager, TooManyJobsError
from aigap.web.limits import LIMITS, Limits, LimitsMiddleware, uvicorn_config
from aigap.web.store import WEB_DIR, IndexStore, InvalidInputError, NotFoundError, SizedLRU

log = logging.getLogger("aigap.web")

MAX_ERROR_CHARS = 1_000  # an error body never echoes more of the request than this
MAX_ECHO_CHARS = 80  # one echoed name (a field, a key) in an error
CACHE_BYTES = 128 * 2**20  # analysis results kept (robustness summaries, tournaments, ...)


def truncate(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """``text`` cut to ``limit`` characters (marked), so no error echoes unbounded input."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _error(status: int, message: str, headers: dict[str, str] | None = None,
           **extra: Any) -> JSONResponse:
    return JSONResponse({"error": truncate(message), **extra}, status_code=status,
                        headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    parts, details = [], []
    for err in exc.errors()[:20]:
        loc = [truncate(str(x), MAX_ECHO_CHARS) for x in err.get("loc", ())
               if x not in ("body", "query", "path")]
        where = ".".join(loc) or "request"
        msg = truncate(str(err.get("msg", "invalid value")).removeprefix("Value error, "),
                       MAX_ECHO_CHARS * 4)
        parts.append(f"{where}: {msg}")
        details.append({"loc": where, "msg": msg})
    return "; ".join(parts) or "invalid request", details


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as JSON ``{"error": ...}``; no traceback ever reaches a client."""

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(InvalidInputError)
    async def _invalid(_: Request, exc: InvalidInputError) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(TooManyJobsError)
    async def _too_many(_: Request, exc: TooManyJobsError) -> JSONResponse:
        return _error(429, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(AigapError)
    async def _aigap(_: Request, exc: AigapError) -> JSONResponse:
        # The analyses' own errors are about the request's values (user-actionable).
        return _error(400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        msg, details = _validation_message(exc)
        return _error(422, msg, detail=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path,
                  exc_info=(type(exc), exc, exc.__traceback__))
        return _error(500, "internal server error")


# --------------------------------------------------------------------------- factory


def plotly_js_path() -> Path:
    """plotly.min.js shipped inside the installed ``plotly`` package (served locally, no CDN)."""
    import plotly

    root = Path(plotly.__file__).resolve().parent
    for cand in (root / "package_data" / "plotly.min.js", *root.rglob("plotly.min.js")):
        if cand.is_file():
            return cand
    raise FileNotFoundError("plotly.min.js not found inside the plotly package")


@functools.lru_cache(maxsize=4)
def _gzipped(path: Path) -> bytes:
    """``path``'s bytes gzip-compressed, once per process (4.8 MB of Plotly -> ~1.4 MB)."""
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


class CachedStatic(StaticFiles):
    """Static files with a cache lifetime: browsers revalidate (ETag) only after an hour."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        resp = super().file_response(*args, **kwargs)
        resp.headers.setdefault("Cache-Control", "public, max-age=3600")
        return resp


def create_app(db_path: str | Path | None = None, *, results: Mapping[str, Any] | None = None,
               cors_origins: list[str] | None = None, jobs: JobManager | None = None,
               limits: Limits = LIMITS) -> FastAPI:
    """The aigap web application.

    ``db_path``: warehouse file (default: ``$AIGAP_DB`` or ``$AIGAP_HOME/warehouse.duckdb``).
    ``results``: pre-built IndexResults by spec name (tests, benchmarks). ``cors_origins``:
    allowed origins; CORS stays off unless given. ``jobs``: the job manager (its limits);
    ``limits``: body size/time and in-flight limits.
    """
    from fastapi.responses import FileResponse

    from aigap.web.routes import api_router, pages

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.jobs.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="aigap API",
        version="1",
        description="South Korea's AI competitiveness gap: index scores, re-weighting, gaps, "
                    "trends, robustness and the sovereign-AI tournament simulation.",
    )
    app.state.store = IndexStore(Path(db_path) if db_path else None, results)
    app.state.jobs = jobs or JobManager()
    app.state.cache = SizedLRU(CACHE_BYTES)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["*"],
                           allow_headers=["*"])
    # level 6: most of the ratio of level 9 at a fraction of its CPU; plotly.min.js is
    # compressed once and served pre-compressed (the middleware leaves it alone)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(LimitsMiddleware, limits=limits)  # outermost: before any other work
    install_error_handlers(app)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages.router)
    plotly_js = plotly_js_path()

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def _plotly(request: Request) -> Response:
        cache = {"Cache-Control": "public, max-age=604800, immutable", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(_gzipped(plotly_js), media_type="text/javascript",
                            headers={**cache, "Content-Encoding": "gzip"})
        return FileResponse(plotly_js, media_type="text/javascript", headers=cache)

    app.mount("/static", CachedStatic(directory=WEB_DIR / "static"), name="static")

    return app


# --------------------------------------------------------------------------- server thread


class ServerThread:
    """uvicorn serving ``app`` on 127.0.0.1 in a background thread (tests, benchmarks)."""

    def __init__(self, app: FastAPI, port: int = 0, host: str = "127.0.0.1",
                 limits: Limits = LIMITS) -> None:
        import socket

        import uvicorn

        if port == 0:  # a free port chosen by the OS
            with socket.socket() as s:
                s.bind((host, 0))
                port = int(s.getsockname()[1])
        self.host, self.port = host, port
        config = uvicorn_config(app, host, port, limits, log_level="warning",
                                access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="aigap-uvicorn",
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> ServerThread:
        import time

        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
