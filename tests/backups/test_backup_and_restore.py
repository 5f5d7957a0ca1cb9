"""What ``tocsin backup`` and ``tocsin restore`` refuse, and how they leave things when they do."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.backups.conftest import InProcess, backend_of
from tests.support.factories import make_user
from tests.support.processes import Serve
from tests.support.revisions import revision_of
from tests.test_cli import Tocsin
from tocsin.accounts.service import find_user
from tocsin.backups.common import known_revisions
from tocsin.backups.pg_tools import Connection
from tocsin.db import Database
from tocsin.migrate import alembic_config

HEAD = known_revisions()[0]


def user_exists(database_url: str, username: str) -> bool:
    database = Database(database_url)
    try:
        with database.read_session() as session:
            return find_user(session, username) is not None
    finally:
        database.dispose()


def add_user(database_url: str, username: str) -> None:
    database = Database(database_url)
    try:
        make_user(database, username)
    finally:
        database.dispose()


def set_revision(database_url: str, revision: str) -> None:
    database = Database(database_url)
    try:
        with database.write_session() as session:
            session.execute(
                text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision}
            )
    finally:
        database.dispose()


def kept_copies(database_url: str, tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.rglob("*before-restore-*"))


def test_a_backup_restores_what_was_there_and_keeps_the_replaced_database(
    tocsin: InProcess, database_url: str, tmp_path: Path
) -> None:
    backup = tmp_path / "tocsin.backup"
    add_user(database_url, "before@example.com")
    written = tocsin.ok("backup", str(backup))
    add_user(database_url, "after@example.com")

    restored = tocsin.ok("restore", str(backup))

    assert f"schema revision {HEAD}" in written
    assert user_exists(database_url, "before@example.com")
    assert not user_exists(database_url, "after@example.com")
    [kept] = kept_copies(database_url, tmp_path)
    assert f"kept in {kept}" in restored
    if backend_of(database_url) == "sqlite":
        assert user_exists(f"sqlite:///{kept}", "after@example.com")  # the replaced database, whole


def test_a_backup_never_overwrites_a_file_unless_forced(tocsin: InProcess, tmp_path: Path) -> None:
    backup = tmp_path / "tocsin.backup"
    backup.write_text("last night's backup")

    line = tocsin.error("backup", str(backup))

    assert "already exists" in line and "--force" in line
    assert backup.read_text() == "last night's backup"
    tocsin.ok("backup", "--force", str(backup))
    assert backup.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert backup.stat().st_mode & 0o777 == 0o600  # it holds password and key hashes
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".tocsin.backup")] == []


def test_an_older_backup_is_restored_then_migrated(
    tocsin: InProcess, database_url: str, tmp_path: Path
) -> None:
    add_user(database_url, "old@example.com")
    # Before tables, columns and (PostgreSQL) the tinyId sequence that later revisions added.
    command.downgrade(alembic_config(database_url), "0010")
    older = revision_of(database_url)
    tocsin.ok("backup", str(tmp_path / "older.backup"))
    command.upgrade(alembic_config(database_url), "head")
    add_user(database_url, "new@example.com")

    restored = tocsin.ok("restore", str(tmp_path / "older.backup"))

    assert older != HEAD
    assert f"schema revision {HEAD}" in restored
    assert revision_of(database_url) == HEAD
    assert user_exists(database_url, "old@example.com")
    assert not user_exists(database_url, "new@example.com")


def test_a_backup_from_a_newer_tocsin_is_refused(
    tocsin: InProcess, database_url: str, tmp_path: Path
) -> None:
    set_revision(database_url, "9999_from_the_future")
    tocsin.ok("backup", str(tmp_path / "newer.backup"))
    set_revision(database_url, HEAD)
    add_user(database_url, "still-here@example.com")

    line = tocsin.error("restore", str(tmp_path / "newer.backup"))

    assert "newer Tocsin" in line and "9999_from_the_future" in line and "upgrade Tocsin" in line
    assert user_exists(database_url, "still-here@example.com")
    assert revision_of(database_url) == HEAD
    assert kept_copies(database_url, tmp_path) == []


def _damaged(good: Path, kind: str) -> bytes:
    data = bytearray(good.read_bytes())
    if kind == "sqlite":  # garbage over every page but the first (the schema stays readable)
        data[4096:] = bytes(range(256)) * ((len(data) - 4096) // 256) + bytes((len(data) - 4096) % 256)
        return bytes(data)
    return bytes(data[: len(data) * 2 // 3])  # a dump cut short


@pytest.mark.parametrize("bad", ["junk", "damaged", "other kind"])
def test_a_corrupt_or_foreign_file_is_refused_and_nothing_changes(
    tocsin: InProcess, database_url: str, tmp_path: Path, bad: str
) -> None:
    kind = backend_of(database_url)
    good = tmp_path / "good.backup"
    tocsin.ok("backup", str(good))
    add_user(database_url, "still-here@example.com")
    file = tmp_path / "bad.backup"
    contents = {
        "junk": b"this is not a backup\n" * 100,
        "damaged": _damaged(good, kind),
        "other kind": b"PGDMP\x01\x0e\x00" if kind == "sqlite" else b"SQLite format 3\x00" + bytes(4080),
    }
    file.write_bytes(contents[bad])

    line = tocsin.error("restore", str(file))

    assert str(file) in line or "pg_restore" in line
    if bad == "other kind":
        assert "restore it into a database of the kind it came from" in line
    assert user_exists(database_url, "still-here@example.com")
    assert revision_of(database_url) == HEAD
    if kind == "sqlite":
        assert kept_copies(database_url, tmp_path) == []


def test_restore_is_refused_while_a_server_runs_and_goes_ahead_once_it_stopped(
    tocsin: InProcess, installation: Tocsin, serves: Callable[..., Serve], database_url: str, tmp_path: Path
) -> None:
    tocsin.ok("backup", str(tmp_path / "tocsin.backup"))
    add_user(database_url, "after@example.com")
    serve = serves(installation.environment)

    line = tocsin.error("restore", str(tmp_path / "tocsin.backup"))

    assert "stop" in line and "--force" in line
    assert user_exists(database_url, "after@example.com")
    serve.stop(signal.SIGTERM)
    assert "Restored" in tocsin.ok("restore", str(tmp_path / "tocsin.backup"))
    assert not user_exists(database_url, "after@example.com")


def test_force_restores_under_a_running_server(
    tocsin: InProcess, installation: Tocsin, serves: Callable[..., Serve], database_url: str, tmp_path: Path
) -> None:
    tocsin.ok("backup", str(tmp_path / "tocsin.backup"))
    add_user(database_url, "after@example.com")
    serve = serves(installation.environment)

    tocsin.ok("restore", "--force", str(tmp_path / "tocsin.backup"))

    assert not user_exists(database_url, "after@example.com")
    serve.stop(signal.SIGTERM)
    assert "Traceback" not in serve.stderr


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_postgresql_restore_that_fails_half_way_leaves_the_database_as_it_was(
    tocsin: InProcess, database_url: str, tmp_path: Path
) -> None:
    # A grant to a role the server no longer has: pg_restore fails at the very end, after it
    # has dropped and recreated every table (as when restoring onto a server without that role).
    role = f"gone_{os.getpid()}"
    database = Database(database_url)
    try:
        with database.write_session() as session:
            session.execute(text(f"CREATE ROLE {role}"))
            session.execute(text(f"GRANT SELECT ON alert TO {role}"))
        tocsin.ok("backup", str(tmp_path / "tocsin.backup"))
        with database.write_session() as session:
            session.execute(text(f"REVOKE ALL ON alert FROM {role}"))
            session.execute(text(f"DROP ROLE {role}"))
    finally:
        database.dispose()
    add_user(database_url, "still-here@example.com")

    line = tocsin.error("restore", str(tmp_path / "tocsin.backup"))

    assert "pg_restore" in line and role in line and "as it was" in line
    assert user_exists(database_url, "still-here@example.com")
    assert revision_of(database_url) == HEAD


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_without_pg_dump_the_error_names_the_package(tocsin: InProcess, tmp_path: Path) -> None:
    nothing = tmp_path / "empty-bin"
    nothing.mkdir()

    backup = tocsin.error("backup", str(tmp_path / "tocsin.backup"), PATH=str(nothing))
    restore = tocsin.error("restore", str(tmp_path / "tocsin.backup"), PATH=str(nothing))

    assert "pg_dump is not installed" in backup and "postgresql-client" in backup
    assert "is not installed" in restore and "postgresql-client" in restore
    assert not (tmp_path / "tocsin.backup").exists()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_pg_dump_older_than_the_server_is_refused_by_name(tocsin: InProcess, tmp_path: Path) -> None:
    old = tmp_path / "old-bin"
    old.mkdir()
    (old / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.22'\n")
    (old / "pg_dump").chmod(0o755)

    line = tocsin.error("backup", str(tmp_path / "tocsin.backup"), PATH=str(old))

    assert "version 11, older than the PostgreSQL" in line and "postgresql-client-" in line


def test_the_password_reaches_pg_dump_through_the_environment_only() -> None:
    connection = Connection.of(
        "postgresql+psycopg://tocsin:s3cret@db.example.com:5433/tocsin?sslmode=require"
    )

    assert "s3cret" not in connection.conninfo
    assert "host=db.example.com" in connection.conninfo and "sslmode=require" in connection.conninfo
    assert connection.environment()["PGPASSWORD"] == "s3cret"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_backup_restores_onto_a_new_machine_with_no_database_yet(
    tocsin: InProcess, database_url: str, tmp_path: Path
) -> None:
    add_user(database_url, "ada@example.com")
    tocsin.ok("backup", str(tmp_path / "tocsin.backup"))
    new_machine = InProcess({"TOCSIN_DATA_DIR": str(tmp_path / "new-machine")})

    restored = new_machine.ok("restore", str(tmp_path / "tocsin.backup"))

    assert "kept in" not in restored
    assert user_exists(f"sqlite:///{tmp_path / 'new-machine' / 'tocsin.db'}", "ada@example.com")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_failed_backup_leaves_no_file_behind(database_url: str, tmp_path: Path) -> None:
    # A role that may read the alerts but not the rest: pg_dump fails part-way through.
    role = f"half_reader_{os.getpid()}"
    database = Database(database_url)
    try:
        with database.write_session() as session:
            session.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'"))
            session.execute(text(f"GRANT SELECT ON alembic_version, alert TO {role}"))
        url = make_url(database_url).set(username=role, password=f"pw-{role}")
        as_role = InProcess(
            {
                "TOCSIN_DATABASE_URL": url.render_as_string(hide_password=False),
                "TOCSIN_DATA_DIR": str(tmp_path),
            }
        )

        line = as_role.error("backup", str(tmp_path / "tocsin.backup"))
    finally:
        with database.write_session() as session:
            session.execute(text(f"REVOKE ALL ON alembic_version, alert FROM {role}"))
            session.execute(text(f"DROP ROLE {role}"))
        database.dispose()

    assert "pg_dump failed" in line and "permission denied" in line
    assert f"pw-{role}" not in line
    assert [path.name for path in tmp_path.iterdir()] == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_plain_copy_of_a_stopped_database_restores_and_is_left_untouched(
    tocsin: InProcess, database_url: str, tmp_path: Path
) -> None:
    add_user(database_url, "ada@example.com")
    copy = tmp_path / "copied" / "tocsin.db"
    copy.parent.mkdir()
    copy.write_bytes(Path(database_url.removeprefix("sqlite:///")).read_bytes())
    new_machine = InProcess({"TOCSIN_DATA_DIR": str(tmp_path / "new-machine")})

    new_machine.ok("restore", str(copy))

    assert user_exists(f"sqlite:///{tmp_path / 'new-machine' / 'tocsin.db'}", "ada@example.com")
    assert [path.name for path in copy.parent.iterdir()] == ["tocsin.db"]
