"""The outgoing webhook: the engine's channel for ``webhook.send`` deliveries. Each is a signed
JSON POST to the integration's URL, checked against the outbound policy just before sending;
redirects are not followed (a redirect could lead anywhere).

2xx is delivered; network errors, 408, 429 and 5xx are retried (``RetryLater``, with what a
``Retry-After`` header asks); any other answer is final. Requests go through the engine's pooled
client of the destination (``outbound_clients``)."""

from __future__ import annotations

import email.utils
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
from sqlalchemy.orm import Session

from tocsin import __version__, clock
from tocsin.actors import SYSTEM
from tocsin.alerts.service import add_log
from tocsin.engine.deliveries import PermanentFailure, RetryLater, Skip, described
from tocsin.integrations import configuration, signing
from tocsin.integrations.models import Integration
from tocsin.maintenance.switches import Switches, active_switches
from tocsin.notify.outbox import Claimed
from tocsin.outbound import OutboundPolicy, OutboundRefused
from tocsin.outbound_clients import Answer, client_for, origin_of
from tocsin.outbound_pinning import request_pinned

TOPIC = "webhook.send"
RETRIED_STATUSES = frozenset({408, 429})
SWITCHES = "tocsin.maintenance_switches"
INTEGRATIONS = "tocsin.integrations_sending"


@dataclass(frozen=True)
class Request:
    message_id: int
    integration_name: str
    url: str
    headers: dict[str, str]
    body: bytes
    secret: str

    @property
    def origin(self) -> str:
        return origin_of(self.url)


def integration_of(session: Session, message: Claimed) -> Integration | None:
    """The integration a delivery goes through, read once per transaction: the session keeps
    objects only while something holds them, and a round prepares many deliveries."""
    kept = session.info.setdefault(INTEGRATIONS, {})
    integration_id = message.payload["integrationId"]
    if integration_id not in kept:
        kept[integration_id] = session.get(Integration, integration_id)
    found = kept[integration_id]
    return found if isinstance(found, Integration) else None


def switches_of(session: Session) -> Switches:
    """The maintenance switches in force, read once per transaction (a round prepares many
    deliveries in one)."""
    found = session.info.get(SWITCHES)
    if not isinstance(found, Switches):
        found = session.info[SWITCHES] = active_switches(session, clock.now())
    return found


def skip_reason(session: Session, integration: Integration | None) -> str | None:
    """Why an integration's delivery is not to be sent after all, or None to send it."""
    if integration is None:
        return "the integration was deleted"
    if not integration.enabled:
        return f"integration {integration.name} is disabled"
    if switches_of(session).integration_paused(integration.id):
        return f"integration {integration.name} is paused by a maintenance window"
    return None


def body_text(answer: Answer) -> str:
    return answer.text.strip()[:200]


async def post_json(
    outbound: OutboundPolicy,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    shown_as: str | None = None,
    said: Callable[[Answer], str] = body_text,
) -> Answer:
    """POST ``body`` (JSON) to ``url`` as ``send_outbound`` sends."""
    headers = {**headers, "Content-Type": "application/json"}
    return await send_outbound(
        outbound, "POST", url, timeout=timeout, shown_as=shown_as, said=said, content=body, headers=headers
    )


class Unreachable(RuntimeError):
    """The destination did not answer: no connection, a connection lost, or no answer in time."""


async def send_outbound(
    outbound: OutboundPolicy,
    method: str,
    url: str,
    *,
    timeout: float,
    shown_as: str | None = None,
    said: Callable[[Answer], str] = body_text,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    form: dict[str, str] | None = None,
    basic_auth: tuple[str, str] | None = None,
) -> Answer:
    """Send a request to ``url`` once it passes the outbound check, to the addresses that passed
    it (``request_pinned``), without following redirects; the 2xx answer, or
    ``PermanentFailure`` / ``RetryLater`` naming the status, where it came from and what the
    answer ``said``, or ``Unreachable``. A URL that is a secret (a chat hook's) is named in
    errors as ``shown_as`` instead."""
    try:
        target = await outbound.check_async(url)
    except OutboundRefused as refused:
        message = refused.message.replace(url, shown_as) if shown_as and url else refused.message
        raise PermanentFailure(message) from refused
    headers = {**(headers or {}), "User-Agent": f"Tocsin/{__version__}"}
    if form is not None:
        content = urlencode(form).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if basic_auth is not None:
        user, password = basic_auth
        headers["Authorization"] = "Basic " + b64encode(f"{user}:{password}".encode()).decode("ascii")
    # A pooled client of the destination (no proxy from the environment: the check is about
    # where Tocsin connects, and a proxy would connect by name again).
    try:
        async with client_for(target.url) as client:
            answer = await request_pinned(
                client, method, target, headers=headers, timeout=timeout, content=content
            )
    except (aiohttp.ClientError, TimeoutError) as error:
        raise Unreachable(f"{shown_as or url} did not answer: {described(error)}") from error
    status = answer.status_code
    if 200 <= status < 300:
        return answer
    text = said(answer)
    problem = f"HTTP {status} from {shown_as or url}" + (f": {text}" if text else "")
    if status >= 500 or status in RETRIED_STATUSES:
        # A 500 may be the server failing on this request alone; 502-504, 408 and 429 are about
        # the server as a whole.
        raise RetryLater(problem, retry_after=retry_after_seconds(answer), maybe_the_message=status == 500)
    raise PermanentFailure(problem)


def retry_after_seconds(answer: Answer) -> float | None:
    """What a ``Retry-After`` header asks (seconds, or an HTTP date), or None."""
    value = answer.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - clock.now()).total_seconds())


class WebhookChannel:
    topics: tuple[str, ...] = (TOPIC,)

    def __init__(self, outbound: OutboundPolicy, secret_key: str, *, timeout: float = 10.0) -> None:
        self.outbound = outbound
        self.secret_key = secret_key
        self.timeout = timeout
        self._answers: dict[int, int] = {}
        """HTTP status of each message sent in this round, for the log of custom actions."""

    def prepare(self, session: Session, message: Claimed) -> Request | Skip:
        integration = integration_of(session, message)
        reason = skip_reason(session, integration)
        if reason is not None or integration is None:
            return Skip(reason or "")
        return Request(
            message_id=message.id,
            integration_name=integration.name,
            url=configuration.url_of(integration),
            headers=configuration.headers_of(integration),
            body=orjson.dumps(message.payload["body"]),
            secret=signing.signing_secret(self.secret_key, integration.signing_salt),
        )

    async def send(self, prepared: Request) -> None:
        timestamp = int(clock.now().timestamp())
        headers = {**prepared.headers, **signing.headers(prepared.secret, timestamp, prepared.body)}
        answer = await post_json(self.outbound, prepared.url, prepared.body, headers, timeout=self.timeout)
        self._answers[prepared.message_id] = answer.status_code

    def delivered(self, session: Session, message: Claimed) -> None:
        status = self._answers.pop(message.id, None)
        name = message.payload.get("customAction")
        if name and message.alert_id:
            answer = f" (HTTP {status})" if status else ""
            text = f"Custom action {name!r} delivered to {message.payload.get('integrationName', '')}{answer}"
            add_log(session, message.alert_id, text, SYSTEM, clock.now())

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        self._answers.pop(message.id, None)
        if message.alert_id is None:
            return
        name = message.payload.get("customAction")
        where = message.payload.get("integrationName", "")
        text = (
            f"Custom action {name!r} to {where} failed: {error}"
            if name
            else f"Webhook {where} gave up on {message.payload['body'].get('action', '')}: {error}"
        )
        add_log(session, message.alert_id, text, SYSTEM, clock.now())


def from_settings(settings: Any) -> WebhookChannel:
    return WebhookChannel(OutboundPolicy.from_settings(settings), settings.effective_secret_key)
