"""Shared helpers of the benchmark scripts: timing, a rich table, JSON output."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"


def timeit(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> dict[str, float]:
    """Median and min wall time of ``fn`` in seconds over ``repeat`` runs after warm-up."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times), "runs": repeat}


def report(name: str, rows: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> Path:
    """Print ``rows`` as a table and write them with machine facts to results/<name>.json."""
    table = Table(title=name)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    for c in cols:
        table.add_column(c)
    for r in rows:
        table.add_row(*(_fmt(r.get(c)) for c in cols))
    Console(width=max(120, Console().width)).print(table)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "python": platform.python_version(),
               "machine": platform.machine(), "rows": rows, **(extra or {})}
    out.write_text(json.dumps(payload, indent=1, default=str))
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


def blas_info() -> dict[str, Any]:
    """The BLAS/OpenMP libraries NumPy runs on (threadpoolctl), and OpenBLAS overrides."""
    import os

    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return {}
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
           if k in os.environ}
    libs = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads",
                                   "threading_layer")} for p in threadpool_info()]
    return {"libraries": libs, "env": env}
