"""The engine loop: at least once a second, deliver what the outbox holds and run the jobs
that are due (snooze wake-up, escalation steps, housekeeping).

It runs in a thread of its own (``tocsin serve``) or as its own process (``tocsin engine``);
its database work goes through a write queue of its own (its own thread and connection, so
routing never waits behind alert creates, nor they behind it). It ticks every ``tick_seconds``
and at once when woken: by the API's writer when a commit leaves messages due now, and on
PostgreSQL by ``NOTIFY`` from other processes (``tocsin.notify.wake_signal``). On SQLite only
one engine may run: a lease in the database decides which, and the others wait their turn. On
PostgreSQL any number may run: claims use ``FOR UPDATE SKIP LOCKED`` and every job's writes are
single atomic statements."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.engine import lease, ticks
from tocsin.engine.deliveries import Deliveries
from tocsin.engine.listener import OutboxListener
from tocsin.notify import wake_signal
from tocsin.writer import WriteQueue

log = logging.getLogger(__name__)

LEASE_NAME = "engine"
LEASE_TTL = timedelta(seconds=30)
MAX_ROUNDS_PER_TICK = 20


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Session], int]
    """Does one round of work in the given transaction; returns how many things it handled."""


class EngineRunner:
    def __init__(
        self,
        writer: WriteQueue,
        jobs: list[Job],
        deliveries: Deliveries | None = None,
        *,
        single: bool = False,
        tick_seconds: float = 0.5,
        lease_ttl: timedelta = LEASE_TTL,
        listen_url: str | None = None,
    ) -> None:
        self.writer = writer
        self.jobs = jobs
        self.deliveries = deliveries
        if deliveries is not None:
            deliveries.sends.on_finished = self.wake
        self.single = single
        """Only one engine may run (SQLite): hold the lease before doing anything."""
        self.tick_seconds = tick_seconds
        self.listen_url = listen_url
        """A PostgreSQL database to hear of new messages from (``LISTEN``), while the loop runs."""
        self.lease_ttl = lease_ttl
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._next_run = {job.name: 0.0 for job in jobs}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop_running: asyncio.AbstractEventLoop | None = None
        self._woken: asyncio.Event | None = None
        self._lease_renewed_at: datetime | None = None
        self._tick_recorded_at: datetime | None = None
        self.wakes = 0
        """How many times the engine was woken before its tick (for tests and diagnostics)."""
        self.ticks = 0
        """How many ticks the loop has finished."""
        self.last_round_at: datetime | None = None
        """When (Tocsin's clock) the loop last finished a tick, whether it did the work or waited
        for another engine's lease: what readiness reads to tell that this engine is alive."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="tocsin-engine", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the loop to finish its tick and end (safe from a signal handler)."""
        self._stop.set()
        self.wake()

    def wake(self) -> None:
        """Start the next tick now rather than when it is due (safe from any thread): new
        messages are due. A wake during a tick makes another tick follow at once."""
        loop, woken = self._loop_running, self._woken
        if loop is None or woken is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop has just closed
            loop.call_soon_threadsafe(woken.set)

    def stop(self) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wake_on_commits_of(self, writer: WriteQueue) -> None:
        """Wake whenever ``writer`` commits messages that are due now (alerts created by the
        API of this process, say)."""
        writer.after_commit(lambda info: self.wake() if wake_signal.left_messages_due(info) else None)

    def run_forever(self) -> None:
        listener = OutboxListener(self.listen_url, self.wake) if self.listen_url else None
        if listener is not None:
            listener.start()
        try:
            asyncio.run(self._loop())
        finally:
            if listener is not None:
                listener.stop()

    async def _loop(self) -> None:
        self._woken = asyncio.Event()
        self._loop_running = asyncio.get_running_loop()
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                self._woken.clear()  # before claiming: what commits from now on wakes the next tick
                try:
                    await self.tick()
                except Exception:
                    log.exception("engine tick failed")
                else:
                    self.last_round_at = clock.now()
                self.ticks += 1
                await self._wait(max(0.0, self.tick_seconds - (time.monotonic() - started)))
        finally:
            self._loop_running = None
        if self.deliveries is not None:
            try:
                await self.deliveries.stop(self.writer)
            except Exception:
                log.exception("engine could not hand back its deliveries")
        await self.writer.run(self._sign_off)

    def _sign_off(self, session: Session) -> None:
        ticks.forget(session, self.holder)
        if self.single:
            lease.release(session, LEASE_NAME, self.holder)

    async def _wait(self, seconds: float) -> None:
        """Until the next tick is due or someone wakes the engine, whichever comes first."""
        assert self._woken is not None
        try:
            await asyncio.wait_for(self._woken.wait(), seconds)
            self.wakes += 1
        except TimeoutError:
            pass

    async def tick(self, *, every_job: bool = False) -> bool:
        """One round: deliveries until none are left due, the jobs that are due (all of them with
        ``every_job``), then deliveries again for what the jobs queued (an escalation step's
        e-mail leaves in the same tick). False when another engine holds the lease."""
        if self.single and not await self._hold_lease():
            return False
        await self._record_tick()
        await self._deliver()
        if await self._run_jobs(every_job):
            await self._deliver()
        return True

    async def _hold_lease(self) -> bool:
        """Take or renew the lease; while a third of its time has not passed since the last
        renewal it is still surely ours (woken engines tick often: no write per tick for it)."""
        now = clock.now()
        if self._lease_renewed_at is not None and now < self._lease_renewed_at + self.lease_ttl / 3:
            return True
        held = await self.writer.run(
            lambda session: lease.hold(session, LEASE_NAME, self.holder, self.lease_ttl)
        )
        self._lease_renewed_at = now if held else None
        return held

    async def _record_tick(self) -> None:
        now = clock.now()
        if self._tick_recorded_at is not None and now < self._tick_recorded_at + ticks.RECORD_EVERY:
            return
        await self.writer.run(lambda session: ticks.record(session, self.holder, now))
        self._tick_recorded_at = now

    async def _deliver(self) -> None:
        if self.deliveries is None:
            return
        # Until nothing is due: routing an alert event queues notifications, which go out next.
        for _ in range(MAX_ROUNDS_PER_TICK):
            if self._stop.is_set() or not await self.deliveries.run_round(self.writer):
                return

    async def _run_jobs(self, every_job: bool) -> int:
        handled_in_all = 0
        for job in self.jobs:
            if not every_job and time.monotonic() < self._next_run[job.name]:
                continue
            self._next_run[job.name] = time.monotonic() + job.every_seconds
            try:
                handled = await self.writer.run(job.run)
            except Exception:
                log.exception("engine job %s failed", job.name)
                continue
            if handled:
                log.info("engine job %s handled %s", job.name, handled)
                handled_in_all += handled
        return handled_in_all
