"""Taking on-call: ``/genie oncall [me|USER] [Nh|Nm|Nd] [for TEAM|SCHEDULE|all]``.

The user gets an override of every rotation of the target schedules for ``[now, now+duration)``.
Targets: a schedule name (looked up first), a team name (all schedules that team owns), or
``all`` (every enabled schedule the user takes part in or that a team of theirs owns). Without a
target: the single enabled schedule of the user's teams, else the single enabled schedule the
user takes part in.

Who may: anyone who manages the schedule's team, for any user; a person for themselves on a
schedule of one of their teams or one they take part in (taking on-call for an unrelated team
would let anyone read that team's alerts).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor, require_to_manage
from tocsin.errors import InvalidInput, PermissionDenied
from tocsin.oncall.lookup import UserRef, find_schedule, schedule_named, user_for
from tocsin.oncall.models import Rotation, RotationParticipant, Schedule, ScheduleOverride
from tocsin.oncall.overrides import add_override
from tocsin.oncall.schedules import schedules_of_team
from tocsin.teams import service as teams

DEFAULT_DURATION = timedelta(hours=1)
LONGEST = timedelta(days=31)
CHOICES_SHOWN = 20


def take_oncall(
    session: Session,
    *,
    actor: Actor,
    user: str | None = None,
    duration: timedelta = DEFAULT_DURATION,
    target: str | None = None,
    schedule_id: str | None = None,
) -> list[ScheduleOverride]:
    """``user``: a username or user id; None or "me" for the acting person. ``schedule_id``
    instead of ``target`` names one schedule exactly (the API's take-on-call)."""
    if not timedelta(minutes=1) <= duration <= LONGEST:
        raise InvalidInput("duration", f"on-call can be taken for 1 minute up to {LONGEST.days} days")
    person = _person(session, actor, user)
    if schedule_id is not None:
        chosen = [schedule_named(session, schedule_id)]
    else:
        chosen = schedules_to_take(session, person, target)
    for schedule in chosen:
        require_to_take(session, actor, person, schedule)
    start = clock.now().replace(microsecond=0)
    return [
        add_override(
            session,
            schedule=schedule,
            user_id=person.id,
            start=start,
            end=start + duration,
            created_by=actor.describe(),
        )
        for schedule in chosen
    ]


def _person(session: Session, actor: Actor, user: str | None) -> User:
    if user is None or user.strip().lower() == "me":
        if actor.user_id is None:
            raise InvalidInput("user", f"{actor.display_name} is not a person; say which user takes on-call")
        return user_for(session, UserRef(id=actor.user_id))
    ref = UserRef(username=user) if "@" in user else UserRef(id=user)
    return user_for(session, ref)


def require_to_take(session: Session, actor: Actor, user: User, schedule: Schedule) -> None:
    if actor.manages.covers_team(schedule.owner_team_id):
        return
    if actor.user_id != user.id:  # refused: only managers take on-call for someone else
        require_to_manage(
            actor, schedule.owner_team_id, what=f"on-call of schedule {schedule.name} for {user.username}"
        )
    if schedule.id not in {related.id for related in schedules_of_user(session, user.id)}:
        raise PermissionDenied(
            f"{user.username} may only take on-call for schedules of their teams or ones they take part in"
        )


def schedules_to_take(session: Session, user: User, target: str | None) -> list[Schedule]:
    mine = [schedule for schedule in schedules_of_user(session, user.id) if schedule.enabled]
    if target is None or not target.strip():
        return [_default(session, user, mine)]
    wanted = target.strip()
    if wanted.lower() == "all":
        if not mine:
            raise InvalidInput(
                "target", f"{user.username} takes part in no schedule and no team of theirs owns one"
            )
        return mine
    schedule = find_schedule(session, wanted, "name")
    if schedule is not None:
        return [schedule]
    team = teams.find_team(session, name=wanted)
    if team is not None:
        owned = [schedule for schedule in schedules_of_team(session, team.id) if schedule.enabled]
        if not owned:
            choices = _choices(session, user, mine)
            raise InvalidInput("target", f"team {team.name} owns no enabled schedule; {choices}")
        return owned
    raise InvalidInput(
        "target", f"there is no team or schedule named {wanted!r}; {_choices(session, user, mine)}"
    )


def _default(session: Session, user: User, mine: list[Schedule]) -> Schedule:
    team_ids = teams.team_ids_of_user(session, user.id)
    of_teams = [schedule for schedule in mine if schedule.owner_team_id in team_ids]
    participating = _participating_ids(session, user.id)
    taking_part = [schedule for schedule in mine if schedule.id in participating]
    candidates = of_teams or taking_part
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise InvalidInput(
            "target",
            f"{user.username} is in no team with a schedule and takes part in no schedule; "
            f"{_choices(session, user, mine)}",
        )
    names = ", ".join(schedule.name for schedule in candidates)
    raise InvalidInput(
        "target", f"{user.username} is on several schedules ({names}); say which: for {names} or all"
    )


def _choices(session: Session, user: User, mine: list[Schedule]) -> str:
    shown = mine or list(
        session.scalars(select(Schedule).where(Schedule.enabled).order_by(Schedule.name_key))
    )
    if not shown:
        return "there are no schedules yet"
    names = [schedule.name for schedule in shown[:CHOICES_SHOWN]]
    more = f" and {len(shown) - CHOICES_SHOWN} more" if len(shown) > CHOICES_SHOWN else ""
    return f"choose one of: {', '.join(names)}{more}" + (", all" if mine else "")


def _participating_ids(session: Session, user_id: str) -> set[str]:
    rotation_ids = select(RotationParticipant.rotation_id).where(RotationParticipant.user_id == user_id)
    return set(session.scalars(select(Rotation.schedule_id).where(Rotation.id.in_(rotation_ids))))


def schedules_of_user(session: Session, user_id: str) -> list[Schedule]:
    """Schedules the user takes part in (in a rotation) or that a team of theirs owns."""
    team_ids = teams.team_ids_of_user(session, user_id)
    rotation_ids = select(RotationParticipant.rotation_id).where(RotationParticipant.user_id == user_id)
    in_rotation = select(Rotation.schedule_id).where(Rotation.id.in_(rotation_ids))
    return list(
        session.scalars(
            select(Schedule)
            .where(or_(Schedule.id.in_(in_rotation), Schedule.owner_team_id.in_(team_ids)))
            .order_by(Schedule.name_key)
        )
    )
