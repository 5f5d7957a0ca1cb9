"""What Slack sends, read as Tocsin's chat requests: who typed or clicked (one rule for slash
commands and button clicks), and the text of a slash command as the person typed it.

Slack escapes the text of a command (with "Escape channels, users, and links" on): a mentioned
user arrives as ``<@U123|bob>`` (or ``<@U123>``), a channel as ``<#C1|ops>``, a link as
``<http://x|x>`` or ``<mailto:a@b.c|a@b.c>``, and ``<``, ``>``, ``&`` as entities. Tocsin's
commands read ``@bob`` with the user's id in the request's mentions, ``#ops``, and the link's
label, so ``assign 1 to <mailto:a@b.c|a@b.c>`` assigns to a@b.c."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tocsin.chat.requests import ChatIdentity, ChatRequest

PLATFORM = "Slack"
_ESCAPED = re.compile(r"<([^<>]*)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def identity_of(
    *, team_id: str, team_name: str, user_id: str, user_name: str, enterprise_id: str = ""
) -> ChatIdentity:
    """A Slack user: within an Enterprise Grid the same team id may recur in other enterprises,
    so the team is named ``<enterprise id>:<team id>`` there."""
    return ChatIdentity(
        platform=PLATFORM,
        team_id=f"{enterprise_id}:{team_id}" if enterprise_id else team_id,
        team_name=team_name,
        user_id=user_id,
        user_name=user_name,
    )


def command_identity(fields: Mapping[str, str]) -> ChatIdentity:
    """Who typed a slash command (its form fields)."""
    return identity_of(
        team_id=fields.get("team_id", ""),
        team_name=fields.get("team_domain", ""),
        user_id=fields.get("user_id", ""),
        user_name=fields.get("user_name", ""),
        enterprise_id=fields.get("enterprise_id", ""),
    )


def click_identity(payload: Mapping[str, Any]) -> ChatIdentity:
    """Who pressed a button (an interaction payload): the user's own team, as for their commands."""
    user, team = _object(payload.get("user")), _object(payload.get("team"))
    enterprise = _object(payload.get("enterprise"))
    return identity_of(
        team_id=_text(team.get("id")) or _text(user.get("team_id")),
        team_name=_text(team.get("domain")),
        user_id=_text(user.get("id")),
        user_name=_text(user.get("username")) or _text(user.get("name")),
        enterprise_id=_text(enterprise.get("id")),
    )


def click_place(payload: Mapping[str, Any]) -> tuple[str, str]:
    """The channel and message (its ``ts``) a button was pressed in."""
    container, channel = _object(payload.get("container")), _object(payload.get("channel"))
    message = _object(payload.get("message"))
    channel_id = _text(container.get("channel_id")) or _text(channel.get("id"))
    return channel_id, _text(container.get("message_ts")) or _text(message.get("ts"))


def unescape(text: str) -> tuple[str, dict[str, str]]:
    """Slack's escaped command text as typed, and the users it mentions (name -> user id)."""
    mentions: dict[str, str] = {}

    def plain(match: re.Match[str]) -> str:
        inside = match.group(1)
        target, _, label = inside.partition("|")
        if target.startswith("@"):
            name = label or target[1:]
            mentions[name] = target[1:]
            return f"@{name}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):  # <!here>, <!subteam^S1|@oncall>
            return label or f"@{target[1:]}"
        if label:
            return label
        return target.removeprefix("mailto:")

    unescaped = _ESCAPED.sub(plain, text)
    for entity, char in _ENTITIES:
        unescaped = unescaped.replace(entity, char)
    return unescaped, mentions


def command_request(fields: Mapping[str, str]) -> ChatRequest:
    """A slash command's form fields as the request every platform makes."""
    text, mentions = unescape(fields.get("text", ""))
    return ChatRequest(
        identity=command_identity(fields),
        text=text.strip(),
        channel_id=fields.get("channel_id", ""),
        channel_name=fields.get("channel_name", ""),
        mentions=mentions,
    )
