"""Bot mode of a Mattermost or Slack integration: instead of posting through an incoming webhook,
Tocsin posts each alert's card once as a bot and edits it in place. Its settings are checked
here before anything is stored: Mattermost's server URL (through the outbound check), bot token
and channel id; Slack's bot token and channel id. The bot token is a secret: it is kept to call
the platform's API and shown back only as set or not. Without a bot token the integration posts
through its incoming webhook, as before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tocsin.errors import InvalidInput
from tocsin.outbound import OutboundPolicy, OutboundRefused

BOT_KINDS = frozenset({"Mattermost", "Slack"})
TOKEN_MAX = 255
MATTERMOST_ID = re.compile(r"[a-z0-9]{26}")
"""Mattermost's ids (users, channels, posts, tokens): 26 lowercase letters and digits."""
SLACK_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,20}")
SLACK_BOT_TOKEN = re.compile(r"xoxb-[A-Za-z0-9-]{10,250}")
SLACK_API_URL = "https://slack.com/api"


@dataclass(frozen=True)
class BotChanges:
    """Bot settings to set; None leaves one as it is. ``token=""`` turns bot mode off."""

    server_url: str | None = None
    token: str | None = None
    channel_id: str | None = None
    """Mattermost's ``channelId``."""
    channel: str | None = None
    """Slack's ``channel`` (its id)."""

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.server_url, self.token, self.channel_id, self.channel))

    def channel_of(self, kind: str) -> str | None:
        return self.channel_id if kind == "Mattermost" else self.channel


@dataclass(frozen=True)
class Bot:
    """A bot-mode integration's settings."""

    kind: str
    server_url: str
    """Mattermost: the server's address; Slack: the Web API's (``TOCSIN_SLACK_API_URL``)."""
    token: str
    channel: str


def bot_of(integration: Any, *, slack_api_url: str = SLACK_API_URL) -> Bot | None:
    """The integration's bot, or None when it posts through an incoming webhook."""
    stored = (integration.config or {}).get("bot")
    if integration.type not in BOT_KINDS or not isinstance(stored, dict) or not stored.get("token"):
        return None
    server = stored.get("serverUrl", "") if integration.type == "Mattermost" else slack_api_url
    channel = str(stored.get("channel", ""))
    return Bot(integration.type, str(server).rstrip("/"), str(stored["token"]), channel)


def bot_mode(integration: Any) -> bool:
    return bot_of(integration) is not None


def channel_field(kind: str) -> str:
    """What the API calls the bot's channel."""
    return "channelId" if kind == "Mattermost" else "channel"


def _refuse_other_kinds(kind: str, changes: BotChanges) -> None:
    if kind not in BOT_KINDS and changes.given:
        raise InvalidInput(
            "botToken", f"{kind} integrations have no bot mode; only Mattermost and Slack integrations do"
        )
    if kind == "Slack" and changes.server_url:
        raise InvalidInput("serverUrl", "Slack integrations have no serverUrl: the bot calls Slack's Web API")
    if kind == "Slack" and changes.channel_id:
        raise InvalidInput("channelId", "a Slack integration's bot channel is given as channel (its ID)")
    if kind == "Mattermost" and changes.channel:
        raise InvalidInput("channel", "a Mattermost integration's bot channel is given as channelId")


def _token(kind: str, token: str) -> str:
    token = token.strip()
    if kind == "Mattermost" and not MATTERMOST_ID.fullmatch(token):
        raise InvalidInput(
            "botToken",
            "the bot token is the Access Token Mattermost shows once when you create a token for the "
            "bot account (Integrations > Bot Accounts > Create New Token): 26 lowercase letters and digits",
        )
    if kind == "Slack" and not SLACK_BOT_TOKEN.fullmatch(token):
        raise InvalidInput(
            "botToken",
            "the bot token is your Slack app's Bot User OAuth Token (in Slack: your app > OAuth & "
            "Permissions); it starts with xoxb-",
        )
    return token


def _channel(kind: str, channel: str) -> str:
    channel = channel.strip()
    if kind == "Mattermost" and not MATTERMOST_ID.fullmatch(channel):
        raise InvalidInput(
            "channelId",
            "the channel id is the 26-character ID Mattermost shows in the channel's menu > View Info "
            "(not its name)",
        )
    if kind == "Slack" and not SLACK_CHANNEL_ID.fullmatch(channel):
        raise InvalidInput(
            "channel",
            "the channel is the channel's ID, like C0123456789 (in Slack: open the channel's details; "
            "the ID is at the bottom), not its name",
        )
    return channel


def apply_bot(kind: str, config: dict[str, Any], changes: BotChanges, *, outbound: OutboundPolicy) -> None:
    """Check the bot settings and set them in ``config`` (nothing is set if one is refused)."""
    _refuse_other_kinds(kind, changes)
    if kind not in BOT_KINDS or not changes.given:
        return
    if changes.token is not None and not changes.token.strip():
        config.pop("bot", None)  # back to the incoming webhook
        return
    bot = dict(config.get("bot") or {})
    if changes.token is not None:
        bot["token"] = _token(kind, changes.token)
    channel = changes.channel_of(kind)
    if channel is not None:
        bot["channel"] = _channel(kind, channel)
    if changes.server_url is not None:
        try:
            bot["serverUrl"] = outbound.check(changes.server_url.strip()).url.rstrip("/")
        except OutboundRefused as refused:
            raise InvalidInput("serverUrl", refused.message) from refused
    if not bot.get("token"):
        raise InvalidInput(
            "botToken",
            f"bot mode needs the bot token; without one the {kind} integration posts "
            "through its incoming webhook (leave out the bot settings for that)",
        )
    if kind == "Mattermost" and not bot.get("serverUrl"):
        raise InvalidInput(
            "serverUrl", "bot mode needs serverUrl: the address of your Mattermost server (its Site URL)"
        )
    if not bot.get("channel"):
        raise InvalidInput(
            channel_field(kind), f"bot mode needs the channel the bot posts in: {_channel_hint(kind)}"
        )
    config["bot"] = bot


def _channel_hint(kind: str) -> str:
    if kind == "Mattermost":
        return "channelId, the channel's 26-character ID (channel menu > View Info)"
    return "channel, the channel's ID like C0123456789 (channel details, at the bottom)"


def bot_facts(integration: Any) -> list[tuple[str, str]]:
    """What the web page and ``tocsin integration show`` say of the bot, when there is one
    (never its token)."""
    bot = bot_of(integration)
    if bot is None:
        return []
    where = f"channel {bot.channel}" + (f" on {bot.server_url}" if bot.kind == "Mattermost" else "")
    return [("Bot mode", f"on, in {where}"), ("Bot token", "set")]


def bot_json(integration: Any) -> dict[str, Any]:
    """The bot settings as the API shows them (the token only as set or not)."""
    if integration.type not in BOT_KINDS:
        return {}
    bot = bot_of(integration)
    data: dict[str, Any] = {"botTokenSet": bot is not None}
    if bot is not None:
        if bot.kind == "Mattermost":
            data |= {"serverUrl": bot.server_url, "channelId": bot.channel}
        else:
            data["channel"] = bot.channel
    return data
