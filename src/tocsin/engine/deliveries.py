"""One round of outbox delivery: claim due messages, handle them, record the outcomes.

Two kinds of handlers take messages by topic:

- a ``Router`` works inside the database (turning an alert event into escalations and
  notifications): it runs in the claim's transaction, so its writes and the messages'
  "delivered" commit together. A ``BatchRouter`` takes each run of the round's messages for it
  at once, in one savepoint; if that fails, each message is routed alone in its own savepoint,
  so one bad message is retried and the others still go. Routing comes before the channels'
  ``prepare``;
- a ``Channel`` talks to the outside (an SMTP server, webhooks and chat servers). Its
  ``prepare`` reads what it needs in the claim's transaction; ``send`` runs afterwards with no
  transaction open, every message of the round at once (``engine.sends``: a task each, with a
  time limit, a pooled client and a cap per destination), so one slow or dead destination
  delays no other; the outcomes are recorded in one more transaction, by the round that finds
  them finished.

A prepared send may name its ``origin`` (of its URL: its destination). A retryable failure
marks the destination down (``outbox_destinations``) instead of giving the message a backoff:
its messages wait, one probe at a time is sent, and the first success lets the whole backlog
go. When the engine stops, sends in flight get a short grace; the rest are handed back.

Messages with an ordering key (a chat channel's posts about one alert) reach a round one per key
at most: the claim holds back a message until the earlier ones of its key are delivered or dead
(``outbox.claim``), so the runner's next round, still in the same tick, takes the next one."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, TypeVar, runtime_checkable

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.engine.sends import Outcome, Send, Sends
from tocsin.notify import outbox, outbox_destinations
from tocsin.notify.outbox import Claimed
from tocsin.notify.outbox_destinations import ProbeSpacing
from tocsin.ops import first_notifications, metrics
from tocsin.outbound_clients import origin_of
from tocsin.writer import WriteQueue

Handler = TypeVar("Handler")
log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The destination refused for good (an unknown mailbox, say): no point in retrying."""


def described(error: BaseException) -> str:
    """What went wrong, in a line (a ``ReadError`` may say nothing of itself)."""
    return str(error) or type(error).__name__


class RetryLater(RuntimeError):
    """The destination cannot take it now (5xx, 408, 429); ``retry_after``: what it asked for.
    ``maybe_the_message``: the answer (a 500) may be about this message rather than the
    destination as a whole."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, maybe_the_message: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.maybe_the_message = maybe_the_message


def _its_own(error: BaseException, destination: str, answered: set[str]) -> bool:
    """A failure that may be the message's own, from a destination that took other sends of the
    same round, is the message's own (something in it breaks the server): it is retried with a
    backoff of its own, and its destination stays up. Marking the destination down each time
    would hold back all its other messages every time this one is tried again."""
    return destination in answered and getattr(error, "maybe_the_message", False)


TOO_LONG_DOWN = "not sent: its destination was down for longer than a message may wait"


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

    # A channel may also have (found by name, used when present):
    # - ``prepare_many(session, messages) -> list``: ``prepare`` of the round's messages for it at
    #   once, in order, in statements that do not grow with them;
    # - ``delivered_many(session, messages)``: ``delivered`` of all that were sent in a round;
    # - ``async close()``: called when the engine stops (its own connections);
    # - ``turns``: how many of its sends may run at once, when fewer than the engine's limit.


@dataclass(frozen=True)
class DeliverySettings:
    batch: int = 200
    lease: timedelta = timedelta(minutes=2)
    send_timeout: float = 30.0
    max_age: timedelta = timedelta(hours=24)
    connections: int = 20
    """Sends in flight to one destination at most (and its pooled client's connections)."""
    round_wait: float = 0.05
    """How long a round waits for its sends before leaving the slow ones to later rounds."""
    probes: ProbeSpacing = field(default_factory=ProbeSpacing)
    stop_grace: float = 1.0
    """How long sends in flight may finish when the engine stops, before they are cancelled."""


class Deliveries:
    def __init__(
        self, routers: list[Router | BatchRouter], channels: list[Channel], settings: DeliverySettings
    ) -> None:
        self.routers = {topic: router for router in routers for topic in router.topics}
        self.channels = {topic: channel for channel in channels for topic in channel.topics}
        self.settings = settings
        self.claimed_total = 0
        """Messages this engine has claimed since it started."""
        self.sends = Sends(connections=settings.connections, timeout=settings.send_timeout)

    @property
    def topics(self) -> list[str]:
        return [*self.routers, *self.channels]

    async def run_round(self, writer: WriteQueue) -> int:
        """Deliver what is due; returns how many messages were claimed or sends recorded (0:
        nothing left to do now). Sends start at once and are recorded as they finish: in this
        round, or a later one if slow. No more than two batches' worth of sends are in flight:
        when destinations answer slower than messages come due, the engine claims less (and
        leaves the rest claimable by other engines) instead of piling sends up."""
        room = 2 * self.settings.batch - self.sends.in_flight
        if room <= 0:
            await self.sends.wait_for_any(self.settings.round_wait)
            outcomes, lost = self.sends.finished()
            if outcomes or lost:
                await writer.run(lambda session: self._record(session, outcomes, lost))
            return len(outcomes) + len(lost)
        claimed, sends, down = await writer.run(lambda session: self._claim_and_look(session, room))
        self.claimed_total += claimed
        held: list[Send] = []
        ready: list[Send] = []
        expired: list[Outcome] = []
        for send in sends:
            if send.message.expired:
                expired.append(Outcome(send, PermanentFailure(TOO_LONG_DOWN)))
            elif send.destination in down and not send.message.probe:
                held.append(send)  # its destination was found down as it was prepared
            else:
                ready.append(send)
        started = self.sends.start(ready, self._deliver)
        await self.sends.wait(started, self.settings.round_wait)
        outcomes, lost = self.sends.finished()
        outcomes += expired
        if held or outcomes or lost:
            await writer.run(lambda session: self._record(session, outcomes, [*held, *lost]))
        return claimed + len(outcomes)

    async def stop(self, writer: WriteQueue) -> None:
        """Let sends in flight finish for a moment, cancel the others, and record both: what
        was sent, and the rest handed back to be sent at once by whichever engine runs next."""
        outcomes, unfinished = await self.sends.stop(self.settings.stop_grace)
        if outcomes or unfinished:
            await writer.run(lambda session: self._record(session, outcomes, unfinished))
        for channel in {id(channel): channel for channel in self.channels.values()}.values():
            close = getattr(channel, "close", None)
            if close is not None:
                await close()  # its own connections (e-mail's SMTP pool)

    def _claim_and_look(self, session: Session, room: int) -> tuple[int, list[Send], set[str]]:
        claimed, prepared = self._claim_route_prepare(session, min(room, self.settings.batch))
        sends = [
            Send(
                message,
                ready,
                getattr(ready, "origin", None),
                getattr(self.channels[message.topic], "turns", None),
            )
            for message, ready in prepared
        ]
        return claimed, sends, outbox_destinations.down_keys(session) if sends else set()

    def _claim_route_prepare(self, session: Session, limit: int) -> tuple[int, list[tuple[Claimed, Any]]]:
        settings = self.settings
        claimed = outbox.claim(
            session,
            self.topics,
            limit=limit,
            lease=settings.lease,
            probes=settings.probes,
            max_age=settings.max_age,
        )
        self._route(session, [message for message in claimed if message.topic in self.routers])
        sends = []
        for channel, messages in _grouped(self.channels, claimed):
            for message, prepared in self._prepare(session, channel, messages):
                if isinstance(prepared, Skip):
                    outbox.mark_delivered(session, message, note=f"not sent: {prepared.reason}")
                else:
                    sends.append((message, prepared))
        return len(claimed), sends

    def _prepare(
        self, session: Session, channel: Channel, messages: list[Claimed]
    ) -> list[tuple[Claimed, Any]]:
        """The channel's messages of the round, prepared together when it can (``prepare_many``)."""
        prepare_many = getattr(channel, "prepare_many", None)
        return self._together_or_each(
            session,
            messages,
            together=None if prepare_many is None else lambda run: prepare_many(session, run),
            each=lambda message: channel.prepare(session, message),
        )

    def _route(self, session: Session, messages: list[Claimed]) -> None:
        """Each router gets its messages of the round as one batch, in the order claimed. Routers
        are independent of one another (each reads the alert as it is now), so an alert's
        ``alert.created`` and ``alert.activity`` need not stay interleaved: kept interleaved, a
        batch would fall apart into runs of one message each."""
        for router, run in _grouped(self.routers, messages):

            def together(run: list[Claimed], router: Router | BatchRouter = router) -> list[None]:
                _handle(router, session, run)
                outbox.mark_all_delivered(session, run)
                return [None] * len(run)

            def each(message: Claimed, router: Router | BatchRouter = router) -> None:
                _handle(router, session, [message])
                outbox.mark_delivered(session, message)

            self._together_or_each(session, run, together=together, each=each)

    def _together_or_each(
        self,
        session: Session,
        messages: list[Claimed],
        *,
        together: Callable[[list[Claimed]], list[Any]] | None,
        each: Callable[[Claimed], Any],
    ) -> list[tuple[Claimed, Any]]:
        """``together`` for all the messages in one savepoint; if it fails (or there is none),
        ``each`` for each message in a savepoint of its own, so one bad message is reported as
        failed (and left out of the result) while the others still go."""
        if together is not None and len(messages) > 1:
            try:
                with session.begin_nested():
                    return list(zip(messages, together(messages), strict=True))
            except Exception:
                log.exception("handling %s messages together failed; handling each alone", len(messages))
        done = []
        for message in messages:
            try:
                with session.begin_nested():
                    done.append((message, each(message)))
            except Exception as error:  # a bug or bad data in one message must not stop the others
                log.exception("outbox message %s (%s) failed", message.id, message.topic)
                self._failed(session, message, f"{type(error).__name__}: {error}", permanent=False)
        return done

    async def _deliver(self, send: Send) -> None:
        await self.channels[send.message.topic].send(send.prepared)

    def _record(self, session: Session, outcomes: list[Outcome], handed_back: list[Send]) -> None:
        """The outcomes of finished sends and the claims handed back, in a fixed handful of
        statements (more only for the rare refusals and messages given up)."""
        everything = [outcome.send for outcome in outcomes] + handed_back
        outbox.learn_destinations(session, [(send.message, send.destination) for send in everything])
        outbox.hand_back(session, [send.message for send in handed_back])
        sent = [outcome.send for outcome in outcomes if outcome.error is None]
        delivered = outbox.mark_all_delivered(session, [send.message for send in sent])
        ours = [send.message for send in sent if send.message.id in delivered]
        metrics.count_deliveries(session, [(message.topic, "sent") for message in ours])
        first_notifications.observe(session, ours, clock.now())
        for channel, messages in _grouped(self.channels, ours):
            delivered_many = getattr(channel, "delivered_many", None)
            if delivered_many is not None:
                delivered_many(session, messages)
            else:
                for message in messages:
                    channel.delivered(session, message)
        waiting: list[tuple[Claimed, str]] = []
        failing: dict[str, BaseException] = {}
        answered = {send.destination for send in sent if send.destination is not None}
        for outcome in outcomes:
            message, error, destination = outcome.send.message, outcome.error, outcome.send.destination
            if error is None:
                continue
            reason = described(error)
            permanent = isinstance(error, PermanentFailure)
            if destination is None or permanent or _its_own(error, destination, answered):
                with session.begin_nested():
                    self._failed(session, message, reason, permanent=permanent)
            else:
                failing[destination] = error
                if clock.now() - message.created_at < self.settings.max_age:
                    waiting.append((message, reason))
                    continue
                with session.begin_nested():
                    self._failed(session, message, reason, permanent=True)
        outbox.mark_all_waiting(session, waiting)
        metrics.count_deliveries(session, [(message.topic, "failed") for message, _ in waiting])
        outbox_destinations.mark_up(session, answered - failing.keys())
        for destination, error in sorted(failing.items()):  # one order for every engine: no deadlock
            log.warning("destination %s is down: %s", destination, _servers_only(described(error)))
            outbox_destinations.mark_down(
                session,
                destination,
                described(error),
                now=clock.now(),
                spacing=self.settings.probes,
                retry_after=getattr(error, "retry_after", None),
            )

    def _failed(self, session: Session, message: Claimed, error: str, *, permanent: bool) -> None:
        state = outbox.mark_failed(
            session, message, error, max_age=self.settings.max_age, permanent=permanent
        )
        shown = _shown(message.destination)  # the URL stays in the outbox for admins, not in the log
        log.warning("outbox message %s to %s failed (%s): %s", message.id, shown, state, _servers_only(error))
        if message.topic in self.channels:
            metrics.count_deliveries(session, [(message.topic, "dead" if state == "dead" else "failed")])
        if state == "dead" and message.topic in self.channels:
            self.channels[message.topic].gave_up(session, message, error)


def _shown(destination: str) -> str:
    """A destination as the log names it: a webhook's server, not its URL (whose path or query
    may be its secret); an address or a name as it is."""
    return origin_of(destination) if destination.startswith(("http://", "https://")) else destination


_URL_PATH = re.compile(r"(https?://[^/\s\"'?#]+)[/?#][^\s\"']*?(?=:?(?:\s|$)|[\"'])")


def _servers_only(text: str) -> str:
    """``text`` with each URL cut to its server ("HTTP 404 from https://hooks.example")."""
    return _URL_PATH.sub(r"\1", text)


def _grouped(handlers: dict[str, Handler], messages: list[Claimed]) -> list[tuple[Handler, list[Claimed]]]:
    """The messages grouped by the router or channel that handles their topic, each group in
    order; messages of topics ``handlers`` does not know are left out."""
    grouped: dict[int, tuple[Handler, list[Claimed]]] = {}
    for message in messages:
        handler = handlers.get(message.topic)
        if handler is not None:
            grouped.setdefault(id(handler), (handler, []))[1].append(message)
    return list(grouped.values())


def _handle(router: Router | BatchRouter, session: Session, messages: list[Claimed]) -> None:
    if isinstance(router, BatchRouter):
        router.handle_batch(session, messages)
    else:
        for message in messages:
            router.handle(session, message)
