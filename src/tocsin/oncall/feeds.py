"""Calendar feeds: secret, revocable addresses where calendar apps read shifts.

A feed shows a schedule's shifts, or one user's shifts in every schedule, from two weeks back to
eight weeks ahead. Only a hash of the token in the address is stored; creating another feed
leaves the earlier ones working until they are revoked (all of a schedule's or user's at once).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.errors import InvalidInput, NotFound, PermissionDenied
from tocsin.oncall import ical, service
from tocsin.oncall.lookup import UserRef, require_to_change, require_to_see, schedule_named, user_for
from tocsin.oncall.models import CalendarFeed, Schedule
from tocsin.oncall.plans import Shift
from tocsin.secrets_util import hash_key
from tocsin.teams import service as teams

BEHIND = timedelta(days=14)
AHEAD = timedelta(days=56)


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def _new_feed(session: Session, kind: str, ref_id: str) -> str:
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(kind=kind, ref_id=ref_id, token_hash=hash_key(token), created_at=clock.now()))
    session.flush()
    return token


def _revoke(session: Session, kind: str, ref_id: str) -> int:
    feed_ids = select(CalendarFeed.id).where(CalendarFeed.kind == kind, CalendarFeed.ref_id == ref_id)
    revoked = list(session.scalars(feed_ids))
    session.execute(delete(CalendarFeed).where(CalendarFeed.id.in_(revoked)))
    return len(revoked)


def create_schedule_feed(session: Session, *, actor: Actor, schedule_id: str) -> str:
    """A new token for the schedule's feed; whoever may read the schedule may subscribe to it."""
    schedule = schedule_named(session, schedule_id)
    require_to_see(actor, schedule)
    return _new_feed(session, "schedule", schedule.id)


def revoke_schedule_feeds(session: Session, *, actor: Actor, schedule_id: str) -> int:
    schedule = schedule_named(session, schedule_id)
    require_to_change(actor, schedule)
    return _revoke(session, "schedule", schedule.id)


def require_for_user(session: Session, actor: Actor, user: User) -> None:
    """The user themselves, or someone who manages everything or a team the user is in."""
    if actor.user_id == user.id or actor.manages.everything:
        return
    if actor.manages.team_ids & teams.team_ids_of_user(session, user.id):
        return
    raise PermissionDenied(f"{actor.display_name} may not manage the calendar feeds of {user.username}")


def _person(session: Session, user: UserRef) -> User:
    try:
        return user_for(session, user)
    except InvalidInput:
        raise NotFound(f"User [{user}] does not exist") from None


def create_user_feed(session: Session, *, actor: Actor, user: UserRef) -> str:
    person = _person(session, user)
    require_for_user(session, actor, person)
    return _new_feed(session, "user", person.id)


def revoke_user_feeds(session: Session, *, actor: Actor, user: UserRef) -> int:
    person = _person(session, user)
    require_for_user(session, actor, person)
    return _revoke(session, "user", person.id)


def calendar_for_token(session: Session, token: str) -> bytes:
    """The feed's iCalendar document; NotFound for an unknown or revoked token."""
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_key(token)))
    if feed is not None and feed.kind == "schedule":
        schedule = session.get(Schedule, feed.ref_id)
        if schedule is not None:
            return schedule_calendar(session, schedule)
    if feed is not None and feed.kind == "user":
        user = session.get(User, feed.ref_id)
        if user is not None:
            return user_calendar(session, user)
    raise NotFound("Calendar feed does not exist or was revoked")


def schedule_calendar(session: Session, schedule: Schedule) -> bytes:
    """Who is on call in the schedule, from a while back to a while ahead."""
    now = clock.now().replace(microsecond=0)
    shifts = service.timeline(session, schedule.id, now - BEHIND, now + AHEAD, clip=False)
    names = service.usernames(session, [shift.user_id for shift in shifts])
    events = [_event(shift, f"{names.get(shift.user_id, '?')} on call", schedule.name) for shift in shifts]
    return ical.render(f"On call: {schedule.name}", events, stamp=now)


def user_calendar(session: Session, user: User) -> bytes:
    """The person's on-call shifts in every schedule, from a while back to a while ahead."""
    now = clock.now().replace(microsecond=0)
    shifts = service.user_timeline(session, user.id, now - BEHIND, now + AHEAD, clip=False)
    schedules = {s.id: s.name for s in service.list_schedules(session)}
    events = [
        _event(shift, f"On call: {schedules.get(shift.schedule_id, '?')}", user.username) for shift in shifts
    ]
    return ical.render(f"{user.username} on call", events, stamp=now)


def _event(shift: Shift, summary: str, about: str) -> ical.CalendarEvent:
    source = (
        f"override {shift.override_alias}"
        if shift.override_alias is not None
        else f"rotation {shift.rotation_name}"
    )
    return ical.CalendarEvent(
        uid=ical.shift_uid(
            shift.schedule_id,
            shift.rotation_id or f"override:{shift.override_alias}",
            shift.user_id,
            shift.start.isoformat(),
        ),
        start=shift.start,
        end=shift.end,
        summary=summary,
        description=f"{about} ({source})",
    )
