"""An accepted alert is on disk before its 202: SQLite syncs every commit (synchronous=FULL) unless
the administrator chose otherwise, and Tocsin never relaxes PostgreSQL's synchronous_commit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tocsin.app import create_app
from tocsin.config import Settings
from tocsin.db import Database

# SQLite's answers to PRAGMA synchronous.
SQLITE_LEVELS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def app_db(settings: Settings) -> Iterator[Database]:
    """The storage handle the application builds from its settings."""
    db: Database = create_app(settings, run_engine=False).state.db
    yield db
    db.dispose()


def _sqlite_level(db: Database, *, write: bool) -> str:
    sessions = db.write_session if write else db.read_session
    with sessions() as session:
        return SQLITE_LEVELS[session.scalar(text("PRAGMA synchronous"))]


@on_sqlite
def test_the_apps_sqlite_sessions_sync_every_commit_by_default(app_db: Database) -> None:
    db = app_db
    assert (_sqlite_level(db, write=True), _sqlite_level(db, write=False)) == ("FULL", "FULL")


@on_sqlite
def test_an_administrator_may_choose_normal_sync_on_sqlite(database_url: str, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TOCSIN_SQLITE_SYNCHRONOUS", "normal")
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        assert _sqlite_level(db, write=True) == "NORMAL"
    finally:
        db.dispose()


@on_postgresql
def test_the_apps_postgresql_sessions_keep_the_servers_synchronous_commit(app_db: Database) -> None:
    """The test server runs with synchronous_commit off for speed; what matters is that a session
    of the app never sets it to anything but the server's own value (on, by default)."""
    db = app_db
    with db.write_session() as session:
        current, server_value, source = session.execute(
            text("SELECT setting, reset_val, source FROM pg_settings WHERE name = 'synchronous_commit'")
        ).one()
    assert current == server_value
    assert source not in ("session", "client"), "a session of the app changed synchronous_commit"
