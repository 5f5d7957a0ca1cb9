"""Named counters incremented by one atomic statement, safe under concurrency on both databases.

On PostgreSQL the alerts' tinyIds come from a sequence instead (migration 0011): a counter row
stays locked until its transaction ends, so writers taking tinyIds at once (the write queue's
threads, several server nodes) would wait for each other's commits."""

from __future__ import annotations

from sqlalchemy import BigInteger, Sequence, String, bindparam, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.db import Base, table_of

ALERT_TINY_ID = "alert_tiny_id"
SEQUENCES = {ALERT_TINY_ID: Sequence("alert_tiny_id_seq", metadata=Base.metadata)}
"""Counters kept in a sequence on PostgreSQL (and in a ``counter`` row on SQLite)."""


class Counter(Base):
    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


_table = table_of(Counter)
_INCREMENT = (
    update(_table)
    .where(_table.c.name == bindparam("counter_name"))
    .values(value=_table.c.value + bindparam("step"))
    .returning(_table.c.value)
)


def next_value(session: Session, name: str, *, by: int = 1) -> int:
    """Add ``by`` to the counter and return the new value: the caller owns the ``by`` values
    ending there. On PostgreSQL the row lock orders concurrent callers; on SQLite the write
    transaction already does. The rows are created by migrations."""
    return int(session.connection().execute(_INCREMENT, {"counter_name": name, "step": by}).scalar_one())


def take(session: Session, name: str, count: int) -> list[int]:
    """``count`` new values of the counter, in increasing order. Values a sequence handed to a
    transaction that is undone are skipped, not used again."""
    connection = session.connection()
    sequence = SEQUENCES.get(name)
    if sequence is not None and connection.dialect.name == "postgresql":
        taken = select(sequence.next_value()).select_from(func.generate_series(1, count))
        return sorted(int(value) for value in connection.execute(taken).scalars())
    top = next_value(session, name, by=count)
    return list(range(top - count + 1, top + 1))


def last_taken(session: Session, name: str) -> int:
    """The highest value handed out so far (0 for none)."""
    connection = session.connection()
    sequence = SEQUENCES.get(name)
    if sequence is not None and connection.dialect.name == "postgresql":
        row = connection.exec_driver_sql(f"SELECT last_value, is_called FROM {sequence.name}").one()
        return int(row.last_value) if row.is_called else int(row.last_value) - 1
    return int(connection.execute(select(_table.c.value).where(_table.c.name == name)).scalar_one())
