"""Mute: while muted, a person is sent no notifications (their alerts are not changed).

Muting yourself is always allowed; muting someone else needs global configuration rights or
being an admin of one of their teams. The chat commands ``/genie mute [me|USER] [MINUTES]`` and
``/genie unmute`` and ``POST|DELETE /v2/users/{identifier}/mute`` all come here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.errors import InvalidInput
from tocsin.teams import service as teams

DEFAULT_MINUTES = 5
MAX_MINUTES = 10080
"""A week."""


def mute(session: Session, *, actor: Actor, user: User, minutes: int = DEFAULT_MINUTES) -> datetime:
    """Mute ``user`` for ``minutes`` from now (replacing any mute already set); returns the end."""
    teams.require_to_manage_person(session, actor, user, what="the mute")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(
            "minutes", f"minutes must be a whole number from 1 to {MAX_MINUTES}, got {minutes!r}"
        )
    user.muted_until = clock.now() + timedelta(minutes=minutes)
    session.flush()
    return user.muted_until


def unmute(session: Session, *, actor: Actor, user: User) -> None:
    teams.require_to_manage_person(session, actor, user, what="the mute")
    user.muted_until = None
    session.flush()


def is_muted(user: User, at: datetime) -> bool:
    return user.muted_until is not None and at < user.muted_until


def muted_until(user: User, at: datetime) -> datetime | None:
    """When the mute ends, while it lasts; None once it is over."""
    return user.muted_until if is_muted(user, at) else None
