"""Posting into Mattermost channels: the engine's channel for ``mattermost.post`` deliveries, and
how the forwarder builds them.

Each delivery is one post (built when the event was forwarded, ``mattermost_posts``) sent as
JSON to the integration's incoming-webhook URL, checked against the outbound policy just before
sending, without following redirects. Posts about one alert through one integration carry the
ordering key ``"<integration id>:<alert id>"``, so the engine sends them in order: a channel never
reads "closed" before "created".

Mattermost answers 200 "ok". Network errors, 408, 429 and 5xx are retried; any other answer is
final (400: the hook is unknown or the post invalid; 403: the hook's channel is locked or out of
its creator's reach; 404: no such channel), and is logged on the alert. The hook's URL is a
secret, so messages name only its server."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.alerts.service import add_log
from tocsin.chat.platforms.mattermost_posts import post_for_event
from tocsin.engine.deliveries import Skip
from tocsin.integrations import configuration
from tocsin.integrations.forwarding import Sending
from tocsin.integrations.models import Integration
from tocsin.integrations.webhook import body_text, post_json, skip_reason
from tocsin.notify.outbox import Claimed
from tocsin.outbound import OutboundPolicy

TOPIC = "mattermost.post"
KIND = "Mattermost"


@dataclass(frozen=True)
class Post:
    url: str
    body: bytes


def server_of(url: str) -> str:
    """The host (and port) of a URL: what may be shown of a secret hook URL."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'an unknown host'}" + (f":{parts.port}" if parts.port else "")


def mattermost_said(answer: httpx.Response) -> str:
    """Mattermost explains a refusal in an error object's ``message`` ("Invalid webhook.")."""
    try:
        error = orjson.loads(answer.content)
    except orjson.JSONDecodeError:
        return body_text(answer)
    message = error.get("message") if isinstance(error, dict) else None
    return str(message).strip()[:200] if message else body_text(answer)


class MattermostChannel:
    topics: tuple[str, ...] = (TOPIC,)

    def __init__(self, outbound: OutboundPolicy, *, timeout: float = 10.0) -> None:
        self.outbound = outbound
        self.timeout = timeout

    def prepare(self, session: Session, message: Claimed) -> Post | Skip:
        integration = session.get(Integration, message.payload["integrationId"])
        reason = skip_reason(session, integration)
        if reason is not None or integration is None:
            return Skip(reason or "")
        return Post(url=configuration.url_of(integration), body=orjson.dumps(message.payload["body"]))

    async def send(self, prepared: Post) -> None:
        await post_json(
            self.outbound,
            prepared.url,
            prepared.body,
            {},
            timeout=self.timeout,
            shown_as=server_of(prepared.url),
            said=mattermost_said,
        )

    def delivered(self, session: Session, message: Claimed) -> None:
        """Nothing to record: the post in the channel is the record."""

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        if message.alert_id is None:
            return
        name = message.payload.get("integrationName", "")
        action = message.payload.get("action", "an update")
        text = f"{KIND} {name} gave up posting {action}: {error}"
        add_log(session, message.alert_id, text, SYSTEM, clock.now())


def from_settings(settings: Any) -> MattermostChannel:
    return MattermostChannel(OutboundPolicy.from_settings(settings))


def forwarding(settings: Any) -> dict[str, Sending]:
    """How the forwarder turns alert activity into Mattermost posts (for ``Forwarder``)."""
    build = functools.partial(
        post_for_event, base_url=settings.base_url, secret_key=settings.effective_secret_key
    )
    return {KIND: Sending(build, ordered=True, secret_url=True)}
