"""The transactional outbox: messages written in the same transaction as the change that
causes them, and delivered later by the engine (never inside the request).

A message is ``pending`` until an engine claims it: the claim sets ``delivering`` and a lease
(``locked_until``) in one statement (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
engines never take the same row). Finishing it is ``delivered``, or back to ``pending`` with a
later ``next_attempt_at``, or ``dead`` (given up; stays visible until retried by hand). An engine
that dies mid-delivery leaves its claims to expire; they are then claimed again; one that stops
hands them back (``hand_back``).

A message sent over HTTP learns its destination (``destination_key``, the URL's origin). While
that destination is down (``outbox_destinations``) its messages are not claimed, except one
probe at a time, and those that waited longer than the maximum age (to be given up); they keep
no backoff of their own, so the whole backlog is claimable the moment the destination is up.

Messages sharing an ``ordering_key`` go out one at a time, oldest (smallest id) first: one is
claimable only while no earlier message of its key is pending or delivering, so a failed one
waiting for its retry (or for its destination) holds back the rest of its key. A dead one holds
back nothing. The order is that of the ids, which is the order of writing as long as the
writers of one key take turns (always on SQLite; on PostgreSQL, enqueue while holding the
alert's row lock)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Index, Integer, String, Text, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin import clock
from tocsin.db import Base, UTCDateTime, table_of
from tocsin.errors import NotFound
from tocsin.notify import outbox_destinations, wake_signal
from tocsin.notify.outbox_destinations import ProbeSpacing
from tocsin.types import AutoIncrementId, JSONDocument

RETRY_FIRST = timedelta(seconds=5)
RETRY_LONGEST = timedelta(minutes=15)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(64))
    """What kind of message: an alert event for the router ("alert.created"), or a delivery
    to the outside ("notify.email")."""
    destination: Mapped[str] = mapped_column(String(320), default="")
    """Where it goes, for people reading the outbox: an e-mail address, a URL, "router"."""
    alert_id: Mapped[str | None] = mapped_column(String(36), index=True)
    ordering_key: Mapped[str | None] = mapped_column(String(200), index=True)
    """Messages with the same key are delivered one after another, in the order written (a chat
    channel's posts about one alert); None: no order to keep."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, delivering (claimed by an engine until ``locked_until``), delivered, or dead."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    destination_key: Mapped[str | None] = mapped_column(String(300), index=True)
    """The destination (origin of the URL) its last send went to, learned when it is prepared:
    while that destination is down (``outbox_destinations``) the message waits for it."""


outbox = table_of(OutboxMessage)
INSERT = insert(outbox)


@dataclass(frozen=True)
class Claimed:
    id: int
    topic: str
    destination: str
    alert_id: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    lease: datetime
    """The claim's ``locked_until``: finishing only counts while the claim is still ours."""
    ordering_key: str | None = None
    destination_key: str | None = None
    """The destination (origin) it was last found to go to, whose health decides when it goes."""
    probe: bool = False
    """Claimed as the one probe of its destination, which is down."""
    expired: bool = False
    """Claimed to be given up: its destination has been down for longer than it may wait."""


def row(
    topic: str,
    payload: dict[str, Any],
    *,
    destination: str = "",
    alert_id: str | None = None,
    deliver_at: datetime | None = None,
    ordering_key: str | None = None,
) -> dict[str, Any]:
    now = clock.now()
    return {
        "topic": topic,
        "destination": destination,
        "alert_id": alert_id,
        "ordering_key": ordering_key,
        "payload": payload,
        "state": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": deliver_at or now,
        "locked_until": None,
        "delivered_at": None,
        "last_error": "",
    }


def enqueue(
    session: Session,
    topic: str,
    payload: dict[str, Any],
    *,
    destination: str = "",
    alert_id: str | None = None,
    deliver_at: datetime | None = None,
    ordering_key: str | None = None,
) -> None:
    """Leave a message for the engine, in the caller's transaction."""
    enqueue_many(
        session,
        [
            row(
                topic,
                payload,
                destination=destination,
                alert_id=alert_id,
                deliver_at=deliver_at,
                ordering_key=ordering_key,
            )
        ],
    )


def enqueue_many(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = session.connection()
    connection.execute(INSERT, rows)
    now = clock.now()
    if any(row["next_attempt_at"] <= now for row in rows):
        wake_signal.due_now(session)


def claim(
    session: Session,
    topics: list[str],
    *,
    limit: int,
    lease: timedelta,
    probes: ProbeSpacing = ProbeSpacing(),
    max_age: timedelta | None = None,
) -> list[Claimed]:
    """Take up to ``limit`` due messages of these topics for this engine, until the lease ends:
    none of a destination that is down, except one probe for each whose probe is due, and those
    that waited for it longer than ``max_age`` (``expired``: to be given up, not sent)."""
    now = clock.now()
    claimed: list[Claimed] = []
    if max_age is not None:
        too_old = and_(
            outbox.c.destination_key.in_(outbox_destinations.down()), outbox.c.created_at <= now - max_age
        )
        expired = _claim(session, topics, now, lease, limit=limit, where=too_old)
        claimed += [replace(message, expired=True) for message in expired]
    for key in outbox_destinations.take_due_probes(session, now, probes):
        probe = _claim(session, topics, now, lease, limit=1, where=outbox.c.destination_key == key)
        if not probe:  # nothing waits for it: the next message is simply sent
            outbox_destinations.mark_up(session, {key})
        claimed += [replace(message, probe=True) for message in probe]
    up = or_(outbox.c.destination_key.is_(None), outbox.c.destination_key.not_in(outbox_destinations.down()))
    claimed += _claim(session, topics, now, lease, limit=limit - len(claimed), where=up)
    return sorted(claimed, key=lambda message: message.id)


def _claim(
    session: Session, topics: list[str], now: datetime, lease: timedelta, *, limit: int, where: Any
) -> list[Claimed]:
    if limit <= 0:
        return []
    due = (
        select(outbox.c.id)
        .where(
            outbox.c.topic.in_(topics),
            outbox.c.next_attempt_at <= now,
            or_(
                outbox.c.state == "pending",
                and_(outbox.c.state == "delivering", outbox.c.locked_until < now),
            ),
            or_(outbox.c.ordering_key.is_(None), outbox.c.id.in_(_first_undelivered_of_each_key())),
            where,
        )
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=outbox)  # the rows taken, not the earlier ones looked at
    )
    locked_until = now + lease
    rows = session.connection().execute(
        update(outbox)
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(state="delivering", locked_until=locked_until, attempts=outbox.c.attempts + 1)
        .returning(
            outbox.c.id,
            outbox.c.topic,
            outbox.c.destination,
            outbox.c.alert_id,
            outbox.c.payload,
            outbox.c.attempts,
            outbox.c.created_at,
            outbox.c.ordering_key,
            outbox.c.destination_key,
        )
    )
    return [
        Claimed(
            id=found.id,
            topic=found.topic,
            destination=found.destination,
            alert_id=found.alert_id,
            payload=found.payload,
            attempts=found.attempts,
            created_at=found.created_at,
            lease=locked_until,
            ordering_key=found.ordering_key,
            destination_key=found.destination_key,
        )
        for found in rows
    ]


def _first_undelivered_of_each_key() -> Any:
    """The one message of each ordering key that may go now: the oldest not yet delivered. Dead
    ones are left out, or one dead letter would silence its key for good. Computed once for the
    whole claim (not per candidate, which grows with the square of a long outage's backlog)."""
    undelivered = outbox.alias("undelivered")
    return (
        select(func.min(undelivered.c.id))
        .where(undelivered.c.ordering_key.is_not(None), undelivered.c.state.in_(("pending", "delivering")))
        .group_by(undelivered.c.ordering_key)
    )


def _still_ours(message: Claimed) -> Any:
    return and_(
        outbox.c.id == message.id, outbox.c.state == "delivering", outbox.c.locked_until == message.lease
    )


def _all_still_ours(messages: list[Claimed]) -> Any:
    """Those of ``messages`` still claimed by us (each lease a claim set), in one condition."""
    by_lease: dict[datetime, list[int]] = {}
    for message in messages:
        by_lease.setdefault(message.lease, []).append(message.id)
    ours = (and_(outbox.c.locked_until == lease, outbox.c.id.in_(ids)) for lease, ids in by_lease.items())
    return and_(outbox.c.state == "delivering", or_(*ours))


def mark_all_delivered(session: Session, messages: list[Claimed]) -> set[int]:
    """``mark_delivered`` of many messages (claimed together or not), in one statement; the ids
    that were still ours."""
    if not messages:
        return set()
    rows = session.connection().execute(
        update(outbox)
        .where(_all_still_ours(messages))
        .values(state="delivered", delivered_at=clock.now(), locked_until=None, last_error="")
        .returning(outbox.c.id)
    )
    return {found.id for found in rows}


def mark_delivered(session: Session, message: Claimed, note: str = "") -> bool:
    result = session.connection().execute(
        update(outbox)
        .where(_still_ours(message))
        .values(state="delivered", delivered_at=clock.now(), locked_until=None, last_error=note)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_failed(
    session: Session, message: Claimed, error: str, *, max_age: timedelta, permanent: bool
) -> str:
    """Retry later with exponential backoff and jitter, or give up: returns the new state."""
    now = clock.now()
    dead = permanent or now - message.created_at >= max_age
    backoff = min(RETRY_LONGEST, RETRY_FIRST * 2 ** (max(message.attempts, 1) - 1))
    values: dict[str, Any] = {"locked_until": None, "last_error": error[:2000]}
    if dead:
        values["state"] = "dead"
    else:
        values |= {"state": "pending", "next_attempt_at": now + backoff * random.uniform(0.5, 1.5)}
    session.connection().execute(update(outbox).where(_still_ours(message)).values(**values))
    return "dead" if dead else "pending"


def mark_all_waiting(session: Session, failed: list[tuple[Claimed, str]]) -> None:
    """Sends failed because their destination is down: the messages wait for it (pending,
    without a backoff of their own), in one statement. They go behind the other waiting ones,
    so the next probe is another message: one post the server fails on alone (a 500 on its
    content) does not keep the rest of its server's backlog waiting."""
    if failed:
        now = clock.now()
        session.connection().execute(
            update(outbox)
            .where(
                outbox.c.id == bindparam("message_id"),
                outbox.c.state == "delivering",
                outbox.c.locked_until == bindparam("lease"),
            )
            .values(state="pending", locked_until=None, last_error=bindparam("error"), next_attempt_at=now),
            [{"message_id": m.id, "lease": m.lease, "error": error[:2000]} for m, error in failed],
        )


def learn_destinations(session: Session, learned: list[tuple[Claimed, str | None]]) -> None:
    """Remember where each message was found to go (one statement for all that changed)."""
    changed = [
        {"message_id": message.id, "key": key} for message, key in learned if key != message.destination_key
    ]
    if changed:
        session.connection().execute(
            update(outbox)
            .where(outbox.c.id == bindparam("message_id"))
            .values(destination_key=bindparam("key")),
            changed,
        )


def hand_back(session: Session, messages: list[Claimed]) -> int:
    """Give claims back unfinished (pending at once, not counted as an attempt), in one
    statement, so this engine after a restart or another engine sends them without waiting."""
    if not messages:
        return 0
    result = session.connection().execute(
        update(outbox)
        .where(_all_still_ours(messages))
        .values(state="pending", locked_until=None, attempts=outbox.c.attempts - 1)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def listing(session: Session, *, failed_only: bool = False, limit: int = 100) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if failed_only:
        query = query.where(or_(OutboxMessage.state == "dead", OutboxMessage.last_error != ""))
        query = query.where(OutboxMessage.state != "delivered")
    return list(session.scalars(query))


def retry(session: Session, message_id: int) -> OutboxMessage:
    """Put a message (typically a dead one) back in line, to be delivered at once; its age for
    giving up again counts from now."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"no outbox message {message_id} (tocsin outbox list shows them)")
    now = clock.now()
    message.state = "pending"
    message.created_at = message.next_attempt_at = now
    message.locked_until = None
    return message
