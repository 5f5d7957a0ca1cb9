"""Timing a chat command's answer inside the test process: against Slack's 3 s, and against the
2 s within which Tocsin answers in the reply rather than later (on every platform).

The fake platforms share the test process with Tocsin and with every thread the run has going,
so the wall time around a request also counts the process's own stalls (seen: a request waiting
nearly 5 s to reach the application late in a full run). Slack's deadline is therefore checked
against Tocsin's own time from receiving the request to answering it, its ``X-Response-Time``
header, where Tocsin sent one."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


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


def answer_seconds(answer: Any, wall_seconds: float) -> float:
    """How long Tocsin took to answer: its ``X-Response-Time``, else the wall time measured."""
    try:
        return min(float(answer.headers.get("x-response-time", "")), wall_seconds)
    except ValueError:
        return wall_seconds
