"""The configuration version: one counter row (``counter.config_version``) that every change of
policies, maintenance windows or integrations bumps in its own transaction.

Whoever caches that configuration (the alert writer, see ``tocsin.policies.cached``) reads the
version once per use and reloads only when it moved: a change is seen at once in this process
and in every other one (several ``tocsin serve`` workers, the CLI), at the cost of one
primary-key read per transaction (the caches asked in one transaction share it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import counters
from tocsin.counters import Counter
from tocsin.db import table_of

NAME = "config_version"

_table = table_of(Counter)
_READ = select(_table.c.value).where(_table.c.name == NAME)


_SEEN = "config_version"
"""``session.info`` key: (transaction, version read in it, whether it bumped the version)."""


@dataclass(frozen=True)
class Seen:
    version: int
    changed_here: bool
    """The transaction changed the configuration itself: what it sees may yet be undone, so
    nothing read in it may be kept under this version."""


def bump(session: Session) -> None:
    """Mark the configuration changed; committed (or undone) with the change itself."""
    version = counters.next_value(session, NAME)
    session.info[_SEEN] = (session.get_transaction(), Seen(version, changed_here=True))


def seen(session: Session) -> Seen:
    """The version, read once per transaction of ``session``."""
    transaction = session.get_transaction()
    found = session.info.get(_SEEN)
    if found is not None and transaction is not None and found[0] is transaction:
        return found[1]  # type: ignore[no-any-return]
    version = Seen(int(session.connection().execute(_READ).scalar_one()), changed_here=False)
    session.info[_SEEN] = (session.get_transaction(), version)
    return version


def current(session: Session) -> int:
    return seen(session).version
