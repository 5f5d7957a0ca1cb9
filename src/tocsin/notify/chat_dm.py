"""Direct messages on Mattermost and Slack: the engine's channels for ``notify.mattermost`` and
``notify.slack`` messages (what they share with the other ways of reaching a person is in
``personal``).

A contact is the chat user id of the person's linked chat account (``tocsin.chat.linking``). The
bot of the first enabled bot-mode integration of the platform (the oldest) opens a direct message
with them and posts the alert's card there, its buttons signed for that chat user alone; their
press acts as the Tocsin user the account is linked to. A contact whose account was unlinked
since is not sent to (the alert log says so). Shift notices and test notifications are
one line of text. Without a bot-mode integration the message fails at once, and the alert log
says what to set up; the chat server's refusals are logged there too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.chat.alert_card import PostLayout, card_of
from tocsin.chat.markdown import escape_line
from tocsin.chat.models import ChatAccount
from tocsin.chat.platforms import mattermost_posts, slack_messages
from tocsin.chat.platforms.bot_cards import BotApi
from tocsin.chat.platforms.mattermost_bot import MattermostBotApi
from tocsin.chat.platforms.slack_bot import SlackBotApi
from tocsin.config import Settings
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations.chat_bots import Bot, bot_of
from tocsin.integrations.models import Integration
from tocsin.notify.outbox import Claimed
from tocsin.notify.personal import ForPerson, PersonalChannel
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import origin_of


@dataclass(frozen=True)
class DirectPost:
    """One direct message ready to go, or why it cannot go (``problem``)."""

    bot: Bot | None
    to: str
    """The chat user id."""
    post: dict[str, Any]
    problem: str = ""

    @property
    def origin(self) -> str | None:
        return origin_of(self.bot.server_url) if self.bot else None


@dataclass(frozen=True)
class _Sender:
    integration: Integration
    bot: Bot


@dataclass(frozen=True)
class _Round:
    session: Session
    sender: _Sender | None
    linked: set[tuple[str, str]]


class ChatDirectChannel(PersonalChannel):
    """Direct messages through the bot of a platform's first bot-mode integration."""

    platform = ""
    layout: PostLayout

    def __init__(self, api: BotApi, settings: Settings) -> None:
        self.api = api
        self.settings = settings
        self._round: _Round | None = None
        """While a round is prepared: what its messages are rendered with."""

    def prepare_many(self, session: Session, messages: Sequence[Claimed]) -> list[Any]:
        self._round = _Round(session, self._sender(session), self._linked(session, messages))
        try:
            return super().prepare_many(session, messages)
        finally:
            self._round = None

    def _linked(self, session: Session, messages: Sequence[Claimed]) -> set[tuple[str, str]]:
        """(Tocsin user id, chat user id) of the round's people's linked accounts."""
        user_ids = {message.payload["userId"] for message in messages}
        rows = session.execute(
            select(ChatAccount.user_id, ChatAccount.chat_user_id).where(
                ChatAccount.platform == self.platform, ChatAccount.user_id.in_(user_ids)
            )
        )
        return {(user_id, chat_user_id) for user_id, chat_user_id in rows}

    def _sender(self, session: Session) -> _Sender | None:
        found = session.scalars(
            select(Integration)
            .where(Integration.type == self.platform, Integration.enabled.is_(True))
            .order_by(Integration.created_at, Integration.id)
        )
        for integration in found:
            bot = bot_of(integration, slack_api_url=self.settings.slack_api_url)
            if bot is not None:
                return _Sender(integration, bot)
        return None

    def render(self, item: ForPerson) -> DirectPost:
        assert self._round is not None, "render runs inside prepare_many"
        session, sender = self._round.session, self._round.sender
        to = item.message.destination
        if (item.user.id, to) not in self._round.linked:
            problem = (
                f"the {self.platform} account {to} is no longer linked to {item.user.username}; "
                "link it again with /genie connect, or remove the contact"
            )
            return DirectPost(None, to, {}, problem)
        if sender is None:
            problem = (
                f"no enabled {self.platform} integration is in bot mode; give one a bot token "
                "to send direct messages"
            )
            return DirectPost(None, to, {}, problem)
        if item.payload.get("kind") == "test":
            by = f" by {escape_line(str(item.payload.get('by', '')))}" if item.payload.get("by") else ""
            post = self._line(f"A test notification from Tocsin, sent{by}. Pages to you reach you here.")
        elif item.alert is None:
            post = self._line(_shift_line(item.payload, item.user.time_zone))
        else:
            card = card_of(
                session,
                item.alert,
                base_url=self.settings.base_url,
                secret_key=self.settings.effective_secret_key,
                button_lifetime=self.settings.chat_button_lifetime,
                integration=sender.integration,
                to=to,
            )
            post = self.layout.new_alert(card, item.alert)  # its status says if acknowledged or closed
        return DirectPost(sender.bot, to, post)

    def _line(self, text: str) -> dict[str, Any]:
        return self.layout.follow_up(text, {})

    def delivered_many(self, session: Session, messages: Sequence[Claimed]) -> None:
        super().delivered_many(session, self._named(session, messages))

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        super().gave_up(session, self._named(session, [message])[0], error)

    def _named(self, session: Session, messages: Sequence[Claimed]) -> list[Claimed]:
        """The messages as the alert log names their chat users: "@ann (4xp9…)"."""
        ids = {message.destination for message in messages}
        names = {
            account.chat_user_id: account.chat_user_name
            for account in session.scalars(
                select(ChatAccount).where(
                    ChatAccount.platform == self.platform, ChatAccount.chat_user_id.in_(ids)
                )
            )
            if account.chat_user_name
        }
        return [
            replace(message, destination=f"@{names[message.destination]} ({message.destination})")
            if message.destination in names
            else message
            for message in messages
        ]

    async def send(self, prepared: DirectPost) -> None:
        if prepared.bot is None:
            raise PermanentFailure(prepared.problem)
        channel = await self.api.open_direct(prepared.bot, prepared.to)
        await self.api.post_card(replace(prepared.bot, channel=channel), prepared.post)


def _shift_line(payload: dict[str, Any], time_zone: str) -> str:
    """ "Your on-call shift starts/ends": times in the person's own time zone."""
    zone = ZoneInfo(time_zone)
    start = datetime.fromisoformat(payload["start"]).astimezone(zone)
    end = datetime.fromisoformat(payload["end"]).astimezone(zone)
    schedule = escape_line(str(payload.get("scheduleName", "")))
    when = f"{start:%a %d %b %H:%M} to {end:%a %d %b %H:%M} ({time_zone})"
    starts = payload.get("kind") == "schedule-start"
    return f"Your on-call shift for {schedule} {'starts' if starts else 'ends'} soon: {when}."


class MattermostDirectChannel(ChatDirectChannel):
    method = "mattermost"
    platform = "Mattermost"
    layout = mattermost_posts.LAYOUT


class SlackDirectChannel(ChatDirectChannel):
    method = "slack"
    platform = "Slack"
    layout = slack_messages.LAYOUT


def direct_channels(settings: Settings) -> list[ChatDirectChannel]:
    outbound = OutboundPolicy.from_settings(settings)
    return [
        MattermostDirectChannel(MattermostBotApi(outbound), settings),
        SlackDirectChannel(SlackBotApi(outbound), settings),
    ]
