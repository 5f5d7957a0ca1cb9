"""One round of outbox delivery: claim due messages, handle them, record the outcomes.

Two kinds of handlers take messages by topic:

- a ``Router`` works inside the database (turning an alert event into escalations and
  notifications): it runs in the claim's transaction, so its writes and the messages'
  "delivered" commit together. A ``BatchRouter`` takes each run of the round's messages for it
  at once, in one savepoint; if that fails, each message is routed alone in its own savepoint,
  so one bad message is retried and the others still go. Routing comes before the channels'
  ``prepare``;
- a ``Channel`` talks to the outside (an SMTP server, later webhooks and chat servers). Its
  ``prepare`` reads what it needs in the claim's transaction; ``send`` runs afterwards with no
  transaction open, every message of the round at once, each with a time limit, so one slow or
  dead destination delays no other; the outcomes are recorded in one more transaction.

Messages with an ordering key (a chat channel's posts about one alert) reach a round one per key
at most: the claim holds back a message until the earlier ones of its key are delivered or dead
(``outbox.claim``), so the runner's next round, still in the same tick, takes the next one."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from tocsin.notify import outbox
from tocsin.notify.outbox import Claimed
from tocsin.writer import WriteQueue

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The destination refused for good (an unknown mailbox, say): no point in retrying."""


@dataclass(frozen=True)
class Skip:
    """Nothing to send after all (the alert was acknowledged meanwhile, the person muted)."""

    reason: str


class Router(Protocol):
    """Routes one message at a time."""

    topics: tuple[str, ...]

    def handle(self, session: Session, message: Claimed) -> None: ...


@runtime_checkable
class BatchRouter(Protocol):
    """Routes a claimed batch at once (in order), with statements that do not grow with it."""

    topics: tuple[str, ...]

    def handle_batch(self, session: Session, messages: list[Claimed]) -> None: ...


class Channel(Protocol):
    topics: tuple[str, ...]

    def prepare(self, session: Session, message: Claimed) -> Any:
        """What ``send`` needs, or a ``Skip``."""

    async def send(self, prepared: Any) -> None:
        """Deliver; raise ``PermanentFailure`` when retrying cannot help, anything else to retry."""

    def delivered(self, session: Session, message: Claimed) -> None: ...

    def gave_up(self, session: Session, message: Claimed, error: str) -> None: ...


@dataclass(frozen=True)
class DeliverySettings:
    batch: int = 20
    lease: timedelta = timedelta(minutes=2)
    send_timeout: float = 30.0
    max_age: timedelta = timedelta(hours=24)


class Deliveries:
    def __init__(
        self, routers: list[Router | BatchRouter], channels: list[Channel], settings: DeliverySettings
    ) -> None:
        self.routers = {topic: router for router in routers for topic in router.topics}
        self.channels = {topic: channel for channel in channels for topic in channel.topics}
        self.settings = settings
        self.claimed_total = 0
        """Messages this engine has claimed since it started."""

    @property
    def topics(self) -> list[str]:
        return [*self.routers, *self.channels]

    async def run_round(self, writer: WriteQueue) -> int:
        """Deliver what is due; returns how many messages were claimed."""
        claimed, sends = await writer.run(self._claim_route_prepare)
        self.claimed_total += claimed
        if sends:
            outcomes = await asyncio.gather(*(self._send(message, prepared) for message, prepared in sends))
            await writer.run(lambda session: self._record(session, list(zip(sends, outcomes, strict=True))))
        return claimed

    def _claim_route_prepare(self, session: Session) -> tuple[int, list[tuple[Claimed, Any]]]:
        claimed = outbox.claim(session, self.topics, limit=self.settings.batch, lease=self.settings.lease)
        self._route(session, [message for message in claimed if message.topic in self.routers])
        sends = []
        for message in claimed:
            if message.topic in self.routers:
                continue
            try:
                with session.begin_nested():
                    prepared = self.channels[message.topic].prepare(session, message)
                    if isinstance(prepared, Skip):
                        outbox.mark_delivered(session, message, note=f"not sent: {prepared.reason}")
                        continue
            except Exception as error:  # a bug or bad data in one message must not stop the others
                log.exception("outbox message %s (%s) failed", message.id, message.topic)
                self._failed(session, message, f"{type(error).__name__}: {error}", permanent=False)
                continue
            sends.append((message, prepared))
        return len(claimed), sends

    def _route(self, session: Session, messages: list[Claimed]) -> None:
        """Each run of messages for one router goes to it as one batch; if the batch fails, each
        of its messages is routed alone, so one bad message is reported and the others still go."""
        for router, run in _runs(self.routers, messages):
            if len(run) > 1:
                try:
                    with session.begin_nested():
                        _handle(router, session, run)
                        outbox.mark_all_delivered(session, run)
                    continue
                except Exception:
                    log.exception("routing a batch of %s messages failed; routing each alone", len(run))
            for message in run:
                try:
                    with session.begin_nested():
                        _handle(router, session, [message])
                        outbox.mark_delivered(session, message)
                except Exception as error:  # a bug or bad data in one message must not stop the others
                    log.exception("outbox message %s (%s) failed", message.id, message.topic)
                    self._failed(session, message, f"{type(error).__name__}: {error}", permanent=False)

    async def _send(self, message: Claimed, prepared: Any) -> BaseException | None:
        try:
            await asyncio.wait_for(self.channels[message.topic].send(prepared), self.settings.send_timeout)
        except Exception as error:
            return error
        return None

    def _record(
        self, session: Session, results: list[tuple[tuple[Claimed, Any], BaseException | None]]
    ) -> None:
        for (message, _), error in results:
            with session.begin_nested():
                if error is None:
                    if outbox.mark_delivered(session, message):
                        self.channels[message.topic].delivered(session, message)
                else:
                    reason = str(error) or type(error).__name__
                    self._failed(session, message, reason, permanent=isinstance(error, PermanentFailure))

    def _failed(self, session: Session, message: Claimed, error: str, *, permanent: bool) -> None:
        state = outbox.mark_failed(
            session, message, error, max_age=self.settings.max_age, permanent=permanent
        )
        log.warning("outbox message %s to %s failed (%s): %s", message.id, message.destination, state, error)
        if state == "dead" and message.topic in self.channels:
            self.channels[message.topic].gave_up(session, message, error)


def _runs(
    routers: dict[str, Router | BatchRouter], messages: list[Claimed]
) -> list[tuple[Router | BatchRouter, list[Claimed]]]:
    """The messages cut, in order, where the router they go to changes."""
    runs: list[tuple[Router | BatchRouter, list[Claimed]]] = []
    for message in messages:
        router = routers[message.topic]
        if runs and runs[-1][0] is router:
            runs[-1][1].append(message)
        else:
            runs.append((router, [message]))
    return runs


def _handle(router: Router | BatchRouter, session: Session, messages: list[Claimed]) -> None:
    if isinstance(router, BatchRouter):
        router.handle_batch(session, messages)
    else:
        for message in messages:
            router.handle(session, message)
