"""The real ``tocsin`` console script, run as a subprocess against each database.

Secrets (generated passwords, keys) are the last line of stdout; errors are tested in
``test_cli_errors.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from tests.support.factories import make_team, make_user
from tocsin import counters
from tocsin.accounts import apikeys
from tocsin.accounts.service import authenticate, find_user
from tocsin.counters import ALERT_TINY_ID
from tocsin.db import Database
from tocsin.integrations import service as integrations
from tocsin.migrate import alembic_config
from tocsin.teams.models import TeamMember
from tocsin.teams.service import find_team

TOCSIN = Path(sys.executable).with_name("tocsin")
TIMEOUT = 60
PASSWORD = "correct horse battery"


def tocsin_environment(**settings: str | Path) -> dict[str, str]:
    """This process's environment without any TOCSIN_* setting, plus the given ones."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("TOCSIN_")}
    environment.update({f"TOCSIN_{name.upper()}": str(value) for name, value in settings.items()})
    return environment


@dataclass
class Tocsin:
    """Runs the console script with a database and a data directory of its own."""

    environment: dict[str, str]

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(TOCSIN), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.environment,
            timeout=TIMEOUT,
            check=False,
        )

    def ok(self, *args: str, stdin: str = "") -> list[str]:
        """Run a command that must succeed; its stdout lines."""
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()


@pytest.fixture
def tocsin(database_url: str, tmp_path: Path) -> Tocsin:
    return Tocsin(tocsin_environment(database_url=database_url, data_dir=tmp_path / "data"))


def empty(database_url: str) -> str:
    """Take a migrated test database back to nothing at all: no tables, no Alembic version."""
    command.downgrade(alembic_config(database_url), "base")
    database = Database(database_url)
    try:
        with database.write_session() as session:
            session.execute(text("DROP TABLE alembic_version"))
    finally:
        database.dispose()
    return database_url


@pytest.fixture
def empty_database_url(database_url: str) -> str:
    return empty(database_url)


def _tables(db: Database) -> set[str]:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if db.dialect == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    )
    with db.read_session() as session:
        return set(session.scalars(text(query)))


def _can_log_in(db: Database, username: str, password: str) -> bool:
    with db.read_session() as session:
        return authenticate(session, username=username, password=password) is not None


@pytest.fixture
def fresh_db(empty_database_url: str) -> Iterator[Database]:
    database = Database(empty_database_url)
    yield database
    database.dispose()


def test_migrate_builds_an_empty_database_and_running_it_again_is_harmless(
    fresh_db: Database, tmp_path: Path
) -> None:
    cli = Tocsin(tocsin_environment(database_url=fresh_db.url, data_dir=tmp_path / "data"))
    assert "user_account" not in _tables(fresh_db)

    assert cli.ok("migrate") == ["Database is up to date."]
    assert cli.ok("migrate") == ["Database is up to date."]

    assert {"user_account", "team", "api_key", "integration", "alert", "counter"} <= _tables(fresh_db)
    with fresh_db.read_session() as session:
        assert counters.last_taken(session, ALERT_TINY_ID) == 0


def test_migrate_without_a_database_url_makes_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"
    cli = Tocsin(tocsin_environment(data_dir=data_dir))

    cli.ok("migrate")

    database = Database(f"sqlite:///{data_dir / 'tocsin.db'}")
    try:
        assert "user_account" in _tables(database)
    finally:
        database.dispose()


def test_user_create_takes_the_password_from_stdin(tocsin: Tocsin, db: Database) -> None:
    lines = tocsin.ok(
        "user", "create", "Ada@Example.com", "--role", "admin", "--full-name", "Ada L.", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip

    assert PASSWORD not in "\n".join(lines)
    with db.read_session() as session:
        user = authenticate(session, username="ada@example.com", password=PASSWORD)
        assert user is not None
        assert (user.username, user.role, user.full_name) == ("ada@example.com", "admin", "Ada L.")
        assert authenticate(session, username="ada@example.com", password="wrong password") is None


def test_user_create_without_password_stdin_prints_a_working_password_last(
    tocsin: Tocsin, db: Database
) -> None:
    lines = tocsin.ok("user", "create", "bob@example.com")

    password = lines[-1]
    assert len(password) >= 16
    assert _can_log_in(db, "bob@example.com", password)
    with db.read_session() as session:
        user = find_user(session, "bob@example.com")
        assert user is not None
        assert user.role == "user"


def test_user_set_password_generates_a_new_one_or_reads_it_from_stdin(tocsin: Tocsin, db: Database) -> None:
    make_user(db, "ada@example.com", password=PASSWORD)

    generated = tocsin.ok("user", "set-password", "ada@example.com")[-1]

    assert _can_log_in(db, "ada@example.com", generated)
    assert not _can_log_in(db, "ada@example.com", PASSWORD)

    tocsin.ok("user", "set-password", "ada@example.com", "--password-stdin", stdin="a brand new one\n")

    assert _can_log_in(db, "ada@example.com", "a brand new one")
    assert not _can_log_in(db, "ada@example.com", generated)


def test_team_create_adds_the_members_with_their_roles(tocsin: Tocsin, db: Database) -> None:
    ada = make_user(db, "ada@example.com")
    bob = make_user(db, "bob@example.com")

    tocsin.ok("team", "create", "ops", "--member", "ada@example.com:admin", "--member", "bob@example.com")

    with db.read_session() as session:
        team = find_team(session, name="ops")
        assert team is not None
        members = session.execute(
            select(TeamMember.user_id, TeamMember.role).where(TeamMember.team_id == team.id)
        )
        assert {user_id: role for user_id, role in members} == {ada: "admin", bob: "user"}


def test_a_team_is_named_in_any_case_and_a_second_in_another_case_is_refused(
    tocsin: Tocsin, db: Database
) -> None:
    team_id = make_team(db, "ÉQUIPE")

    key = tocsin.ok("integration", "create", "--name", "grafana", "--team", "équipe")[-1]
    refused = tocsin("team", "create", "équipe")

    assert refused.returncode != 0 and refused.stderr == "error: team ÉQUIPE already exists\n"
    with db.read_session() as session:
        integration = integrations.find_by_secret(session, key)
        assert integration is not None and integration.team_id == team_id
        assert find_team(session, name="équipe").id == team_id  # type: ignore[union-attr]


def test_apikey_create_prints_a_key_with_the_rights_asked_for(tocsin: Tocsin, db: Database) -> None:
    key = tocsin.ok("apikey", "create", "--name", "dashboards", "--rights", "read,create-update")[-1]

    with db.read_session() as session:
        api_key = apikeys.find_by_secret(session, key)
        assert api_key is not None
        assert (api_key.name, api_key.rights, api_key.enabled) == (
            "dashboards",
            ["read", "create-update"],
            True,
        )


def test_apikey_list_shows_names_and_rights_but_never_the_key(tocsin: Tocsin) -> None:
    dashboards = tocsin.ok("apikey", "create", "--name", "dashboards", "--rights", "read,create-update")[-1]
    backup = tocsin.ok("apikey", "create", "--name", "backup", "--rights", "read")[-1]

    listing = tocsin.ok("apikey", "list")

    assert [line.split("\t")[:2] for line in listing] == [
        ["backup", "read"],
        ["dashboards", "read,create-update"],
    ]
    assert dashboards not in "\n".join(listing)
    assert backup not in "\n".join(listing)


def test_apikey_delete_removes_the_key(tocsin: Tocsin, db: Database) -> None:
    key = tocsin.ok("apikey", "create", "--name", "dashboards", "--rights", "read")[-1]

    tocsin.ok("apikey", "delete", "--name", "dashboards")

    with db.read_session() as session:
        assert apikeys.find_by_secret(session, key) is None
    assert tocsin.ok("apikey", "list") == []


def test_integration_create_prints_a_key_owned_by_its_team(tocsin: Tocsin, db: Database) -> None:
    team_id = make_team(db, "ops")

    key = tocsin.ok("integration", "create", "--type", "API", "--name", "prometheus", "--team", "ops")[-1]

    with db.read_session() as session:
        integration = integrations.find_by_secret(session, key)
        assert integration is not None
        assert (integration.name, integration.type, integration.team_id) == ("prometheus", "API", team_id)
        assert integrations.actor_for(integration).scope.team_ids == {team_id}


def test_integration_create_without_a_team_sees_every_alert(tocsin: Tocsin, db: Database) -> None:
    key = tocsin.ok("integration", "create", "--name", "prometheus")[-1]

    with db.read_session() as session:
        integration = integrations.find_by_secret(session, key)
        assert integration is not None
        assert integration.team_id is None
        assert integrations.actor_for(integration).scope.everything
