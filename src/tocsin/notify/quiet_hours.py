"""Quiet hours: every day from a start to an end time in the person's own time zone (22:00 to
07:00 spans midnight), no notification reaches them, unless the alert is tagged
``OverwriteQuietHours`` as in Opsgenie. Like mute, a notification due then is skipped (and said
in the alert's log), not held back: an alert that needs someone goes on to the next escalation
step. Set by the person, global configuration, or an admin of one of their teams."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.errors import InvalidInput
from tocsin.teams import service as teams

OVERRIDE_TAG = "overwritequiethours"
"""Compared in lower case: an alert tagged OverwriteQuietHours reaches people in quiet hours."""
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def set_quiet_hours(session: Session, *, actor: Actor, user: User, start: str, end: str) -> User:
    teams.require_to_manage_person(session, actor, user, what="the quiet hours")
    start, end = _clock("start", start), _clock("end", end)
    if start == end:
        raise InvalidInput("end", "end must differ from start (quiet hours of no length or of a whole day)")
    user.quiet_start, user.quiet_end = start, end
    session.flush()
    return user


def clear_quiet_hours(session: Session, *, actor: Actor, user: User) -> None:
    teams.require_to_manage_person(session, actor, user, what="the quiet hours")
    user.quiet_start = user.quiet_end = None
    session.flush()


def quiet_until(user: User, at: datetime, tags: list[str] | None = None) -> datetime | None:
    """When the person's quiet hours end, if ``at`` falls in them (and no tag overrides them)."""
    if not user.quiet_start or not user.quiet_end:
        return None
    if any(tag.lower() == OVERRIDE_TAG for tag in tags or []):
        return None
    zone = ZoneInfo(user.time_zone or "UTC")
    local = at.astimezone(zone)
    start, end = _time(user.quiet_start), _time(user.quiet_end)
    now = local.time()
    spans_midnight = start > end
    inside = (start <= now or now < end) if spans_midnight else (start <= now < end)
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if spans_midnight and now >= start else local.date()
    return datetime.combine(end_day, end, tzinfo=zone)


def _clock(field: str, value: str) -> str:
    value = (value or "").strip()
    if len(value) == 4 and value[1] == ":":
        value = "0" + value
    if not _CLOCK.match(value):
        raise InvalidInput(field, f"{field} must be a time of day as HH:MM (24-hour clock), got {value!r}")
    return value


def _time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))
