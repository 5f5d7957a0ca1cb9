"""What Tocsin sends to HipChat, in the JSON of its API v2: a room notification (the answer to a
command, in the webhook's response or through the API), a private message (an answer only the
caller may read), and the notifications the forwarder builds for an alert's life.

A new alert is a notification with an application card (title linking to the alert, its
description, priority and status as lozenges); clients without cards show its HTML message, which
carries the same and the ``/genie ack`` hint, since HipChat has no buttons. Everything after is
the alert card's one line. Every message is HTML (``rendering.hipchat_html``) within HipChat's
10000 characters."""

from __future__ import annotations

import html
import re
from typing import Any

from tocsin.alerts.models import Alert
from tocsin.chat import rendering
from tocsin.chat.alert_card import NAME_LIMIT, Card, PostLayout, status_of
from tocsin.chat.markdown import escape_line
from tocsin.chat.replies import Reply

MAX_MESSAGE = 10_000
"""HipChat refuses a message longer than this."""
SENDER = "Tocsin"
"""Shown next to the add-on's name (``from``, at most 25 characters)."""
ELLIPSIS = "…"
_LINE = "<br>"
_PARTIAL_ENTITY = re.compile(r"&[#a-zA-Z0-9]*$")
PRIORITY_COLORS = {"P1": "red", "P2": "red", "P3": "yellow", "P4": "purple", "P5": "gray"}
PRIORITY_LOZENGES = {"P1": "lozenge-error", "P2": "lozenge-error", "P3": "lozenge-current"}
STATUS_LOZENGES = {"Open": "lozenge-error", "Acknowledged": "lozenge-current", "Closed": "lozenge-success"}
GOOD_NEWS = frozenset({"Acknowledge", "Close"})


def capped(markdown: str, limit: int = MAX_MESSAGE) -> str:
    """``markdown`` as HipChat HTML within ``limit`` characters: whole lines are dropped from the
    end (a line's tags are closed within it); one line too long alone becomes cut plain text."""
    shown = rendering.hipchat_html(markdown)
    if len(shown) <= limit:
        return shown
    room = limit - len(_LINE + ELLIPSIS)
    cut = shown.rfind(_LINE, 0, room + 1)
    if cut > 0:
        return shown[:cut] + _LINE + ELLIPSIS
    text = html.escape(rendering.plain_text(markdown))[: limit - len(ELLIPSIS)]
    return _PARTIAL_ENTITY.sub("", text) + ELLIPSIS


def notification(reply: Reply, *, color: str | None = None) -> dict[str, Any]:
    """A room notification of a command's answer: green when it changed something."""
    return {
        "message": capped(reply.text),
        "message_format": "html",
        "color": color or ("green" if reply.in_channel else "yellow"),
        "notify": False,
        "from": SENDER,
    }


def private_message(reply: Reply) -> dict[str, Any]:
    """The body of ``POST /v2/user/{id}/message``: no colour nor sender there."""
    return {"message": capped(reply.text), "message_format": "html", "notify": False}


def new_alert(card: Card, alert: Alert) -> dict[str, Any]:
    """A new alert's notification: its card, and the message clients without cards show."""
    return {
        "message": capped(_summary(card, alert)),
        "message_format": "html",
        "color": PRIORITY_COLORS.get(alert.priority, "yellow"),
        "notify": alert.priority in ("P1", "P2"),
        "from": SENDER,
        "card": alert_card(card, alert),
    }


def follow_up(line: str, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "message": capped(line),
        "message_format": "html",
        "color": "green" if event["action"] in GOOD_NEWS else "gray",
        "notify": False,
        "from": SENDER,
    }


LAYOUT = PostLayout(new_alert=new_alert, follow_up=follow_up)


def _summary(card: Card, alert: Alert) -> str:
    """The message of a new alert's notification (markdown): what clients without cards show."""
    heading = escape_line(f"#{alert.tiny_id} {alert.message}", limit=NAME_LIMIT)
    lines = [f"**[{heading}]({card.url})**", f"Priority {alert.priority} · {status_of(alert)}"]
    if alert.status == "open":
        lines.append(
            f"Acknowledge with `/genie ack {alert.tiny_id}`, close with `/genie close {alert.tiny_id}`"
        )
    return "\n".join(lines)


def alert_card(card: Card, alert: Alert) -> dict[str, Any]:
    """HipChat's application card of the alert."""
    description = card.description or f"Priority {alert.priority} · {status_of(alert)}"
    return {
        "style": "application",
        "id": alert.id,
        "title": card.heading,
        "url": card.url,
        "format": "medium",
        "description": {"value": capped(description), "format": "html"},
        "attributes": [_attribute(label, value) for label, value in card.fields],
    }


def _attribute(label: str, value: str) -> dict[str, Any]:
    shown = rendering.plain_text(value)
    found: dict[str, Any] = {"label": shown[:MAX_MESSAGE]}
    style = {"Priority": PRIORITY_LOZENGES, "Status": STATUS_LOZENGES}.get(label, {})
    lozenge = style.get(shown) or style.get(shown.split(" ", 1)[0])
    if lozenge:
        found["style"] = lozenge
    elif label in ("Priority", "Status"):
        found["style"] = "lozenge"
    return {"label": label, "value": found}
