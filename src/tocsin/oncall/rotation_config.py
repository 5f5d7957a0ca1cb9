"""Adding, changing and removing the rotations of a schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import Actor
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.names import name_key
from tocsin.oncall import restrictions
from tocsin.oncall.lookup import UNSET, Unset, UserRef, moment, require_to_change, schedule_named, user_for
from tocsin.oncall.models import Rotation, RotationParticipant, Schedule, ScheduleOverride
from tocsin.oncall.rotations import TYPES

NAME_MAX = 100
LENGTH_MAX = 1000


@dataclass(frozen=True)
class RotationInput:
    type: str
    start: datetime
    participants: list[UserRef | None]
    """In turn order; None is a gap (Opsgenie's ``{"type": "none"}``)."""
    length: int = 1
    name: str | None = None
    end: datetime | None = None
    time_restriction: dict[str, Any] | None = None


@dataclass(frozen=True)
class RotationChanges:
    """A partial update: fields left UNSET keep their value."""

    name: str | Unset = UNSET
    type: str | Unset = UNSET
    length: int | Unset = UNSET
    start: datetime | Unset = UNSET
    end: datetime | Unset | None = UNSET
    participants: list[UserRef | None] | Unset = UNSET
    time_restriction: dict[str, Any] | Unset | None = UNSET


def rotations_of(session: Session, schedule_id: str) -> list[Rotation]:
    return list(
        session.scalars(
            select(Rotation).where(Rotation.schedule_id == schedule_id).order_by(Rotation.position)
        )
    )


def participants_of(session: Session, rotation_ids: list[str]) -> dict[str, list[RotationParticipant]]:
    found: dict[str, list[RotationParticipant]] = {rotation_id: [] for rotation_id in rotation_ids}
    if rotation_ids:
        rows = session.scalars(
            select(RotationParticipant)
            .where(RotationParticipant.rotation_id.in_(rotation_ids))
            .order_by(RotationParticipant.rotation_id, RotationParticipant.position)
        )
        for participant in rows:
            found[participant.rotation_id].append(participant)
    return found


def get_rotation(session: Session, schedule_id: str, rotation_id: str) -> Rotation:
    rotation = session.get(Rotation, rotation_id)
    if rotation is None or rotation.schedule_id != schedule_id:
        raise NotFound(f"Rotation with id [{rotation_id}] does not exist in this schedule")
    return rotation


def add_rotation(session: Session, *, actor: Actor, schedule_id: str, rotation: RotationInput) -> Rotation:
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    return attach_rotation(session, schedule, rotation)


def update_rotation(
    session: Session, *, actor: Actor, schedule_id: str, rotation_id: str, changes: RotationChanges
) -> Rotation:
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    rotation = get_rotation(session, schedule.id, rotation_id)
    current = participants_of(session, [rotation.id])[rotation.id]
    merged = RotationInput(
        type=rotation.type if isinstance(changes.type, Unset) else changes.type,
        start=rotation.start_date if isinstance(changes.start, Unset) else changes.start,
        participants=(
            [UserRef(id=p.user_id) if p.user_id else None for p in current]
            if isinstance(changes.participants, Unset)
            else changes.participants
        ),
        length=rotation.length if isinstance(changes.length, Unset) else changes.length,
        name=rotation.name if isinstance(changes.name, Unset) else changes.name,
        end=rotation.end_date if isinstance(changes.end, Unset) else changes.end,
        time_restriction=(
            rotation.time_restriction
            if isinstance(changes.time_restriction, Unset)
            else changes.time_restriction
        ),
    )
    _fill_rotation(session, schedule, rotation, merged, field="")
    session.execute(delete(RotationParticipant).where(RotationParticipant.rotation_id == rotation.id))
    _add_participants(session, rotation, merged.participants, field="")
    session.flush()
    return rotation


def delete_rotation(session: Session, *, actor: Actor, schedule_id: str, rotation_id: str) -> None:
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    remove_rotation(session, get_rotation(session, schedule.id, rotation_id))


def remove_rotation(session: Session, rotation: Rotation) -> None:
    """Overrides that named this rotation forget it; one left naming no rotation goes too (it
    must not silently become an override of every rotation)."""
    overrides = session.scalars(
        select(ScheduleOverride).where(ScheduleOverride.schedule_id == rotation.schedule_id)
    )
    for override in overrides:
        if rotation.id in override.rotation_ids:
            remaining = [rotation_id for rotation_id in override.rotation_ids if rotation_id != rotation.id]
            if remaining:
                override.rotation_ids = remaining
            else:
                session.delete(override)
    session.execute(delete(RotationParticipant).where(RotationParticipant.rotation_id == rotation.id))
    session.delete(rotation)
    session.flush()


def attach_rotation(
    session: Session, schedule: Schedule, given: RotationInput, *, field: str = ""
) -> Rotation:
    last = session.scalar(select(func.max(Rotation.position)).where(Rotation.schedule_id == schedule.id))
    rotation = Rotation(schedule_id=schedule.id, position=0 if last is None else last + 1)
    _fill_rotation(session, schedule, rotation, given, field=field)
    rotation.created_at = clock.now()
    session.add(rotation)
    session.flush()
    _add_participants(session, rotation, given.participants, field=field)
    return rotation


def _fill_rotation(
    session: Session, schedule: Schedule, rotation: Rotation, given: RotationInput, *, field: str
) -> None:
    if given.type not in TYPES:
        raise InvalidInput(f"{field}type", f"type must be one of {', '.join(TYPES)}, got {given.type!r}")
    if not 1 <= given.length <= LENGTH_MAX:
        raise InvalidInput(f"{field}length", f"length must be from 1 to {LENGTH_MAX}")
    start = moment(given.start, f"{field}startDate")
    end = moment(given.end, f"{field}endDate") if given.end is not None else None
    if end is not None and end <= start:
        raise InvalidInput(f"{field}endDate", "endDate must be after startDate")
    try:
        restrictions.parse(given.time_restriction)
    except InvalidInput as problem:
        raise InvalidInput(f"{field}{problem.field}", problem.message) from None
    rotation.name = _rotation_name(session, schedule, given.name, rotation, field=field)
    rotation.type, rotation.length = given.type, given.length
    rotation.start_date, rotation.end_date = start, end
    rotation.time_restriction = given.time_restriction


def _rotation_name(
    session: Session, schedule: Schedule, name: str | None, rotation: Rotation, *, field: str
) -> str:
    taken = {other.name_key: other for other in rotations_of(session, schedule.id) if other.id != rotation.id}
    if name is None or not name.strip():
        number = len(taken) + 1
        while name_key(f"Rotation-{number}") in taken:
            number += 1
        return f"Rotation-{number}"
    name = name.strip()
    if len(name) > NAME_MAX:
        raise InvalidInput(f"{field}name", f"rotation name must be at most {NAME_MAX} characters")
    if name_key(name) in taken:
        clash = taken[name_key(name)].name
        raise Conflict(f"schedule {schedule.name} already has a rotation named {clash!r}")
    return name


def check_rotation(
    session: Session, schedule: Schedule, given: RotationInput, *, rotation_id: str | None = None
) -> tuple[Rotation, list[str | None]]:
    """What adding ``given`` to ``schedule`` (or putting it in place of rotation ``rotation_id``)
    would store, refused the same way, but stored nowhere: the unsaved rotation and its
    participants' user ids in turn order (None for a gap)."""
    draft = Rotation(id=rotation_id, schedule_id=schedule.id)
    _fill_rotation(session, schedule, draft, given, field="")
    return draft, _participant_ids(session, given.participants, field="")


def _participant_ids(session: Session, participants: list[UserRef | None], *, field: str) -> list[str | None]:
    if not participants:
        raise InvalidInput(f"{field}participants", "a rotation needs at least one participant")
    return [
        None if participant is None else user_for(session, participant, field=f"{field}participants[{n}]").id
        for n, participant in enumerate(participants)
    ]


def _add_participants(
    session: Session, rotation: Rotation, participants: list[UserRef | None], *, field: str
) -> None:
    for position, user_id in enumerate(_participant_ids(session, participants, field=field)):
        session.add(
            RotationParticipant(
                rotation_id=rotation.id,
                position=position,
                type="user" if user_id else "none",
                user_id=user_id,
            )
        )
    session.flush()
