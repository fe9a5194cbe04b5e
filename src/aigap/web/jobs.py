"""Background jobs with progress for analyses too long for one HTTP request.

POST creates a job and returns its id at once; GET polls status, progress (0..1) and, when
done, the result. Jobs run on a small thread pool (NumPy releases the GIL, and the machine has
two cores); identical requests share one job, and only the most recent jobs are kept.
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
    """Runs jobs on a thread pool and remembers the last ``keep`` of them."""

    def __init__(self, workers: int = 2, keep: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aigap-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._by_key: dict[Hashable, str] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, kind: str, params: dict[str, Any], work: Work,
               key: Hashable | None = None) -> Job:
        """Start ``work(progress)`` in the background (or return the job already doing it)."""
        with self._lock:
            if key is not None and key in self._by_key:
                existing = self._jobs.get(self._by_key[key])
                if existing is not None and existing.status != "failed":
                    return existing
            job = Job(id=uuid.uuid4().hex[:16], kind=kind, params=params)
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
        while len(self._jobs) > self._keep:
            victim = next((j for j in self._jobs.values()
                           if j.status in ("done", "failed")), None)
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
            job.result, job.progress, job.status = result, 1.0, "done"
            job.message = job.message or "done"
        finally:
            job.finished = time.time()
