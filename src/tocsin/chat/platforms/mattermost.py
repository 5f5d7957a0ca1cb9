"""The Mattermost adapter: the slash command at an integration's Request URL, and the buttons of
its channel posts. It only translates: Mattermost's request into a ``ChatRequest`` (or a button
press), and a ``Reply`` into Mattermost's command or action response. Everything else is shared
by all chat platforms (``tocsin.chat.dispatch``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tocsin import clock
from tocsin.chat import buttons, replay_guards
from tocsin.chat.dispatch import answer, press_on_post
from tocsin.chat.platforms.bot_presses import refusal_of_press
from tocsin.chat.platforms.mattermost_posts import attachment
from tocsin.chat.replies import Reply
from tocsin.chat.requests import ChatIdentity, ChatRequest
from tocsin.config import Settings
from tocsin.integrations import chat_kinds

PLATFORM = "Mattermost"
MAX_RUNES = 16_000
"""Mattermost refuses posts over 16383 runes."""

router = APIRouter(prefix="/chat/mattermost", include_in_schema=False)
log = logging.getLogger(__name__)


def command_response(reply: Reply) -> dict[str, Any]:
    """Mattermost's ``CommandResponse``: posted in the channel, or shown to the caller only."""
    text = reply.text if len(reply.text) <= MAX_RUNES else reply.text[: MAX_RUNES - 1] + "…"
    return {
        "response_type": "in_channel" if reply.in_channel else "ephemeral",
        "text": text,
        "username": "Tocsin",
    }


def _ephemeral(text: str, status: int = 200) -> JSONResponse:
    return JSONResponse(command_response(Reply(text)), status_code=status)


def _token_given(request: Request, fields: FormData | QueryParams) -> str | None:
    """Mattermost sends the command token as ``Authorization: Token <token>`` and in the form."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "token" and value.strip():
        return value.strip()
    given = fields.get("token")
    return given if isinstance(given, str) and given else None


def identity_of(fields: Mapping[str, Any]) -> ChatIdentity:
    """Who typed or clicked: slash commands and button clicks name them with the same fields."""
    return ChatIdentity(
        platform=PLATFORM,
        team_id=str(fields.get("team_id", "")),
        team_name=str(fields.get("team_domain", "")),
        user_id=str(fields.get("user_id", "")),
        user_name=str(fields.get("user_name", "")),
    )


def chat_request(fields: FormData | QueryParams) -> ChatRequest:
    """Mattermost's form fields (§ slash commands): mentions come as parallel repeated keys."""
    names = fields.getlist("user_mentions")
    ids = fields.getlist("user_mentions_ids")
    return ChatRequest(
        identity=identity_of(fields),
        text=str(fields.get("text", "")),
        channel_id=str(fields.get("channel_id", "")),
        channel_name=str(fields.get("channel_name", "")),
        mentions={str(name): str(user_id) for name, user_id in zip(names, ids, strict=False)},
    )


@router.api_route("/{integration_id}/{secret}", methods=["GET", "POST"])
async def slash_command(request: Request, integration_id: str, secret: str) -> Response:
    fields: FormData | QueryParams = (
        await request.form() if request.method == "POST" else request.query_params
    )
    settings: Settings = request.app.state.settings
    asked = chat_request(fields)
    if not asked.identity.user_id or not asked.identity.team_id:
        return _ephemeral("This endpoint takes Mattermost slash commands (user_id and team_id missing).", 400)
    token = _token_given(request, fields)

    def run(session: Session) -> Response:
        integration = chat_kinds.find_by_request_secret(
            session,
            secret_key=settings.effective_secret_key,
            integration_id=integration_id,
            secret=secret,
            kind=PLATFORM,
        )
        if integration is None:
            return _ephemeral(chat_kinds.unknown_request_url_text(PLATFORM))
        if not chat_kinds.command_token_matches(integration, token):
            log.warning("Mattermost command for %s refused: wrong command token", integration.name)
            return _ephemeral(
                "Refused: this slash command's token does not match the one stored in Tocsin.", 401
            )
        reply = answer(session, integration=integration, request=asked, base_url=settings.base_url)
        return JSONResponse(command_response(reply))

    response: Response = await request.app.state.writer.run(run)
    return response


@router.post("/actions")
async def button(request: Request) -> Response:
    """What Mattermost posts when someone clicks a button of a notification: the post's signed
    context says which alert and action, and the button works only in the channel and post it
    was first pressed in (and, in bot mode, only for members of the bot's channel); the answer
    updates the post and tells the clicker."""
    settings: Settings = request.app.state.settings
    try:
        click = orjson.loads(await request.body())
        context = click.get("context") or {}
        press = buttons.verify(settings.effective_secret_key, context, clock.now())
        channel_id, post_id = str(click.get("channel_id") or ""), str(click.get("post_id") or "")
        await request.app.state.writer.run(
            lambda session: replay_guards.check_button_place(
                session, press, platform=PLATFORM, channel_id=channel_id, post_id=post_id, now=clock.now()
            )
        )
    except (orjson.JSONDecodeError, AttributeError, buttons.InvalidButton) as refused:
        log.warning("Mattermost button refused: %s", refused)
        return JSONResponse({"ephemeral_text": f"Tocsin refused this button: {refused}"}, status_code=403)
    identity = identity_of(click)
    not_acted = await refusal_of_press(
        request.app.state.db,
        settings,
        integration_id=press.integration_id,
        user_id=identity.user_id,
        to=press.to,
    )
    if not_acted is not None:
        return JSONResponse({"ephemeral_text": not_acted})

    def run(session: Session) -> dict[str, Any]:
        reply, card = press_on_post(session, press, identity, settings=settings)
        if card is None:
            return {"ephemeral_text": reply.text}
        # Mattermost replaces the post's text with the update's message: keep it (notifications
        # of new alerts have none) and swap the attachment for the alert as it is now.
        return {
            "update": {"message": "", "props": {"attachments": [attachment(card)]}},
            "ephemeral_text": reply.text,
        }

    return JSONResponse(await request.app.state.writer.run(run))
