"""Waking the engine when messages are due now, instead of at its next tick.

A transaction that leaves a message due now marks its session; once it commits, the writer that
ran it wakes the engine in the same process (``WriteQueue.after_commit``). On PostgreSQL the
transaction also sends ``NOTIFY tocsin_outbox``, which the database delivers at commit (and drops
on rollback) to engines in other processes listening for it (``tocsin.engine.listener``);
notifications of one transaction on one channel are folded into one by the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

CHANNEL = "tocsin_outbox"
MARK = "tocsin.outbox_due_now"


def due_now(session: Session) -> None:
    """Say, in the caller's transaction, that it left messages due now."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"NOTIFY {CHANNEL}")
    session.info[MARK] = True


def left_messages_due(session_info: dict[str, Any]) -> bool:
    """Whether a committed transaction (its session's ``info``) left messages due now."""
    return bool(session_info.get(MARK))
