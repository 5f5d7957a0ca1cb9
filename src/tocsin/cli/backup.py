"""``tocsin backup PATH`` and ``tocsin restore PATH``, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from sqlalchemy.engine import make_url

from tocsin.backups import postgresql, sqlite
from tocsin.cli.common import errors_as_one_line, fail, settings_or_fail
from tocsin.db import normalise_url


@contextmanager
def _files_and_databases_as_one_line() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        fail(f"{exc.filename or 'a file'}: {exc.strerror or exc}")
    except (sqlite3.Error, psycopg.Error) as exc:
        said = str(exc).strip()
        fail(f"the database answered: {said.splitlines()[0] if said else type(exc).__name__}")


def _kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        fail(
            f"cannot back up or restore {backend!r} databases: TOCSIN_DATABASE_URL must be sqlite:/// or postgresql://"
        )
    return backend


FORCE_OVERWRITE = typer.Option("--force", help="Replace PATH if it exists.")
FORCE_RESTORE = typer.Option(
    "--force", help="Restore although the database is open elsewhere (a server or engine still running)."
)


def backup_command(
    path: Annotated[Path, typer.Argument(help="The file to write (refused if it exists, unless --force).")],
    force: Annotated[bool, FORCE_OVERWRITE] = False,
) -> None:
    """Back up the database while Tocsin runs (SQLite's online backup API; pg_dump on PostgreSQL).
    Keep TOCSIN_SECRET_KEY safe too: it is not in the database."""
    settings = settings_or_fail()
    url = normalise_url(settings.effective_database_url)
    with errors_as_one_line(url), _files_and_databases_as_one_line():
        kind = sqlite if _kind(url) == "sqlite" else postgresql
        facts = kind.backup(url, path, force=force)
        typer.echo(f"Backup written: {facts.describe()}")


def restore_command(
    path: Annotated[Path, typer.Argument(help="A file written by tocsin backup.")],
    force: Annotated[bool, FORCE_RESTORE] = False,
) -> None:
    """Replace the database with a backup (checked first; an older one is migrated). Stop
    tocsin serve and tocsin engine first. The current database is saved first."""
    settings = settings_or_fail()
    url = normalise_url(settings.effective_database_url)
    with errors_as_one_line(url), _files_and_databases_as_one_line():
        if _kind(url) == "sqlite":
            facts, kept = sqlite.restore(url, path, force=force)
            checked = "integrity checked"
        else:
            facts, kept = postgresql.restore(url, path, force=force, keep_in=settings.data_dir)
            checked = "constraints and indexes rebuilt and checked by pg_restore"
        if kept is not None:
            typer.echo(f"The database as it was is kept in {kept}")
        typer.echo(f"Restored {path}: {facts.alert_count}, schema revision {facts.revision}, {checked}")
