"""The outgoing webhook: the engine's channel for ``webhook.send`` deliveries. Each is a signed
JSON POST to the integration's URL, checked against the outbound policy just before sending;
redirects are not followed (a redirect could lead anywhere).

2xx is delivered; network errors, 408, 429 and 5xx are retried; any other answer is final."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from sqlalchemy.orm import Session

from tocsin import __version__, clock
from tocsin.actors import SYSTEM
from tocsin.alerts.service import add_log
from tocsin.engine.deliveries import PermanentFailure, Skip
from tocsin.integrations import configuration, signing
from tocsin.integrations.models import Integration
from tocsin.maintenance.switches import active_switches
from tocsin.notify.outbox import Claimed
from tocsin.outbound import OutboundPolicy, OutboundRefused

TOPIC = "webhook.send"
RETRIED_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class Request:
    message_id: int
    integration_name: str
    url: str
    headers: dict[str, str]
    body: bytes
    secret: str


def skip_reason(session: Session, integration: Integration | None) -> str | None:
    """Why an integration's delivery is not to be sent after all, or None to send it."""
    if integration is None:
        return "the integration was deleted"
    if not integration.enabled:
        return f"integration {integration.name} is disabled"
    if active_switches(session, clock.now()).integration_paused(integration.id):
        return f"integration {integration.name} is paused by a maintenance window"
    return None


class WebhookChannel:
    topics: tuple[str, ...] = (TOPIC,)

    def __init__(self, outbound: OutboundPolicy, secret_key: str, *, timeout: float = 10.0) -> None:
        self.outbound = outbound
        self.secret_key = secret_key
        self.timeout = timeout
        self._answers: dict[int, int] = {}
        """HTTP status of each message sent in this round, for the log of custom actions."""

    def prepare(self, session: Session, message: Claimed) -> Request | Skip:
        integration = session.get(Integration, message.payload["integrationId"])
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
        try:
            await self.outbound.check_async(prepared.url)
        except OutboundRefused as refused:
            raise PermanentFailure(refused.message) from refused
        timestamp = int(clock.now().timestamp())
        headers = {
            **prepared.headers,
            "Content-Type": "application/json",
            "User-Agent": f"Tocsin/{__version__}",
            **signing.headers(prepared.secret, timestamp, prepared.body),
        }
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            answer = await client.post(prepared.url, content=prepared.body, headers=headers)
        status = answer.status_code
        if 200 <= status < 300:
            self._answers[prepared.message_id] = status
            return
        said = answer.text.strip()[:200]
        problem = f"HTTP {status} from {prepared.url}" + (f": {said}" if said else "")
        if status >= 500 or status in RETRIED_STATUSES:
            raise RuntimeError(problem)
        raise PermanentFailure(problem)

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
