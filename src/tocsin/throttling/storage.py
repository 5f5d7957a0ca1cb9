"""An in-memory storage for the ``limits`` library that reads Tocsin's clock.

``limits``' own ``MemoryStorage`` reads ``time.time()``; this one reads ``tocsin.clock``, so tests
move a window forward without sleeping. It serves the fixed-window strategy (a counter per key)
and the moving-window one (the times of the last hits per key). Keys whose window has passed are
dropped as it goes, so one-off keys (a stranger's address) do not accumulate."""

from __future__ import annotations

import threading
from collections import deque

from limits.storage import MovingWindowSupport, Storage

from tocsin import clock

SWEEP_EVERY = 1000
"""Calls between two sweeps of expired keys."""


def _now() -> float:
    return clock.now().timestamp()


class ClockMemoryStorage(Storage, MovingWindowSupport):
    STORAGE_SCHEME = ["tocsin-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._lock = threading.Lock()
        self._counters: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self._hits: dict[str, tuple[deque[float], float]] = {}  # key -> (hit times, newest first; expiry)
        self._calls = 0

    def __len__(self) -> int:
        """How many keys are kept (the expired ones go at the next sweep)."""
        with self._lock:
            return len(self._counters) + len(self._hits)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def _sweep(self, now: float) -> None:
        self._calls += 1
        if self._calls % SWEEP_EVERY:
            return
        for key in [key for key, (_, expires) in self._counters.items() if expires <= now]:
            del self._counters[key]
        for key in [key for key, (hits, expiry) in self._hits.items() if not hits or hits[0] <= now - expiry]:
            del self._hits[key]

    # Fixed window: a counter that starts over when its window ends.

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = _now()
        with self._lock:
            self._sweep(now)
            count, expires = self._counters.get(key, (0, 0.0))
            if expires <= now:
                count, expires = 0, now + expiry
            count += amount
            self._counters[key] = (count, expires)
            return count

    def get(self, key: str) -> int:
        now = _now()
        with self._lock:
            count, expires = self._counters.get(key, (0, 0.0))
            return count if expires > now else 0

    def get_expiry(self, key: str) -> float:
        now = _now()
        with self._lock:
            _, expires = self._counters.get(key, (0, 0.0))
            return expires if expires > now else now

    def clear(self, key: str) -> None:
        with self._lock:
            self._counters.pop(key, None)
            self._hits.pop(key, None)

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            count = len(self._counters) + len(self._hits)
            self._counters.clear()
            self._hits.clear()
            return count

    # Moving window: the last ``limit`` hit times of each key.

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = _now()
        with self._lock:
            self._sweep(now)
            hits, _ = self._hits.get(key, (deque(maxlen=limit), expiry))
            if hits.maxlen != limit:
                hits = deque(hits, maxlen=limit)
            if len(hits) >= limit - amount + 1 and hits[limit - amount] > now - expiry:
                return False
            hits.extendleft([now] * amount)
            self._hits[key] = (hits, expiry)
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """The oldest hit still in the window and how many hits the window holds."""
        now = _now()
        with self._lock:
            hits, _ = self._hits.get(key, (deque[float](), expiry))
            inside = [hit for hit in hits if hit > now - expiry]
            return (inside[-1], len(inside)) if inside else (now, 0)
