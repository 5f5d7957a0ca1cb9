"""What notifications say: an alert as an e-mail people can act on at 3 a.m."""

from __future__ import annotations

from datetime import datetime
from email.charset import QP, Charset
from email.message import EmailMessage, Message
from email.mime.text import MIMEText
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from tocsin.alerts.models import Alert

HEADLINES = {
    "create-alert": "New alert",
    "acknowledged-alert": "Acknowledged",
    "closed-alert": "Closed",
}


UTF8_QUOTED_PRINTABLE = Charset("utf-8")
UTF8_QUOTED_PRINTABLE.body_encoding = QP
LONGEST_LINE = 998  # RFC 5322: longer lines must be encoded


def plain_text_email(to: str, subject: str, text: str) -> Message:
    """A text/plain e-mail. Where the address is ASCII it is built with the classic
    ``email.mime`` classes, at a fifth of the CPU of ``EmailMessage`` (whose header objects parse
    every header): in a storm hundreds are built a second. A non-ASCII subject is RFC 2047
    encoded either way; the body is sent as it is where it is short-lined ASCII, else
    quoted-printable UTF-8."""
    if not to.isascii():
        message = EmailMessage()
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        return message
    plain = text.isascii() and max(map(len, text.splitlines()), default=0) <= LONGEST_LINE
    mime = MIMEText(text, "plain", "us-ascii" if plain else UTF8_QUOTED_PRINTABLE)  # type: ignore[arg-type]
    mime["To"] = to
    mime["Subject"] = subject
    return mime


def alert_email(alert: Alert, payload: dict[str, Any], *, to: str, base_url: str) -> Message:
    kind = payload["kind"]
    headline = HEADLINES.get(kind, "Alert")
    subject = f"[Tocsin] {headline}: #{alert.tiny_id} {alert.priority} {alert.message}"
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
    return plain_text_email(to, subject, "\n".join(lines) + "\n")


def shift_email(payload: dict[str, Any], *, to: str, time_zone: str) -> Message:
    """ "Your on-call shift starts/ends": times in the person's own time zone."""
    zone = ZoneInfo(time_zone)
    start = datetime.fromisoformat(payload["start"]).astimezone(zone)
    end = datetime.fromisoformat(payload["end"]).astimezone(zone)
    schedule = payload["scheduleName"]
    starting = payload["kind"] == "schedule-start"
    when = f"{start:%a %d %b %H:%M} to {end:%a %d %b %H:%M} ({time_zone})"
    if starting:
        subject = f"[Tocsin] You are on call for {schedule} from {start:%a %H:%M}"
        text = f"Your on-call shift for {schedule} starts soon: {when}."
    else:
        subject = f"[Tocsin] Your on-call shift for {schedule} ends at {end:%a %H:%M}"
        text = f"Your on-call shift for {schedule} ends soon: {when}."
    return plain_text_email(to, subject, text + "\n\nSee who is on call: /genie whoisoncall\n")


def _state(alert: Alert) -> str:
    if alert.status == "closed":
        return "closed"
    if alert.snoozed:
        return "snoozed"
    return "acknowledged" if alert.acknowledged else "open"


def test_email(payload: dict[str, Any], *, to: str) -> Message:
    """A test notification (``kind`` "test", asked for on a contact)."""
    by = payload.get("by", "")
    text = f"This is a test: Tocsin's pages will reach you by e-mail at {to}.\n"
    if by:
        text += f"\nAsked for by {by}.\n"
    return plain_text_email(to, "[Tocsin] Test notification", text)
