"""Slack's Web API as Tocsin's bot uses it, with the app's bot token (``Authorization: Bearer``):
post the card (``chat.postMessage``), edit it (``chat.update``), reply in its thread
(``chat.postMessage`` with ``thread_ts``), and ask whether a user is in the channel
(``conversations.members``, page by page), and open a direct message with a user
(``conversations.open``, which needs the ``im:write`` scope).

Slack answers HTTP 200 with ``{"ok": false, "error": "<code>"}`` when it refuses: the code, and
what it means for the usual ones, is what the alert log shows. ``ratelimited`` and Slack's own
failures are retried, as are HTTP 429 (honouring ``Retry-After``) and 5xx."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson

from tocsin.chat.platforms.bot_cards import CardGone, Posted
from tocsin.engine.deliveries import PermanentFailure, RetryLater
from tocsin.integrations.chat_bots import Bot
from tocsin.integrations.webhook import body_text, send_outbound
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import Answer

KIND = "Slack"
MEMBER_PAGES = 50
"""conversations.members pages read at most (200 members each) before giving up on a press."""
RETRIED = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
MEANINGS = {
    "invalid_auth": "the bot token is wrong; save the app's Bot User OAuth Token (xoxb-...) in Tocsin",
    "not_authed": "no bot token was sent",
    "token_revoked": "the bot token was revoked; reinstall the app and save its new token in Tocsin",
    "account_inactive": "the app's bot was deactivated or the app uninstalled",
    "channel_not_found": "the bot cannot see the channel: check its ID, invite the bot (/invite @bot)",
    "not_in_channel": "the bot is not in the channel; invite it (/invite @bot)",
    "is_archived": "the channel is archived",
    "missing_scope": (
        "the app lacks a scope: add chat:write, channels:read, groups:read and im:write, then reinstall"
    ),
    "user_not_found": "Slack knows no such user (was the linked account removed?)",
    "msg_too_long": "the message is too long",
    "no_text": "the message had no text",
    "cant_update_message": "the bot may not edit this message",
    "edit_window_closed": "the workspace no longer allows editing the message",
    "restricted_action": "a workspace admin restricted posting in the channel",
}


class SlackRefused(PermanentFailure):
    def __init__(self, method: str, code: str) -> None:
        meaning = MEANINGS.get(code)
        super().__init__(f"Slack refused {method}: {code}" + (f" ({meaning})" if meaning else ""))
        self.code = code


class SlackBotApi:
    kind = KIND

    def __init__(self, outbound: OutboundPolicy, *, timeout: float = 10.0) -> None:
        self.outbound = outbound
        self.timeout = timeout

    async def _call(
        self, bot: Bot, method: str, body: dict[str, Any] | None = None, query: dict[str, str] | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {bot.token}"}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        url = f"{bot.server_url}/{method}" + (f"?{urlencode(query)}" if query else "")
        answer = await send_outbound(
            self.outbound,
            "POST" if body is not None else "GET",
            url,
            timeout=self.timeout,
            said=body_text,
            headers=headers,
            content=None if body is None else orjson.dumps(body),
        )
        return _result(method, answer)

    async def post_card(self, bot: Bot, card: dict[str, Any]) -> Posted:
        result = await self._call(bot, "chat.postMessage", {"channel": bot.channel, **card})
        return Posted(str(result.get("channel") or bot.channel), str(result.get("ts") or ""))

    async def edit_card(self, bot: Bot, posted: Posted, card: dict[str, Any]) -> None:
        try:
            await self._call(bot, "chat.update", {"channel": posted.channel_id, "ts": posted.post_id, **card})
        except SlackRefused as refused:
            if refused.code == "message_not_found":
                raise CardGone(str(refused)) from refused
            raise

    async def reply(self, bot: Bot, posted: Posted, reply: dict[str, Any]) -> None:
        await self._call(
            bot, "chat.postMessage", {"channel": posted.channel_id, "thread_ts": posted.post_id, **reply}
        )

    async def is_member(self, bot: Bot, user_id: str) -> bool:
        cursor = ""
        for _ in range(MEMBER_PAGES):
            query = {"channel": bot.channel, "limit": "200"} | ({"cursor": cursor} if cursor else {})
            result = await self._call(bot, "conversations.members", query=query)
            members = result.get("members")
            if isinstance(members, list) and user_id in members:
                return True
            metadata = result.get("response_metadata")
            cursor = str(metadata.get("next_cursor") or "") if isinstance(metadata, dict) else ""
            if not cursor:
                return False
        return False

    async def open_direct(self, bot: Bot, user_id: str) -> str:
        result = await self._call(bot, "conversations.open", {"users": user_id})
        channel = result.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        if not isinstance(channel_id, str) or not channel_id:
            raise PermanentFailure("Slack answered conversations.open without the channel's id")
        return channel_id


def _result(method: str, answer: Answer) -> dict[str, Any]:
    try:
        result = orjson.loads(answer.content)
    except orjson.JSONDecodeError as error:
        raise PermanentFailure(f"Slack answered {method} with something that is not JSON") from error
    if not isinstance(result, dict):
        raise PermanentFailure(f"Slack answered {method} with something that is not an object")
    if result.get("ok") is True:
        return result
    code = str(result.get("error") or "unknown_error")
    if code in RETRIED:
        raise RetryLater(f"Slack could not take {method} now: {code}")
    raise SlackRefused(method, code)
