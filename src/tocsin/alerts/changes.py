"""The alert change feed: which alerts were created or changed lately, for whoever listens.

Every change to an alert writes an alert log entry in the same transaction (creation, a repeat
of its alias, acknowledgement, notes, tags, notifications, escalations, snooze wake-ups), whoever
made it: a request to this process or to another one serving the same database, the engine, a
chat command. So the feed reads the alert log past a cursor: one task per process polls it, and
only while someone listens; the poll is one indexed ``max(id)`` when nothing changed.

Log ids are allocated before their transaction commits, so on PostgreSQL a smaller id can become
visible after a larger one. Ids skipped over are looked at again for ``GAP_GRACE_SECONDS`` (a
rolled-back id never shows up, and is then forgotten). SQLite has one writer at a time and hands
out ids in commit order, but gives the ids of the newest entries out again once their alert is
deleted (see ``LogCursor._given_out_again``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.actors import Scope
from tocsin.alerts.models import Alert, AlertLog
from tocsin.alerts.service import visible_condition
from tocsin.db import Database

log = logging.getLogger(__name__)

GAP_GRACE_SECONDS = 30.0
MAX_GAPS = 10_000
ROWS_PER_POLL = 5_000
QUEUE_CAPACITY = 256
"""Changes waiting for one listener; a listener that falls this far behind is dropped."""
RECENT_ENTRIES = 2_000
MIN_POLL_GAP_SECONDS = 0.05
"""Between two polls, however often the writer wakes the feed."""

Kind = Literal["created", "updated"]


@dataclass(frozen=True)
class AlertChange:
    alert_id: str
    tiny_id: int
    change: Kind


class LogCursor:
    """Where the feed has read the alert log up to, and the ids below it not seen yet."""

    def __init__(self, last_id: int, last_alert_id: str | None = None, *, ids_reused: bool = False) -> None:
        self.last_id = last_id
        self._gaps: dict[int, float] = {}
        """Ids skipped over, with the monotonic time after which they are given up."""
        self._ids_reused = ids_reused
        self._recent: dict[int, str] = {last_id: last_alert_id} if last_alert_id else {}
        """The alert of each of the newest entries read (where ids may be given out again)."""

    @classmethod
    def at_end(cls, session: Session) -> LogCursor:
        last_id = _newest_log_id(session)
        ids_reused = session.get_bind().dialect.name == "sqlite"
        return cls(last_id, _alert_of_entry(session, last_id) if ids_reused else None, ids_reused=ids_reused)

    def read(self, session: Session) -> dict[str, bool]:
        """The alerts whose log grew since the last read, each with whether it was created
        since (its very first entry is among the new ones)."""
        newest = _newest_log_id(session)
        now = time.monotonic()
        self._gaps = {gap: until for gap, until in self._gaps.items() if until > now}
        rows = self._given_out_again(session)
        if newest < self.last_id:  # the newest entries were deleted
            self.last_id = newest
        if newest > self.last_id or self._gaps:
            wanted = AlertLog.id > self.last_id
            if self._gaps:
                wanted = wanted | AlertLog.id.in_(list(self._gaps))
            later = session.execute(
                select(AlertLog.id, AlertLog.alert_id)
                .where(wanted)
                .order_by(AlertLog.id)
                .limit(ROWS_PER_POLL)
            ).all()
            self._advance([row_id for row_id, _ in later], now)
            rows += [(row_id, alert_id) for row_id, alert_id in later]
        self._remember(session, rows)
        if not rows:
            return {}
        read_ids = {row_id for row_id, _ in rows}
        alert_ids = {alert_id for _, alert_id in rows}
        return {alert_id: first in read_ids for alert_id, first in _first_log_ids(session, alert_ids).items()}

    def _given_out_again(self, session: Session) -> list[tuple[int, str]]:
        """SQLite numbers a new entry one past the newest: once an alert with the newest entries
        is deleted, new entries take ids already read. Seen when the last entry read is gone or
        another alert's; then the entries read lately are compared with what they are now."""
        if not self._recent or _alert_of_entry(session, self.last_id) == self._recent.get(self.last_id):
            return []
        rows = session.execute(
            select(AlertLog.id, AlertLog.alert_id).where(
                AlertLog.id >= min(self._recent), AlertLog.id <= self.last_id
            )
        ).all()
        now_there = {row_id: alert_id for row_id, alert_id in rows}
        for gone in set(self._recent) - set(now_there):
            del self._recent[gone]
        return [
            (row_id, alert_id)
            for row_id, alert_id in now_there.items()
            if self._recent.get(row_id) != alert_id
        ]

    def _remember(self, session: Session, rows: list[tuple[int, str]]) -> None:
        if not self._ids_reused:
            return
        self._recent.update(rows)
        if self.last_id not in self._recent:  # moved back to an entry read long ago
            last_alert_id = _alert_of_entry(session, self.last_id)
            if last_alert_id is not None:
                self._recent[self.last_id] = last_alert_id
        if len(self._recent) > RECENT_ENTRIES:
            self._recent = dict(sorted(self._recent.items())[-RECENT_ENTRIES:])

    def _advance(self, ids: list[int], now: float) -> None:
        for found in ids:
            self._gaps.pop(found, None)
        beyond = [found for found in ids if found > self.last_id]
        if not beyond:
            return
        seen = set(beyond)
        skipped = range(max(self.last_id + 1, beyond[-1] - MAX_GAPS), beyond[-1])
        for gap in skipped:
            if gap not in seen:
                self._gaps[gap] = now + GAP_GRACE_SECONDS
        if len(self._gaps) > MAX_GAPS:
            self._gaps = dict(sorted(self._gaps.items())[-MAX_GAPS:])
        self.last_id = beyond[-1]


def _alert_of_entry(session: Session, entry_id: int) -> str | None:
    return session.scalar(select(AlertLog.alert_id).where(AlertLog.id == entry_id))


def _newest_log_id(session: Session) -> int:
    return int(session.scalar(select(func.max(AlertLog.id))) or 0)


def _first_log_ids(session: Session, alert_ids: set[str]) -> dict[str, int]:
    """Each alert's first log entry. One lookup per alert in the (alert, entry) index, however
    long its log: an alert repeated for days has thousands of entries."""
    if not alert_ids:
        return {}
    first = select(func.min(AlertLog.id)).where(AlertLog.alert_id == Alert.id).scalar_subquery()
    rows = session.execute(select(Alert.id, first).where(Alert.id.in_(alert_ids)))
    return {alert_id: int(entry) for alert_id, entry in rows if entry is not None}


def changes_for_scopes(
    session: Session, changed: dict[str, bool], scopes: Iterable[Scope]
) -> dict[Scope, list[AlertChange]]:
    """Each scope's share of ``changed`` (alert id → created), in tinyId order: the alerts it may
    see now (an alert deleted meanwhile is no one's)."""
    if not changed:
        return {}
    rows = session.execute(select(Alert.id, Alert.tiny_id).where(Alert.id.in_(changed)))
    tiny_ids: dict[str, int] = {alert_id: tiny_id for alert_id, tiny_id in rows}
    every = [
        AlertChange(alert_id, tiny_id, "created" if changed[alert_id] else "updated")
        for alert_id, tiny_id in sorted(tiny_ids.items(), key=lambda item: item[1])
    ]
    shares: dict[Scope, list[AlertChange]] = {}
    for scope in set(scopes):
        if scope.sees_every_alert:
            shares[scope] = every
            continue
        visible = set(
            session.scalars(select(Alert.id).where(Alert.id.in_(tiny_ids), visible_condition(scope)))
        )
        shares[scope] = [change for change in every if change.alert_id in visible]
    return shares


class Subscription:
    """One listener's queue of changes, bounded: a listener that falls behind is dropped (its
    queue emptied and closed) rather than let the queue grow."""

    def __init__(self, scope: Scope, capacity: int = QUEUE_CAPACITY) -> None:
        self.scope = scope
        self.capacity = capacity
        self.closed = False
        self.dropped = False
        self._items: deque[AlertChange] = deque()
        self._ready = asyncio.Event()

    def offer(self, change: AlertChange) -> None:
        if self.closed:
            return
        if len(self._items) >= self.capacity:
            self.dropped = True
            self._items.clear()
            self.close()
            return
        self._items.append(change)
        self._ready.set()

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    async def next(self, timeout: float | None = None) -> AlertChange | None:
        """The next change; None once closed (or when ``timeout`` seconds pass without one)."""
        if not self._items and not self.closed:
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except TimeoutError:
                return None
        return self._items.popleft() if self._items else None


class ChangeFeed:
    """Polls the alert log for this process's listeners, every ``interval`` seconds (sooner when
    woken) while at least one listens, and hands each the changes to alerts its scope may see."""

    def __init__(self, db: Database, *, interval: float) -> None:
        self.db = db
        self.interval = interval
        self.polls = 0
        self._subscriptions: set[Subscription] = set()
        self._cursor: LogCursor | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._closed = False
        self._failing = False

    @property
    def listeners(self) -> int:
        return len(self._subscriptions)

    async def subscribe(self, scope: Scope, capacity: int = QUEUE_CAPACITY) -> Subscription:
        """A new listener. Changes committed after this returns reach it."""
        subscription = Subscription(scope, capacity)
        if self._closed:
            subscription.close()
            return subscription
        if self._task is None or self._task.done():
            cursor = await asyncio.to_thread(self._cursor_at_end)
            if self._task is None or self._task.done():  # no other listener started it meanwhile
                self._cursor = cursor
                self._loop = asyncio.get_running_loop()
                self._wake = asyncio.Event()
                self._task = self._loop.create_task(self._run(), name="tocsin-alert-changes")
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.close()
        self._subscriptions.discard(subscription)
        if not self._subscriptions:
            self._wake.set()  # the task sees no one listens and ends

    def wake(self) -> None:
        """Poll now rather than at the next interval (from any thread: the writer calls it after
        each commit)."""
        loop = self._loop
        if loop is not None and self._subscriptions:
            with contextlib.suppress(RuntimeError):  # the loop has closed
                loop.call_soon_threadsafe(self._wake.set)

    def close(self) -> None:
        """End every listener's stream now and take no new ones (the server is stopping); from
        any thread."""
        self._closed = True
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is not None and loop is not running:
            with contextlib.suppress(RuntimeError):  # the loop has closed: no stream is left
                loop.call_soon_threadsafe(self._end_all)
        else:
            self._end_all()

    def _end_all(self) -> None:
        for subscription in list(self._subscriptions):
            self.unsubscribe(subscription)

    def _cursor_at_end(self) -> LogCursor:
        with self.db.read_session() as session:
            return LogCursor.at_end(session)

    async def _run(self) -> None:
        while self._subscriptions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            if not self._subscriptions:
                break
            listeners = list(self._subscriptions)
            try:
                shares = await asyncio.to_thread(self._poll, [listener.scope for listener in listeners])
                self._failing = False
            except Exception:  # the database is away for a moment: try again at the next interval
                if not self._failing:  # once, not three times a second while it lasts
                    log.exception("reading alert changes failed; trying again until it works")
                self._failing = True
                shares = {}
            for listener in listeners:
                for change in shares.get(listener.scope, ()):
                    listener.offer(change)
                if listener.dropped:
                    self._subscriptions.discard(listener)
            await asyncio.sleep(MIN_POLL_GAP_SECONDS)

    def _poll(self, scopes: list[Scope]) -> dict[Scope, list[AlertChange]]:
        assert self._cursor is not None
        self.polls += 1
        with self.db.read_session() as session:
            return changes_for_scopes(session, self._cursor.read(session), scopes)
