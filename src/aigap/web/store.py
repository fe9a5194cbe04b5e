"""The dashboard's index store: spec results and pillar matrices cached for re-ranking.

Routes reach it through the ``store`` dependency (:mod:`aigap.web.deps`); it has no FastAPI
imports of its own, so services and routes can share it without importing the app.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aigap.errors import AigapError
from aigap.index.methods.aggregate import aggregate

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
            y = aggregate(self.pillar_scores, w[:, None], self.method, self.dat_thresh)[:, 0]
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
