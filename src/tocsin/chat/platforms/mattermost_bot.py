"""Mattermost's REST API v4 as Tocsin's bot uses it, with the bot account's token
(``Authorization: Bearer``): post the card (``POST /api/v4/posts``), edit it
(``PUT /api/v4/posts/{id}/patch``), reply in its thread (a post with ``root_id``), and ask whether
a user is a member of the channel (``GET /api/v4/channels/{channel}/members/{user}``), and open a
direct message channel with a user (``GET /api/v4/users/me`` for the bot's own id, then
``POST /api/v4/channels/direct``).

A refusal is an AppError (``{"id", "message", "status_code"}``): its message is what the alert
log shows, with what to do for the usual ones (a wrong token, a bot outside the channel)."""

from __future__ import annotations

from typing import Any

import orjson

from tocsin.chat.platforms.bot_cards import CardGone, Posted
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations.chat_bots import Bot
from tocsin.integrations.webhook import body_text, send_outbound
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import Answer

KIND = "Mattermost"
HINTS = {
    401: "the bot token is wrong or was revoked; make a new token for the bot account and save it in Tocsin",
    403: "the bot may not post there; add the bot account to the team and the channel",
}


def mattermost_said(answer: Answer) -> str:
    """Mattermost explains a refusal in an error object's ``message`` ("Invalid webhook.")."""
    try:
        error = orjson.loads(answer.content)
    except orjson.JSONDecodeError:
        return body_text(answer)
    message = error.get("message") if isinstance(error, dict) else None
    return str(message).strip()[:200] if message else body_text(answer)


def said(answer: Answer) -> str:
    """Mattermost's message, with what to do about the usual refusals."""
    message = mattermost_said(answer)
    hint = HINTS.get(answer.status_code)
    return f"{message} ({hint})" if hint else message


def _card_post(card: dict[str, Any]) -> dict[str, Any]:
    """The webhook layout's post as a REST post's message and props."""
    props: dict[str, Any] = {}
    if card.get("attachments"):
        props["attachments"] = card["attachments"]
    return {"message": str(card.get("text") or ""), "props": props}


class MattermostBotApi:
    kind = KIND

    def __init__(self, outbound: OutboundPolicy, *, timeout: float = 10.0) -> None:
        self.outbound = outbound
        self.timeout = timeout
        self._own_ids: dict[str, str] = {}
        """The bot's own user id by its token (asked once per token)."""

    async def _call(
        self, bot: Bot, method: str, path: str, body: dict[str, Any] | list[str] | None = None
    ) -> Answer:
        headers = {"Authorization": f"Bearer {bot.token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return await send_outbound(
            self.outbound,
            method,
            f"{bot.server_url}/api/v4{path}",
            timeout=self.timeout,
            said=said,
            headers=headers,
            content=None if body is None else orjson.dumps(body),
        )

    async def post_card(self, bot: Bot, card: dict[str, Any]) -> Posted:
        answer = await self._call(bot, "POST", "/posts", {"channel_id": bot.channel, **_card_post(card)})
        return Posted(bot.channel, _post_id(answer))

    async def edit_card(self, bot: Bot, posted: Posted, card: dict[str, Any]) -> None:
        try:
            await self._call(bot, "PUT", f"/posts/{posted.post_id}/patch", _card_post(card))
        except PermanentFailure as refused:
            if str(refused).startswith("HTTP 404 "):
                raise CardGone(str(refused)) from refused
            raise

    async def reply(self, bot: Bot, posted: Posted, reply: dict[str, Any]) -> None:
        post = {"channel_id": posted.channel_id, "root_id": posted.post_id, **_card_post(reply)}
        await self._call(bot, "POST", "/posts", post)

    async def is_member(self, bot: Bot, user_id: str) -> bool:
        try:
            await self._call(bot, "GET", f"/channels/{bot.channel}/members/{user_id}")
        except PermanentFailure as refused:
            if str(refused).startswith("HTTP 404 "):
                return False
            raise
        return True

    async def open_direct(self, bot: Bot, user_id: str) -> str:
        me = self._own_ids.get(bot.token)
        if me is None:
            me = _id_of(await self._call(bot, "GET", "/users/me"), "the bot's own user")
            self._own_ids[bot.token] = me
        channel = await self._call(bot, "POST", "/channels/direct", [me, user_id])
        return _id_of(channel, "the direct channel")


def _id_of(answer: Answer, what: str) -> str:
    try:
        found = orjson.loads(answer.content)
    except orjson.JSONDecodeError as error:
        raise PermanentFailure(f"Mattermost answered {what} with something that is not JSON") from error
    if not isinstance(found, dict) or not isinstance(found.get("id"), str) or not found["id"]:
        raise PermanentFailure(f"Mattermost answered {what} without its id")
    return str(found["id"])


def _post_id(answer: Answer) -> str:
    try:
        post = orjson.loads(answer.content)
    except orjson.JSONDecodeError as error:
        raise PermanentFailure("Mattermost answered the new post with something that is not JSON") from error
    if not isinstance(post, dict) or not isinstance(post.get("id"), str) or not post["id"]:
        raise PermanentFailure("Mattermost answered the new post without its id")
    return str(post["id"])
