"""The configuration version: one counter row (``counter.config_version``) that every change of
policies or maintenance windows bumps in its own transaction.

Whoever caches that configuration (the alert writer, see ``tocsin.policies.cached``) reads the
version once per use and reloads only when it moved: a change is seen at once in this process
and in every other one (several ``tocsin serve`` workers, the CLI), at the cost of one
primary-key read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import counters
from tocsin.counters import Counter
from tocsin.db import table_of

NAME = "config_version"

_table = table_of(Counter)
_READ = select(_table.c.value).where(_table.c.name == NAME)


def bump(session: Session) -> None:
    """Mark the configuration changed; committed (or undone) with the change itself."""
    counters.next_value(session, NAME)


def current(session: Session) -> int:
    return int(session.connection().execute(_READ).scalar_one())
