"""The engine loop: at least once a second, deliver what the outbox holds and run the jobs
that are due (snooze wake-up, escalation steps, housekeeping).

It runs in a thread of its own (``tocsin serve``) or as its own process (``tocsin engine``);
database work goes through the write queue. On SQLite only one engine may run: a lease in the
database decides which, and the others wait their turn. On PostgreSQL any number may run:
claims use ``FOR UPDATE SKIP LOCKED`` and every job's writes are single atomic statements."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from tocsin.engine import lease
from tocsin.engine.deliveries import Deliveries
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
    ) -> None:
        self.writer = writer
        self.jobs = jobs
        self.deliveries = deliveries
        self.single = single
        """Only one engine may run (SQLite): hold the lease before doing anything."""
        self.tick_seconds = tick_seconds
        self.lease_ttl = lease_ttl
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._next_run = {job.name: 0.0 for job in jobs}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="tocsin-engine", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the loop to finish its tick and end (safe from a signal handler)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def run_forever(self) -> None:
        asyncio.run(self._loop())

    async def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                await self.tick()
            except Exception:
                log.exception("engine tick failed")
            await asyncio.sleep(max(0.0, self.tick_seconds - (time.monotonic() - started)))
        if self.deliveries is not None:
            try:
                await self.deliveries.stop(self.writer)
            except Exception:
                log.exception("engine could not hand back its deliveries")
        if self.single:
            await self.writer.run(lambda session: lease.release(session, LEASE_NAME, self.holder))

    async def tick(self, *, every_job: bool = False) -> bool:
        """One round: deliveries until none are left due, the jobs that are due (all of them with
        ``every_job``), then deliveries again for what the jobs queued (an escalation step's
        e-mail leaves in the same tick). False when another engine holds the lease."""
        if self.single and not await self.writer.run(
            lambda session: lease.hold(session, LEASE_NAME, self.holder, self.lease_ttl)
        ):
            return False
        await self._deliver()
        if await self._run_jobs(every_job):
            await self._deliver()
        return True

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
