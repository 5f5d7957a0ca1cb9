"""PostgreSQL backups with ``pg_dump -Fc`` and their restore with ``pg_restore``.

The backup's alert count and schema revision are read in the very snapshot pg_dump dumps
(``pg_export_snapshot``). A restore checks the archive first, saves the current database with
pg_dump, then replaces it in one transaction (``pg_restore --single-transaction``) and migrates
it; if the migration fails, the saved database is put back."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
from psycopg import IsolationLevel, sql

from tocsin import migrate
from tocsin.backups.common import (
    BackupError,
    BackupFacts,
    check_kind,
    check_revision,
    move_into_place,
    partial_name,
    private_file,
    refuse_to_overwrite,
    remove_quietly,
    stamp,
)
from tocsin.backups.pg_tools import Connection, program, run

RESTORE_OPTIONS = ["--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-password"]


def _connect(connection: Connection) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(connection.with_password, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot connect to the database: {str(exc).strip().splitlines()[0]}") from exc


def _server_major(database: psycopg.Connection[tuple[object, ...]]) -> int:
    return database.info.server_version // 10000


def backup(url: str, target: Path, *, force: bool) -> BackupFacts:
    refuse_to_overwrite(target, force)
    connection = Connection.of(url)
    with _connect(connection) as database:
        pg_dump = program("pg_dump", _server_major(database))
        database.isolation_level = IsolationLevel.REPEATABLE_READ
        database.read_only = True
        written = partial_name(target)
        try:
            with database.transaction():
                snapshot = database.execute("SELECT pg_export_snapshot()").fetchone()
                revision = database.execute("SELECT version_num FROM alembic_version").fetchone()
                alerts = database.execute("SELECT count(*) FROM alert").fetchone()
                assert snapshot and alerts
                # pg_dump reads the snapshot this transaction exported, so what it writes is what
                # was counted above; the transaction stays open until it has finished.
                run(
                    [
                        pg_dump,
                        "-Fc",
                        "--no-password",
                        f"--snapshot={snapshot[0]}",
                        "-f",
                        str(written),
                        f"--dbname={connection.conninfo}",
                    ],
                    connection,
                    "pg_dump",
                )
            run([program("pg_restore", 0), "--list", str(written)], connection, "checking the dump")
            move_into_place(written, target)
        except psycopg.errors.UndefinedTable as exc:
            raise BackupError("the database has no Tocsin schema yet (run tocsin migrate)") from exc
        finally:
            remove_quietly(written)
    return BackupFacts(
        target, target.stat().st_size, int(str(alerts[0])), str(revision[0]) if revision else ""
    )


def _archive_objects(listing: str) -> set[tuple[str, str]]:
    """The tables and sequences of a ``pg_restore --list`` listing, as (kind, name), from lines
    such as ``215; 1259 16390 TABLE public alert tocsin`` (not ``TABLE DATA``, ``SEQUENCE SET``)."""
    found = re.findall(r"^\d+; \d+ \d+ (TABLE|SEQUENCE) \S+ (\S+)(?: \S+)?$", listing, re.MULTILINE)
    return {(kind, name) for kind, name in found}


def _archive_revision(pg_restore: str, backup_file: Path, connection: Connection) -> str:
    data = run(
        [pg_restore, "--data-only", "--table=alembic_version", "-f", "-", str(backup_file)],
        connection,
        "reading the backup's schema revision",
    )
    found = re.search(r"^COPY \S*alembic_version .*FROM stdin;\n([^\n\\]+)\n", data, re.MULTILINE)
    return found[1].strip() if found else ""


def _checked_archive(
    pg_restore: str, backup_file: Path, connection: Connection
) -> tuple[set[tuple[str, str]], str]:
    check_kind(backup_file, "postgresql")
    try:
        listing = run([pg_restore, "--list", str(backup_file)], connection, "reading the backup")
    except BackupError as exc:
        raise BackupError(
            f"{backup_file} is not a readable pg_dump archive ({exc.message}); nothing was restored"
        ) from exc
    objects = _archive_objects(listing)
    if not {("TABLE", "alembic_version"), ("TABLE", "alert")} <= objects:
        raise BackupError(
            f"{backup_file} is a pg_dump archive but not of a Tocsin database; nothing was restored"
        )
    return objects, _archive_revision(pg_restore, backup_file, connection)


def other_sessions(database: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    """Other connections to this database (a server's pool, an engine's LISTEN, a psql shell)."""
    rows = database.execute(
        "SELECT coalesce(nullif(application_name, ''), 'unnamed'), coalesce(host(client_addr), 'local'), "
        "backend_start FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    ).fetchall()
    return [f"{name} from {address} since {started:%Y-%m-%d %H:%M:%S}" for name, address, started in rows]


def _replace_with(
    archive: Path, objects: set[tuple[str, str]], pg_restore: str, connection: Connection
) -> None:
    """The database becomes the archive's (one transaction, pg_restore's); tables and sequences
    the archive lacks (from a newer schema) are dropped before, or a migration would meet them."""
    with _connect(connection) as database, database.transaction():
        for kind, catalog, column in (
            ("TABLE", "pg_tables", "tablename"),
            ("SEQUENCE", "pg_sequences", "sequencename"),
        ):
            present = database.execute(
                sql.SQL("SELECT {} FROM {} WHERE schemaname = current_schema()").format(
                    sql.Identifier(column), sql.Identifier(catalog)
                )
            )
            for name in sorted({str(row[0]) for row in present} - {name for k, name in objects if k == kind}):
                database.execute(
                    sql.SQL("DROP {} IF EXISTS {} CASCADE").format(sql.SQL(kind), sql.Identifier(name))
                )
    run(
        [pg_restore, *RESTORE_OPTIONS, f"--dbname={connection.conninfo}", str(archive)],
        connection,
        "pg_restore",
    )


def restore(url: str, backup_file: Path, *, force: bool, keep_in: Path) -> tuple[BackupFacts, Path]:
    """Replace the database with the archive's content; the facts and where the old one was saved."""
    connection = Connection.of(url)
    with _connect(connection) as database:
        major = _server_major(database)
        pg_restore, pg_dump = program("pg_restore", major), program("pg_dump", major)
        objects, revision = _checked_archive(pg_restore, backup_file, connection)
        needs_migration = check_revision(revision, backup_file)
        sessions = other_sessions(database)
        database.rollback()
    if sessions and not force:
        raise BackupError(
            f"{len(sessions)} other connection(s) to the database ({'; '.join(sessions[:3])}): stop "
            "tocsin serve and tocsin engine first, or add --force to restore anyway"
        )
    kept = private_file(keep_in / f"before-restore-{stamp()}.dump")
    try:
        run(
            [pg_dump, "-Fc", "--no-password", "-f", str(kept), f"--dbname={connection.conninfo}"],
            connection,
            "saving the current database before the restore",
        )
    except BackupError:
        remove_quietly(kept)
        raise
    kept_objects = _archive_objects(
        run([pg_restore, "--list", str(kept)], connection, "checking the saved database")
    )

    def put_back(why: str) -> BackupError:
        try:
            _replace_with(kept, kept_objects, pg_restore, connection)
        except BackupError as failed:
            return BackupError(
                f"{why}, and putting the database back failed too ({failed.message}): restore {kept} by hand"
            )
        return BackupError(f"{why}; the database was put back as it was (also saved in {kept})")

    try:
        _replace_with(backup_file, objects, pg_restore, connection)
    except BackupError as exc:
        raise put_back(exc.message) from exc
    try:
        if needs_migration:
            migrate.upgrade(url)
    except Exception as exc:
        raise put_back(f"the restored database could not be migrated ({str(exc).splitlines()[0]})") from exc
    with _connect(connection) as database:
        row = database.execute(
            "SELECT (SELECT version_num FROM alembic_version), (SELECT count(*) FROM alert)"
        ).fetchone()
        assert row is not None
    facts = BackupFacts(backup_file, backup_file.stat().st_size, int(str(row[1])), str(row[0]))
    return facts, kept
