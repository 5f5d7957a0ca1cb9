"""What an integration that sends alerts out is configured with, checked before anything is
stored: a webhook's URL (through the outbound check) and headers, its custom actions; a chat
kind's URL (the same check), whether it requires matching a user, Mattermost's command token,
Slack's signing secret; and the outgoing side (the alert actions forwarded, and the filter alerts
must match)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tocsin.conditions import parse_filter
from tocsin.errors import InvalidInput
from tocsin.integrations import chat_kinds, outgoing
from tocsin.integrations.chat_bots import BOT_KINDS, BotChanges, apply_bot
from tocsin.integrations.models import Integration
from tocsin.names import name_key
from tocsin.outbound import OutboundPolicy

URL_KINDS = frozenset({"Webhook", "Mattermost", "Slack", "HipChat"})
"""Kinds configured with the URL they post to (Mattermost's and Slack's: the incoming webhook;
HipChat's: the HipChat server, whose API notifications are sent through)."""
HEADER_KINDS = frozenset({"Webhook"})
CUSTOM_ACTION_KINDS = frozenset({"Webhook"})
"""Kinds that run custom actions (a chat channel has nothing to run them)."""
MISSING_URL = {
    "Mattermost": (
        "a Mattermost integration needs the Mattermost URL: the URL of the incoming webhook "
        "it posts to (in Mattermost: Integrations > Incoming Webhooks)"
    ),
    "Slack": (
        "a Slack integration needs the Slack URL: the URL of the incoming webhook of your Slack "
        "app it posts to (in Slack: your app > Incoming Webhooks)"
    ),
    "HipChat": (
        "a HipChat integration needs the HipChat URL: the address of the HipChat server "
        "(https://api.hipchat.com, or your HipChat Server's)"
    ),
}
MISSING_SIGNING_SECRET = (
    "a Slack integration needs the Signing Secret of your Slack app (in Slack: your app > Basic "
    "Information > App Credentials); every request from Slack is checked with it"
)


@dataclass(frozen=True)
class Changes:
    """Settings to set; None leaves a setting as it is."""

    url: str | None = None
    headers: dict[str, str] | None = None
    custom_actions: list[str] | None = None
    outgoing_actions: list[str] | None = None
    outgoing_filter: dict[str, Any] | None = None
    require_user_matching: bool | None = None
    command_token: str | None = None
    """Mattermost's slash-command token; "" removes it."""
    slack_signing_secret: str | None = None
    """The Signing Secret of a Slack integration's app."""
    bot: BotChanges = dataclasses.field(default_factory=BotChanges)
    """Bot mode of a Mattermost or Slack integration (``chat_bots``)."""

    @property
    def outgoing_given(self) -> bool:
        return self.outgoing_actions is not None or self.outgoing_filter is not None


def listed(kinds: frozenset[str]) -> str:
    """ "HipChat, Mattermost and Slack"."""
    names = sorted(kinds)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _only(kinds: frozenset[str]) -> str:
    return f"{listed(kinds)} integrations do"


def _refuse_what_the_kind_has_not(kind: str, changes: Changes) -> None:
    for field, value, kinds in (
        ("url", changes.url, URL_KINDS),
        ("headers", changes.headers, HEADER_KINDS),
        ("requireUserMatching", changes.require_user_matching, frozenset(chat_kinds.CHAT_KINDS)),
        ("commandToken", changes.command_token, frozenset({"Mattermost"})),
        ("slackSigningSecret", changes.slack_signing_secret, frozenset({"Slack"})),
    ):
        if value and kind not in kinds:
            raise InvalidInput(field, f"{kind} integrations have no {field}; only {_only(kinds)}")
    if not outgoing.sends(kind):
        if changes.custom_actions:
            raise InvalidInput(
                "customActions", f"{kind} integrations send nothing out, so run no custom actions"
            )
        if changes.outgoing_given:
            senders = ", ".join(sorted(outgoing.SENDERS))
            raise InvalidInput(
                "outgoing", f"{kind} integrations send nothing out; outgoing applies to {senders}"
            )
    elif changes.custom_actions and kind not in CUSTOM_ACTION_KINDS:
        raise InvalidInput(
            "customActions",
            f"{kind} integrations post alerts to a channel and run no custom actions; "
            f"only {_only(CUSTOM_ACTION_KINDS)}",
        )


def _command_token_hash(token: str) -> str | None:
    """The hash to store, or None to remove the token."""
    token = token.strip()
    if not token:
        return None
    if len(token) > chat_kinds.COMMAND_TOKEN_MAX or any(char.isspace() for char in token):
        raise InvalidInput(
            "commandToken",
            f"the command token is the Token Mattermost shows for the slash command: one word of "
            f"at most {chat_kinds.COMMAND_TOKEN_MAX} characters",
        )
    return chat_kinds.hash_command_token(token)


def _slack_signing_secret(secret: str) -> str:
    secret = secret.strip()
    if not secret:
        raise InvalidInput("slackSigningSecret", MISSING_SIGNING_SECRET)
    if len(secret) > chat_kinds.SLACK_SIGNING_SECRET_MAX or not secret.isalnum():
        raise InvalidInput(
            "slackSigningSecret",
            "the Signing Secret is the one Slack shows under Basic Information > App Credentials: "
            f"letters and digits only, at most {chat_kinds.SLACK_SIGNING_SECRET_MAX} characters",
        )
    return secret


def apply(integration: Integration, changes: Changes, *, outbound: OutboundPolicy, new: bool) -> None:
    """Check ``changes`` and set them on ``integration`` (nothing is set if any is refused). A new
    integration that sends gets the default actions and a match-all filter unless given others."""
    kind = integration.type
    _refuse_what_the_kind_has_not(kind, changes)
    config = dict(integration.config or {})
    if changes.url is not None:
        config["url"] = outbound.check(changes.url).url
    apply_bot(kind, config, changes.bot, outbound=outbound)
    if kind in URL_KINDS and not config.get("url") and not (kind in BOT_KINDS and config.get("bot")):
        raise InvalidInput("url", MISSING_URL.get(kind, f"a {kind} integration needs the url it posts to"))
    if changes.headers is not None:
        config["headers"] = dict(changes.headers)
    if changes.custom_actions is not None:
        config["customActions"] = list(changes.custom_actions)
    if chat_kinds.is_chat_kind(kind):
        if changes.require_user_matching is not None or new:
            config["requireUserMatching"] = bool(changes.require_user_matching)
        if changes.command_token is not None:
            config.pop("commandTokenHash", None)
            token_hash = _command_token_hash(changes.command_token)
            if token_hash:
                config["commandTokenHash"] = token_hash
    if changes.slack_signing_secret is not None:
        config["slackSigningSecret"] = _slack_signing_secret(changes.slack_signing_secret)
    if kind == "Slack" and not config.get("slackSigningSecret"):
        raise InvalidInput("slackSigningSecret", MISSING_SIGNING_SECRET)
    actions = filter_json = None
    if changes.outgoing_actions is not None:
        actions = outgoing.checked_actions(changes.outgoing_actions)
    elif new and outgoing.sends(kind):
        actions = list(outgoing.default_actions(kind))
    if changes.outgoing_filter is not None or (new and outgoing.sends(kind)):
        filter_json = parse_filter(changes.outgoing_filter, field="outgoing.filter").to_json()
    integration.config = config
    if actions is not None:
        integration.outgoing_actions = actions
    if filter_json is not None:
        integration.outgoing_filter = filter_json


def custom_actions_of(integration: Integration) -> list[str]:
    return list((integration.config or {}).get("customActions", []))


def url_of(integration: Integration) -> str:
    return str((integration.config or {}).get("url", ""))


def headers_of(integration: Integration) -> dict[str, str]:
    return dict((integration.config or {}).get("headers", {}))


def defines(integration: Integration, custom_action: str) -> bool:
    """Whether the integration runs this custom action (names compare without case)."""
    wanted = name_key(custom_action)
    return any(name_key(name) == wanted for name in custom_actions_of(integration))
