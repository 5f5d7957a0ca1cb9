"""Counts that become true only when their transaction commits.

Alert creates and deliveries are decided inside a transaction (often one batch of the write
queue, each item in a savepoint of its own) that may still be undone. ``on_commit`` keeps the
count on the session until the whole transaction commits; a savepoint that is rolled back
forgets what was noted inside it, so an item that is run again alone is not counted twice."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_PENDING = "tocsin.metrics.pending"

Count = Callable[[], None]


def on_commit(session: Session, count: Count) -> None:
    """Run ``count`` once the transaction ``session`` is in commits (never if it is undone)."""
    where = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((where, count))


def _inside(transaction: SessionTransaction | None, undone: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is undone:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _forget_undone(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [(where, count) for where, count in pending if not _inside(where, previous)]


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    if session.get_nested_transaction() is not None:  # a savepoint released: not committed yet
        return
    for _, count in session.info.pop(_PENDING, []):
        count()
