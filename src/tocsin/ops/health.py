"""Is this process ready to serve? The checks behind ``/health/ready``, as plain functions: the
database answers, its schema is the one this code expects, and (where an engine should run) an
engine ticks. Each check is one cheap statement: a primary-key or one-row read, no table scan."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.orm import Session

from tocsin.db import Database
from tocsin.engine import ticks
from tocsin.migrate import alembic_config
from tocsin.ops.liveness import Problem

log = logging.getLogger(__name__)

ENGINE_TICKED_WITHIN = timedelta(seconds=30)
LOG_EVERY_SECONDS = 60.0


class EngineLoop(Protocol):
    """What readiness reads of an engine running in this process (``EngineRunner``)."""

    last_round_at: datetime | None


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = True
    """False: reported, but it does not make the process unready."""
    facts: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "required": self.required, "detail": self.detail, **self.facts}


@dataclass(frozen=True)
class Readiness:
    checks: list[Check]
    problems: list[Problem]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks if check.required)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "not ready",
            "checks": {check.name: check.as_json() for check in self.checks},
            "problems": [{"problem": problem.key, "text": problem.text} for problem in self.problems],
        }


@cache
def schema_heads() -> tuple[str, ...]:
    """The revisions this code's migrations end at (one, unless branches wait to be merged)."""
    return tuple(ScriptDirectory.from_config(alembic_config("")).get_heads())


def database_revisions(session: Session) -> set[str]:
    """The revisions the database is at (it answers, or this raises)."""
    return set(session.connection().execute(text("SELECT version_num FROM alembic_version")).scalars())


def schema_check(revisions: set[str]) -> Check:
    heads = set(schema_heads())
    facts = {"database": sorted(revisions), "code": sorted(heads)}
    if revisions == heads:
        return Check(
            "schema", True, "The database's schema is the one this version of Tocsin uses.", facts=facts
        )
    known = all(_is_known(revision) for revision in revisions)
    if not revisions:
        detail = "The database has no schema yet: run tocsin migrate."
    elif known:
        detail = "The database's schema is behind this version of Tocsin: run tocsin migrate."
    else:
        detail = "The database's schema is newer than this version of Tocsin: upgrade Tocsin on this node."
    return Check("schema", False, detail, facts=facts)


def _is_known(revision: str) -> bool:
    return ScriptDirectory.from_config(alembic_config("")).get_revision(revision) is not None  # type: ignore[no-untyped-call]


def engine_check(last_tick: datetime | None, own: EngineLoop | None, now: datetime) -> Check:
    """With an engine in this process (``own``), ready only while it runs and an engine (this one,
    or on SQLite the one holding the lease) has ticked within 30 s. Without one (``tocsin serve
    --no-engine``) the engines' state is reported but never makes this node unready: taking an
    API node out of its load balancer would stop alert intake too."""
    facts: dict[str, Any] = {
        "in_process": own is not None,
        "last_tick_age_seconds": _age(last_tick, now),
    }
    fresh = last_tick is not None and now - last_tick <= ENGINE_TICKED_WITHIN
    if own is not None:
        facts["own_round_age_seconds"] = _age(own.last_round_at, now)
        if own.last_round_at is None or now - own.last_round_at > ENGINE_TICKED_WITHIN:
            return Check(
                "engine", False, "This process's engine has not ticked in the last 30 s.", facts=facts
            )
    if fresh:
        return Check("engine", True, "An engine ticked in the last 30 s.", own is not None, facts)
    detail = "No engine has ticked in the last 30 s." if last_tick is not None else "No engine is running."
    return Check("engine", False, detail, own is not None, facts)


def _age(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else round(max(0.0, (now - moment).total_seconds()), 1)


def database_unreachable(why: str) -> Check:
    return Check("database", False, f"The database does not answer ({why}); Tocsin's log says more.")


def readiness(
    db: Database, own_engine: EngineLoop | None, problems: list[Problem], now: datetime
) -> Readiness:
    """Every check, in one short read transaction. Raises nothing for a database that is down or
    behind: that is what the answer says."""
    try:
        with db.read_session() as session:
            revisions = database_revisions(session)
            checks = [Check("database", True, "The database answers."), schema_check(revisions)]
            if checks[1].ok:  # an older schema may lack the table of ticks
                checks.append(engine_check(ticks.last(session), own_engine, now))
    except Exception as error:  # any driver's error: the check failed, the probe still answers
        _log_unreachable(error)
        # Only the kind of error in the answer: anyone may read it, the database's address is not theirs.
        return Readiness([database_unreachable(type(error).__name__)], problems)
    return Readiness(checks, problems)


_logged_at = -LOG_EVERY_SECONDS


def _log_unreachable(error: Exception) -> None:
    """Once a minute at most: a probe asks every few seconds, the log needs the cause once."""
    global _logged_at
    if time.monotonic() - _logged_at >= LOG_EVERY_SECONDS:
        _logged_at = time.monotonic()
        log.warning("readiness: the database does not answer: %s", error)
