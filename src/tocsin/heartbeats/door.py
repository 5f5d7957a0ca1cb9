"""The Heartbeat integration through which a team's heartbeat alerts come in (the "door").

Heartbeat alerts enter like any other alert, through an integration of type Heartbeat: one per
team (named "<team> Heartbeat") and one global ("Heartbeat") for heartbeats without a team.
So disabling that integration, a maintenance window on it or a policy matching it applies to
heartbeat alerts as to any other. A door is created the first time a heartbeat needs it."""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.actors import Actor
from tocsin.integrations import service as integrations
from tocsin.integrations.models import Integration
from tocsin.teams import service as teams

KIND = "Heartbeat"
CHANNEL = "Heartbeat"


def find_door(session: Session, team_id: str | None) -> Integration | None:
    """The oldest Heartbeat integration of ``team_id`` (None: the global one), if there is one."""
    owner = Integration.team_id.is_(None) if team_id is None else Integration.team_id == team_id
    return session.scalar(
        select(Integration)
        .where(Integration.type == KIND, owner)
        .order_by(Integration.created_at, Integration.id)
        .limit(1)
    )


def door_for(session: Session, team_id: str | None) -> Integration:
    """The Heartbeat integration of ``team_id`` (or the global one), created on first need."""
    door = find_door(session, team_id)
    if door is not None:
        return door
    team_name = teams.get_team(session, team_id=team_id).name if team_id else None
    base = f"{team_name} Heartbeat" if team_name else "Heartbeat"
    name = _free_name(session, base)
    door, _key = integrations.create_integration(session, type=KIND, name=name, team_name=team_name)
    return door


def door_actor(door: Integration) -> Actor:
    """Who raises and closes heartbeat alerts: the door itself, through the Heartbeat channel."""
    return integrations.actor_for(door, channel=CHANNEL)


def _free_name(session: Session, base: str) -> str:
    """``base`` unless another integration already has that name; then "base 2", "base 3"..."""
    base = base[:90]  # integration names hold 100 characters; leave room for a number
    for candidate in itertools.chain([base], (f"{base} {number}" for number in itertools.count(2))):
        if integrations.find_integration(session, name=candidate) is None:
            return candidate
    raise AssertionError("unreachable")
