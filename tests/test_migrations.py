"""The schema exists only through the Alembic migrations: they must build exactly what the models
describe, on both databases, and running them again must change nothing."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from tests.support.factories import make_integration, make_team, make_user
from tocsin import config_version, counters
from tocsin.alerts import ingest
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.counters import ALERT_TINY_ID, Counter
from tocsin.db import Database
from tocsin.migrate import alembic_config, upgrade
from tocsin.models import metadata


def _schema_differences(db: Database) -> list[Any]:
    with warnings.catch_warnings():
        # SQLite cannot reflect expression indexes (older revisions' lower(name)); Alembic skips them.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with db.write_engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))


def _current_revision(db: Database) -> str | None:
    with db.write_engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrated_schema_matches_the_models(db: Database) -> None:
    assert _schema_differences(db) == []


def test_migrations_stop_at_the_single_head(db: Database) -> None:
    heads = ScriptDirectory.from_config(alembic_config(db.url)).get_heads()

    assert len(heads) == 1
    assert _current_revision(db) == heads[0]


def test_every_name_key_has_its_unique_index_and_no_lower_index_is_left(db: Database) -> None:
    """By name, with the policy scopes' partial indexes the comparison above does not look into."""
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if db.dialect == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with db.read_session() as session:
        indexes = set(session.scalars(text(query)))

    assert {
        "uq_user_account_username_key",
        "uq_api_key_name_key",
        "uq_team_name_key",
        "uq_schedule_name_key",
        "uq_rotation_schedule_id_name_key",
        "uq_escalation_policy_name_key",
        "uq_heartbeat_name_key",
        "uq_integration_name_key",
        "uq_policy_global_name_key",
        "uq_policy_team_id_name_key",
    } <= indexes
    assert not [name for name in indexes if name.endswith("_name_lower")]


def _set_tiny_ids_taken(db: Database, taken: int) -> None:
    with db.write_session() as session:
        if db.dialect == "postgresql":
            session.execute(text("SELECT setval('alert_tiny_id_seq', :taken)"), {"taken": taken})
        else:
            session.execute(
                Counter.__table__.update().where(Counter.name == ALERT_TINY_ID).values(value=taken)
            )


def _tiny_ids_taken(db: Database) -> int:
    with db.read_session() as session:
        return counters.last_taken(session, ALERT_TINY_ID)


def test_after_migration_no_tiny_id_is_taken_and_the_configuration_version_is_0(db: Database) -> None:
    assert _tiny_ids_taken(db) == 0
    with db.read_session() as session:
        assert config_version.current(session) == 0


def test_upgrading_a_migrated_database_changes_nothing(database_url: str, db: Database) -> None:
    make_user(db, "ada@example.com")
    _set_tiny_ids_taken(db, 41)
    revision = _current_revision(db)

    upgrade(database_url)
    upgrade(database_url)

    assert _current_revision(db) == revision
    assert _schema_differences(db) == []
    assert _tiny_ids_taken(db) == 41
    with db.read_session() as session:
        tiny_id_row = {ALERT_TINY_ID} if db.dialect == "sqlite" else set()
        assert set(session.scalars(select(Counter.name))) == {*tiny_id_row, config_version.NAME}
        assert session.scalar(text("SELECT count(*) FROM user_account")) == 1


def test_migration_0011_carries_the_tiny_ids_taken_over_both_ways(db: Database) -> None:
    """On PostgreSQL from the counter row to the sequence and back; SQLite keeps its row."""
    actor, _ = make_integration(db, "prometheus")
    _create(db, actor, "first")
    config = alembic_config(db.url)
    db.write_engine.dispose()

    command.downgrade(config, "0010")
    with db.read_session() as session:
        assert session.scalar(select(Counter.value).where(Counter.name == ALERT_TINY_ID)) == 1
    db.read_engine.dispose()
    command.upgrade(config, "head")

    second = _create(db, actor, "second")
    with db.read_session() as session:
        assert session.scalar(select(Alert.tiny_id).where(Alert.id == second)) == 2
    assert _tiny_ids_taken(db) == 2


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> Any:
    """A database file that only ``Database`` has touched, so every PRAGMA seen is its doing."""
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    yield database
    database.dispose()


@pytest.mark.parametrize("engine", ["write_engine", "read_engine"])
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    fresh_sqlite: Database, engine: str
) -> None:
    with getattr(fresh_sqlite, engine).connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731

        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_enforces_foreign_keys(db: Database) -> None:
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), db.write_session() as session:
        session.execute(
            text("INSERT INTO team_member (team_id, user_id, role) VALUES ('no', 'such', 'user')")
        )


def test_every_migration_can_be_undone_and_redone(db: Database) -> None:
    """Downgrading to an empty database and upgrading again gives the schema of the models."""
    config = alembic_config(db.url)
    db.write_engine.dispose()  # Alembic opens its own connections

    command.downgrade(config, "base")
    with db.write_engine.connect() as connection:
        left = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
    command.upgrade(config, "head")

    assert left == []
    assert _schema_differences(db) == []


def _create(db: Database, actor: Any, alias: str) -> str:
    with db.write_session() as session:
        return ingest.create_alert(
            session, payload=CreateAlertPayload(message=alias, alias=alias), actor=actor
        ).alert_id


def test_migration_0005_gives_alerts_of_team_integrations_their_teams_deduplication_scope(
    db: Database,
) -> None:
    ops = make_team(db, "ops")
    team_actor, _ = make_integration(db, "ops-prometheus", team="ops")
    global_actor, _ = make_integration(db, "prometheus")
    ids = {_create(db, team_actor, "disk"): f"team:{ops}", _create(db, global_actor, "cpu"): "account"}
    config = alembic_config(db.url)
    db.write_engine.dispose()

    command.downgrade(config, "0004")
    command.upgrade(config, "0005")

    with db.read_session() as session:
        assert {
            row.id: row.dedup_scope for row in session.execute(select(Alert.id, Alert.dedup_scope))
        } == ids


def test_migration_0005_is_not_undone_while_an_alias_is_open_for_two_teams(db: Database) -> None:
    make_team(db, "ops")
    make_team(db, "db")
    for team in ("ops", "db"):
        _create(db, make_integration(db, f"{team}-prometheus", team=team)[0], "disk")
    db.write_engine.dispose()

    with pytest.raises(RuntimeError, match=r"open on more than one alert .* disk"):
        command.downgrade(alembic_config(db.url), "0004")

    # Every step of the downgrade is undone with it: the database stays where it was.
    assert _current_revision(db) == ScriptDirectory.from_config(alembic_config(db.url)).get_heads()[0]
    assert _schema_differences(db) == []
