"""What backups of both databases share: the result, the schema revision check, file naming."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from tocsin import clock
from tocsin.errors import TocsinError
from tocsin.migrate import alembic_config

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(TocsinError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupFacts:
    """What a backup holds, as printed after ``tocsin backup`` and ``tocsin restore``."""

    path: Path
    size: int
    alerts: int
    revision: str

    @property
    def alert_count(self) -> str:
        return f"{self.alerts} alert" if self.alerts == 1 else f"{self.alerts} alerts"

    def describe(self) -> str:
        return f"{self.path}: {self.size} bytes, {self.alert_count}, schema revision {self.revision}"


def known_revisions() -> tuple[str, set[str]]:
    """This Tocsin's newest schema revision and every revision it knows."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head, {revision.revision for revision in script.walk_revisions()}


def check_revision(revision: str | None, path: Path) -> bool:
    """Refuse a backup from a newer Tocsin (or none at all); True when it needs migrating."""
    if not revision:
        raise BackupError(f"{path} is not a Tocsin backup: it has no schema revision (alembic_version)")
    head, known = known_revisions()
    if revision not in known:
        raise BackupError(
            f"{path} was made by a newer Tocsin (schema revision {revision}; this Tocsin knows up to "
            f"{head}): upgrade Tocsin, then restore it"
        )
    return revision != head


def refuse_to_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise BackupError(f"{path} already exists: choose another name, or add --force to replace it")
    if not path.parent.is_dir():
        raise BackupError(f"cannot write {path}: the directory {path.parent} does not exist")


def private_file(path: Path) -> Path:
    """Create ``path`` empty, readable by its owner only (a backup holds password and key hashes);
    when it exists already, ``path-2``, ``path-3``… instead. Returns the one created."""
    for number in range(1, 100):
        candidate = path if number == 1 else path.with_name(f"{path.name}-{number}")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return candidate
    raise BackupError(f"cannot find a free name for {path}: remove old ones")


def partial_name(path: Path) -> Path:
    """A new private file where ``path`` is written before it is renamed to ``path`` (same
    directory, so the rename is atomic)."""
    return private_file(path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial"))


def move_into_place(written: Path, path: Path) -> None:
    """Rename a finished file to its name, synced so a power cut leaves the old or the new one."""
    with written.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(written, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def remove_quietly(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def stamp(now: datetime | None = None) -> str:
    return (now or clock.now()).strftime("%Y%m%dT%H%M%SZ")


def file_kind(path: Path) -> str:
    """``sqlite``, ``postgresql`` (a pg_dump custom archive) or ``unknown``, from the first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a directory, not a backup file") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    return "unknown"


def check_kind(path: Path, expected: str) -> None:
    kind = file_kind(path)
    names = {"sqlite": "an SQLite", "postgresql": "a PostgreSQL (pg_dump)"}
    if kind == "unknown":
        raise BackupError(
            f"{path} is not a Tocsin backup (neither an SQLite database nor a pg_dump custom-format archive)"
        )
    if kind != expected:
        raise BackupError(
            f"{path} is {names[kind]} backup but this Tocsin uses {expected} (TOCSIN_DATABASE_URL): "
            "restore it into a database of the kind it came from"
        )
