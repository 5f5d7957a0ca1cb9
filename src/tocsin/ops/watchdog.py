"""Watching the watcher: every serving process (and every ``tocsin engine``) looks every 15 s
(by Tocsin's clock) whether an engine ticks and the outbox moves. What it finds shows in a banner
on every page for owners and admins and in ``/health/ready``; and where SMTP is set up, owners get
one e-mail when a problem begins and one when it is over, sent by whichever node noticed first
(``episodes`` decides)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine import ticks
from tocsin.ops import episodes, liveness
from tocsin.ops.liveness import Liveness, Problem
from tocsin.ops.watchdog_mail import OwnerMail

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(seconds=15)
POLL_SECONDS = 0.25
"""How often (real time) the thread asks the clock whether a check is due: a test's frozen clock
moved on is noticed at once, and stopping never waits long."""
PROBLEMS = ("engine_silent", "outbox_stuck")


class Watchdog:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.db = db
        self.stale = timedelta(seconds=settings.watchdog_stale_seconds)
        self.every = min(CHECK_EVERY, self.stale / 4)
        self.node = f"{socket.gethostname()}:{os.getpid()}"
        self.mail = OwnerMail.from_settings(settings, self.node)
        self.started_at = clock.now()
        self.checks = 0
        """How many checks have finished (tests wait for the next one)."""
        self._current: list[Problem] = []
        self._checked = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def current(self) -> list[Problem]:
        """The problems the last check found (none before the first)."""
        return list(self._current)

    def start(self) -> None:
        self.started_at = clock.now()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="tocsin-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait_for_check(self, after: int, timeout: float = 10.0) -> None:
        """Until more than ``after`` checks have finished (for tests; raises when it times out)."""
        with self._checked:
            if not self._checked.wait_for(lambda: self.checks > after, timeout):
                raise TimeoutError(f"no watchdog check in {timeout} s")

    def _run(self) -> None:
        due = self.started_at + self.every
        while not self._stop.wait(POLL_SECONDS):
            now = clock.now()
            if now < due:
                continue
            due = now + self.every  # from when this check began: a slow check does not delay the next
            try:
                asyncio.run(self.check())
            except Exception as error:  # the database is down, say: readiness says so; try again
                log.warning("watchdog check failed: %s", error)

    async def check(self) -> list[Problem]:
        """Look once; tell owners of what began or ended. Returns the problems found."""
        now = clock.now()
        try:
            found, known = await asyncio.to_thread(self._look, now)
            undecided = set()
            if now - self.started_at <= self.stale and found.engine_last_tick is None:
                # Just started: engines starting beside this process may not have ticked yet.
                undecided.add("engine_silent")
            problems = [problem for problem in found.problems(self.stale) if problem.key not in undecided]
            self._current = problems
            await self._tell_owners(problems, known, undecided, now)
        finally:
            with self._checked:
                self.checks += 1
                self._checked.notify_all()
        return problems

    def _look(self, now: datetime) -> tuple[Liveness, set[str]]:
        """What is wrong now, and the episodes the database knows of (only changes are written)."""
        with self.db.read_session() as session:
            known = set(episodes.open_problems(session))
            last_tick = ticks.last(session)
            oldest = liveness.oldest_due(session, now)
            # The backlog per kind (its text names them) only when the cheap look finds it late.
            late = oldest is not None and now - oldest > self.stale
            backlog = liveness.outbox_backlog(session, now) if late else []
        return Liveness(at=now, engine_last_tick=last_tick, outbox=backlog), known

    async def _tell_owners(
        self, problems: list[Problem], known: set[str], undecided: set[str], now: datetime
    ) -> None:
        by_key = {problem.key: problem for problem in problems}
        for key in PROBLEMS:
            problem = by_key.get(key)
            if key in undecided or (problem is not None) == (key in known):
                continue  # nothing began or ended
            if problem is not None:
                began, owners = await asyncio.to_thread(self._begin, key, now)
                if not began:
                    continue
                log.warning("watchdog: %s", problem.text)
                if self.mail is not None and owners and not await self.mail.began(problem, now, owners):
                    # Nobody was told (the SMTP server is down too?): the next check tries again.
                    await asyncio.to_thread(self._forget, key)
            else:
                began_at, owners = await asyncio.to_thread(self._end, key)
                if began_at is not None:
                    log.warning("watchdog: %s is over", key)
                    if self.mail is not None:
                        await self.mail.ended(key, began_at, now, owners)

    def _begin(self, key: str, now: datetime) -> tuple[bool, list[str]]:
        with self.db.write_session() as session:
            began = episodes.begin(session, key, at=now, by=self.node)
            return began, accounts.owner_addresses(session) if began else []

    def _end(self, key: str) -> tuple[datetime | None, list[str]]:
        with self.db.write_session() as session:
            began_at = episodes.end(session, key)
            return began_at, accounts.owner_addresses(session) if began_at is not None else []

    def _forget(self, key: str) -> None:
        with self.db.write_session() as session:
            episodes.end(session, key)
