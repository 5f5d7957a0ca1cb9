"""Schedule overrides: for ``[start, end)`` a user is on call in place of the rotations' people."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import Actor
from tocsin.db import new_id
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.names import name_key
from tocsin.oncall.lookup import NameRef, UserRef, moment, require_to_change, schedule_named, user_for
from tocsin.oncall.models import Rotation, Schedule, ScheduleOverride

ALIAS_MAX = 100


def list_overrides(session: Session, schedule_id: str) -> list[ScheduleOverride]:
    return list(
        session.scalars(
            select(ScheduleOverride)
            .where(ScheduleOverride.schedule_id == schedule_id)
            .order_by(ScheduleOverride.start_date, ScheduleOverride.alias)
        )
    )


def get_override(session: Session, schedule_id: str, alias: str) -> ScheduleOverride:
    override = _find(session, schedule_id, alias)
    if override is None:
        raise NotFound(f"Override with alias [{alias}] does not exist")
    return override


def create_override(
    session: Session,
    *,
    actor: Actor,
    schedule_id: str,
    user: UserRef,
    start: datetime,
    end: datetime,
    rotations: list[NameRef] | None = None,
    alias: str | None = None,
) -> ScheduleOverride:
    """``rotations`` empty or None: the override replaces every rotation of the schedule."""
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    if alias is not None:
        alias = _alias(alias)
        if _find(session, schedule.id, alias) is not None:
            raise Conflict(f"schedule {schedule.name} already has an override with alias {alias!r}")
    override = ScheduleOverride(schedule_id=schedule.id, alias=alias or new_id(), created_at=clock.now())
    _fill(session, schedule, override, user, start, end, rotations or [])
    override.created_by = actor.describe()
    session.add(override)
    session.flush()
    return override


def add_override(
    session: Session, *, schedule: Schedule, user_id: str, start: datetime, end: datetime, created_by: str
) -> ScheduleOverride:
    """An override of every rotation, once the caller has checked who may add it."""
    override = ScheduleOverride(
        schedule_id=schedule.id,
        alias=new_id(),
        user_id=user_id,
        start_date=moment(start, "startDate"),
        end_date=moment(end, "endDate"),
        rotation_ids=[],
        created_by=created_by,
        created_at=clock.now(),
    )
    session.add(override)
    session.flush()
    return override


def update_override(
    session: Session,
    *,
    actor: Actor,
    schedule_id: str,
    alias: str,
    user: UserRef,
    start: datetime,
    end: datetime,
    rotations: list[NameRef] | None = None,
) -> ScheduleOverride:
    """Opsgenie's PUT: everything but the alias is replaced."""
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    override = get_override(session, schedule.id, alias)
    _fill(session, schedule, override, user, start, end, rotations or [])
    session.flush()
    return override


def delete_override(session: Session, *, actor: Actor, schedule_id: str, alias: str) -> None:
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    session.delete(get_override(session, schedule.id, alias))
    session.flush()


def _find(session: Session, schedule_id: str, alias: str) -> ScheduleOverride | None:
    return session.scalar(
        select(ScheduleOverride).where(
            ScheduleOverride.schedule_id == schedule_id, ScheduleOverride.alias == alias
        )
    )


def _alias(alias: str) -> str:
    alias = alias.strip()
    if not alias or len(alias) > ALIAS_MAX:
        raise InvalidInput("alias", f"alias must be 1 to {ALIAS_MAX} characters")
    return alias


def _fill(
    session: Session,
    schedule: Schedule,
    override: ScheduleOverride,
    user: UserRef,
    start: datetime,
    end: datetime,
    rotations: list[NameRef],
) -> None:
    start, end = moment(start, "startDate"), moment(end, "endDate")
    if end <= start:
        raise InvalidInput("endDate", "endDate must be after startDate")
    override.user_id = user_for(session, user).id
    override.start_date, override.end_date = start, end
    override.rotation_ids = _rotation_ids(session, schedule, rotations)


def _rotation_ids(session: Session, schedule: Schedule, refs: list[NameRef]) -> list[str]:
    rotations = list(session.scalars(select(Rotation).where(Rotation.schedule_id == schedule.id)))
    found: list[str] = []
    for number, ref in enumerate(refs):
        match = next(
            (
                rotation
                for rotation in rotations
                if (ref.id and rotation.id == ref.id)
                or (not ref.id and ref.name and rotation.name_key == name_key(ref.name))
            ),
            None,
        )
        if match is None:
            names = ", ".join(rotation.name for rotation in rotations) or "none"
            raise InvalidInput(
                f"rotations[{number}]", f"schedule {schedule.name} has no rotation {ref} (it has: {names})"
            )
        if match.id not in found:
            found.append(match.id)
    return found
