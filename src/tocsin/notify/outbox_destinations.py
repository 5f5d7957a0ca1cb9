"""The health of delivery destinations (a chat server, a webhook's server: an origin), shared by
every engine through the database.

A destination whose sends fail for a reason worth retrying (network error, 408, 429, 5xx) is
*down*: its messages stay pending, untouched (none grows a backoff of its own), and one of them
at a time is sent as a *probe*, at growing intervals (``ProbeSpacing``) or when a 429's
``Retry-After`` says. The first send that succeeds makes the destination up again (its row
goes) and its whole backlog is claimable at once. A destination with no row is up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, Text, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.db import Base, UTCDateTime, table_of


class OutboxDestination(Base):
    __tablename__ = "outbox_destination"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    """The destination's origin, ``scheme://host:port``."""
    down_since: Mapped[datetime] = mapped_column(UTCDateTime())
    next_probe_at: Mapped[datetime] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0)
    """Failed sends (probes included) since it went down: how far apart the probes are."""
    last_error: Mapped[str] = mapped_column(Text, default="")


destinations = table_of(OutboxDestination)


@dataclass(frozen=True)
class ProbeSpacing:
    first: timedelta = timedelta(seconds=1)
    longest: timedelta = timedelta(seconds=5)
    """Kept short: a probe is one message, and the backlog waits at most this long after the
    destination answers again."""

    def after(self, failures: int, retry_after: float | None = None) -> timedelta:
        if retry_after is not None:
            return timedelta(seconds=min(retry_after, 3600.0))
        return min(self.longest, self.first * 2 ** max(failures - 1, 0))


def down_keys(session: Session) -> set[str]:
    return set(session.scalars(select(destinations.c.key)))


def down() -> Any:
    """The keys of the destinations that are down (a subquery for claims)."""
    return select(destinations.c.key)


def take_due_probes(session: Session, now: datetime, spacing: ProbeSpacing) -> list[str]:
    """The down destinations whose next probe is due, now this engine's to probe (the next
    probe time moves on in the same statement, so no other engine probes them too)."""
    rows = session.connection().execute(
        update(destinations)
        .where(destinations.c.next_probe_at <= now)
        .values(next_probe_at=now + spacing.longest)
        .returning(destinations.c.key)
    )
    return sorted(found.key for found in rows)


def mark_up(session: Session, keys: set[str]) -> None:
    if keys:
        session.connection().execute(delete(destinations).where(destinations.c.key.in_(keys)))


def mark_down(
    session: Session,
    key: str,
    error: str,
    *,
    now: datetime,
    spacing: ProbeSpacing,
    retry_after: float | None = None,
) -> None:
    """Record a failed send to ``key``: down since now (or still), next probe later."""
    if _count_failure(session, key, error, now, spacing, retry_after):
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(destinations)
    stored = session.execute(
        insert.values(
            key=key,
            down_since=now,
            next_probe_at=now + spacing.after(1, retry_after),
            failures=1,
            last_error=error[:2000],
        )
        .on_conflict_do_nothing(index_elements=[destinations.c.key])
        .returning(destinations.c.key)
    )
    if stored.first() is None:  # another engine recorded it down meanwhile
        _count_failure(session, key, error, now, spacing, retry_after)


def _count_failure(
    session: Session, key: str, error: str, now: datetime, spacing: ProbeSpacing, retry_after: float | None
) -> bool:
    failures = session.scalar(
        update(destinations)
        .where(destinations.c.key == key)
        .values(failures=destinations.c.failures + 1, last_error=error[:2000])
        .returning(destinations.c.failures)
    )
    if failures is None:
        return False
    session.execute(
        update(destinations)
        .where(destinations.c.key == key)
        .values(next_probe_at=now + spacing.after(failures, retry_after))
    )
    return True
