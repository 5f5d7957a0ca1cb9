"""What Tocsin posts into a Mattermost channel through the channel's incoming webhook: the JSON of
one post per forwarded alert event.

A new alert is an attachment (``tocsin.chat.alert_card`` as Mattermost shows it: a coloured card
whose title links to the alert) with buttons Mattermost sends back to ``/chat/mattermost/actions``.
Everything after is the alert card's one line of markdown, which Mattermost renders as it is."""

from __future__ import annotations

from typing import Any

from tocsin.chat.alert_card import Card, PostLayout

USERNAME = "Tocsin"


def actions_url(base_url: str) -> str:
    """Where Mattermost sends button presses."""
    return f"{base_url}/chat/mattermost/actions"


def attachment(card: Card) -> dict[str, Any]:
    """The card of the alert as a Slack-style attachment Mattermost renders, with its buttons."""
    found: dict[str, Any] = {
        "fallback": f"[{card.priority}] {card.heading}",
        "color": card.color,
        "title": card.heading,  # shown as text: Mattermost links it, no markdown
        "title_link": card.url,
        "text": card.description,
        "fields": [{"title": label, "value": value, "short": True} for label, value in card.fields],
        "footer": card.footer,
    }
    if card.buttons:
        found["actions"] = [
            {
                "id": button.action,
                "type": "button",
                "name": button.label,
                "style": button.style,
                "integration": {"url": actions_url(card.base_url), "context": button.context},
            }
            for button in card.buttons
        ]
    return found


LAYOUT = PostLayout(
    new_alert=lambda card, alert: {"username": USERNAME, "text": "", "attachments": [attachment(card)]},
    follow_up=lambda line, event: {"username": USERNAME, "text": line},
)
"""A new alert is a card; every later event, its line of markdown as Mattermost renders it."""
