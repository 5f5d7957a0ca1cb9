"""SQLite backups through SQLite's online backup API, consistent while the server writes.

The backup reads one snapshot (WAL mode lets writers go on meanwhile) into a file beside the
target, which is checked and then renamed. A restore prepares the database in a working file
(copied, migrated, checked), keeps the current database as ``<db>.before-restore-<time>``, then
copies the working file into the database with the same backup API: one write transaction, so
the database holds the old content or the new, never a mix."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

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

BUSY_TIMEOUT_SECONDS = 30


def database_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("TOCSIN_DATABASE_URL names no SQLite file to back up or restore")
    return Path(database)


@contextmanager
def _open(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """``read_only`` opens a backup file without ever writing to or beside it: as immutable when
    no ``-wal`` lies beside it (a plain copy of a stopped WAL database would otherwise get a
    ``-shm`` and ``-wal`` created next to it)."""
    immutable = "&immutable=1" if not Path(f"{path}-wal").exists() else ""
    target = f"{path.resolve().as_uri()}?mode=ro{immutable}" if read_only else str(path)
    with closing(sqlite3.connect(target, uri=read_only, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
        yield connection


def _integrity_problem(connection: sqlite3.Connection) -> str | None:
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return None if rows == ["ok"] else "; ".join(str(row) for row in rows[:3])


def _facts(connection: sqlite3.Connection, path: Path) -> BackupFacts:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"alembic_version", "alert"} <= tables:
        raise BackupError(f"{path} is not a Tocsin database: it lacks Tocsin's tables (run tocsin migrate?)")
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    alerts = connection.execute("SELECT count(*) FROM alert").fetchone()[0]
    return BackupFacts(path, path.stat().st_size, int(alerts), revision[0] if revision else "")


def _without_wal(path: Path) -> None:
    """Make a copied file self-contained (rollback journal, not WAL: nothing beside it)."""
    with _open(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")


def backup(url: str, target: Path, *, force: bool) -> BackupFacts:
    source = database_path(url)
    if not source.is_file():
        raise BackupError(f"there is no database at {source} (check TOCSIN_DATABASE_URL or TOCSIN_DATA_DIR)")
    refuse_to_overwrite(target, force)
    written = partial_name(target)
    try:
        with _open(source) as live, _open(written) as copy:
            live.backup(copy)  # all pages in one step: one read snapshot of the live database
        _without_wal(written)
        with _open(written) as copy:
            problem = _integrity_problem(copy)
            if problem:
                raise BackupError(
                    f"the backup failed its integrity check ({problem}); {target} was not written"
                )
            facts = _facts(copy, written)
        move_into_place(written, target)
    finally:
        remove_quietly(written, *(Path(f"{written}{end}") for end in ("-wal", "-shm", "-journal")))
    return BackupFacts(target, facts.size, facts.alerts, facts.revision)


def in_use(path: Path) -> bool:
    """Whether any other process has the database open (a server, an engine, a shell).

    In WAL mode every open connection keeps a shared lock on the database file, even between
    transactions, so a momentary exclusive lock is refused exactly while someone has it open."""
    if not path.exists():
        return False
    with closing(sqlite3.connect(str(path), timeout=0, isolation_level=None)) as probe:
        probe.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            probe.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError:
            return True
        probe.execute("ROLLBACK")
    return False


def _checked_backup(backup_file: Path) -> BackupFacts:
    check_kind(backup_file, "sqlite")
    try:
        with _open(backup_file, read_only=True) as connection:
            problem = _integrity_problem(connection)
            if problem:
                raise BackupError(f"{backup_file} is damaged ({problem}); nothing was restored")
            return _facts(connection, backup_file)
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"{backup_file} cannot be read as an SQLite database ({exc}); nothing was restored"
        ) from exc


def _prepare(backup_file: Path, working: Path, needs_migration: bool) -> None:
    """The database to restore, in a file of its own: copied, migrated to this Tocsin, checked."""
    with _open(backup_file, read_only=True) as source, _open(working) as copy:
        source.backup(copy)
    if needs_migration:
        migrate.upgrade(f"sqlite:///{working}")
    with _open(working) as copy:
        problem = _integrity_problem(copy)
        if problem:
            raise BackupError(
                f"the restored database failed its integrity check ({problem}); nothing was restored"
            )


def restore(url: str, backup_file: Path, *, force: bool) -> tuple[BackupFacts, Path | None]:
    """Replace the database with the backup's content; the facts and where the old one was kept."""
    target = database_path(url)
    facts = _checked_backup(backup_file)
    needs_migration = check_revision(facts.revision, backup_file)
    if in_use(target) and not force:
        raise BackupError(
            f"{target} is open in another process (a running tocsin serve or tocsin engine?): "
            "stop it first, or add --force to restore anyway"
        )
    working = partial_name(target)
    kept: Path | None = None
    try:
        _prepare(backup_file, working, needs_migration)
        if target.exists():
            kept = private_file(target.with_name(f"{target.name}.before-restore-{stamp()}"))
            with _open(target) as live, _open(kept) as copy:
                live.backup(copy)
            _without_wal(kept)
        with _open(working) as source, _open(target) as live:
            source.backup(live)  # one write transaction on the live database
            live.execute("PRAGMA journal_mode=WAL")
            restored = _facts(live, target)
    finally:
        remove_quietly(working, *(Path(f"{working}{end}") for end in ("-wal", "-shm", "-journal")))
    return restored, kept
