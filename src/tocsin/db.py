"""Engines, sessions and column types shared by every domain package.

SQLite runs in WAL mode with foreign keys on and a busy timeout, and by default with
``synchronous=FULL``: a commit (an accepted 202) is on disk before it returns, so it survives an
OS crash or power loss, not only a crash of the process as with NORMAL (docs/decisions/0010).
Batched commits (``tocsin.writer``) share one sync among many creates. Write transactions on SQLite
start with ``BEGIN IMMEDIATE`` so a transaction never has to upgrade a read lock to a write lock
(which SQLite refuses without waiting); reads use deferred transactions and never block writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, Engine, Index, MetaData, Table, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from tocsin import ids
from tocsin.names import clashes_as_conflicts
from tocsin.turns import Turns

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use tocsin.clock.now() or an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, for statements that skip the ORM's per-row work."""
    return cast(Table, model.__table__)


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of only the rows where ``where`` holds, the same on both databases."""
    return Index(name, *columns, unique=unique, sqlite_where=text(where), postgresql_where=text(where))


def new_id() -> str:
    return ids.new_id()


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")


def _sqlite_engine(url: str, *, immediate: bool, synchronous: str) -> Engine:
    # Enough pooled connections for every request thread, so none is opened per request.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=48,
        max_overflow=16,
        hide_parameters=True,  # error messages (and so logs) never quote the values: tokens, hashes
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """The storage handle: a write engine and a read engine (the same one on PostgreSQL).

    ``sqlite_synchronous`` is SQLite's ``synchronous`` level, FULL (durable) unless an
    administrator chose NORMAL (``TOCSIN_SQLITE_SYNCHRONOUS``). PostgreSQL keeps its own
    durable default (``synchronous_commit=on``); Tocsin never changes it."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL") -> None:
        if sqlite_synchronous not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS)}")
        self.url = normalise_url(url)
        if is_sqlite(self.url):
            self.write_engine = _sqlite_engine(self.url, immediate=True, synchronous=sqlite_synchronous)
            self.read_engine = _sqlite_engine(self.url, immediate=False, synchronous=sqlite_synchronous)
        else:
            # Writes go through the write queue, which tries a batch again on a fresh connection
            # when its connection turns out dead (a restarted server), so they skip the ping
            # that reads pay on every checkout: a round trip per batch of creates.
            self.write_engine = create_engine(self.url, pool_size=10, max_overflow=20, hide_parameters=True)
            self.read_engine = create_engine(
                self.url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
            )
        clashes_as_conflicts(self.write_engine)
        self._write_turn: AbstractContextManager[None] = Turns() if is_sqlite(self.url) else nullcontext()
        """SQLite takes one writer at a time: the threads of this process (the API's writer, the
        engine's) take turns here, handed over at once, instead of in SQLite's busy handler,
        which sleeps up to 100 ms between looks. Other processes still meet the busy timeout."""
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.write_engine.dialect.name

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._write_turn, self._write_sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.write_engine.dispose()
        self.read_engine.dispose()
