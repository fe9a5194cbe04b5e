"""The one Monte Carlo utility: block seeding, chunking, backends and progress.

Replications are organised in *blocks* of a fixed size; block ``b`` draws from its own stream
derived from ``(seed, b)`` only. Chunks (the unit of work a backend runs) are whole blocks, so
results never depend on the chunk size, the backend, the number of threads or workers, or the
order in which chunks finish. Robustness, Sobol sensitivity and the tournament simulator all run
through :func:`run_blocks`.

Seed policy (every analysis): ``seed`` defaults to ``0``, so the same call gives the same
numbers. ``seed=None`` leaves the seed to the analysis's YAML file (an uncertainty spec's
``seed``) when it names one, else draws fresh entropy once; the result records the seed used,
so every run can be repeated.

Progress protocol (CLI bars, web jobs, library callers alike): ``progress(done, total)`` with
``done`` and ``total`` counted in replications, called in the caller's thread after each chunk.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from aigap.errors import ConfigError, SpecError

Progress = Callable[[int, int], None]  # (replications done, replications in all)
Done = Callable[[int], None] | None  # called with the task index when a task finishes
BitGenerator = Literal["pcg64", "sfc64"]


# --------------------------------------------------------------------------- seeds and blocks


def resolve_seed(seed: int | None, fallback: int | None = None) -> int:
    """A non-negative integer seed; ``None`` takes ``fallback`` (a YAML file's seed) or draws
    fresh entropy (to be recorded in the result)."""
    if seed is None:
        seed = fallback
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise SpecError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def block_rng(seed: int, block: int, bit_generator: BitGenerator = "pcg64"
              ) -> np.random.Generator:
    """The random stream of block ``block``: a function of ``(seed, block)`` only."""
    ss = np.random.SeedSequence(seed, spawn_key=(block,))
    if bit_generator == "sfc64":
        return np.random.Generator(np.random.SFC64(ss))
    return np.random.default_rng(ss)


@dataclass(frozen=True)
class Chunk:
    """Consecutive whole blocks: ``first`` is the first block's index, ``rows`` their sizes."""

    seed: int
    first: int
    rows: tuple[int, ...]
    block: int

    @property
    def blocks(self) -> range:
        return range(self.first, self.first + len(self.rows))

    @property
    def n(self) -> int:
        return sum(self.rows)

    def bounds(self, b: int) -> tuple[int, int]:
        """Global replication indices ``[lo, hi)`` of block ``b``."""
        lo = b * self.block
        return lo, lo + self.rows[b - self.first]


def chunk_blocks(n: int, *, seed: int, block: int, chunk_size: int) -> list[Chunk]:
    """Split ``n`` replications into chunks of whole blocks (``chunk_size`` rounded up)."""
    if n < 1:
        raise SpecError(f"n must be >= 1 (got {n})")
    if chunk_size < 1:
        raise SpecError(f"chunk_size must be positive, got {chunk_size!r}")
    per_chunk = max(1, math.ceil(chunk_size / block))
    n_blocks = math.ceil(n / block)
    sizes = [block] * (n_blocks - 1) + [n - block * (n_blocks - 1)]
    return [Chunk(seed, b, tuple(sizes[b:b + per_chunk]), block)
            for b in range(0, n_blocks, per_chunk)]


# --------------------------------------------------------------------------- backends


def one_blas_thread() -> AbstractContextManager[Any]:
    """Single-threaded BLAS: Monte Carlo products are small, so BLAS threads only add overhead
    (5x slower on a busy 2-core machine); parallelism comes from the backend, and every block
    computes with the same kernel whatever the backend."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional speed-up
        return nullcontext()
    return threadpool_limits(1, user_api="blas")


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
    address (``tcp://host:8786``) whose existing workers are used. The context is scattered
    once to every worker.
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
            futs = [client.submit(_one_blas_thread_call, fn, ctx_f, t, pure=False)
                    for t in tasks]
            index = {f.key: i for i, f in enumerate(futs)}
            for f in dask_completed(futs):
                if on_done:
                    on_done(index[f.key])
            return client.gather(futs)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _one_blas_thread_call(fn: Callable[[Any, Any], Any], ctx: Any, task: Any) -> Any:
    """``fn(ctx, task)`` with one BLAS thread, in a Dask worker process (the driver's limit
    does not reach it; worker processes x BLAS threads oversubscribe the cores)."""
    with one_blas_thread():
        return fn(ctx, task)


def make_backend(scheduler: str | None = None, workers: int = 2) -> Backend:
    """``None`` -> in-process; ``"local"`` -> Dask LocalCluster; else a scheduler address."""
    if scheduler is None:
        return LocalBackend()
    return DaskBackend(scheduler, workers)


# --------------------------------------------------------------------------- running


def run_tasks(fn: Callable[[Any, Any], Any], ctx: Any, tasks: Sequence[Any], *,
              sizes: Sequence[int], backend: Backend | None = None,
              progress: Progress | None = None) -> list[Any]:
    """``fn(ctx, task)`` for every task, results in task order; ``sizes[i]`` replications of
    task ``i`` count towards ``progress``."""
    backend = backend or LocalBackend()
    total = int(sum(sizes))
    done = [0]

    def on_done(i: int) -> None:
        done[0] += int(sizes[i])
        if progress is not None:
            progress(done[0], total)

    with one_blas_thread():
        return backend.map(fn, ctx, tasks, on_done if progress is not None else None)


def run_blocks(fn: Callable[[Any, Chunk], Any], ctx: Any, n: int, *, seed: int, block: int,
               chunk_size: int, backend: Backend | None = None,
               progress: Progress | None = None) -> list[Any]:
    """Run ``fn(ctx, chunk)`` over the chunks of ``n`` seeded replications, in chunk order."""
    chunks = chunk_blocks(n, seed=seed, block=block, chunk_size=chunk_size)
    return run_tasks(fn, ctx, chunks, sizes=[c.n for c in chunks], backend=backend,
                     progress=progress)
