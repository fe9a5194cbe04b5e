"""Where Monte Carlo chunks run: in this process, or on a Dask cluster.

A backend maps ``fn(ctx, task)`` over tasks and returns the results *in task order*. Results
never depend on the backend: every random draw is keyed by the seed and a fixed block index
(see :mod:`aigap.analysis.robustness`), never by worker, thread or chunk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Protocol

from aigap.errors import ConfigError

Done = Callable[[int], None] | None  # called with the task index when a task finishes


class Backend(Protocol):
    name: str

    def map(self, fn: Callable[[Any, Any], Any], ctx: Any, tasks: Sequence[Any],
            on_done: Done = None) -> list[Any]: ...


class LocalBackend:
    """Runs tasks in this process; ``threads > 1`` overlaps them (NumPy releases the GIL in
    matrix products and sorts, so two threads use two cores)."""

    name = "local"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = max(1, threads if threads is not None else min(2, os.cpu_count() or 1))

    def map(self, fn: Callable[[Any, Any], Any], ctx: Any, tasks: Sequence[Any],
            on_done: Done = None) -> list[Any]:
        out: list[Any] = [None] * len(tasks)
        if self.threads == 1 or len(tasks) <= 1:
            for i, t in enumerate(tasks):
                out[i] = fn(ctx, t)
                if on_done:
                    on_done(i)
            return out
        with ThreadPoolExecutor(self.threads) as pool:
            futs = {pool.submit(fn, ctx, t): i for i, t in enumerate(tasks)}
            for f in as_completed(futs):
                out[futs[f]] = f.result()
                if on_done:
                    on_done(futs[f])
        return out


class DaskBackend:
    """Runs tasks on ``dask.distributed``.

    ``scheduler="local"`` starts a LocalCluster of ``workers`` worker processes (threads with
    ``processes=False``) for the duration of one :meth:`map`; any other value is a scheduler
    address (``tcp://host:8786``) whose existing workers are used. The context (alternative
    data sets, tree) is scattered once to every worker.
    """

    name = "dask"

    def __init__(self, scheduler: str = "local", workers: int = 2, *,
                 processes: bool = True) -> None:
        if workers < 1:
            raise ConfigError(f"--workers must be >= 1 (got {workers})")
        self.scheduler = scheduler
        self.workers = workers
        self.processes = processes

    def _client(self) -> Any:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - optional dependency
            raise ConfigError("the Dask backend needs 'dask[distributed]' "
                              "(pip install 'dask[distributed]')") from None
        if self.scheduler == "local":
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                   processes=self.processes, dashboard_address=None,
                                   silence_logs=40)
            return Client(cluster), cluster
        try:
            return Client(self.scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach Dask scheduler {self.scheduler!r}: {exc}") from None

    def map(self, fn: Callable[[Any, Any], Any], ctx: Any, tasks: Sequence[Any],
            on_done: Done = None) -> list[Any]:
        from dask.distributed import as_completed as dask_completed

        client, cluster = self._client()
        try:
            ctx_f = client.scatter(ctx, broadcast=True)
            futs = [client.submit(fn, ctx_f, t, pure=False) for t in tasks]
            index = {f.key: i for i, f in enumerate(futs)}
            for f in dask_completed(futs):
                if on_done:
                    on_done(index[f.key])
            return client.gather(futs)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def make_backend(scheduler: str | None = None, workers: int = 2) -> Backend:
    """``None`` -> in-process; ``"local"`` -> Dask LocalCluster; else a scheduler address."""
    if scheduler is None:
        return LocalBackend()
    return DaskBackend(scheduler, workers)
