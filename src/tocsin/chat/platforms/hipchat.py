"""The HipChat adapter: an add-on (HipChat Connect) whose Capabilities URL is the integration's
Request URL. Under it: the descriptor (GET), the install and uninstall callbacks, and the
``room_message`` webhook that brings ``/genie`` commands, signed with a JWT.

It only translates: HipChat's webhook into a ``ChatRequest``, and a ``Reply`` into a room
notification (the webhook's response, or through the API when the answer comes late) or, for an
answer only the caller may see, a private message, since HipChat has no ephemeral messages."""

from __future__ import annotations

import functools
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tocsin import clock
from tocsin.chat import deferral, replay_guards
from tocsin.chat.dispatch import answer
from tocsin.chat.markdown import escape_line
from tocsin.chat.platforms import hipchat_api, hipchat_installation, hipchat_jwt, hipchat_messages
from tocsin.chat.platforms.hipchat_api import Installation
from tocsin.chat.platforms.hipchat_installation import Refused
from tocsin.chat.replies import Reply
from tocsin.chat.requests import ChatIdentity, ChatRequest
from tocsin.config import Settings
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations import chat_kinds
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy

PLATFORM = "HipChat"
COMMAND = re.compile(r"/genie(?:\s|$)")
UNKNOWN = chat_kinds.unknown_request_url_text(PLATFORM)

router = APIRouter(prefix="/chat/hipchat", include_in_schema=False)
log = logging.getLogger(__name__)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _find(session: Session, settings: Settings, integration_id: str, secret: str) -> Integration | None:
    return chat_kinds.find_by_request_secret(
        session,
        secret_key=settings.effective_secret_key,
        integration_id=integration_id,
        secret=secret,
        kind=PLATFORM,
    )


def _first_use(claims: dict[str, Any], token: str, session: Session) -> bool:
    """Whether this is the first webhook with this JWT (its ``jti``, or the token itself)."""
    key = replay_guards.key_of("hipchat-jwt", str(claims.get("jti") or token))
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    valid_until = expires + timedelta(seconds=hipchat_jwt.LEEWAY_SECONDS)
    return replay_guards.first_use(session, key=key, expires_at=valid_until, now=clock.now())


@router.get("/{integration_id}/{secret}")
async def capabilities(request: Request, integration_id: str, secret: str) -> Response:
    settings: Settings = request.app.state.settings

    def run(session: Session) -> Response:
        integration = _find(session, settings, integration_id, secret)
        if integration is None:
            return _error(404, UNKNOWN)
        url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
        return JSONResponse(hipchat_installation.descriptor(url, integration))

    response: Response = await request.app.state.writer.run(run)
    return response


@router.post("/{integration_id}/{secret}/installed")
async def installed(request: Request, integration_id: str, secret: str) -> Response:
    settings: Settings = request.app.state.settings
    writer = request.app.state.writer
    try:
        asked = hipchat_installation.asked_of(orjson.loads(await request.body()))

        def server(session: Session) -> str:
            integration = _find(session, settings, integration_id, secret)
            if integration is None:
                raise Refused(404, UNKNOWN)
            hipchat_installation.check_may_install(integration, asked)
            return hipchat_installation.server_of(integration)

        found = await writer.run(server)
        installation = await hipchat_installation.proven(OutboundPolicy.from_settings(settings), found, asked)

        def store(session: Session) -> None:
            integration = _find(session, settings, integration_id, secret)
            if integration is None:
                raise Refused(404, UNKNOWN)
            hipchat_installation.check_may_install(integration, asked)
            hipchat_installation.keep(session, integration, installation)

        await writer.run(store)
    except orjson.JSONDecodeError:
        return _error(400, "The install callback takes HipChat's JSON (capabilitiesUrl, oauthId, ...).")
    except Refused as refused:
        log.warning("HipChat installation refused: %s", refused.message)
        return _error(refused.status, refused.message)
    return Response(status_code=204)


@router.delete("/{integration_id}/{secret}/installed/{oauth_id}")
async def uninstalled(request: Request, integration_id: str, secret: str, oauth_id: str) -> Response:
    settings: Settings = request.app.state.settings

    def run(session: Session) -> Response:
        integration = _find(session, settings, integration_id, secret)
        if integration is None:
            return _error(404, UNKNOWN)
        if not hipchat_installation.forget(integration, oauth_id):
            return _error(404, f"The Tocsin integration {integration.name} has no installation {oauth_id}.")
        return Response(status_code=204)

    response: Response = await request.app.state.writer.run(run)
    return response


def chat_request(body: Any, installation: Installation) -> ChatRequest | None:
    """The ``/genie`` command of a ``room_message`` webhook, or None for any other message."""
    item = body.get("item") if isinstance(body, dict) else None
    message = item.get("message") if isinstance(item, dict) else None
    if not isinstance(message, dict) or not COMMAND.match(str(message.get("message", ""))):
        return None
    sender, room = message.get("from"), item.get("room") if isinstance(item, dict) else None
    if not isinstance(sender, dict) or sender.get("id") is None:
        return None  # a notification of another add-on, not a person typing
    room = room if isinstance(room, dict) else {}
    mentions = message.get("mentions")
    mentions = mentions if isinstance(mentions, list) else []
    return ChatRequest(
        identity=ChatIdentity(
            platform=PLATFORM,
            team_id=str(installation.groupId),
            team_name=installation.groupName,
            user_id=str(sender["id"]),
            user_name=str(sender.get("mention_name", "")),
        ),
        text=str(message["message"])[len("/genie") :].strip(),
        channel_id=str(room.get("id", installation.roomId)),
        channel_name=str(room.get("name", "")),
        mentions={
            str(mention["mention_name"]): str(mention["id"])
            for mention in mentions
            if isinstance(mention, dict) and "mention_name" in mention and "id" in mention
        },
    )


class Answering:
    """Where the answers to one command go: the room, or the caller alone."""

    def __init__(self, outbound: OutboundPolicy, installation: Installation, identity: ChatIdentity) -> None:
        self.outbound, self.installation, self.identity = outbound, installation, identity

    async def privately(self, reply: Reply) -> dict[str, Any] | None:
        """Send ``reply`` to the caller alone; None, or the room notification saying it failed
        (never the reply itself: it may hold the caller's connect link)."""
        body = hipchat_messages.private_message(reply)
        try:
            await hipchat_api.private_message(self.outbound, self.installation, self.identity.user_id, body)
        except (PermanentFailure, RuntimeError) as error:
            log.warning("HipChat private message to %s failed: %s", self.identity.user_id, error)
            who = escape_line(self.identity.handle)
            said = f"Tocsin could not send {who} a private message: {escape_line(str(error), limit=300)}"
            return hipchat_messages.notification(Reply(said), color="gray")
        return None

    async def now(self, reply: Reply) -> Response:
        if reply.in_channel:
            return JSONResponse(hipchat_messages.notification(reply))
        failed = await self.privately(reply)
        return JSONResponse(failed) if failed else Response(status_code=204)

    async def later(self, reply: Reply) -> None:
        body = hipchat_messages.notification(reply) if reply.in_channel else await self.privately(reply)
        if body is not None:
            await hipchat_api.room_notification(self.outbound, self.installation, body)


@router.post("/{integration_id}/{secret}/message")
async def room_message(request: Request, integration_id: str, secret: str) -> Response:
    settings: Settings = request.app.state.settings
    writer = request.app.state.writer
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return _error(400, "This endpoint takes HipChat's room_message webhook (JSON).")

    def installed_in(session: Session) -> tuple[str, Installation | None] | None:
        integration = _find(session, settings, integration_id, secret)
        if integration is None:
            return None
        return integration.name, Installation.of(integration.config)

    found = await writer.run(installed_in)
    if found is None:
        return _error(404, UNKNOWN)
    name, installation = found
    if installation is None:
        return _error(401, f"The Tocsin integration {name} is not installed in a HipChat room.")
    try:
        claims = hipchat_jwt.verify(
            hipchat_jwt.token_of(request),
            oauth_id=installation.oauthId,
            oauth_secret=installation.oauthSecret,
            now=clock.now(),
        )
    except hipchat_jwt.InvalidJwt as refused:
        log.warning("HipChat webhook for %s refused: %s", name, refused)
        return _error(401, f"Refused: {refused}.")
    if isinstance(body, dict) and body.get("oauth_client_id") not in (None, claims["iss"]):
        return _error(401, "Refused: the webhook names another installation than its JWT.")
    asked = chat_request(body, installation)
    if asked is None:
        return Response(status_code=204)
    if "sub" in claims and str(claims["sub"]) != asked.identity.user_id:
        return _error(401, "Refused: the JWT was issued for another user than the message's.")
    if not await writer.run(functools.partial(_first_use, claims, hipchat_jwt.token_of(request) or "")):
        log.warning("HipChat webhook for %s refused: its JWT was used before", name)
        return _error(401, "Refused: this JWT was used before (a replay); HipChat signs every webhook anew.")
    answering = Answering(OutboundPolicy.from_settings(settings), installation, asked.identity)

    def run(session: Session) -> Reply:
        current = _find(session, settings, integration_id, secret)
        if current is None:
            return Reply(UNKNOWN)
        return answer(session, integration=current, request=asked, base_url=settings.base_url)

    within = deferral.time_left(request, settings.chat_reply_within_seconds)
    reply = await deferral.reply_in_time(writer.run(run), within=within, later=answering.later)
    return Response(status_code=204) if reply is None else await answering.now(reply)
