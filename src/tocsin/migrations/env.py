from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Engine, create_engine, event, text

from tocsin.models import metadata

config = context.config
# Any constant, the same in every Tocsin: the key of the PostgreSQL lock that migrations take.
MIGRATION_LOCK = 0x70C5_1A


def _sqlite_engine(url: str) -> Engine:
    """SQLite, with DDL inside the transaction: Python's sqlite3 commits before each DDL statement
    unless it is left out of transaction handling, and a failed upgrade would stay half-done."""
    # Wait for a running server's write lock instead of failing at once.
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def run_migrations() -> None:
    url = config.attributes["database_url"]
    sqlite = url.startswith("sqlite")
    engine = _sqlite_engine(url) if sqlite else create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=sqlite,
            compare_type=True,
            # Every revision of one run in one transaction, on SQLite too: all or nothing.
            transactional_ddl=True,
        )
        with context.begin_transaction():
            if not sqlite:
                # Nodes started together all migrate: one at a time, so the ones after the first
                # find the schema current (read after the lock) instead of creating it again.
                # SQLite's BEGIN IMMEDIATE does the same there.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.run_migrations()
    engine.dispose()


run_migrations()
