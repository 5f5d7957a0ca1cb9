"""Posting into Mattermost channels: the engine's channel for ``mattermost.post`` deliveries (one
post each, ``mattermost_posts``, through the integration's incoming webhook; or, in bot mode,
the alert's live card, ``bot_cards``), and how the forwarder builds them.

Mattermost answers 200 "ok"; a refusal is final (400: the hook is unknown or the post invalid;
403: the hook's channel is locked or out of its creator's reach; 404: no such channel)."""

from __future__ import annotations

from typing import Any

from tocsin.chat.platforms.bot_cards import BotCardChannel, ChatPostChannel
from tocsin.chat.platforms.bot_cards import forwarding as forwarding_of
from tocsin.chat.platforms.incoming_webhook import IncomingWebhookChannel
from tocsin.chat.platforms.mattermost_bot import MattermostBotApi, mattermost_said
from tocsin.chat.platforms.mattermost_posts import LAYOUT
from tocsin.integrations.forwarding import Sending
from tocsin.outbound import OutboundPolicy

__all__ = ["KIND", "TOPIC", "forwarding", "from_settings", "mattermost_said"]

TOPIC = "mattermost.post"
KIND = "Mattermost"


def from_settings(settings: Any) -> ChatPostChannel:
    """Posts through the incoming webhook, or the bot's cards (``bot_cards``)."""
    outbound = OutboundPolicy.from_settings(settings)
    webhook = IncomingWebhookChannel(kind=KIND, topic=TOPIC, said=mattermost_said, outbound=outbound)
    return ChatPostChannel(webhook, BotCardChannel(MattermostBotApi(outbound)))


def forwarding(settings: Any) -> dict[str, Sending]:
    """How the forwarder turns alert activity into Mattermost posts (for ``Forwarder``)."""
    return forwarding_of(KIND, LAYOUT, settings)
