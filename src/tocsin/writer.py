"""The write queue: every change made on behalf of a request runs here, in one writer thread.

Jobs are grouped into batches that share one transaction (group commit), each job inside its own
savepoint so a failing job is undone alone. A request is answered only after its batch commits,
so "written before answering" holds while the cost of a commit is shared by many requests. With
one writer per process SQLite never sees two writers of ours competing for its lock.

Work that is cheaper done many at a time (creating alerts) is submitted as items of a
``Batched`` kind: consecutive items of one kind run in a single call, and if that call fails,
each item runs again alone so one bad item cannot sink the others.

A coroutine waits on a future of its own event loop, and the writer settles all of a batch's
futures of one loop with one call into that loop: a ``concurrent.futures.Future`` per request,
wrapped for asyncio, cost about a fifth of each alert create's CPU at thousands a second.
Threads that are not an event loop (``submit``, ``call``) get a ``concurrent.futures.Future``.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tocsin.db import Database

T = TypeVar("T")
Item = TypeVar("Item")
log = logging.getLogger(__name__)

MAX_BATCH = 128
COMMIT_ATTEMPTS = 3


@dataclass(frozen=True)
class Batched(Generic[Item, T]):
    """Work done for many items at once: ``run`` returns, in order, each item's result or the
    exception it ends with (an exception returned must not have written anything)."""

    name: str
    run: Callable[[Session, list[Item]], list[T | Exception]]


@dataclass(eq=False)
class _Job:
    fn: Callable[[Session], Any] | None = None
    kind: Batched[Any, Any] | None = None
    item: Any = None
    future: Future[Any] | None = None
    """Where a thread waits (``submit``)."""
    waiter: asyncio.Future[Any] | None = None
    """Where a coroutine waits (``run``, ``run_item``): a future of its event loop."""

    def wanted(self) -> bool:
        """Whether the caller still waits; once this says so the job will run, and a caller
        that stops waiting later (a cancelled request) finds what it wrote committed."""
        if self.waiter is not None:
            return not self.waiter.cancelled()
        return self.future is not None and self.future.set_running_or_notify_cancel()


_STOP = _Job()


class _EachAlone(Exception):
    """A batch's shared call failed: undo the batch's transaction and run each job alone."""


CommitHook = Callable[[dict[str, Any]], None]
"""Called in the writer thread after a batch commits, with the batch session's ``info``."""


class WriteQueue:
    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH, name: str = "tocsin-writer") -> None:
        self.db = db
        self.max_batch = max_batch
        self.name = name
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._unfinished = 0
        self._commit_hooks: list[CommitHook] = []

    def after_commit(self, hook: CommitHook) -> None:
        """Call ``hook`` after each batch that commits (what the batch wrote is then visible to
        other connections): the engine is woken this way when new outbox messages are in."""
        self._commit_hooks.append(hook)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(_STOP)
            self._thread.join()
            self._thread = None

    def _put(self, job: _Job) -> None:
        if self._thread is None:
            raise RuntimeError("the write queue is not running")
        with self._idle:
            self._unfinished += 1
        self._jobs.put(job)

    def wait_idle(self, timeout: float = 10) -> bool:
        """Wait until every job put so far (and any put meanwhile) has been run and committed or
        undone; whether that happened within ``timeout`` seconds (for callers that queued work
        without waiting for it, such as a page's "last seen")."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def submit(self, fn: Callable[[Session], T]) -> Future[T]:
        future: Future[T] = Future()
        self._put(_Job(fn=_in_callers_context(fn), future=future))
        return future

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in a write transaction and return its result (or raise its error)."""
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._put(_Job(fn=_in_callers_context(fn), waiter=waiter))
        return await waiter

    async def run_item(self, kind: Batched[Item, T], item: Item) -> T:
        """Hand ``item`` to ``kind``, together with the other items of that kind waiting now."""
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._put(_Job(kind=kind, item=item, waiter=waiter))
        return await waiter

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
            # A job whose caller has stopped waiting (a cancelled request) is not run; one whose
            # caller stops waiting after it has started still commits (its result is dropped).
            jobs = [job for job in batch if job is not _STOP]
            try:
                self._run_batch([job for job in jobs if job.wanted()])
            finally:
                with self._idle:
                    self._unfinished -= len(jobs)
                    if not self._unfinished:
                        self._idle.notify_all()
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
        _settle(outcomes)

    def _settle_alone(self, batch: list[_Job], exc: Exception) -> None:
        """The batch could not commit: give each job its own transaction so one cannot sink others."""
        if len(batch) == 1:
            log.error("write failed: %s", exc)
            _settle([(batch[0], None, exc)])
            return
        for job in batch:
            self._run_batch([job])

    def _execute(self, batch: list[_Job]) -> list[tuple[_Job, Any, BaseException | None]]:
        outcomes: list[tuple[_Job, Any, BaseException | None]] = []
        with self.db.write_session() as session:
            groups = [(kind, list(group)) for kind, group in groupby(batch, key=lambda job: job.kind)]
            for kind, jobs in groups:
                if kind is None:
                    outcomes += [_attempt(session, job, job.fn) for job in jobs]  # type: ignore[arg-type]
                elif len(groups) == 1 and len(jobs) > 1:
                    # The whole transaction is this one call: it needs no savepoint of its own,
                    # since if it fails the transaction is undone and each item runs alone.
                    outcomes += _together(session, kind, jobs)
                else:
                    outcomes += _attempt_together(session, kind, jobs)
            written = dict(session.info)
        for hook in self._commit_hooks:
            try:
                hook(written)
            except Exception:  # a hook must not turn a committed batch into failed requests
                log.exception("after-commit hook failed")
        return outcomes


Outcome = tuple[_Job, Any, BaseException | None]
Settled = tuple["asyncio.Future[Any]", Any, BaseException | None]


def _settle(outcomes: list[Outcome]) -> None:
    """Give each job's caller its result: threads at once, coroutines with one call into each
    event loop they wait in."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Settled]] = {}
    for job, value, error in outcomes:
        if job.waiter is not None:
            by_loop.setdefault(job.waiter.get_loop(), []).append((job.waiter, value, error))
        elif job.future is not None:
            if error is None:
                job.future.set_result(value)
            else:
                job.future.set_exception(error)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle_in_loop, settled)
        except RuntimeError:  # the loop has closed: no one waits any more
            log.debug("write results for a closed event loop dropped")


def _settle_in_loop(settled: list[Settled]) -> None:
    for waiter, value, error in settled:
        if waiter.done():  # its caller stopped waiting after the job started
            continue
        if error is None:
            waiter.set_result(value)
        else:
            waiter.set_exception(error)


def _in_callers_context(fn: Callable[[Session], T]) -> Callable[[Session], T]:
    """``fn`` run in the caller's context variables: what it logs carries the caller's request
    id, and who it finds acting is noted for the request's access line."""
    context = contextvars.copy_context()
    return lambda session: context.run(fn, session)


def _attempt(session: Session, job: _Job, fn: Callable[[Session], Any]) -> Outcome:
    try:
        with session.begin_nested():
            value = fn(session)
    except OperationalError:
        raise
    except Exception as exc:
        return (job, None, exc)
    return (job, None, value) if isinstance(value, Exception) else (job, value, None)


def _alone(kind: Batched[Any, Any], item: Any) -> Callable[[Session], Any]:
    return lambda session: kind.run(session, [item])[0]


def _attempt_together(session: Session, kind: Batched[Any, Any], jobs: list[_Job]) -> list[Outcome]:
    try:
        with session.begin_nested():
            values = kind.run(session, [job.item for job in jobs])
    except OperationalError:
        raise
    except Exception:
        log.exception("batch of %s %s failed; running each alone", len(jobs), kind.name)
        return [_attempt(session, job, _alone(kind, job.item)) for job in jobs]
    return _outcomes(jobs, values)


def _together(session: Session, kind: Batched[Any, Any], jobs: list[_Job]) -> list[Outcome]:
    try:
        values = kind.run(session, [job.item for job in jobs])
    except OperationalError:
        raise
    except Exception as exc:
        log.exception("batch of %s %s failed; running each alone", len(jobs), kind.name)
        raise _EachAlone from exc
    return _outcomes(jobs, values)


def _outcomes(jobs: list[_Job], values: list[Any]) -> list[Outcome]:
    return [
        (job, None, value) if isinstance(value, Exception) else (job, value, None)
        for job, value in zip(jobs, values, strict=True)
    ]
