"""The schema revision a database is at, as Alembic records it."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext

from tocsin.db import Database


def revision_of(database_url: str) -> str | None:
    database = Database(database_url)
    try:
        with database.write_engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        database.dispose()
