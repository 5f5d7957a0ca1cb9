"""Posting into Slack channels: the engine's channel for ``slack.post`` deliveries (one post each,
``slack_messages``, through the integration's incoming webhook; or, in bot mode, the alert's live
card, ``bot_cards``), and how the forwarder builds them.

Slack answers 200 "ok", and a refusal with a plain-text error code ("invalid_payload",
"no_service", "channel_is_archived"...); a refusal is final, 429 and 5xx are retried."""

from __future__ import annotations

from typing import Any

from tocsin.chat.platforms.bot_cards import BotCardChannel, ChatPostChannel
from tocsin.chat.platforms.bot_cards import forwarding as forwarding_of
from tocsin.chat.platforms.incoming_webhook import IncomingWebhookChannel
from tocsin.chat.platforms.slack_bot import SlackBotApi
from tocsin.chat.platforms.slack_messages import LAYOUT
from tocsin.integrations.forwarding import Sending
from tocsin.integrations.webhook import body_text
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import Answer

TOPIC = "slack.post"
KIND = "Slack"
MEANINGS = {
    "invalid_payload": "Slack could not read the post",
    "no_text": "the post had no text",
    "too_many_attachments": "the post had too many attachments",
    "no_service": "the incoming webhook was removed or disabled; make a new one and update the Slack URL",
    "no_service_id": "the Slack URL is not a complete incoming-webhook URL",
    "no_team": "the Slack workspace of the webhook no longer exists",
    "team_disabled": "the Slack workspace of the webhook is disabled",
    "invalid_token": "the incoming webhook's token is no longer valid; make a new one",
    "channel_not_found": "the webhook's channel no longer exists",
    "channel_is_archived": "the webhook's channel is archived",
    "action_prohibited": "a Slack admin restricted posting to the webhook's channel",
    "posting_to_general_channel_denied": "only admins may post to the webhook's channel",
    "user_not_found": "the user who made the webhook no longer exists",
}


def slack_said(answer: Answer) -> str:
    """Slack's error code, with what it means when it is one Slack documents."""
    said = body_text(answer)
    meaning = MEANINGS.get(said)
    return f"{said} ({meaning})" if meaning else said


def from_settings(settings: Any) -> ChatPostChannel:
    """Posts through the incoming webhook, or the bot's cards (``bot_cards``) through Slack's
    Web API at ``TOCSIN_SLACK_API_URL``."""
    outbound = OutboundPolicy.from_settings(settings)
    webhook = IncomingWebhookChannel(kind=KIND, topic=TOPIC, said=slack_said, outbound=outbound)
    bot = BotCardChannel(SlackBotApi(outbound), slack_api_url=settings.slack_api_url)
    return ChatPostChannel(webhook, bot)


def forwarding(settings: Any) -> dict[str, Sending]:
    """How the forwarder turns alert activity into Slack posts (for ``Forwarder``)."""
    return forwarding_of(KIND, LAYOUT, settings)
