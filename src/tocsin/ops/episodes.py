"""Problem episodes in the database, shared by every node's watchdog: beginning one or ending one
is a single atomic statement, and only the node whose statement did it tells the owners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tocsin.db import table_of
from tocsin.ops.models import WatchdogEpisode

episodes = table_of(WatchdogEpisode)


def begin(session: Session, problem: str, *, at: datetime, by: str) -> bool:
    """Note that ``problem`` began; True for the one node that noted it first (it tells owners)."""
    try:
        with session.begin_nested():
            session.connection().execute(insert(episodes).values(problem=problem, began_at=at, noticed_by=by))
    except IntegrityError:  # already known: another node (or this one, earlier) noted it
        return False
    return True


def end(session: Session, problem: str) -> datetime | None:
    """Note that ``problem`` is over; when it began for the one node that ended it, else None."""
    began = (
        session.connection()
        .execute(delete(episodes).where(episodes.c.problem == problem).returning(episodes.c.began_at))
        .scalar()
    )
    return began


def open_problems(session: Session) -> list[str]:
    return list(
        session.connection().execute(select(episodes.c.problem).order_by(episodes.c.problem)).scalars()
    )
