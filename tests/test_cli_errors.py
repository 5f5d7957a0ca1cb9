"""Wrong input to the ``tocsin`` command: a non-zero exit, exactly one line on stderr that starts
with ``error:`` and says what to fix, nothing on stdout and nothing changed in the database."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.support.factories import make_integration, make_team, make_user
from tests.test_cli import PASSWORD, Tocsin, tocsin_environment
from tocsin.accounts import apikeys
from tocsin.db import Database
from tocsin.models import metadata


@pytest.fixture
def tocsin(database_url: str, tmp_path: Path) -> Tocsin:
    return Tocsin(tocsin_environment(database_url=database_url, data_dir=tmp_path / "data"))


def _everything(db: Database) -> dict[str, list[Any]]:
    """Every row of every table, to show that a failed command wrote nothing."""
    with db.read_session() as session:
        return {
            table.name: sorted(map(tuple, session.execute(select(table))), key=repr)
            for table in metadata.sorted_tables
        }


@pytest.fixture
def existing(db: Database) -> Database:
    """Ada (admin of team ops), the dashboards API key and the prometheus integration."""
    make_user(db, "ada@example.com", role="admin", password=PASSWORD)
    make_team(db, "ops", "ada@example.com")
    make_integration(db, "prometheus")
    with db.write_session() as session:
        apikeys.create_api_key(session, name="dashboards", rights=["read"])
    return db


def _assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ")
    for fragment in fragments:
        assert fragment in line


CASES: dict[str, tuple[list[str], str, list[str]]] = {
    # name: (arguments, stdin, what the error line must say)
    "unknown role": (
        ["user", "create", "x@example.com", "--role", "boss", "--password-stdin"],
        PASSWORD,
        ["role must be one of owner, admin, user", "'boss'"],
    ),
    "duplicate user": (
        ["user", "create", "Ada@Example.com", "--password-stdin"],
        PASSWORD,
        ["ada@example.com already exists", "tocsin user set-password"],
    ),
    "bad e-mail": (["user", "create", "ada.example.com"], "", ["e-mail address", "'ada.example.com'"]),
    "unknown time zone": (
        ["user", "create", "x@example.com", "--time-zone", "Mars/Olympus"],
        "",
        ["unknown time zone 'Mars/Olympus'"],
    ),
    "too-short password": (
        ["user", "create", "x@example.com", "--password-stdin"],
        "short\n",
        ["password must be at least 8 characters"],
    ),
    "too-short new password": (
        ["user", "set-password", "ada@example.com", "--password-stdin"],
        "short\n",
        ["password must be at least 8 characters"],
    ),
    "empty password on stdin": (
        ["user", "create", "x@example.com", "--password-stdin"],
        "",
        ["no password on stdin", "leave out --password-stdin"],
    ),
    "blank line as password on stdin": (
        ["user", "set-password", "ada@example.com", "--password-stdin"],
        "\n",
        ["no password on stdin"],
    ),
    "new password for a user that does not exist": (
        ["user", "set-password", "nobody@example.com"],
        "",
        ["no user nobody@example.com", "tocsin user create"],
    ),
    "member that does not exist": (
        ["team", "create", "night", "--member", "ada@example.com:admin", "--member", "nobody@example.com"],
        "",
        ["no user nobody@example.com", "tocsin user create"],
    ),
    "unknown member role": (
        ["team", "create", "night", "--member", "ada@example.com:boss"],
        "",
        ["team member role must be one of admin, user", "'boss'"],
    ),
    "duplicate team": (["team", "create", "OPS"], "", ["team ops already exists"]),
    "missing team for an integration": (
        ["integration", "create", "--name", "grafana", "--team", "nope"],
        "",
        ["no team nope", "tocsin team create", "leave out --team"],
    ),
    "unknown integration type": (
        ["integration", "create", "--type", "Nagios", "--name", "grafana"],
        "",
        ["integration type must be one of API", "'Nagios'"],
    ),
    "duplicate integration": (
        ["integration", "create", "--name", "Prometheus"],
        "",
        ["integration named 'prometheus' already exists; choose another name"],
    ),
    "unknown right": (
        ["apikey", "create", "--name", "grafana", "--rights", "read,fly"],
        "",
        ["rights must be a comma-separated list of read, create-update, delete, configuration", "'read,fly'"],
    ),
    "duplicate API key": (
        ["apikey", "create", "--name", "Dashboards"],
        "",
        ["API key named 'dashboards' already exists"],
    ),
    "deleting an API key that does not exist": (
        ["apikey", "delete", "--name", "nope"],
        "",
        ["no API key named 'nope'", "tocsin apikey list"],
    ),
}


@pytest.mark.parametrize(("arguments", "stdin", "says"), CASES.values(), ids=CASES.keys())
def test_wrong_input_is_one_line_error_and_writes_nothing(
    tocsin: Tocsin, existing: Database, arguments: list[str], stdin: str, says: list[str]
) -> None:
    before = _everything(existing)

    _assert_one_line_error(tocsin(*arguments, stdin=stdin), *says)

    assert _everything(existing) == before


def test_unreachable_postgresql_is_one_line_error_without_the_password(tmp_path: Path) -> None:
    url = "postgresql://tocsin:s3cret@127.0.0.1:1/tocsin"
    cli = Tocsin(tocsin_environment(database_url=url, data_dir=tmp_path))

    for arguments in (["migrate"], ["apikey", "list"]):
        result = cli(*arguments)

        _assert_one_line_error(
            result, "cannot use postgresql://tocsin:***@127.0.0.1:1/tocsin", "TOCSIN_DATABASE_URL"
        )
        assert "s3cret" not in result.stderr


def test_database_that_was_never_migrated_is_one_line_error(tmp_path: Path) -> None:
    cli = Tocsin(tocsin_environment(data_dir=tmp_path))

    _assert_one_line_error(cli("apikey", "list"), "no such table", "tocsin migrate")


def test_data_dir_that_cannot_be_created_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    cli = Tocsin(tocsin_environment(data_dir=tmp_path / "a-file" / "data"))

    _assert_one_line_error(cli("migrate"), "cannot create the data directory", "TOCSIN_DATA_DIR")


def test_database_from_a_newer_version_is_one_line_error(tocsin: Tocsin, db: Database) -> None:
    with db.write_session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))

    _assert_one_line_error(tocsin("migrate"), "cannot migrate the database", "9999_from_the_future", "newer")
