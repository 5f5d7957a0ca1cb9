"""The addresses Twilio calls on Tocsin (``/webhooks/twilio/...``): texts sent to Tocsin's
number, delivery statuses, and the TwiML of calls and their key presses.

Every request must carry Twilio's ``X-Twilio-Signature`` over the public URL it was sent to
(``TOCSIN_PUBLIC_BASE_URL`` + path + query) and its form, computed with the account's auth token,
checked with the ``twilio`` library's validator: anything else is refused with 403 and does
nothing. Only translating happens here; what the texts and keys do is in ``twilio_replies``,
``twilio_status`` and ``twilio_call``."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from twilio.request_validator import RequestValidator

from tocsin import clock
from tocsin.config import Settings
from tocsin.notify import twilio_replies, twilio_status, twilio_urls
from tocsin.notify.twilio_call import CallDocuments
from tocsin.notify.twilio_reply_limits import PassiveReplies
from tocsin.notify.twilio_twiml import CONTENT_TYPE, Twiml

router = APIRouter(prefix=twilio_urls.PREFIX, include_in_schema=False)
log = logging.getLogger(__name__)
NOT_SET_UP = (
    "SMS and calls are not set up on this server (TOCSIN_TWILIO_ACCOUNT_SID, _AUTH_TOKEN, _FROM_NUMBER)."
)
REFUSED = (
    "Refused: X-Twilio-Signature is missing or does not match this request "
    "(check TOCSIN_TWILIO_AUTH_TOKEN and that TOCSIN_PUBLIC_BASE_URL is the address Twilio calls)."
)


def public_url(settings: Settings, request: Request) -> str:
    """The URL Twilio requested, as Twilio saw it (behind a proxy, not the one Tocsin sees)."""
    path = request.scope["path"]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{settings.base_url}{path}" + (f"?{query}" if query else "")


async def _signed_form(request: Request) -> FormData | Response:
    """The request's form, if Twilio signed it; else the answer refusing it."""
    settings: Settings = request.app.state.settings
    if not settings.twilio_configured:
        return PlainTextResponse(NOT_SET_UP, 404)
    try:
        form = await request.form()
    except Exception:  # a body that is no form at all (Starlette raises several kinds)
        return PlainTextResponse("This address takes Twilio's form-encoded webhooks.", 400)
    validator = RequestValidator(settings.twilio_auth_token.strip())
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not validator.validate(public_url(settings, request), form, signature):
        log.warning("Twilio webhook %s refused: %s", request.url.path, REFUSED)
        return PlainTextResponse(REFUSED, 403)
    return form


def _xml(document: str) -> Response:
    return Response(document, media_type=CONTENT_TYPE)


@router.post("/sms")
async def incoming_text(request: Request) -> Response:
    form = await _signed_form(request)
    if isinstance(form, Response):
        return form
    sender, body = str(form.get("From", "")), str(form.get("Body", ""))

    def run(session: Session) -> twilio_replies.Reply | None:
        return twilio_replies.answer(session, sender=sender, body=body, now=clock.now())

    reply = await request.app.state.writer.run(run)
    limits = _passive_replies(request)
    if reply is not None and reply.acted:
        limits.acted(sender)
    elif reply is not None and not limits.allow(sender, clock.now()):
        log.warning("Twilio: no answer to a text from %s: too many answers to it this hour", sender)
        reply = None
    return _xml(Twiml().message(reply.text).xml() if reply else Twiml().xml())


def _passive_replies(request: Request) -> PassiveReplies:
    """This app's count of answers that changed nothing, per number."""
    found = getattr(request.app.state, "twilio_passive_replies", None)
    if not isinstance(found, PassiveReplies):
        found = request.app.state.twilio_passive_replies = PassiveReplies()
    return found


@router.post("/status")
async def delivery_status(request: Request) -> Response:
    form = await _signed_form(request)
    if isinstance(form, Response):
        return form
    message_id = request.query_params.get("message", "")
    status = str(form.get("MessageStatus") or form.get("CallStatus") or "")
    error_code = str(form.get("ErrorCode", ""))[:12]

    def run(session: Session) -> None:
        twilio_status.record_status(
            session, message_id=message_id, status=status, error_code=error_code, now=clock.now()
        )

    await request.app.state.writer.run(run)
    return Response(status_code=204)


def _documents(request: Request) -> CallDocuments:
    settings: Settings = request.app.state.settings
    return CallDocuments(settings.base_url, settings.effective_secret_key)


@router.post("/voice/alert")
async def call_document(request: Request) -> Response:
    form = await _signed_form(request)
    if isinstance(form, Response):
        return form
    token = request.query_params.get("token", "")
    again = request.query_params.get("again") == "1"
    documents = _documents(request)
    document = await request.app.state.writer.run(lambda db: documents.alert(db, token, again=again))
    return _xml(document)


@router.post("/voice/keys")
async def key_pressed(request: Request) -> Response:
    form = await _signed_form(request)
    if isinstance(form, Response):
        return form
    token, digits = request.query_params.get("token", ""), str(form.get("Digits", ""))
    documents = _documents(request)
    document = await request.app.state.writer.run(lambda session: documents.keys(session, token, digits))
    return _xml(document)
