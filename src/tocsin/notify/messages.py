"""What notifications say: an alert as an e-mail people can act on at 3 a.m."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

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


def _state(alert: Alert) -> str:
    if alert.status == "closed":
        return "closed"
    if alert.snoozed:
        return "snoozed"
    return "acknowledged" if alert.acknowledged else "open"
