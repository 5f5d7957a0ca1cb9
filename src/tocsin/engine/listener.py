"""On PostgreSQL, an engine hears of new outbox messages written by other processes (API-only
nodes, other engines) through ``LISTEN tocsin_outbox`` and wakes at once instead of at its next
tick. Losing the connection only costs that speed: the tick still finds every message; the
listener connects again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

from tocsin.notify.wake_signal import CHANNEL

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 2.0
POLL_SECONDS = 0.5
"""How often the listener looks whether it should stop, between notifications."""


def conninfo_of(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class OutboxListener:
    def __init__(self, database_url: str, wake: Callable[[], None]) -> None:
        self.conninfo = conninfo_of(database_url)
        self.wake = wake
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()
        """Set while the LISTEN is in place (tests wait for it)."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tocsin-outbox-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except psycopg.Error as error:
                self.listening.clear()
                log.warning("outbox listener lost its connection (%s); the engine ticks meanwhile", error)
                self._stop.wait(RECONNECT_SECONDS)

    def _listen(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            while not self._stop.is_set():
                for _ in connection.notifies(timeout=POLL_SECONDS, stop_after=1):
                    self.wake()
