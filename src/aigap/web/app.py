"""The FastAPI application: JSON API under /api/v1, dashboard pages, cached index builds.

Each spec's index is built once (at first use) and kept; re-weighting pillars is a weighted
mean of the cached pillar scores, so the pipeline never runs again for a weight change.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from aigap.errors import AigapError
from aigap.index import steps as st

log = logging.getLogger("aigap.web")

WEB_DIR = Path(__file__).resolve().parent
DEFAULT_SPEC = "aigap"


class NotFoundError(AigapError):
    """Something named in the request does not exist (country, indicator, spec, job): 404."""


class InvalidInputError(AigapError):
    """Well-formed input with values the analysis cannot accept (bad weights, ...): 422."""


# --------------------------------------------------------------------------- index cache


@dataclass
class CachedIndex:
    """One built index and the arrays re-weighting needs."""

    name: str
    result: Any  # IndexResult
    pillars: list[str]  # children of the root aggregate, in framework order
    default_weights: np.ndarray
    units: list[str]
    pillar_scores: np.ndarray  # (units, pillars), NaN = missing
    method: str  # aggregation method of the root level
    dat_thresh: float | None

    @classmethod
    def from_result(cls, name: str, result: Any) -> CachedIndex:
        fw = result.framework
        pillars = fw.children(fw.root)
        agg = result.dataset("Aggregated")
        return cls(
            name=name, result=result, pillars=pillars,
            default_weights=np.array([fw.weight[p] for p in pillars], dtype=float),
            units=[str(u) for u in agg.index],
            pillar_scores=agg[pillars].to_numpy(dtype=float),
            method=result.aggregation.method_for(fw.level[fw.root]),
            dat_thresh=result.aggregation.dat_thresh,
        )

    def weights_vector(self, weights: Mapping[str, float] | None) -> np.ndarray:
        """Pillar weights in :attr:`pillars` order; unnamed pillars keep the spec's weight."""
        w = self.default_weights.copy()
        if not weights:
            return w
        unknown = sorted(set(weights) - set(self.pillars))
        if unknown:
            raise InvalidInputError(
                f"unknown pillar(s) {', '.join(map(repr, unknown))}; pillars of "
                f"{self.name!r}: {', '.join(self.pillars)}")
        pos = {p: i for i, p in enumerate(self.pillars)}
        for p, v in weights.items():
            if not math.isfinite(v):
                raise InvalidInputError(f"weight of {p!r} must be a finite number, got {v}")
            if v < 0:
                raise InvalidInputError(f"weight of {p!r} must not be negative, got {v:g}")
            w[pos[p]] = float(v)
        if not w.sum() > 0:
            raise InvalidInputError("all pillar weights are zero; give at least one a positive "
                                    "weight")
        return w

    def rescore(self, w: np.ndarray) -> np.ndarray:
        """Index scores for pillar weights ``w``: the engine's own aggregation (any method, its
        missing-data rule and ``dat_thresh``) applied to the cached pillar scores."""
        with np.errstate(divide="ignore", invalid="ignore"):
            y = st.aggregate(self.pillar_scores, w[:, None], self.method, self.dat_thresh)[:, 0]
        return np.where(np.isfinite(y), y, np.nan)

    @staticmethod
    def rank(scores: np.ndarray) -> np.ndarray:
        """1 = best, ties share the best rank, NaN stays NaN (as IndexResult.ranks)."""
        return pd.Series(scores).rank(ascending=False, method="min").to_numpy()


class IndexStore:
    """Builds each spec's index once (thread-safe) and keeps it, with warehouse lookups."""

    def __init__(self, db_path: Path | None,
                 results: Mapping[str, Any] | None = None) -> None:
        self.db_path = db_path
        self._cache: dict[str, CachedIndex] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()
        self._spec_locks: dict[str, threading.Lock] = {}
        self._names: dict[str, dict[str, str]] = {}
        self._catalogue: pd.DataFrame | None = None
        for name, res in (results or {}).items():
            self._cache[name] = CachedIndex.from_result(name, res)

    # --- warehouse ----------------------------------------------------------------
    @contextmanager
    def warehouse(self) -> Iterator[Any]:
        from aigap.data.warehouse import Warehouse

        with Warehouse.open(self.db_path) as wh:
            yield wh

    @property
    def has_warehouse(self) -> bool:
        from aigap import config

        path = self.db_path or config.default_db_path()
        return Path(path).exists()

    def country_names(self, lang: str) -> dict[str, str]:
        """ISO3 -> name in ``lang`` (read once)."""
        lang = "ko" if lang == "ko" else "en"
        if lang not in self._names:
            names: dict[str, str] = {}
            if self.has_warehouse:
                with self.warehouse() as wh:
                    names = {k: v for k, v in wh.country_names(lang).items() if v}
            self._names[lang] = names
        return self._names[lang]

    def catalogue(self) -> pd.DataFrame:
        """The indicator catalogue with data coverage (read once)."""
        if self._catalogue is None:
            with self.warehouse() as wh:
                self._catalogue = wh.indicators()
        return self._catalogue

    def indicator_names(self, lang: str) -> dict[str, str]:
        if not self.has_warehouse:
            return {}
        cat = self.catalogue()
        col = "name_ko" if lang == "ko" else "name_en"
        return {str(c): str(n) for c, n in zip(cat["code"], cat[col], strict=True) if n}

    def known_countries(self) -> set[str]:
        return set(self.country_names("en"))

    def check_country(self, code: str) -> str:
        """Upper-cased ISO3 code, or a 404 naming it."""
        u = code.strip().upper()
        known = self.known_countries()
        if known and u not in known:
            raise NotFoundError(f"unknown country code {code!r} (use ISO3, e.g. KOR, USA)")
        return u

    def check_indicator(self, code: str) -> str:
        cat = self.catalogue()
        if code not in set(cat["code"]):
            import difflib

            close = difflib.get_close_matches(code, list(cat["code"]), n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise NotFoundError(f"unknown indicator {code!r}{hint}; GET /api/v1/indicators "
                                "lists them")
        return code

    # --- specs --------------------------------------------------------------------
    def spec_names(self) -> list[str]:
        from aigap.index import shipped_specs

        return sorted({*shipped_specs(), *self._cache})

    def _check_spec(self, name: str) -> None:
        # Only shipped spec names (or injected builds): never a path from a request.
        if name not in self.spec_names():
            raise NotFoundError(f"unknown spec {name!r}; specs: {', '.join(self.spec_names())}")

    def data_for(self, name: str) -> pd.DataFrame | None:
        """The spec's warehouse frame read from this app's warehouse (None for other sources);
        analyses get it as ``data=`` so they read the same warehouse as the app."""
        from aigap.index import load_spec
        from aigap.index.warehouse_source import warehouse_frame

        self._check_spec(name)
        sp = load_spec(name)
        if sp.data.source != "warehouse":
            return None
        if name not in self._frames:
            with self.warehouse() as wh:
                self._frames[name] = warehouse_frame(sp, wh)
        return self._frames[name]

    def get(self, name: str) -> CachedIndex:
        """The cached build of spec ``name`` (built on first use)."""
        hit = self._cache.get(name)
        if hit is not None:
            return hit
        self._check_spec(name)
        with self._lock:
            lock = self._spec_locks.setdefault(name, threading.Lock())
        with lock:  # one build per spec even when many requests arrive at once
            hit = self._cache.get(name)
            if hit is None:
                hit = CachedIndex.from_result(name, self._build(name))
                self._cache[name] = hit
        return hit

    def _build(self, name: str) -> Any:
        from aigap.index.pipeline import build_latest

        data = self.data_for(name)
        # a panel: the dashboard shows its latest year
        res = build_latest(name, data=data) if data is not None else build_latest(name)
        return res


# --------------------------------------------------------------------------- small LRU


@dataclass
class LRU:
    """A small thread-safe LRU cache of analysis results keyed by their parameters."""

    size: int = 32
    _data: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get_or_compute(self, key: Any, fn: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = fn()  # outside the lock: a slow analysis must not block other keys
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def peek(self, key: Any) -> Any | None:
        with self._lock:
            return self._data.get(key)


# --------------------------------------------------------------------------- errors


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    parts, details = [], []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path")]
        where = ".".join(loc) or "request"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
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
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

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


def create_app(db_path: str | Path | None = None, *, results: Mapping[str, Any] | None = None,
               cors_origins: list[str] | None = None) -> FastAPI:
    """The aigap web application.

    ``db_path``: warehouse file (default: ``$AIGAP_DB`` or ``$AIGAP_HOME/warehouse.duckdb``).
    ``results``: pre-built IndexResults by spec name (tests, benchmarks). ``cors_origins``:
    allowed origins; CORS stays off unless given.
    """
    from fastapi.responses import FileResponse

    from aigap.web import api, jobs, pages

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
    app.state.jobs = jobs.JobManager()
    app.state.cache = LRU(64)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["*"],
                           allow_headers=["*"])
    install_error_handlers(app)
    app.include_router(api.build_router(), prefix="/api/v1")
    app.include_router(pages.router)
    plotly_js = plotly_js_path()

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def _plotly() -> FileResponse:
        return FileResponse(plotly_js, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    return app


# --------------------------------------------------------------------------- server thread


class ServerThread:
    """uvicorn serving ``app`` on 127.0.0.1 in a background thread (tests, benchmarks)."""

    def __init__(self, app: FastAPI, port: int = 0, host: str = "127.0.0.1") -> None:
        import socket

        import uvicorn

        if port == 0:  # a free port chosen by the OS
            with socket.socket() as s:
                s.bind((host, 0))
                port = int(s.getsockname()[1])
        self.host, self.port = host, port
        config = uvicorn.Config(app, host=host, port=port, log_level="warning",
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
