"""Creating, changing and deleting schedules (their rotations: ``rotation_config``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import Actor, require_to_manage
from tocsin.errors import Conflict, InvalidInput
from tocsin.oncall.lookup import (
    UNSET,
    NameRef,
    Unset,
    find_schedule,
    may_see,
    require_to_change,
    schedule_named,
    team_for,
)
from tocsin.oncall.models import CalendarFeed, Rotation, RotationParticipant, Schedule, ScheduleOverride
from tocsin.oncall.rotation_config import RotationInput, attach_rotation, remove_rotation, rotations_of
from tocsin.oncall.wallclock import zone_named
from tocsin.teams.models import Team

NAME_MAX = 100


@dataclass(frozen=True)
class ScheduleChanges:
    name: str | Unset = UNSET
    description: str | Unset = UNSET
    timezone: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    owner_team: NameRef | Unset | None = UNSET
    rotations: list[RotationInput] | Unset = UNSET
    """Given: replaces every rotation of the schedule."""


def _name(session: Session, name: str, *, keep_id: str | None = None) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput("name", f"schedule name must be 1 to {NAME_MAX} characters")
    same = find_schedule(session, name, "name")
    if same is not None and same.id != keep_id:
        raise Conflict(f"a schedule named {same.name!r} already exists")
    return name


def _owner(session: Session, actor: Actor, ref: NameRef | None) -> Team | None:
    team = team_for(session, ref) if ref is not None else None
    what = f"schedules of team {team.name}" if team else "schedules without an owner team"
    require_to_manage(actor, team.id if team else None, what=what)
    return team


def create_schedule(
    session: Session,
    *,
    actor: Actor,
    name: str,
    description: str = "",
    timezone: str = "UTC",
    enabled: bool = True,
    owner_team: NameRef | None = None,
    rotations: list[RotationInput] | None = None,
) -> Schedule:
    team = _owner(session, actor, owner_team)
    zone_named(timezone)
    schedule = Schedule(
        name=_name(session, name),
        description=description,
        timezone=timezone,
        owner_team_id=team.id if team else None,
        enabled=enabled,
        created_at=clock.now(),
    )
    session.add(schedule)
    session.flush()
    for number, rotation in enumerate(rotations or []):
        attach_rotation(session, schedule, rotation, field=f"rotations[{number}].")
    return schedule


def update_schedule(
    session: Session, *, actor: Actor, schedule_id: str, changes: ScheduleChanges
) -> Schedule:
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    if not isinstance(changes.owner_team, Unset):
        team = _owner(session, actor, changes.owner_team)
        schedule.owner_team_id = team.id if team else None
    if not isinstance(changes.name, Unset):
        schedule.name = _name(session, changes.name, keep_id=schedule.id)
    if not isinstance(changes.description, Unset):
        schedule.description = changes.description
    if not isinstance(changes.timezone, Unset):
        zone_named(changes.timezone)
        schedule.timezone = changes.timezone
    if not isinstance(changes.enabled, Unset):
        schedule.enabled = changes.enabled
    if not isinstance(changes.rotations, Unset):
        for rotation in rotations_of(session, schedule.id):
            remove_rotation(session, rotation)
        for number, rotation_input in enumerate(changes.rotations):
            attach_rotation(session, schedule, rotation_input, field=f"rotations[{number}].")
    session.flush()
    return schedule


def delete_schedule(session: Session, *, actor: Actor, schedule_id: str) -> None:
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    session.execute(
        delete(CalendarFeed).where(CalendarFeed.kind == "schedule", CalendarFeed.ref_id == schedule.id)
    )
    session.execute(delete(ScheduleOverride).where(ScheduleOverride.schedule_id == schedule.id))
    for rotation in rotations_of(session, schedule.id):
        session.execute(delete(RotationParticipant).where(RotationParticipant.rotation_id == rotation.id))
        session.delete(rotation)
    session.delete(schedule)
    session.flush()


def list_schedules(session: Session, *, actor: Actor | None = None) -> list[Schedule]:
    """Every schedule by name; with ``actor``, only those it may see."""
    schedules = list(session.scalars(select(Schedule).order_by(Schedule.name_key)))
    if actor is None:
        return schedules
    return [schedule for schedule in schedules if may_see(actor, schedule)]


def schedules_of_team(session: Session, team_id: str) -> list[Schedule]:
    """The schedules a team owns, by name (disabled ones too: they have no one on call)."""
    query = select(Schedule).where(Schedule.owner_team_id == team_id)
    return list(session.scalars(query.order_by(Schedule.name_key)))


def schedules_of_user(session: Session, user_id: str, *, actor: Actor | None = None) -> list[Schedule]:
    """The schedules with a rotation the user takes part in, by name (with ``actor``, only
    those it may see)."""
    query = (
        select(Schedule)
        .join(Rotation, Rotation.schedule_id == Schedule.id)
        .join(RotationParticipant, RotationParticipant.rotation_id == Rotation.id)
        .where(RotationParticipant.user_id == user_id)
        .distinct()
    )
    schedules = sorted(session.scalars(query), key=lambda schedule: schedule.name_key)
    return schedules if actor is None else [schedule for schedule in schedules if may_see(actor, schedule)]
