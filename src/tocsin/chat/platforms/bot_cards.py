"""Bot mode's deliveries: one live card per alert and integration, posted once by the bot and
edited in place on every later change, with each follow-up (who acted, a note) as a reply in the
card's thread. The platform's REST calls are a ``BotApi`` (``mattermost_bot``, ``slack_bot``).

The forwarder builds a bot delivery like a webhook post (the same ``PostLayout``, the card as the
alert is at that moment) and marks it as the bot's; deliveries about one alert through one
integration share the ordering key of the webhook posts, so the card is posted before it is
edited and the edits arrive in order. Where the card was posted is remembered
(``tocsin.chat.card_posts``) when the delivery is recorded; a delivery that finds no card (the
integration forwarded no Create, or bot mode was turned on later) posts one.

Retries are the engine's: network errors, 408, 429 (honouring ``Retry-After``) and 5xx are retried
(the card posted by a failed try is reused, not posted again), anything else is final and logged
on the alert. A card deleted in the chat is posted afresh."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.alerts.models import Alert
from tocsin.chat.alert_card import PostLayout, card_message, follow_up_post
from tocsin.chat.card_posts import card_post, remember_card_post
from tocsin.chat.platforms.incoming_webhook import IncomingWebhookChannel, integration_sending, log_gave_up
from tocsin.chat.platforms.incoming_webhook import forwarding as webhook_forwarding
from tocsin.engine.deliveries import Skip
from tocsin.integrations.chat_bots import SLACK_API_URL, Bot, bot_of
from tocsin.integrations.forwarding import Sending
from tocsin.integrations.models import Integration
from tocsin.notify.outbox import Claimed
from tocsin.outbound_clients import origin_of

BOT_BODY = "botCard"
"""The key of a bot delivery's body: ``{"card": <post>, "reply": <post> | null}``."""
BOT_POST = "botPost"
"""The key of a bot delivery that is a plain post in the channel (a bulk command's summary)."""


@dataclass(frozen=True)
class Posted:
    """Where a card is: its channel and post (Mattermost's post id; Slack's ``ts``)."""

    channel_id: str
    post_id: str


class CardGone(Exception):
    """The card's post no longer exists (deleted in the chat): it is to be posted afresh."""


class BotApi(Protocol):
    """A platform's REST calls, as its bot makes them. Each raises as ``send_outbound`` does:
    ``PermanentFailure`` for a refusal, ``RetryLater`` or ``Unreachable`` to retry."""

    kind: str

    async def post_card(self, bot: Bot, card: dict[str, Any]) -> Posted: ...

    async def edit_card(self, bot: Bot, posted: Posted, card: dict[str, Any]) -> None:
        """Raises ``CardGone`` when the post is gone."""

    async def reply(self, bot: Bot, posted: Posted, reply: dict[str, Any]) -> None: ...

    async def is_member(self, bot: Bot, user_id: str) -> bool:
        """Whether the chat user is a member of the bot's channel."""

    async def open_direct(self, bot: Bot, user_id: str) -> str:
        """The id of the direct message channel between the bot and the chat user."""


@dataclass(frozen=True)
class CardDelivery:
    message_id: int
    bot: Bot
    card: dict[str, Any]
    reply: dict[str, Any] | None
    posted: Posted | None
    """Where the card already is (None: not posted yet)."""
    plain: bool = False
    """A post of its own (a summary), not an alert's card: posted, never remembered or edited."""

    @property
    def origin(self) -> str:
        return origin_of(self.bot.server_url)


def is_bot_delivery(message: Claimed) -> bool:
    body = message.payload.get("body")
    return isinstance(body, dict) and (BOT_BODY in body or BOT_POST in body)


class BotCardChannel:
    """Sends bot deliveries through a platform's ``BotApi``."""

    def __init__(self, api: BotApi, *, slack_api_url: str = SLACK_API_URL) -> None:
        self.api = api
        self.slack_api_url = slack_api_url
        self._posted: dict[int, Posted] = {}
        """Cards posted by sends not yet recorded (or that failed after posting), by message."""

    def prepare(self, session: Session, message: Claimed) -> CardDelivery | Skip:
        integration = integration_sending(session, message)
        if isinstance(integration, Skip):
            return integration
        bot = bot_of(integration, slack_api_url=self.slack_api_url)
        if bot is None:
            return Skip(f"integration {integration.name} left bot mode")
        if BOT_POST in message.payload["body"]:
            return CardDelivery(message.id, bot, message.payload["body"][BOT_POST], None, None, plain=True)
        found = card_post(session, integration.id, message.alert_id or "")
        # A card in another channel (the bot's channel was changed) is not edited: a new one is
        # posted in the bot's channel.
        posted = (
            Posted(found.channel_id, found.post_id) if found and found.channel_id == bot.channel else None
        )
        body = message.payload["body"][BOT_BODY]
        return CardDelivery(message.id, bot, body["card"], body.get("reply"), posted)

    async def send(self, prepared: CardDelivery) -> None:
        if prepared.plain:
            await self.api.post_card(prepared.bot, prepared.card)
            return
        posted = self._posted.get(prepared.message_id)  # posted by an earlier try of this delivery
        if posted is None and prepared.posted is not None:
            try:
                await self.api.edit_card(prepared.bot, prepared.posted, prepared.card)
                posted = prepared.posted
            except CardGone:
                posted = None
        if posted is None:
            posted = await self.api.post_card(prepared.bot, prepared.card)
            self._posted[prepared.message_id] = posted
        if prepared.reply is not None:
            await self.api.reply(prepared.bot, posted, prepared.reply)

    def delivered(self, session: Session, message: Claimed) -> None:
        self._remember(session, message)

    def _remember(self, session: Session, message: Claimed) -> None:
        """Where the delivery posted the card, if it posted one."""
        posted = self._posted.pop(message.id, None)
        if posted is not None and message.alert_id:
            remember_card_post(
                session,
                integration_id=message.payload["integrationId"],
                alert_id=message.alert_id,
                channel_id=posted.channel_id,
                post_id=posted.post_id,
                now=clock.now(),
            )

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        self._remember(session, message)  # a card posted before the reply was refused is kept
        log_gave_up(session, message, error, kind=f"{self.api.kind} bot")


class ChatPostChannel:
    """The engine channel of a platform's posts (topic ``<platform>.post``): each delivery goes
    through the incoming webhook or the bot, as it was built for."""

    def __init__(self, webhook: IncomingWebhookChannel, bot: BotCardChannel) -> None:
        self.webhook = webhook
        self.bot = bot
        self.topics = webhook.topics

    def prepare(self, session: Session, message: Claimed) -> Any:
        if is_bot_delivery(message):
            return self.bot.prepare(session, message)
        return self.webhook.prepare(session, message)

    async def send(self, prepared: Any) -> None:
        if isinstance(prepared, CardDelivery):
            await self.bot.send(prepared)
        else:
            await self.webhook.send(prepared)

    def delivered(self, session: Session, message: Claimed) -> None:
        if is_bot_delivery(message):
            self.bot.delivered(session, message)

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        if is_bot_delivery(message):
            self.bot.gave_up(session, message, error)
        else:
            self.webhook.gave_up(session, message, error)


def bot_body(
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
    """What the bot is sent for one event: the card as the alert is now, and the follow-up line
    to reply in its thread (none for the alert's creation)."""
    card = card_message(
        layout,
        session,
        alert,
        integration,
        base_url=base_url,
        secret_key=secret_key,
        button_lifetime=button_lifetime,
    )
    reply = None
    if event["action"] != "Create" and not event.get("summarized"):  # a bulk change's: the summary says it
        reply = follow_up_post(layout, session, alert, event, base_url=base_url)
    return {BOT_BODY: {"card": card, "reply": reply}}


def forwarding(kind: str, layout: PostLayout, settings: Any) -> dict[str, Sending]:
    """How the forwarder turns alert activity into posts of ``kind``: the bot's card deliveries
    for an integration in bot mode, the incoming webhook's posts otherwise."""
    webhook = webhook_forwarding(kind, layout, settings)[kind]
    as_bot = functools.partial(
        bot_body,
        layout,
        base_url=settings.base_url,
        secret_key=settings.effective_secret_key,
        button_lifetime=settings.chat_button_lifetime,
    )

    def body(
        session: Session, alert: Alert, integration: Integration, event: dict[str, Any]
    ) -> dict[str, Any]:
        chosen = as_bot if bot_of(integration) is not None else webhook.body
        return chosen(session, alert, integration, event)

    def summary(
        session: Session, alerts: list[Alert], integration: Integration, event: dict[str, Any]
    ) -> dict[str, Any]:
        assert webhook.summary is not None
        post = webhook.summary(session, alerts, integration, event)
        return {BOT_POST: post} if bot_of(integration) is not None else post

    return {
        kind: replace(
            webhook, body=body, summary=summary, live_card=lambda integration: bot_of(integration) is not None
        )
    }
