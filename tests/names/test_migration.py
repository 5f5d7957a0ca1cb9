"""Migration 0006 gives every stored name its key: it fills the keys of the rows already there,
and when stored names clash under the key it says which, all at once, and changes nothing."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, inspect, text

from tests.test_cli import Tocsin, tocsin_environment
from tocsin.db import Database
from tocsin.migrate import alembic_config, upgrade
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def at_0004(db: Database) -> Iterator[Database]:
    """The test database taken back to revision 0004, before name keys."""
    db.write_engine.dispose()  # Alembic opens its own connections
    command.downgrade(alembic_config(db.url), "0004")
    yield db


def _insert(db: Database, table: str, **values: Any) -> None:
    """A row as the 0004 schema has it (read from the database: the models are newer)."""
    with db.write_session() as session, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")  # lower(name), on SQLite
        session.execute(Table(table, MetaData(), autoload_with=session.connection()).insert().values(values))


def _team(db: Database, row_id: str, name: str) -> None:
    _insert(db, "team", id=row_id, name=name, description="", created_at=NOW)


def _user(db: Database, row_id: str, username: str) -> None:
    _insert(
        db,
        "user_account",
        id=row_id,
        username=username,
        full_name="",
        role="user",
        time_zone="UTC",
        created_at=NOW,
    )


def _schedule(db: Database, row_id: str, name: str) -> None:
    _insert(
        db, "schedule", id=row_id, name=name, description="", timezone="UTC", enabled=True, created_at=NOW
    )


def _rotation(db: Database, row_id: str, schedule_id: str, name: str) -> None:
    _insert(
        db,
        "rotation",
        id=row_id,
        schedule_id=schedule_id,
        name=name,
        position=0,
        type="daily",
        length=1,
        start_date=NOW,
        created_at=NOW,
    )


def _global_policy(db: Database, row_id: str, name: str) -> None:
    _insert(
        db,
        "policy",
        id=row_id,
        name=name,
        type="alert",
        description="",
        enabled=True,
        position=0,
        filter={},
        body={},
        created_at=NOW,
        updated_at=NOW,
    )


def _revision(db: Database) -> str | None:
    with db.write_engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _columns(db: Database, table: str) -> set[str]:
    with db.write_engine.connect() as connection:
        return {column["name"] for column in inspect(connection).get_columns(table)}


def test_the_migration_fills_the_key_of_every_existing_name(at_0004: Database) -> None:
    _team(at_0004, "t1", "ÉQUIPE")
    _user(at_0004, "u1", "straße@example.com")
    _schedule(at_0004, "s1", "Nuit")
    _rotation(at_0004, "r1", "s1", "JOUR")

    upgrade(at_0004.url)

    with at_0004.read_session() as session:
        assert session.execute(text("SELECT name_key FROM team")).scalar_one() == "équipe"
        assert session.execute(text("SELECT username_key FROM user_account")).scalar_one() == (
            "strasse@example.com"
        )
        assert session.execute(text("SELECT name_key FROM rotation")).scalar_one() == "jour"
        assert teams.find_team(session, name="équipe").id == "t1"  # type: ignore[union-attr]
        assert oncall.find_schedule(session, "NUIT", "name").id == "s1"  # type: ignore[union-attr]


def test_clashing_names_are_all_reported_and_nothing_changes(at_0004: Database) -> None:
    _team(at_0004, "t1", "Straße")
    _team(at_0004, "t2", "STRASSE")
    _user(at_0004, "u1", "straße@example.com")
    _user(at_0004, "u2", "strasse@example.com")
    _schedule(at_0004, "s1", "Nuit")
    _rotation(at_0004, "r1", "s1", "Day")
    _rotation(at_0004, "r2", "s1", "DAY")
    _global_policy(at_0004, "p1", "Raise")
    _global_policy(at_0004, "p2", "RAISE")
    columns_before = {table: _columns(at_0004, table) for table in ("team", "user_account", "rotation")}

    with pytest.raises(Exception, match="names must be unique ignoring case") as refused:
        upgrade(at_0004.url)

    message = str(refused.value)
    assert "team (teams): 'STRASSE', 'Straße'" in message
    assert "user_account (users): 'strasse@example.com', 'straße@example.com'" in message
    assert "rotation (rotations of schedule id s1): 'DAY', 'Day'" in message
    assert "policy (global policies): 'RAISE', 'Raise'" in message
    assert "Rename one of each" in message and "nothing was changed" in message
    assert _revision(at_0004) == "0004"
    assert {table: _columns(at_0004, table) for table in columns_before} == columns_before
    with at_0004.read_session() as session:
        assert set(session.scalars(text("SELECT name FROM team"))) == {"Straße", "STRASSE"}


def test_after_renaming_the_clash_away_the_migration_runs(at_0004: Database) -> None:
    _team(at_0004, "t1", "Straße")
    _team(at_0004, "t2", "STRASSE")
    with pytest.raises(Exception, match="names must be unique"):
        upgrade(at_0004.url)
    with at_0004.write_session() as session:
        session.execute(text("UPDATE team SET name = 'Strasse Nord' WHERE id = 't2'"))

    upgrade(at_0004.url)

    assert "name_key" in _columns(at_0004, "team")
    with at_0004.read_session() as session:
        assert teams.find_team(session, name="STRASSE NORD").id == "t2"  # type: ignore[union-attr]
        assert teams.find_team(session, name="strasse").id == "t1"  # type: ignore[union-attr]


def test_tocsin_migrate_lists_the_clashes_in_its_one_line_error(at_0004: Database, tmp_path: Path) -> None:
    _team(at_0004, "t1", "Straße")
    _team(at_0004, "t2", "STRASSE")
    cli = Tocsin(tocsin_environment(database_url=at_0004.url, data_dir=tmp_path / "data"))

    result = cli("migrate")

    assert result.returncode != 0 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: names must be unique ignoring case and Unicode form")
    assert "team (teams): 'STRASSE', 'Straße'" in line
    assert _revision(at_0004) == "0004"
