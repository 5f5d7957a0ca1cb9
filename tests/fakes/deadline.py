"""Timing a chat command's answer inside the test process: against Slack's 3 s, and against the
2 s within which Tocsin answers in the reply rather than later (on every platform)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_held_off() -> Iterator[None]:
    """Python's cyclic garbage collector waits while an answer is timed. This process hosts the
    fake platform, Tocsin, and whatever the run's earlier tests left behind (close to 1 GB late
    in a full run): one full collection of that stops every thread for seconds, which is the test
    process's cost, not the cost of Tocsin's answer."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
