"""What notifications say: an alert as an e-mail people can act on at 3 a.m."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from tocsin.alerts.models import Alert

HEADLINES = {
    "create-alert": "New alert",
    "acknowledged-alert": "Acknowledged",
    "closed-alert": "Closed",
}


def alert_email(alert: Alert, payload: dict[str, Any], *, to: str, base_url: str) -> EmailMessage:
    kind = payload["kind"]
    headline = HEADLINES.get(kind, "Alert")
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = f"[Tocsin] {headline}: #{alert.tiny_id} {alert.priority} {alert.message}"
    link = f"{base_url}/alerts?query={quote(f'tinyId:{alert.tiny_id}')}"
    lines = [
        f"{headline}: #{alert.tiny_id} {alert.message}",
        "",
        f"Priority: {alert.priority}",
        f"Status:   {_state(alert)}",
    ]
    if payload.get("by"):
        lines.append(f"By:       {payload['by']}")
    if alert.tags:
        lines.append(f"Tags:     {', '.join(alert.tags)}")
    if alert.source:
        lines.append(f"Source:   {alert.source}")
    if alert.description:
        description = alert.description if len(alert.description) <= 2000 else alert.description[:2000] + "…"
        lines += ["", description]
    if payload.get("reason"):
        lines += ["", f"You are told because: {payload['reason']}."]
    lines += ["", f"See it in Tocsin: {link}", f"Or act from chat: /genie ack {alert.tiny_id}"]
    message.set_content("\n".join(lines) + "\n")
    return message


def shift_email(payload: dict[str, Any], *, to: str, time_zone: str) -> EmailMessage:
    """ "Your on-call shift starts/ends": times in the person's own time zone."""
    zone = ZoneInfo(time_zone)
    start = datetime.fromisoformat(payload["start"]).astimezone(zone)
    end = datetime.fromisoformat(payload["end"]).astimezone(zone)
    schedule = payload["scheduleName"]
    starting = payload["kind"] == "schedule-start"
    when = f"{start:%a %d %b %H:%M} to {end:%a %d %b %H:%M} ({time_zone})"
    message = EmailMessage()
    message["To"] = to
    if starting:
        message["Subject"] = f"[Tocsin] You are on call for {schedule} from {start:%a %H:%M}"
        text = f"Your on-call shift for {schedule} starts soon: {when}."
    else:
        message["Subject"] = f"[Tocsin] Your on-call shift for {schedule} ends at {end:%a %H:%M}"
        text = f"Your on-call shift for {schedule} ends soon: {when}."
    message.set_content(text + "\n\nSee who is on call: /genie whoisoncall\n")
    return message


def _state(alert: Alert) -> str:
    if alert.status == "closed":
        return "closed"
    if alert.snoozed:
        return "snoozed"
    return "acknowledged" if alert.acknowledged else "open"
