"""What an ntfy push says: the JSON publish of an alert (or a shift notice) for one person.

A page is short (a phone shows a title and a few lines), loud as its alert is urgent (P1 is
ntfy's "urgent", P5 its "min"), opens the alert's page when tapped, and carries Acknowledge and
Close buttons: ``http`` actions the app sends straight to Tocsin's signed links, clearing the
notification when Tocsin took them. Notices that an alert was acknowledged or closed are quiet
and have no buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tocsin.alerts.models import Alert

PRIORITIES = {"P1": 5, "P2": 4, "P3": 3, "P4": 2, "P5": 1}
"""Alert priority → ntfy priority (5 urgent: long vibration bursts, pop-over; 1 min: silent)."""
PRIORITY_TAGS = {
    "P1": "rotating_light",
    "P2": "warning",
    "P3": "bell",
    "P4": "information_source",
    "P5": "zzz",
}
"""An emoji per priority (ntfy shows tags that are emoji short codes as the emoji)."""
QUIET = 2
"""ntfy's "low" (no sound, no vibration): for notices that need nothing done."""
NOTICES = {
    "acknowledged-alert": ("acknowledged", "white_check_mark"),
    "closed-alert": ("closed", "checkered_flag"),
}
TITLE_MAX = 120
TEXT_MAX = 600
TAGS_MAX = 8
"""An alert's own tags shown with a push (ntfy keeps them all; a phone shows a handful)."""

ActionUrl = Callable[[str], str]
"""The signed link that does an action ("acknowledge", "close") for this push's person."""


def shortened(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def alert_push(
    alert: Alert, payload: dict[str, Any], *, topic: str, alert_url: str, action_url: ActionUrl
) -> dict[str, Any]:
    """The publish of a page (a new alert) or a notice (acknowledged, closed) to ``topic``."""
    kind = payload["kind"]
    if kind in NOTICES:
        done, tag = NOTICES[kind]
        by = f" by {payload['by']}" if payload.get("by") else ""
        return {
            "topic": topic,
            "title": shortened(f"#{alert.tiny_id} {done}: {alert.message}", TITLE_MAX),
            "message": shortened(f"{alert.message}\n{done.capitalize()}{by}.", TEXT_MAX),
            "priority": QUIET,
            "tags": [tag],
            "click": alert_url,
        }
    lines = [alert.message]
    if alert.description:
        lines.append(alert.description)
    if payload.get("reason"):
        lines.append(f"You are told because: {payload['reason']}.")
    return {
        "topic": topic,
        "title": shortened(f"#{alert.tiny_id} {alert.priority} {alert.message}", TITLE_MAX),
        "message": shortened("\n".join(lines), TEXT_MAX),
        "priority": PRIORITIES.get(alert.priority, 3),
        "tags": [PRIORITY_TAGS.get(alert.priority, "bell"), *alert.tags[:TAGS_MAX]],
        "click": alert_url,
        "actions": [
            _http_action("Acknowledge", action_url("acknowledge")),
            _http_action("Close", action_url("close")),
        ],
    }


def _http_action(label: str, url: str) -> dict[str, Any]:
    return {"action": "http", "label": label, "url": url, "method": "POST", "clear": True}


def shift_push(payload: dict[str, Any], *, topic: str, time_zone: str, click: str) -> dict[str, Any]:
    """ "Your on-call shift starts/ends": times in the person's own time zone."""
    zone = ZoneInfo(time_zone)
    start = datetime.fromisoformat(payload["start"]).astimezone(zone)
    end = datetime.fromisoformat(payload["end"]).astimezone(zone)
    schedule = payload["scheduleName"]
    when = f"{start:%a %d %b %H:%M} to {end:%a %d %b %H:%M} ({time_zone})"
    if payload["kind"] == "schedule-start":
        title, text = f"On call for {schedule} from {start:%a %H:%M}", f"Your shift starts soon: {when}."
    else:
        title, text = f"Your shift for {schedule} ends at {end:%a %H:%M}", f"Your shift ends soon: {when}."
    return {
        "topic": topic,
        "title": shortened(title, TITLE_MAX),
        "message": text,
        "priority": 3,
        "tags": ["calendar"],
        "click": click,
    }


def test_push(*, topic: str, by: str, click: str) -> dict[str, Any]:
    """A test notification: as loud as a P1 page, so the person hears what a page sounds like
    (and whether it gets through Do Not Disturb)."""
    sent_by = f" by {by}" if by else ""
    return {
        "topic": topic,
        "title": "Tocsin test",
        "message": f"A test notification, sent{sent_by}. Pages to this topic reach this phone.",
        "priority": PRIORITIES["P1"],
        "tags": ["test_tube"],
        "click": click,
    }
