"""The engines' ticks as the database knows them: each engine writes its own row now and then
(not every tick: a woken engine ticks many times a second), so any process can tell whether
an engine runs, whichever node it is on."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tocsin.db import table_of
from tocsin.engine.models import EngineTick

RECORD_EVERY = timedelta(seconds=5)
FORGET_AFTER = timedelta(days=1)
"""Rows of engines that died without removing theirs are cleared after this long."""

ticks = table_of(EngineTick)


def record(session: Session, holder: str, at: datetime) -> None:
    connection = session.connection()
    updated = connection.execute(update(ticks).where(ticks.c.holder == holder).values(ticked_at=at))
    if not updated.rowcount:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.connection().execute(insert(ticks).values(holder=holder, ticked_at=at))
        except IntegrityError:  # another write of the same holder won the race: it is as recent
            pass
        connection.execute(delete(ticks).where(ticks.c.ticked_at < at - FORGET_AFTER))


def forget(session: Session, holder: str) -> None:
    session.connection().execute(delete(ticks).where(ticks.c.holder == holder))


def last(session: Session) -> datetime | None:
    """The most recent tick of any engine; None when no engine has run (or all stopped)."""
    return session.connection().execute(select(func.max(ticks.c.ticked_at))).scalar()
