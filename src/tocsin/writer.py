"""The write queue: every change made on behalf of a request runs here, in one writer thread.

Jobs are grouped into batches that share one transaction (group commit), each job inside its own
savepoint so a failing job is undone alone. A request is answered only after its batch commits,
so "written before answering" holds while the cost of a commit is shared by many requests. With
one writer per process SQLite never sees two writers of ours competing for its lock.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tocsin.db import Database

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_BATCH = 128
COMMIT_ATTEMPTS = 3


@dataclass
class _Job:
    fn: Callable[[Session], Any]
    future: Future[Any] = field(default_factory=Future)


_STOP = _Job(fn=lambda session: None)


class WriteQueue:
    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="tocsin-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(_STOP)
            self._thread.join()
            self._thread = None

    def submit(self, fn: Callable[[Session], T]) -> Future[T]:
        if self._thread is None:
            raise RuntimeError("the write queue is not running")
        job = _Job(fn)
        self._jobs.put(job)
        return job.future

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in a write transaction and return its result (or raise its error)."""
        return await asyncio.wrap_future(self.submit(fn))

    def call(self, fn: Callable[[Session], T]) -> T:
        """Blocking form of :meth:`run`, for threads that are not an event loop."""
        return self.submit(fn).result()

    def _loop(self) -> None:
        while True:
            batch = [self._jobs.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            stop = _STOP in batch
            self._run_batch([job for job in batch if job is not _STOP])
            if stop:
                return

    def _run_batch(self, batch: list[_Job]) -> None:
        if not batch:
            return
        for attempt in range(1, COMMIT_ATTEMPTS + 1):
            try:
                outcomes = self._execute(batch)
                break
            except OperationalError as exc:  # lock timeouts, deadlocks, a dropped connection
                if attempt < COMMIT_ATTEMPTS:
                    log.warning("write batch failed (attempt %s), retrying: %s", attempt, exc)
                    continue
                self._settle_alone(batch, exc)
                return
            except Exception as exc:
                self._settle_alone(batch, exc)
                return
        for job, value, error in outcomes:
            if error is None:
                job.future.set_result(value)
            else:
                job.future.set_exception(error)

    def _settle_alone(self, batch: list[_Job], exc: Exception) -> None:
        """The batch could not commit: give each job its own transaction so one cannot sink others."""
        if len(batch) == 1:
            log.error("write failed: %s", exc)
            batch[0].future.set_exception(exc)
            return
        for job in batch:
            self._run_batch([job])

    def _execute(self, batch: list[_Job]) -> list[tuple[_Job, Any, BaseException | None]]:
        outcomes: list[tuple[_Job, Any, BaseException | None]] = []
        with self.db.write_session() as session:
            for job in batch:
                try:
                    with session.begin_nested():
                        value = job.fn(session)
                    outcomes.append((job, value, None))
                except OperationalError:
                    raise
                except Exception as exc:
                    outcomes.append((job, None, exc))
        return outcomes
