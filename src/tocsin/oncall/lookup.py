"""Finding schedules, users and teams the on-call services are given, and who may see or change them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor, may_read_team_config, require_to_manage, require_to_read_team_config
from tocsin.errors import InvalidInput, NotFound
from tocsin.names import name_key
from tocsin.oncall.models import Schedule
from tocsin.teams import service as teams
from tocsin.teams.models import Team

IdentifierType = Literal["id", "name"]


class Unset(enum.Enum):
    """A field left out of a change: keep what is stored (None would mean "clear it")."""

    UNSET = "unset"


UNSET = Unset.UNSET


@dataclass(frozen=True)
class UserRef:
    """A user by id or by username (an e-mail address)."""

    id: str | None = None
    username: str | None = None

    def __str__(self) -> str:
        return self.username or self.id or "?"


@dataclass(frozen=True)
class NameRef:
    """A team or rotation by id or by name."""

    id: str | None = None
    name: str | None = None

    def __str__(self) -> str:
        return self.name or self.id or "?"


class ScheduleNotFound(NotFound):
    pass


def find_schedule(session: Session, identifier: str, by: IdentifierType = "id") -> Schedule | None:
    if by == "name":
        return session.scalar(select(Schedule).where(Schedule.name_key == name_key(identifier)))
    return session.get(Schedule, identifier)


def schedule_named(session: Session, identifier: str, by: IdentifierType = "id") -> Schedule:
    schedule = find_schedule(session, identifier, by)
    if schedule is None:
        raise ScheduleNotFound(f"Schedule with {by} [{identifier}] does not exist")
    return schedule


def may_see(actor: Actor, schedule: Schedule) -> bool:
    return may_read_team_config(actor, schedule.owner_team_id)


def require_to_see(actor: Actor, schedule: Schedule) -> None:
    require_to_read_team_config(actor, schedule.owner_team_id, what=f"schedule {schedule.name}")


def require_to_change(actor: Actor, schedule: Schedule) -> None:
    require_to_manage(actor, schedule.owner_team_id, what=f"schedule {schedule.name}")


def user_for(session: Session, ref: UserRef, *, field: str = "user") -> User:
    """The user ``ref`` names; an unknown one is an input error naming ``field``."""
    user: User | None = None
    if ref.id:
        user = session.get(User, ref.id)
    elif ref.username:
        user = accounts.find_user(session, ref.username)
    else:
        raise InvalidInput(field, "give the user's id or username")
    if user is None:
        raise InvalidInput(field, f"no user {ref}")
    return user


def team_for(session: Session, ref: NameRef, *, field: str = "ownerTeam") -> Team:
    if not ref.id and not ref.name:
        raise InvalidInput(field, "give the team's id or name")
    team = teams.find_team(session, team_id=ref.id, name=ref.name)
    if team is None:
        raise InvalidInput(field, f"no team {ref}")
    return team


def usernames(session: Session, user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(set(user_ids))))
    return {user_id: username for user_id, username in rows}


display_names = accounts.display_names
"""Each user id → the name to show a person (one function for every page)."""


def moment(value: datetime, field: str) -> datetime:
    """A stored time: aware, in UTC, whole seconds."""
    if value.tzinfo is None:
        raise InvalidInput(field, f"{field} needs a time zone, e.g. 2026-03-02T09:00:00Z or +01:00")
    return value.astimezone(UTC).replace(microsecond=0)
