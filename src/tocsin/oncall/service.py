"""Who is on call: the on-call domain's public service functions.

The escalation engine, notifications and chat commands call these. Reads take an instant and
answer plain dataclasses (``OnCall``, ``ScheduleOnCall``, ``Shift``); the rules they follow are in
``tocsin.oncall.plans`` (cumulative rotations, overrides beat rotations) and
``tocsin.oncall.rotations`` (hand-offs on the schedule's wall clock). Changes to schedules,
rotations and overrides, and taking on-call, are re-exported here from their modules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.actors import Actor
from tocsin.oncall import plans, restrictions
from tocsin.oncall.lookup import (
    UNSET,
    NameRef,
    ScheduleNotFound,
    UserRef,
    display_names,
    find_schedule,
    may_see,
    require_to_change,
    require_to_see,
    schedule_named,
    usernames,
)
from tocsin.oncall.models import Rotation, RotationParticipant, Schedule, ScheduleOverride
from tocsin.oncall.overrides import (
    create_override,
    delete_override,
    get_override,
    list_overrides,
    update_override,
)
from tocsin.oncall.plans import OnCall, Plan, PlannedOverride, PlannedRotation, Segment, Shift
from tocsin.oncall.rotation_config import (
    RotationChanges,
    RotationInput,
    add_rotation,
    check_rotation,
    delete_rotation,
    get_rotation,
    participants_of,
    rotations_of,
    update_rotation,
)
from tocsin.oncall.rotations import Rotation as RotationMath
from tocsin.oncall.schedules import (
    ScheduleChanges,
    create_schedule,
    delete_schedule,
    list_schedules,
    schedules_of_team,
    schedules_of_user,
    update_schedule,
)
from tocsin.oncall.take import take_oncall
from tocsin.oncall.wallclock import zone_named
from tocsin.teams import service as teams

__all__ = [
    "UNSET",
    "NameRef",
    "OnCall",
    "RotationChanges",
    "RotationInput",
    "RotationPreview",
    "ScheduleChanges",
    "ScheduleNotFound",
    "ScheduleOnCall",
    "Shift",
    "UserRef",
    "add_rotation",
    "create_override",
    "create_schedule",
    "delete_override",
    "delete_rotation",
    "delete_schedule",
    "display_names",
    "find_schedule",
    "get_override",
    "get_rotation",
    "list_overrides",
    "list_schedules",
    "load_plan",
    "may_see",
    "next_on_call",
    "on_call",
    "on_call_user_ids",
    "participants_of",
    "preview_rotation",
    "previous_on_call",
    "require_to_change",
    "require_to_see",
    "rotations_of",
    "schedule_named",
    "schedules_of_team",
    "schedules_of_user",
    "take_oncall",
    "timeline",
    "update_override",
    "update_rotation",
    "update_schedule",
    "user_timeline",
    "usernames",
    "who_is_on_call",
]


@dataclass(frozen=True)
class ScheduleOnCall:
    schedule_id: str
    schedule_name: str
    team_id: str | None
    team_name: str | None
    user_ids: list[str]
    usernames: list[str]
    until: datetime | None


def on_call(session: Session, schedule_id: str, at: datetime) -> OnCall:
    """Who is on call at ``at``, since when and until when that set of people stays the same."""
    return plans.current(_plan_around(session, schedule_id, at), at)


def on_call_user_ids(session: Session, schedule_id: str, at: datetime) -> list[str]:
    """Who is on call at ``at``: the cheap question, for notifying them (``on_call`` also finds
    since and until when, which can mean looking a long way around)."""
    return plans.people_at(load_plan(session, schedule_id, at, at + timedelta(microseconds=1)), at)


def next_on_call(session: Session, schedule_id: str, at: datetime, *, exact: bool = False) -> OnCall:
    """The next set of people after the one on call at ``at`` (``since`` = when it starts).
    Gaps with no one on call are skipped unless ``exact``."""
    return plans.following(_plan_around(session, schedule_id, at), at, exact=exact)


def previous_on_call(session: Session, schedule_id: str, at: datetime, *, exact: bool = False) -> OnCall:
    """The set of people before the one on call at ``at`` (gaps skipped unless ``exact``)."""
    return plans.preceding(_plan_around(session, schedule_id, at), at, exact=exact)


def who_is_on_call(session: Session, at: datetime) -> list[ScheduleOnCall]:
    """Everyone on call at ``at`` in every enabled schedule, by schedule name."""
    answers = []
    for schedule in list_schedules(session):
        if not schedule.enabled:
            continue
        now = on_call(session, schedule.id, at)
        team = teams.find_team(session, team_id=schedule.owner_team_id) if schedule.owner_team_id else None
        names = usernames(session, now.user_ids)
        answers.append(
            ScheduleOnCall(
                schedule_id=schedule.id,
                schedule_name=schedule.name,
                team_id=team.id if team else None,
                team_name=team.name if team else None,
                user_ids=now.user_ids,
                usernames=[names[user_id] for user_id in now.user_ids],
                until=now.until,
            )
        )
    return answers


def timeline(
    session: Session, schedule_id: str, start: datetime, end: datetime, *, clip: bool = True
) -> list[Shift]:
    """The shifts of a schedule overlapping ``[start, end)``, each naming its rotation or
    override; cut at ``start`` and ``end`` unless ``clip`` is False."""
    return plans.plan_shifts(load_plan(session, schedule_id, start, end), start, end, clip=clip)


def user_timeline(
    session: Session, user_id: str, start: datetime, end: datetime, *, clip: bool = True
) -> list[Shift]:
    """One user's shifts in every enabled schedule."""
    rotation_ids = select(RotationParticipant.rotation_id).where(RotationParticipant.user_id == user_id)
    schedule_ids = set(
        session.scalars(select(Rotation.schedule_id).where(Rotation.id.in_(rotation_ids)))
    ) | set(session.scalars(select(ScheduleOverride.schedule_id).where(ScheduleOverride.user_id == user_id)))
    shifts = [
        shift
        for schedule_id in sorted(schedule_ids)
        for shift in timeline(session, schedule_id, start, end, clip=clip)
        if shift.user_id == user_id
    ]
    return sorted(shifts, key=lambda shift: (shift.start, shift.schedule_id, shift.end))


DRAFT_ID = "draft"
"""The id a rotation being added has in a previewed plan."""


@dataclass(frozen=True)
class RotationPreview:
    rotation_shifts: list[Shift]
    """The previewed rotation's shifts (what overrides of it cover already cut out)."""
    on_call: list[Segment]
    """Who would be on call in the whole schedule, cut where that changes."""
    plan: Plan
    """The schedule's plan with the rotation in it, for drawing."""


def preview_rotation(
    session: Session,
    *,
    actor: Actor,
    schedule_id: str,
    rotation: RotationInput,
    start: datetime,
    end: datetime,
    replacing: str | None = None,
) -> RotationPreview:
    """Over ``[start, end)``, the shifts ``rotation`` would have in the schedule, in place of
    rotation ``replacing`` or added after the others, and who would then be on call; refused as
    saving it would be, and nothing is stored."""
    plan, rotation_id = plan_with_rotation(
        session, actor=actor, schedule_id=schedule_id, rotation=rotation, replacing=replacing
    )
    shifts = plans.plan_shifts(plan, start, end)
    return RotationPreview(
        rotation_shifts=[shift for shift in shifts if shift.rotation_id == rotation_id],
        on_call=plans.segments(shifts, start, end),
        plan=plan,
    )


def plan_with_rotation(
    session: Session, *, actor: Actor, schedule_id: str, rotation: RotationInput, replacing: str | None = None
) -> tuple[Plan, str]:
    """The schedule's plan with ``rotation`` in place of rotation ``replacing`` (or added after
    the others), nothing stored; and the id the rotation has in it."""
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    if replacing is not None:
        get_rotation(session, schedule.id, replacing)
    draft, user_ids = check_rotation(session, schedule, rotation, rotation_id=replacing)
    planned = PlannedRotation(
        replacing or DRAFT_ID,
        draft.name,
        RotationMath(
            type=draft.type,
            length=draft.length,
            start=draft.start_date,
            participants=tuple(user_ids),
            zone=zone_named(schedule.timezone),
            end=draft.end_date,
            restriction=restrictions.parse(draft.time_restriction),
        ),
    )
    stored = load_plan(session, schedule.id)
    order = [r.id for r in rotations_of(session, schedule.id)] + ([] if replacing else [DRAFT_ID])
    kept = {existing.id: existing for existing in stored.rotations if existing.id != planned.id}
    kept[planned.id] = planned
    return replace(stored, rotations=tuple(kept[i] for i in order if i in kept)), planned.id


def _plan_around(session: Session, schedule_id: str, at: datetime) -> Plan:
    farthest = plans.HORIZONS[-1]
    return load_plan(session, schedule_id, at - farthest, at + farthest)


def load_plan(
    session: Session, schedule_id: str, start: datetime | None = None, end: datetime | None = None
) -> Plan:
    """A schedule's rotations and the overrides that can matter around ``[start, end)`` (all of
    them when not given)."""
    schedule = schedule_named(session, schedule_id)
    planned = _planned_rotations(session, schedule)
    query = select(ScheduleOverride).where(ScheduleOverride.schedule_id == schedule.id)
    if start is not None and end is not None:
        # Shifts are computed whole, so an override can cut a shift reaching past the window.
        margin = max((p.rotation.step for p in planned), default=timedelta(0)) + timedelta(days=2)
        query = query.where(
            ScheduleOverride.end_date > start - margin, ScheduleOverride.start_date < end + margin
        )
    overrides = tuple(
        PlannedOverride(o.id, o.alias, o.user_id, o.start_date, o.end_date, frozenset(o.rotation_ids))
        for o in session.scalars(query.order_by(ScheduleOverride.start_date, ScheduleOverride.alias))
    )
    return Plan(schedule.id, schedule.enabled, planned, overrides)


def _planned_rotations(session: Session, schedule: Schedule) -> tuple[PlannedRotation, ...]:
    zone = zone_named(schedule.timezone)
    rotations = rotations_of(session, schedule.id)
    participants = participants_of(session, [rotation.id for rotation in rotations])
    return tuple(
        PlannedRotation(
            rotation.id,
            rotation.name,
            RotationMath(
                type=rotation.type,
                length=rotation.length,
                start=rotation.start_date,
                participants=tuple(p.user_id for p in participants[rotation.id]),
                zone=zone,
                end=rotation.end_date,
                restriction=restrictions.parse(rotation.time_restriction),
            ),
        )
        for rotation in rotations
        if participants[rotation.id]
    )
