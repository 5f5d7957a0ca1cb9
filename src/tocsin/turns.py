"""A lock handed over in the order it was asked for.

``threading.Lock`` lets the thread that just released it take it again before a waiting thread
wakes, so a busy writer could keep SQLite's write lock from the engine for as long as alerts
keep coming; here every waiter gets its turn, first come first served."""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class Turns:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._holder: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._guard:
            if self._holder == me:  # re-entered by its holder
                self._depth += 1
                return
            if self._holder is None and not self._waiting:
                self._holder, self._depth = me, 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()
        with self._guard:
            self._holder, self._depth = me, 1

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._guard:
            self._depth -= 1
            if self._depth:
                return
            if self._waiting:
                self._holder = -1  # reserved for the next in line, until it wakes
                self._waiting.popleft().set()
            else:
                self._holder = None
