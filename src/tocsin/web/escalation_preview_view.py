"""The preview on an escalation's page: "If an alert for this team came at 03:00 next Saturday, it
would page: …". The moment is picked in the viewer's own time zone (next Saturday, 03:00, until
they pick another); each step's time is shown in that zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.escalations.models import EscalationPolicy
from tocsin.escalations.preview import preview
from tocsin.web.escalation_words import whom
from tocsin.web.moments import local, when, zone_of

SATURDAY = 5
DEFAULT_TIME = time(3, 0)


@dataclass(frozen=True)
class PreviewAsked:
    day: str
    at: str
    error: str = ""
    """What is wrong with the date or time picked (the defaults are used instead)."""


def next_saturday(viewer: User) -> date:
    today = local(clock.now(), viewer).date()
    return today + timedelta(days=(SATURDAY - today.weekday()) % 7 or 7)


def asked(viewer: User, day: str | None, at: str | None) -> tuple[PreviewAsked, datetime]:
    """The date and time the viewer picked (or the defaults), and the moment they mean."""
    default_day, default_at = next_saturday(viewer), DEFAULT_TIME
    error = ""
    try:
        picked_day = date.fromisoformat(day) if day else default_day
    except ValueError:
        picked_day, error = default_day, "Enter the date as YYYY-MM-DD, e.g. 2026-12-12."
    try:
        picked_at = time.fromisoformat(at) if at else default_at
    except ValueError:
        picked_at, error = default_at, error or "Enter the time as HH:MM, e.g. 03:00."
    if not (1970 <= picked_day.year <= 9000):
        picked_day, error = default_day, "Pick a date between 1970 and 9000."
    moment = datetime.combine(picked_day, picked_at.replace(tzinfo=None), tzinfo=zone_of(viewer))
    shown = PreviewAsked(
        day=day if error and day else picked_day.isoformat(),
        at=at if error and at else picked_at.strftime("%H:%M"),
        error=error,
    )
    return shown, moment.astimezone(UTC)


def preview_rows(
    session: Session, policy: EscalationPolicy, viewer: User, moment: datetime
) -> dict[str, Any]:
    shown = preview(session, policy, moment)
    return {
        "alert_at": when(moment, viewer),
        "zone": str(zone_of(viewer)),
        "steps": [
            {
                "round": step.round,
                "rule": step.rule_number,
                "at": when(step.at, viewer),
                "after": int((step.at - moment).total_seconds() // 60),
                "whom": whom(
                    step.rule["recipient"]["type"], step.rule["notifyType"], step.rule["recipient"]["name"]
                ),
                "condition": step.rule["condition"],
                "people": [{"name": person.name, "why": person.why} for person in step.people],
            }
            for step in shown.steps
        ],
        "closes_at": when(shown.closes_at, viewer),
    }
