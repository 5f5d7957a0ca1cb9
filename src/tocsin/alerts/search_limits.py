"""Bounds on one alert search, so a single read-only key cannot slow everyone down.

A query may be so long, have so many terms, or (on large tables) run so long, that it is refused
with a 422 saying which bound it passed. The time bound is the database's own: PostgreSQL's
``statement_timeout`` for the transaction, and on SQLite a progress handler that interrupts the
statement once the time is up."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tocsin.alerts.query import And, Node, Not, Or, parse
from tocsin.config import Settings
from tocsin.errors import InvalidInput

SQLITE_CHECK_EVERY = 10_000
"""Virtual machine steps between two looks at the clock (a few microseconds of work)."""


class SearchTooSlow(InvalidInput):
    def __init__(self) -> None:
        super().__init__("query", "the search took too long; narrow it (fewer terms, fewer wildcards)")


@dataclass(frozen=True)
class SearchLimits:
    max_length: int
    max_terms: int
    time_limit_seconds: float

    @classmethod
    def of(cls, settings: Settings) -> SearchLimits:
        return cls(
            max_length=settings.search_max_length,
            max_terms=settings.search_max_terms,
            time_limit_seconds=settings.search_time_limit_seconds,
        )

    def check(self, query: str | None) -> None:
        """Refuses a query longer or with more terms than allowed (checked before any SQL runs)."""
        if not query:
            return
        if len(query) > self.max_length:
            raise InvalidInput("query", f"a query has at most {self.max_length} characters")
        terms = count_terms(parse(query))
        if terms > self.max_terms:
            raise InvalidInput("query", f"a query has at most {self.max_terms} terms (this one has {terms})")

    @contextmanager
    def time_limited(self, session: Session) -> Iterator[None]:
        """Statements run in ``session`` inside the block stop after the time limit (SearchTooSlow)."""
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            milliseconds = max(1, round(self.time_limit_seconds * 1000))
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
            try:
                yield
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) == "57014":  # query_canceled
                    raise SearchTooSlow() from None
                raise
            return
        raw = connection.connection.dbapi_connection
        if not isinstance(raw, sqlite3.Connection):
            yield
            return
        deadline = time.monotonic() + self.time_limit_seconds
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), SQLITE_CHECK_EVERY)
        try:
            yield
        except OperationalError as exc:
            if "interrupted" in str(exc.orig):
                raise SearchTooSlow() from None
            if "Expression tree is too large" in str(exc.orig):  # past SQLite's nesting limit
                raise InvalidInput("query", "the search has too many terms; use fewer") from None
            raise
        finally:
            raw.set_progress_handler(None, 0)


def count_terms(node: Node) -> int:
    if isinstance(node, Not):
        return count_terms(node.item)
    if isinstance(node, And | Or):
        return sum(count_terms(item) for item in node.items)
    return 1
