"""Background jobs with progress for analyses too long for one HTTP request.

POST creates a job and returns its id at once; GET polls status, progress (0..1) and, when
done, the result. Jobs run on a small thread pool (NumPy releases the GIL, and the machine has
two cores); identical requests share one job. Queued + running jobs are limited per client and
in total (beyond: :class:`TooManyJobsError`, a 429 with Retry-After); finished jobs are kept
while their results fit a byte budget, and memory is handed back once the pool is idle.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from aigap.errors import AigapError
from aigap.web.store import approx_bytes

MAX_ACTIVE_PER_CLIENT = 4
MAX_ACTIVE = 16
RESULT_BYTES = 64 * 2**20  # finished jobs' results kept, oldest dropped first
RETRY_AFTER_S = 10


class TooManyJobsError(AigapError):
    """A client (or the server) already has its limit of queued/running jobs: 429."""

    def __init__(self, message: str, retry_after: int = RETRY_AFTER_S) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def release_memory() -> None:
    """Collect cycles and ask glibc to hand freed heap pages back to the OS (no-op elsewhere)."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)

Status = Literal["queued", "running", "done", "failed"]
ProgressFn = Callable[[float, str], None]  # (fraction done, message)
Work = Callable[[ProgressFn], Any]


def job_progress(report: ProgressFn, what: str) -> Callable[[int, int], None]:
    """The library's progress protocol ``(done, total)`` as a job's ``(fraction, message)``."""
    return lambda done, total: report(done / max(1, total), f"{done:,}/{total:,} {what}")


@dataclass
class Job:
    id: str
    kind: str
    params: dict[str, Any]
    status: Status = "queued"
    progress: float = 0.0
    message: str = ""
    result: Any = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    client: str = ""
    nbytes: int = 0

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def to_dict(self, with_result: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "params": self.params, "status": self.status,
            "progress": round(self.progress, 4), "message": self.message, "error": self.error,
            "created": self.created, "started": self.started, "finished": self.finished,
        }
        if with_result and self.status == "done":
            out["result"] = self.result
        return out


class JobManager:
    """Runs jobs on a thread pool; remembers at most ``keep`` jobs whose results together hold
    at most ``result_bytes``; refuses a client's job beyond ``per_client`` active ones and
    anyone's beyond ``max_active``."""

    def __init__(self, workers: int = 2, keep: int = 64, *,
                 per_client: int = MAX_ACTIVE_PER_CLIENT, max_active: int = MAX_ACTIVE,
                 result_bytes: int = RESULT_BYTES) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aigap-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._by_key: dict[Hashable, str] = {}
        self._lock = threading.Lock()
        self._keep = keep
        self.per_client, self.max_active, self.result_bytes = per_client, max_active, result_bytes

    def active(self, client: str | None = None) -> int:
        """Queued + running jobs (of ``client``, or of everyone)."""
        with self._lock:
            return sum(j.active and (client is None or j.client == client)
                       for j in self._jobs.values())

    def result_nbytes(self) -> int:
        with self._lock:
            return sum(j.nbytes for j in self._jobs.values())

    def submit(self, kind: str, params: dict[str, Any], work: Work,
               key: Hashable | None = None, client: str = "") -> Job:
        """Start ``work(progress)`` in the background (or return the job already doing it)."""
        with self._lock:
            if key is not None and key in self._by_key:
                existing = self._jobs.get(self._by_key[key])
                if existing is not None and existing.status != "failed":
                    return existing
            active = [j for j in self._jobs.values() if j.active]
            mine = sum(j.client == client for j in active)
            if mine >= self.per_client:
                raise TooManyJobsError(
                    f"you already have {mine} queued or running jobs (at most "
                    f"{self.per_client} per client); poll GET /api/v1/jobs/{{id}} and submit "
                    "again when one has finished")
            if len(active) >= self.max_active:
                raise TooManyJobsError(
                    f"the server is busy: {len(active)} jobs queued or running (at most "
                    f"{self.max_active}); try again shortly")
            job = Job(id=uuid.uuid4().hex[:16], kind=kind, params=params, client=client)
            self._jobs[job.id] = job
            if key is not None:
                self._by_key[key] = job.id
            self._evict()
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _evict(self) -> None:
        # Drop the oldest finished jobs first; running ones are never dropped.
        while (len(self._jobs) > self._keep
               or sum(j.nbytes for j in self._jobs.values()) > self.result_bytes):
            victim = next((j for j in self._jobs.values() if not j.active), None)
            if victim is None:
                break
            del self._jobs[victim.id]
            for k, v in list(self._by_key.items()):
                if v == victim.id:
                    del self._by_key[k]

    def _run(self, job: Job, work: Work) -> None:
        job.status, job.started = "running", time.time()

        def progress(frac: float, message: str = "") -> None:
            job.progress = min(1.0, max(job.progress, float(frac)))
            if message:
                job.message = message

        try:
            result = work(progress)
        except AigapError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception:  # a bug: say so without leaking its details to the client
            import logging

            logging.getLogger("aigap.web").exception("job %s (%s) failed", job.id, job.kind)
            job.status, job.error = "failed", "internal error while running the job"
        else:
            job.result, job.nbytes = result, approx_bytes(result)
            job.progress, job.status = 1.0, "done"
            job.message = job.message or "done"
        finally:
            job.finished = time.time()
            with self._lock:
                self._evict()
                idle = not any(j.active for j in self._jobs.values())
            if idle:  # nothing left to run: give the replication arrays' memory back
                release_memory()
