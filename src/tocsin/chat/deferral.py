"""Answering a chat command in time: Slack gives up on an answer after 3 seconds, and ``ackall``
over hundreds of alerts takes longer. The work goes on regardless; if it is not done within the
allowed time, the platform's request is answered at once and the reply is handed to ``later``
(which posts it to Slack's response_url, or through HipChat's API) when it is ready."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.requests import Request

from tocsin.api import envelope

log = logging.getLogger(__name__)
T = TypeVar("T")

_pending: set[asyncio.Task[None]] = set()
"""Deferred replies on their way (a task nobody references may be collected before it ends)."""


def time_left(request: Request, allowed: float) -> float:
    """What is left of ``allowed`` seconds counted from the request's arrival (the platform's
    clock started when it sent the request, not when the command began to run)."""
    return allowed - envelope.elapsed(request)


async def reply_in_time(
    work: Awaitable[T], *, within: float, later: Callable[[T], Awaitable[None]]
) -> T | None:
    """The result of ``work`` if it is ready within ``within`` seconds; otherwise None, and
    ``later(result)`` runs once it is. An error of the work is raised here, or logged if late."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=max(within, 0.0))
    if done:
        return task.result()

    async def finish() -> None:
        try:
            result = await task
            await later(result)
        except Exception:
            log.exception("A chat reply sent after its deadline failed")

    follower = asyncio.create_task(finish())
    _pending.add(follower)
    follower.add_done_callback(_pending.discard)
    return None


async def settled() -> None:
    """Wait until every deferred reply has been handed over (tests, shutdown)."""
    while _pending:
        await asyncio.gather(*list(_pending), return_exceptions=True)
