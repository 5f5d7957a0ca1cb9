"""Integration payloads of /v2/integrations. Unknown fields are refused, so a misspelt setting
("outgoingActions") is an error rather than silently ignored."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from tocsin.alerts.schemas import ACTION_MAX, Ref
from tocsin.integrations.chat_bots import TOKEN_MAX
from tocsin.integrations.chat_kinds import COMMAND_TOKEN_MAX, SLACK_SIGNING_SECRET_MAX
from tocsin.names import name_key

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ActionName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ACTION_MAX)]
HEADERS_MAX = 20
CUSTOM_ACTIONS_MAX = 20


def _unique_names(names: list[str]) -> list[str]:
    seen: set[str] = set()
    for name in names:
        if name_key(name) in seen:
            raise ValueError(f"custom action {name!r} is listed twice")
        seen.add(name_key(name))
    return names


def _header_names(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if not name or any(char in name for char in " :\r\n\t") or any(c in value for c in "\r\n"):
            raise ValueError(f"header {name!r} is not a valid HTTP header")
        if name.lower().startswith("x-tocsin-") or name.lower() in ("content-type", "content-length", "host"):
            raise ValueError(f"header {name!r} is set by Tocsin and cannot be configured")
    return headers


CustomActions = Annotated[
    list[ActionName], Field(max_length=CUSTOM_ACTIONS_MAX), AfterValidator(_unique_names)
]
CommandToken = Annotated[str, StringConstraints(strip_whitespace=True, max_length=COMMAND_TOKEN_MAX)]
SigningSecret = Annotated[str, StringConstraints(strip_whitespace=True, max_length=SLACK_SIGNING_SECRET_MAX)]
BotSetting = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TOKEN_MAX)]
Headers = Annotated[dict[str, str], Field(max_length=HEADERS_MAX), AfterValidator(_header_names)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Outgoing(Strict):
    actions: list[str] | None = None
    """Alert actions to forward (``ALERT_ACTIONS``); left out: the defaults of the kind."""
    filter: dict[str, Any] | None = None
    """``{"type": "match-all"}`` (the default) or conditions, as tocsin.conditions reads them."""


class IntegrationPayload(Strict):
    name: Name
    type: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    description: str = Field(default="", max_length=10000)
    owner_team: Ref | None = Field(default=None, alias="ownerTeam")
    enabled: StrictBool = True
    url: str | None = Field(default=None, max_length=2000)
    """Where a Webhook integration posts; a Mattermost or Slack integration's incoming webhook URL;
    a HipChat integration's HipChat server."""
    headers: Headers = Field(default_factory=dict)
    custom_actions: CustomActions = Field(default_factory=list, alias="customActions")
    outgoing: Outgoing | None = None
    require_user_matching: StrictBool | None = Field(default=None, alias="requireUserMatching")
    """Chat kinds: only chat users linked to a Tocsin account may run commands."""
    command_token: CommandToken | None = Field(default=None, alias="commandToken")
    """Mattermost: the token the chat server sends with each slash command (stored hashed)."""
    slack_signing_secret: SigningSecret | None = Field(default=None, alias="slackSigningSecret")
    """Slack: the app's Signing Secret, which every request from Slack is checked with."""
    server_url: str | None = Field(default=None, max_length=2000, alias="serverUrl")
    """Mattermost bot mode: the Mattermost server's address."""
    bot_token: BotSetting | None = Field(default=None, alias="botToken")
    """Mattermost and Slack bot mode: the bot's token ("" turns bot mode off)."""
    channel_id: BotSetting | None = Field(default=None, alias="channelId")
    """Mattermost bot mode: the id of the channel the bot posts in."""
    channel: BotSetting | None = None
    """Slack bot mode: the id of the channel the bot posts in."""


class IntegrationUpdate(Strict):
    """PUT: the fields given replace the stored ones; the type cannot change."""

    name: Name | None = None
    type: str | None = None
    description: str | None = Field(default=None, max_length=10000)
    owner_team: Ref | None = Field(default=None, alias="ownerTeam")
    enabled: StrictBool | None = None
    url: str | None = Field(default=None, max_length=2000)
    headers: Headers | None = None
    custom_actions: CustomActions | None = Field(default=None, alias="customActions")
    outgoing: Outgoing | None = None
    require_user_matching: StrictBool | None = Field(default=None, alias="requireUserMatching")
    command_token: CommandToken | None = Field(default=None, alias="commandToken")
    """"" removes the token."""
    slack_signing_secret: SigningSecret | None = Field(default=None, alias="slackSigningSecret")
    server_url: str | None = Field(default=None, max_length=2000, alias="serverUrl")
    bot_token: BotSetting | None = Field(default=None, alias="botToken")
    channel_id: BotSetting | None = Field(default=None, alias="channelId")
    channel: BotSetting | None = None
