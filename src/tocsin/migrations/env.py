from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tocsin.models import metadata

config = context.config


def run_migrations() -> None:
    url = config.attributes["database_url"]
    # Wait for a running server's write lock on SQLite instead of failing at once.
    engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    engine.dispose()


run_migrations()
