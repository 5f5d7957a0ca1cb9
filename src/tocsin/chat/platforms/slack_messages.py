"""The JSON of what Tocsin says in Slack: answers to slash commands and button presses (sent as the
HTTP answer or to a ``response_url``), and the post of each forwarded alert event (sent to the
integration's incoming webhook).

A new alert is a Block Kit card (``tocsin.chat.alert_card`` as Slack shows it) inside an attachment
that gives it the priority's colour, with Acknowledge / Close / Take ownership buttons whose value
is the signed button context; Slack sends a pressed button back to the integration's Request
URL. Every later event is the card's one line of markdown as Slack mrkdwn."""

from __future__ import annotations

from typing import Any

import orjson

from tocsin.chat.alert_card import Card, PostLayout
from tocsin.chat.markdown import escape
from tocsin.chat.rendering import slack_mrkdwn
from tocsin.chat.replies import Reply

SECTION_TEXT_LIMIT = 3000
FIELD_TEXT_LIMIT = 2000
MAX_FIELDS = 10
MESSAGE_TEXT_LIMIT = 39_000
"""Slack truncates a message's text after 40,000 characters; stay clear of it."""
ELLIPSIS = "…"
_ENTITY_LONGEST = len("&amp;")


def capped(mrkdwn: str, limit: int) -> str:
    """``mrkdwn`` within ``limit`` characters, cut before any ``<link|label>`` or ``&entity;``
    the limit would split, with an ellipsis when cut."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    cut = mrkdwn[: limit - len(ELLIPSIS)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    ampersand = cut.rfind("&", len(cut) - _ENTITY_LONGEST)
    if ampersand >= 0 and ";" not in cut[ampersand:]:
        cut = cut[:ampersand]
    return cut.rstrip() + ELLIPSIS


def plain_mrkdwn(plain: str) -> str:
    """Plain text as mrkdwn that shows it as it is (no formatting, mention or link)."""
    return slack_mrkdwn(escape(plain))


def reply_message(reply: Reply) -> dict[str, Any]:
    """A reply to a command: posted in the channel, or shown to the person who typed it."""
    return {
        "response_type": "in_channel" if reply.in_channel else "ephemeral",
        "text": capped(slack_mrkdwn(reply.text), MESSAGE_TEXT_LIMIT),
    }


def ephemeral(mrkdwn: str) -> dict[str, Any]:
    """A message to a response URL only the person who clicked sees; it replaces nothing."""
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": capped(mrkdwn, MESSAGE_TEXT_LIMIT),
    }


def card_blocks(card: Card) -> list[dict[str, Any]]:
    """The card as Block Kit: linked heading and description, fields, footer, buttons."""
    heading = slack_mrkdwn(f"**[{escape(card.heading)}]({card.url})**")
    description = slack_mrkdwn(card.description) if card.description else ""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": capped(f"{heading}\n{description}".strip(), SECTION_TEXT_LIMIT),
            },
        }
    ]
    if card.fields:
        fields = [
            {"type": "mrkdwn", "text": capped(f"*{label}*\n{slack_mrkdwn(value)}", FIELD_TEXT_LIMIT)}
            for label, value in card.fields[:MAX_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": card.footer}]})
    if card.buttons:
        elements = []
        for button in card.buttons:
            element: dict[str, Any] = {
                "type": "button",
                "text": {"type": "plain_text", "text": button.label},
                "action_id": button.action,
                "value": orjson.dumps(button.context).decode(),
            }
            if button.style != "default":
                element["style"] = button.style
            elements.append(element)
        blocks.append({"type": "actions", "elements": elements})
    return blocks


def alert_message(card: Card) -> dict[str, Any]:
    """The card of the alert: a coloured attachment of blocks, and the plain ``text`` Slack shows
    in notifications and where blocks cannot be shown."""
    return {
        "text": plain_mrkdwn(f"[{card.priority}] {card.heading}"),
        "attachments": [{"color": card.color, "blocks": card_blocks(card)}],
    }


LAYOUT = PostLayout(
    new_alert=lambda card, alert: alert_message(card),
    follow_up=lambda line, event: {"text": capped(slack_mrkdwn(line), MESSAGE_TEXT_LIMIT)},
)
"""A new alert is a Block Kit card; every later event, its line as Slack mrkdwn."""
