"""The one source of "now". Tests replace the clock to move time without sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to; safe to share between threads."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment.astimezone(UTC)


_current: SystemClock | FrozenClock = SystemClock()


def now() -> datetime:
    return _current.now()


def use(clock: SystemClock | FrozenClock) -> SystemClock | FrozenClock:
    """Install ``clock`` as the current clock; returns the previous one so callers can restore it."""
    global _current
    previous, _current = _current, clock
    return previous
