"""What Tocsin posts into a Mattermost channel through the channel's incoming webhook: the JSON of
one post per forwarded alert event.

A new alert is an attachment (``tocsin.chat.alert_card`` as Mattermost shows it: a coloured card
whose title links to the alert) with buttons Mattermost sends back to ``/chat/mattermost/actions``.
Everything after is the alert card's one line of markdown, which Mattermost renders as it is."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.chat.alert_card import card_of, follow_up_text
from tocsin.integrations.models import Integration

USERNAME = "Tocsin"


def actions_url(base_url: str) -> str:
    """Where Mattermost sends button presses."""
    return f"{base_url}/chat/mattermost/actions"


def post_for_event(
    session: Session,
    alert: Alert,
    integration: Integration,
    event: dict[str, Any],
    *,
    base_url: str,
    secret_key: str,
) -> dict[str, Any]:
    """The incoming-webhook JSON for one ``alert.activity`` event, as the alert is now."""
    if event["action"] == "Create":
        attachment = alert_attachment(
            session, alert, base_url=base_url, secret_key=secret_key, integration=integration
        )
        return {"username": USERNAME, "text": "", "attachments": [attachment]}
    return {"username": USERNAME, "text": follow_up_text(session, alert, event, base_url=base_url)}


def alert_attachment(
    session: Session, alert: Alert, *, base_url: str, secret_key: str, integration: Integration
) -> dict[str, Any]:
    """The card of the alert as it is now, as a Slack-style attachment Mattermost renders."""
    card = card_of(session, alert, base_url=base_url, secret_key=secret_key, integration=integration)
    attachment: dict[str, Any] = {
        "fallback": f"[{alert.priority}] {card.heading}",
        "color": card.color,
        "title": card.heading,  # shown as text: Mattermost links it, no markdown
        "title_link": card.url,
        "text": card.description,
        "fields": [{"title": label, "value": value, "short": True} for label, value in card.fields],
        "footer": card.footer,
    }
    if card.buttons:
        attachment["actions"] = [
            {
                "id": button.action,
                "type": "button",
                "name": button.label,
                "style": button.style,
                "integration": {"url": actions_url(base_url), "context": button.context},
            }
            for button in card.buttons
        ]
    return attachment
