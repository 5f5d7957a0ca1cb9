"""Named counters incremented by one atomic statement, safe under concurrency on both databases."""

from __future__ import annotations

from sqlalchemy import BigInteger, String, bindparam, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.db import Base, table_of

ALERT_TINY_ID = "alert_tiny_id"


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
