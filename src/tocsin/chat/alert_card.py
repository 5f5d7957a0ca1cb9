"""What a chat post says about an alert, before any platform shapes it: the card of a new alert
(title, link, description, priority colour, fields, buttons) and the one line of markdown about
each later event, so a channel reads as the alert's story.

All text from outside is escaped (``tocsin.chat.markdown``) and every part is capped. Values are
markdown in the subset ``tocsin.chat.rendering`` turns into each platform's format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.alerts.models import Alert
from tocsin.chat import buttons
from tocsin.chat.markdown import escape_line, plain, shortened
from tocsin.integrations.body import alert_body
from tocsin.integrations.models import Integration

COLORS = {"P1": "#D00000", "P2": "#F06000", "P3": "#F0B000", "P4": "#2A7FD4", "P5": "#808080"}
DESCRIPTION_LIMIT = 2000
"""With the title, within a Slack section's 3000 characters, so the link to read all stays."""
NOTE_LIMIT = 2000
LIST_LIMIT = 1000
"""Tags, responders: a field of the card or a line of a follow-up."""
NAME_LIMIT = 300
"""A person, an owner, a source, the alert's message (130 characters before escaping)."""
BUTTONS = (
    ("ack", "Acknowledge", "primary"),
    ("close", "Close", "danger"),
    ("own", "Take ownership", "default"),
)


@dataclass(frozen=True)
class Button:
    action: str
    """"ack", "close" or "own"."""
    label: str
    style: str
    """"primary", "danger" or "default"."""
    context: dict[str, str]
    """Signed (``tocsin.chat.buttons``): what the press means, verified when it comes back."""


@dataclass(frozen=True)
class Card:
    heading: str
    """``#12 Disk full``, plain (no markdown): mentions and Slack's ``<...>`` forms broken."""
    url: str
    priority: str
    color: str
    description: str
    fields: list[tuple[str, str]]
    """(label, markdown value), the empty ones left out."""
    footer: str
    """Plain."""
    buttons: list[Button]
    """While the alert is open; no Acknowledge once acknowledged."""
    base_url: str
    """Where Tocsin is reached (a platform that calls back on button presses needs it)."""


def alert_url(base_url: str, alert: Alert) -> str:
    return f"{base_url}/alerts/{alert.id}"


def card_of(
    session: Session,
    alert: Alert,
    *,
    base_url: str,
    secret_key: str,
    button_lifetime: timedelta,
    integration: Integration,
    to: str = "",
) -> Card:
    """The card of the alert as it is now, its buttons working for ``button_lifetime`` (and, for
    a card sent directly to chat user ``to``, only for them)."""
    return Card(
        heading=plain(f"#{alert.tiny_id} {alert.message}", limit=NAME_LIMIT),
        url=alert_url(base_url, alert),
        priority=alert.priority,
        color=COLORS.get(alert.priority, COLORS["P3"]),
        description=shortened(alert.description, limit=DESCRIPTION_LIMIT, url=alert_url(base_url, alert)),
        fields=_fields(session, alert),
        footer=plain(f"Tocsin · {integration.name}", limit=NAME_LIMIT),
        buttons=_buttons(
            alert, secret_key=secret_key, lifetime=button_lifetime, integration=integration, to=to
        ),
        base_url=base_url,
    )


def status_of(alert: Alert) -> str:
    if alert.status == "closed":
        return _by("Closed", alert.closed_by)
    if alert.acknowledged:
        return _by("Acknowledged", alert.acknowledged_by)
    if alert.snoozed and alert.snoozed_until is not None:
        return f"Open, snoozed until {alert.snoozed_until:%Y-%m-%d %H:%M} UTC"
    return "Open"


def _by(state: str, who: str) -> str:
    return f"{state} by {escape_line(who, limit=NAME_LIMIT)}" if who else state


def _fields(session: Session, alert: Alert) -> list[tuple[str, str]]:
    shown = [
        ("Priority", alert.priority),
        ("Status", status_of(alert)),
        ("Owner", escape_line(alert.owner, limit=NAME_LIMIT)),
        ("Responders", _responders(session, alert)),
        ("Tags", escape_line(", ".join(alert.tags or []), limit=LIST_LIMIT)),
        ("Source", escape_line(alert.source, limit=NAME_LIMIT)),
        ("Count", str(alert.count) if alert.count > 1 else ""),  # how often it came in, once it repeats
    ]
    return [(label, value) for label, value in shown if value]


def _responders(session: Session, alert: Alert) -> str:
    """The names of the alert's teams, users, schedules and escalations, escaped."""
    names = [responder["name"] for responder in alert_body(session, alert)["responders"]]
    return escape_line(", ".join(name for name in names if name), limit=LIST_LIMIT)


def _buttons(
    alert: Alert, *, secret_key: str, lifetime: timedelta, integration: Integration, to: str
) -> list[Button]:
    if alert.status != "open":
        return []
    expires_at = clock.now() + lifetime
    return [
        Button(
            action,
            label,
            style,
            buttons.sign(
                secret_key,
                action=action,
                alert_id=alert.id,
                integration_id=integration.id,
                expires_at=expires_at,
                to=to,
            ),
        )
        for action, label, style in BUTTONS
        if not (action == "ack" and alert.acknowledged)
    ]


def follow_up_text(session: Session, alert: Alert, event: dict[str, Any], *, base_url: str) -> str:
    """One line of markdown about an event after the alert's creation."""
    link = f"[#{alert.tiny_id}]({alert_url(base_url, alert)})"
    subject = f"{link} {escape_line(alert.message, limit=NAME_LIMIT)}"
    by = escape_line(str(event.get("by", "")), limit=NAME_LIMIT) or "someone"
    match event["action"]:
        case "Acknowledge":
            return f"{subject} acknowledged by {by}"
        case "UnAcknowledge":
            return f"{subject} unacknowledged by {by}"
        case "Close":
            return f"{subject} closed by {by}"
        case "AddNote":
            note = shortened(
                str(event.get("note", "")), limit=NOTE_LIMIT, url=alert_url(base_url, alert), one_line=True
            )
            return f"{by} added a note to {link}: {note}"
        case "AssignOwnership" | "TakeOwnership":
            owner = escape_line(str(event.get("owner") or alert.owner), limit=NAME_LIMIT)
            return f"owner of {link} is now {owner} (set by {by})"
        case "UpdatePriority":
            old = event.get("oldPriority", "?")
            return f"priority of {link} changed from {old} to {event.get('priority', alert.priority)} by {by}"
        case "Snooze":
            until = f" until {alert.snoozed_until:%Y-%m-%d %H:%M} UTC" if alert.snoozed_until else ""
            return f"{subject} snoozed{until} by {by}"
        case "Escalate":
            return f"{subject} escalated by {by}"
        case "AddTags" | "RemoveTags":
            tags = escape_line(", ".join(alert.tags or []), limit=LIST_LIMIT) or "none"
            return f"tags of {link} changed by {by}; now: {tags}"
        case "AddResponder":
            return f"responders of {link} changed by {by}; now: {_responders(session, alert)}"
        case "UpdateMessage":
            return f"message of {link} changed by {by} to: {escape_line(alert.message, limit=NAME_LIMIT)}"
        case "UpdateDescription":
            return f"description of {link} changed by {by}"
        case "AddDetails" | "RemoveDetails":
            return f"details of {link} changed by {by}"
        case "CustomAction":
            name = escape_line(str(event.get("customAction", "")), limit=NAME_LIMIT)
            return f"custom action {name} run on {link} by {by}"
        case action:
            return f"{subject}: {escape_line(str(action), limit=NAME_LIMIT)} by {by}"


@dataclass(frozen=True)
class PostLayout:
    """How a platform lays out what is posted about an alert."""

    new_alert: Callable[[Card, Alert], dict[str, Any]]
    """The post of a new alert, from its card."""
    follow_up: Callable[[str, dict[str, Any]], dict[str, Any]]
    """The post of a later event, from its line of markdown and the event."""


def post_for_event(
    layout: PostLayout,
    session: Session,
    alert: Alert,
    integration: Integration,
    event: dict[str, Any],
    *,
    base_url: str,
    secret_key: str,
    button_lifetime: timedelta,
) -> dict[str, Any]:
    """What the platform is sent for one ``alert.activity`` event, as the alert is now."""
    if event["action"] == "Create":
        return card_message(
            layout,
            session,
            alert,
            integration,
            base_url=base_url,
            secret_key=secret_key,
            button_lifetime=button_lifetime,
        )
    return follow_up_post(layout, session, alert, event, base_url=base_url)


def card_message(
    layout: PostLayout,
    session: Session,
    alert: Alert,
    integration: Integration,
    *,
    base_url: str,
    secret_key: str,
    button_lifetime: timedelta,
) -> dict[str, Any]:
    """The alert's card as the platform posts it, as the alert is now."""
    card = card_of(
        session,
        alert,
        base_url=base_url,
        secret_key=secret_key,
        button_lifetime=button_lifetime,
        integration=integration,
    )
    return layout.new_alert(card, alert)


def follow_up_post(
    layout: PostLayout, session: Session, alert: Alert, event: dict[str, Any], *, base_url: str
) -> dict[str, Any]:
    """The post of a later event on the alert: its line (who did what), as the platform posts it."""
    return layout.follow_up(follow_up_text(session, alert, event, base_url=base_url), event)
