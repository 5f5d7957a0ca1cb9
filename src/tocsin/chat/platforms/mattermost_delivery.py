"""Posting into Mattermost channels: the engine's channel for ``mattermost.post`` deliveries (one
post each, ``mattermost_posts``, through the integration's incoming webhook), and how the
forwarder builds them.

Mattermost answers 200 "ok"; a refusal is final (400: the hook is unknown or the post invalid;
403: the hook's channel is locked or out of its creator's reach; 404: no such channel)."""

from __future__ import annotations

from typing import Any

import orjson

from tocsin.chat.platforms.incoming_webhook import IncomingWebhookChannel
from tocsin.chat.platforms.incoming_webhook import forwarding as forwarding_of
from tocsin.chat.platforms.mattermost_posts import LAYOUT
from tocsin.integrations.forwarding import Sending
from tocsin.integrations.webhook import body_text
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import Answer

TOPIC = "mattermost.post"
KIND = "Mattermost"


def mattermost_said(answer: Answer) -> str:
    """Mattermost explains a refusal in an error object's ``message`` ("Invalid webhook.")."""
    try:
        error = orjson.loads(answer.content)
    except orjson.JSONDecodeError:
        return body_text(answer)
    message = error.get("message") if isinstance(error, dict) else None
    return str(message).strip()[:200] if message else body_text(answer)


def from_settings(settings: Any) -> IncomingWebhookChannel:
    return IncomingWebhookChannel(
        kind=KIND, topic=TOPIC, said=mattermost_said, outbound=OutboundPolicy.from_settings(settings)
    )


def forwarding(settings: Any) -> dict[str, Sending]:
    """How the forwarder turns alert activity into Mattermost posts (for ``Forwarder``)."""
    return forwarding_of(KIND, LAYOUT, settings)
