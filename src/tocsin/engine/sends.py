"""The sends an engine has in flight: each a task of its own, started by one round and recorded by
whichever round finds it finished, so a destination that hangs holds back no other destination
and no later round. Sends to one destination share a pooled client and at most ``connections``
of them run at once; each has a time limit.

When the engine stops, sends in flight get a short grace, then are cancelled: the caller
records those that finished and hands the others back (``outbox.hand_back``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tocsin.notify.outbox import Claimed
from tocsin.outbound_clients import ClientPool, using


@dataclass(frozen=True)
class Send:
    message: Claimed
    prepared: Any
    destination: str | None
    """The origin it goes to (None: a channel without destinations, e-mail)."""
    turns: int | None = None
    """How many sends to its destination may run at once, when its channel allows fewer than the
    engine's limit (e-mail: its SMTP connections)."""


@dataclass(frozen=True)
class Outcome:
    send: Send
    error: BaseException | None


class Sends:
    def __init__(self, *, connections: int, timeout: float) -> None:
        self.clients = ClientPool(connections=connections)
        self.connections = connections
        self.timeout = timeout
        self._flight: dict[asyncio.Task[BaseException | None], Send] = {}
        self._limits: dict[str | None, asyncio.Semaphore] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.on_finished: Callable[[], None] = lambda: None
        """Called as each send ends: a send slower than its round is recorded by the next one,
        which this lets begin at once (the engine wakes) rather than at the next tick."""

    def start(
        self, sends: list[Send], deliver: Callable[[Send], Awaitable[None]]
    ) -> list[asyncio.Task[BaseException | None]]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._limits, self._loop = {}, loop
        with using(self.clients):
            started = [asyncio.create_task(self._run(send, deliver)) for send in sends]
        self._flight.update(zip(started, sends, strict=True))
        return started

    @property
    def in_flight(self) -> int:
        return len(self._flight)

    async def _run(self, send: Send, deliver: Callable[[Send], Awaitable[None]]) -> BaseException | None:
        limit = self._limits.get(send.destination)
        if limit is None:
            limit = self._limits[send.destination] = asyncio.Semaphore(send.turns or self.connections)
        try:
            # The time limit is the send's own: waiting for a turn at a busy destination is not
            # the destination failing (which would mark it down).
            async with limit, asyncio.timeout(self.timeout):
                await deliver(send)
        except Exception as error:
            return error
        finally:
            self.on_finished()
        return None

    async def wait(self, tasks: list[asyncio.Task[BaseException | None]], seconds: float) -> None:
        """Until ``tasks`` are done or ``seconds`` have passed."""
        if tasks:
            await asyncio.wait(tasks, timeout=seconds)

    async def wait_for_any(self, seconds: float) -> None:
        """Until one send in flight ends or ``seconds`` have passed."""
        if self._flight:
            await asyncio.wait(list(self._flight), timeout=seconds, return_when=asyncio.FIRST_COMPLETED)

    def finished(self) -> tuple[list[Outcome], list[Send]]:
        """The sends that ended (taken out of flight), and those cancelled with an ended event
        loop (to hand back)."""
        outcomes, lost = [], []
        for task in [task for task in self._flight if task.done()]:
            send = self._flight.pop(task)
            if task.cancelled():
                lost.append(send)
            else:
                outcomes.append(Outcome(send, task.result()))
        return outcomes, lost

    async def stop(self, grace: float) -> tuple[list[Outcome], list[Send]]:
        """Give sends in flight ``grace`` seconds, cancel the rest; close the clients. Returns
        what finished and what is to be handed back."""
        await self.wait(list(self._flight), grace)
        unfinished = [task for task in self._flight if not task.done()]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        outcomes, lost = self.finished()
        await self.clients.close()
        return outcomes, lost
