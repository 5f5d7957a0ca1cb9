"""Is Tocsin doing its work? The facts readiness, the watchdog and the metrics share: when an
engine last ticked, and what waits in the outbox, per kind of message (its topic)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.engine import ticks
from tocsin.notify.outbox import outbox

UNFINISHED = ("pending", "delivering")
STALE = timedelta(minutes=1)
"""How long the engine may be silent, or a due message wait, before owners are told."""


@dataclass(frozen=True)
class Problem:
    key: str
    """``engine_silent`` or ``outbox_stuck``: stable, for metrics and for telling owners once."""
    text: str
    """What is wrong and what to do, for a banner, an e-mail and /health/ready."""


@dataclass(frozen=True)
class TopicBacklog:
    topic: str
    """The kind of message: "alert.created", "notify.email", "mattermost.post", …"""
    depth: int
    """Messages not yet delivered nor given up, due or not."""
    due: int
    """Of those, the ones whose time has come."""
    oldest_due_at: datetime | None
    """When the longest-waiting due message was due; None when none is due."""

    def oldest_due_age(self, now: datetime) -> timedelta:
        return now - self.oldest_due_at if self.oldest_due_at is not None else timedelta(0)


@dataclass(frozen=True)
class Liveness:
    at: datetime
    engine_last_tick: datetime | None
    outbox: list[TopicBacklog]

    @property
    def engine_tick_age(self) -> timedelta | None:
        return None if self.engine_last_tick is None else max(timedelta(0), self.at - self.engine_last_tick)

    @property
    def oldest_due_age(self) -> timedelta:
        return max((backlog.oldest_due_age(self.at) for backlog in self.outbox), default=timedelta(0))

    def problems(self, stale: timedelta = STALE) -> list[Problem]:
        """What owners must hear of; ``stale`` is how long is too long (a minute unless an
        administrator set TOCSIN_WATCHDOG_STALE_SECONDS)."""
        found = []
        age = self.engine_tick_age
        if age is None or age > stale:
            since = "no engine is running" if age is None else f"the last tick was {_span(age)} ago"
            found.append(
                Problem(
                    "engine_silent",
                    f"No engine has ticked for over {_period(stale)} ({since}): alerts are not routed, "
                    "nobody is notified and nothing escalates. Start one (tocsin engine, or tocsin "
                    "serve without --no-engine) and read its log.",
                )
            )
        if self.oldest_due_age > stale:
            late = [backlog for backlog in self.outbox if backlog.oldest_due_age(self.at) > stale]
            kinds = ", ".join(f"{backlog.due} {backlog.topic}" for backlog in late)
            found.append(
                Problem(
                    "outbox_stuck",
                    f"Messages wait to be delivered, the oldest for {_span(self.oldest_due_age)} "
                    f"({kinds}). tocsin outbox list shows their last errors.",
                )
            )
        return found


def _period(stale: timedelta) -> str:
    return "a minute" if stale == timedelta(minutes=1) else _span(stale)


def _span(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def outbox_backlog(session: Session, now: datetime) -> list[TopicBacklog]:
    is_due = outbox.c.next_attempt_at <= now
    rows = session.connection().execute(
        select(
            outbox.c.topic,
            func.count(),
            func.count().filter(is_due),
            func.min(outbox.c.next_attempt_at).filter(is_due),
        )
        .where(outbox.c.state.in_(UNFINISHED))
        .group_by(outbox.c.topic)
        .order_by(outbox.c.topic)
    )
    return [TopicBacklog(topic, depth, due, oldest) for topic, depth, due, oldest in rows]


def oldest_due(session: Session, now: datetime) -> datetime | None:
    """The cheap question (one index look-up, for health checks): since when has the
    longest-waiting due message been due?"""
    return (
        session.connection()
        .execute(
            select(func.min(outbox.c.next_attempt_at)).where(
                outbox.c.state == "pending", outbox.c.next_attempt_at <= now
            )
        )
        .scalar()
    )


def read(session: Session, now: datetime) -> Liveness:
    return Liveness(at=now, engine_last_tick=ticks.last(session), outbox=outbox_backlog(session, now))
