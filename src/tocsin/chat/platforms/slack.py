"""The Slack adapter: the one Request URL of a Slack integration, which Slack sends both the
``/genie`` slash command and the clicks on the buttons of Tocsin's posts to. It only translates:
Slack's signed form into a ``ChatRequest`` (or a button press), and a ``Reply`` into Slack's
answer. Everything else is shared by all chat platforms (``tocsin.chat.dispatch``).

Every POST is checked against the Slack app's Signing Secret before anything is read from it, and
each signature is taken once (a replay within Slack's five minutes is refused); a button works
only in the channel and message it was first pressed in (and, in bot mode, only for members of
the bot's channel).
Slack waits 3 seconds for an answer: a command that takes longer is answered later through its
``response_url``; a button is acknowledged at once and what it did is sent to its response URL."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from tocsin import clock
from tocsin.chat import buttons, deferral, replay_guards
from tocsin.chat.dispatch import answer, press_on_post
from tocsin.chat.platforms import slack_requests, slack_signature
from tocsin.chat.platforms.bot_presses import refusal_of_press
from tocsin.chat.platforms.slack_messages import alert_message, ephemeral, plain_mrkdwn, reply_message
from tocsin.chat.platforms.slack_responses import respond, respond_later
from tocsin.chat.rendering import slack_mrkdwn
from tocsin.chat.replies import Reply
from tocsin.config import Settings
from tocsin.integrations import chat_kinds
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy

router = APIRouter(prefix="/chat/slack", include_in_schema=False)
log = logging.getLogger(__name__)

UNKNOWN = chat_kinds.unknown_request_url_text("Slack")


@dataclass(frozen=True)
class Addressed:
    """The integration a Request URL names, as far as a request needs it before it runs."""

    id: str
    name: str
    enabled: bool
    signing_secret: str


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _addressed(request: Request, integration_id: str, secret: str) -> Addressed | None:
    settings = _settings(request)

    def read() -> Addressed | None:
        with request.app.state.db.read_session() as session:
            integration = chat_kinds.find_by_request_secret(
                session,
                secret_key=settings.effective_secret_key,
                integration_id=integration_id,
                secret=secret,
                kind="Slack",
            )
            if integration is None:
                return None
            secret_of = chat_kinds.slack_signing_secret(integration)
            return Addressed(integration.id, integration.name, integration.enabled, secret_of)

    return await run_in_threadpool(read)


def _fields(body: bytes) -> dict[str, str]:
    """A form body's fields (the first value of each)."""
    decoded = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in decoded.items()}


@router.get("/{integration_id}/{secret}")
async def ssl_check(request: Request, integration_id: str, secret: str) -> Response:
    """Slack checks the Request URL's certificate now and then with ``?ssl_check=1``."""
    if await _addressed(request, integration_id, secret) is None:
        return PlainTextResponse(UNKNOWN, status_code=404)
    if request.query_params.get("ssl_check") == "1":
        return Response(status_code=200)
    return PlainTextResponse("This Request URL takes Slack's POST requests.", status_code=405)


@router.post("/{integration_id}/{secret}")
async def from_slack(request: Request, integration_id: str, secret: str) -> Response:
    body = await request.body()
    addressed = await _addressed(request, integration_id, secret)
    if addressed is None:
        return PlainTextResponse(UNKNOWN, status_code=404)
    try:
        signed = slack_signature.verify(addressed.signing_secret, request.headers, body, clock.now())
    except slack_signature.Refused as refused:
        if request.query_params.get("ssl_check") == "1":
            return Response(status_code=200)
        log.warning("Slack request for %s refused: %s", addressed.name, refused)
        return PlainTextResponse("Refused: this request is not signed by the Slack app.", status_code=401)
    if not await _first_time(request, signed):
        log.warning("Slack request for %s refused: its signature was used before", addressed.name)
        return PlainTextResponse(
            "Refused: this request was received before (a replay); Slack signs every request anew.",
            status_code=401,
        )
    fields = _fields(body)
    if fields.get("ssl_check") == "1":
        return Response(status_code=200)
    if "payload" in fields:
        return await _interaction(request, addressed, fields["payload"])
    if "command" in fields:
        return await _command(request, addressed, fields)
    return PlainTextResponse(
        "This Request URL takes Slack slash commands and button clicks.", status_code=400
    )


async def _first_time(request: Request, signed: slack_signature.Signed) -> bool:
    key = replay_guards.key_of("slack-request", signed.signature)

    def remember(session: Session) -> bool:
        return replay_guards.first_use(session, key=key, expires_at=signed.valid_until, now=clock.now())

    first: bool = await request.app.state.writer.run(remember)
    return first


async def _command(request: Request, addressed: Addressed, fields: dict[str, str]) -> Response:
    settings = _settings(request)
    asked = slack_requests.command_request(fields)
    outbound = OutboundPolicy.from_settings(settings)

    def run(session: Session) -> Reply:
        integration = session.get(Integration, addressed.id)
        if integration is None:
            return Reply("The Tocsin integration of this command was deleted; nothing was done.")
        return answer(session, integration=integration, request=asked, base_url=settings.base_url)

    async def later(reply: Reply) -> None:
        await respond(outbound, fields.get("response_url", ""), [reply_message(reply)])

    within = deferral.time_left(request, settings.chat_reply_within_seconds)
    reply = await deferral.reply_in_time(request.app.state.writer.run(run), within=within, later=later)
    if reply is None:
        return Response(status_code=200)  # Slack shows nothing; the reply follows at response_url
    return JSONResponse(reply_message(reply))


def _context_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The clicked button's signed context: Tocsin puts it in the button's value, as JSON."""
    actions = payload.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    value = action.get("value") if isinstance(action, dict) else None
    try:
        context = orjson.loads(value) if isinstance(value, str) else None
    except orjson.JSONDecodeError:
        context = None
    if not isinstance(context, dict):
        raise buttons.InvalidButton("this button was not made by Tocsin (its value is not ours)")
    return context


async def _interaction(request: Request, addressed: Addressed, raw: str) -> Response:
    settings = _settings(request)
    outbound = OutboundPolicy.from_settings(settings)
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return PlainTextResponse("The interaction payload is not JSON.", status_code=400)
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return Response(status_code=200)  # nothing Tocsin offers (shortcuts, views)
    response_url = payload.get("response_url")
    response_url = response_url if isinstance(response_url, str) else ""
    try:
        press = buttons.verify(settings.effective_secret_key, _context_of(payload), clock.now())
        if press.integration_id != addressed.id:
            raise buttons.InvalidButton("this button belongs to another Tocsin integration")
        channel_id, message_ts = slack_requests.click_place(payload)
        await request.app.state.writer.run(
            lambda session: replay_guards.check_button_place(
                session, press, platform="Slack", channel_id=channel_id, post_id=message_ts, now=clock.now()
            )
        )
    except buttons.InvalidButton as refused:
        log.warning("Slack button for %s refused: %s", addressed.name, refused)
        if not response_url:
            return PlainTextResponse(f"Tocsin refused this button: {refused}", status_code=403)
        refusal = [ephemeral(plain_mrkdwn(f"Tocsin refused this button: {refused}"))]
        await respond_later(outbound, response_url, asyncio.sleep(0, result=refusal))
        return Response(status_code=200)
    identity = slack_requests.click_identity(payload)
    not_acted = await refusal_of_press(
        request.app.state.db,
        settings,
        integration_id=press.integration_id,
        user_id=identity.user_id,
        to=press.to,
    )
    if not_acted is not None:
        refusal = [ephemeral(plain_mrkdwn(not_acted))]
        await respond_later(outbound, response_url, asyncio.sleep(0, result=refusal))
        return Response(status_code=200)

    def run(session: Session) -> list[dict[str, Any]]:
        reply, card = press_on_post(session, press, identity, settings=settings)
        answer = ephemeral(slack_mrkdwn(reply.text))
        return [answer] if card is None else [{"replace_original": True, **alert_message(card)}, answer]

    await respond_later(outbound, response_url, request.app.state.writer.run(run))
    return Response(status_code=200)
