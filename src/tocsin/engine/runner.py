"""Runs each engine job every so often, in one background thread, through the write queue."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.alerts import actions, requests
from tocsin.config import Settings
from tocsin.writer import WriteQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Session], int]
    """Does one round of work in the given transaction; returns how many things it handled."""


def default_jobs(settings: Settings) -> list[Job]:
    keep = timedelta(days=settings.request_record_days)
    return [
        Job("wake-snoozed", 5, lambda session: actions.wake_snoozed(session)),
        Job(
            "purge-request-records",
            3600,
            lambda session: requests.purge_older_than(session, clock.now() - keep),
        ),
    ]


class EngineRunner:
    def __init__(self, writer: WriteQueue, jobs: list[Job], *, tick_seconds: float = 1.0) -> None:
        self.writer = writer
        self.jobs = jobs
        self.tick_seconds = tick_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="tocsin-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def run_once(self, job: Job) -> int:
        return self.writer.call(job.run)

    def _loop(self) -> None:
        next_run = {job.name: 0.0 for job in self.jobs}
        while not self._stop.is_set():
            for job in self.jobs:
                if time.monotonic() < next_run[job.name]:
                    continue
                next_run[job.name] = time.monotonic() + job.every_seconds
                try:
                    handled = self.run_once(job)
                    if handled:
                        log.info("engine job %s handled %s", job.name, handled)
                except Exception:
                    log.exception("engine job %s failed", job.name)
            self._stop.wait(self.tick_seconds)
