"""What every ``tocsin`` command shares: settings, one transaction, and one-line errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import NoReturn, TypeVar

import typer
from alembic.util import CommandError
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from tocsin.config import Settings
from tocsin.db import Database
from tocsin.errors import TocsinError

T = TypeVar("T")

Hints = Mapping[type[TocsinError], str]


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def _shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


@contextmanager
def errors_as_one_line(database_url: str | None = None, hints: Hints | None = None) -> Iterator[None]:
    """Domain errors (with a hint on what to do about them) and database trouble, as one line."""
    try:
        yield
    except TocsinError as exc:
        hint = next((text for kind, text in (hints or {}).items() if isinstance(exc, kind)), "")
        fail(exc.message + hint)
    except (ArgumentError, DBAPIError) as exc:
        reason = _first_line(str(exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc))
        where = _shown_url(database_url) if database_url else "the database"
        fail(
            f"cannot use {where}: {reason} "
            "(check TOCSIN_DATABASE_URL, that the database is up and that tocsin migrate has run)"
        )
    except CommandError as exc:  # from Alembic
        fail(f"cannot migrate the database: {_first_line(str(exc))} (was it migrated by a newer Tocsin?)")


def _setting_problem(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if "TOCSIN_" in message:
        return message
    name = "TOCSIN_" + "_".join(str(part) for part in error["loc"]).upper()
    return f"{name}: {message} (got {error['input']!r})"


def settings_or_fail() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        fail("; ".join(_setting_problem(error) for error in exc.errors()))
    try:
        settings.ensure_data_dir()
    except OSError as exc:
        fail(
            f"cannot create the data directory {settings.data_dir}: {exc.strerror} "
            "(set TOCSIN_DATA_DIR to a writable directory)"
        )
    return settings


def in_transaction(change: Callable[[Session], T], hints: Hints | None = None) -> T:
    settings = settings_or_fail()
    url = settings.effective_database_url
    with errors_as_one_line(url, hints):
        db = Database(url, sqlite_synchronous=settings.sqlite_synchronous)
        try:
            with db.write_session() as session:
                return change(session)
        finally:
            db.dispose()
    raise AssertionError("unreachable")
