"""Posting into chat channels through incoming webhooks (Mattermost's, Slack's): the engine's
channel for a platform's post deliveries, and how the forwarder builds them.

Each delivery is one post (built when the event was forwarded) sent as JSON to the integration's
incoming-webhook URL, checked against the outbound policy just before sending, without following
redirects. Posts about one alert through one integration carry the ordering key
``"<integration id>:<alert id>"``, so the engine sends them in order: a channel never reads
"closed" before "created".

Network errors, 408, 429 and 5xx are retried; any other answer is final and is logged on the
alert. The hook's URL is a secret, so messages name only its server."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert
from tocsin.alerts.service import add_log
from tocsin.chat.alert_card import PostLayout, post_for_event
from tocsin.chat.post_summary import summary_text
from tocsin.engine.deliveries import Skip
from tocsin.integrations import configuration
from tocsin.integrations.forwarding import Sending
from tocsin.integrations.models import Integration
from tocsin.integrations.webhook import integration_of, post_json, skip_reason
from tocsin.notify.outbox import Claimed
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import Answer, origin_of


@dataclass(frozen=True)
class Post:
    url: str
    body: bytes

    @property
    def origin(self) -> str:
        """The chat server (its origin): whose health the post's outcome tells."""
        return origin_of(self.url)


def server_of(url: str) -> str:
    """The host (and port) of a URL: what may be shown of a secret hook URL."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'an unknown host'}" + (f":{parts.port}" if parts.port else "")


def log_gave_up(session: Session, message: Claimed, error: str, *, kind: str) -> None:
    """Say on the alert that a post about it will never arrive, and why."""
    if message.alert_id is None:
        return
    name = message.payload.get("integrationName", "")
    action = message.payload.get("action", "an update")
    text = f"{kind} {name} gave up posting {action}: {error}"
    add_log(session, message.alert_id, text, SYSTEM, clock.now())


def integration_sending(session: Session, message: Claimed) -> Integration | Skip:
    """The integration a post is sent through, or why it is not sent (gone, disabled, paused)."""
    integration = integration_of(session, message)
    reason = skip_reason(session, integration)
    if reason is not None or integration is None:
        return Skip(reason or "")
    return integration


class IncomingWebhookChannel:
    """The engine channel of one platform's incoming-webhook posts (topic ``<platform>.post``)."""

    def __init__(
        self,
        *,
        kind: str,
        topic: str,
        said: Callable[[Answer], str],
        outbound: OutboundPolicy,
        timeout: float = 10.0,
    ) -> None:
        self.kind = kind
        self.topics: tuple[str, ...] = (topic,)
        self.said = said
        self.outbound = outbound
        self.timeout = timeout

    def prepare(self, session: Session, message: Claimed) -> Post | Skip:
        integration = integration_sending(session, message)
        if isinstance(integration, Skip):
            return integration
        return Post(url=configuration.url_of(integration), body=orjson.dumps(message.payload["body"]))

    async def send(self, prepared: Post) -> None:
        await post_json(
            self.outbound,
            prepared.url,
            prepared.body,
            {},
            timeout=self.timeout,
            shown_as=server_of(prepared.url),
            said=self.said,
        )

    def delivered(self, session: Session, message: Claimed) -> None:
        """Nothing to record: the post in the channel is the record."""

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        log_gave_up(session, message, error, kind=self.kind)


def forwarding(kind: str, layout: PostLayout, settings: Any) -> dict[str, Sending]:
    """How the forwarder turns alert activity into posts of ``kind`` (for ``Forwarder``)."""
    bound = functools.partial(
        post_for_event,
        layout,
        base_url=settings.base_url,
        secret_key=settings.effective_secret_key,
        button_lifetime=settings.chat_button_lifetime,
    )

    def summary(
        session: Session, alerts: list[Alert], integration: Integration, event: dict[str, Any]
    ) -> dict[str, Any]:
        return layout.follow_up(summary_text(alerts, event, base_url=settings.base_url), event)

    return {kind: Sending(bound, ordered=True, secret_url=True, summary=summary)}
