"""Posting into HipChat rooms: the engine's channel for ``hipchat.post`` deliveries (one room
notification each, ``hipchat_messages``, sent through HipChat's API with the installation's
token), and how the forwarder builds them.

HipChat answers 204. A 401 gets a new token and one more try; network errors, 408, 429 and 5xx
are retried later; any other refusal (400: the notification is invalid; 403: the token lacks the
scope; 404: no such room) is final and logged on the alert. An integration that is not installed
in a room sends nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tocsin.chat.platforms import hipchat_api
from tocsin.chat.platforms.hipchat_api import Installation
from tocsin.chat.platforms.hipchat_messages import LAYOUT
from tocsin.chat.platforms.incoming_webhook import forwarding as forwarding_of
from tocsin.chat.platforms.incoming_webhook import integration_sending, log_gave_up
from tocsin.engine.deliveries import Skip
from tocsin.integrations.forwarding import Sending
from tocsin.notify.outbox import Claimed
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import origin_of

TOPIC = "hipchat.post"
KIND = "HipChat"


@dataclass(frozen=True)
class Notification:
    installation: Installation
    body: dict[str, Any]

    @property
    def origin(self) -> str:
        return origin_of(self.installation.apiUrl)


class HipChatChannel:
    """The engine channel of HipChat room notifications."""

    topics: tuple[str, ...] = (TOPIC,)

    def __init__(self, outbound: OutboundPolicy) -> None:
        self.outbound = outbound

    def prepare(self, session: Session, message: Claimed) -> Notification | Skip:
        integration = integration_sending(session, message)
        if isinstance(integration, Skip):
            return integration
        installation = Installation.of(integration.config)
        if installation is None:
            return Skip(f"integration {integration.name} is not installed in a HipChat room")
        return Notification(installation, message.payload["body"])

    async def send(self, prepared: Notification) -> None:
        await hipchat_api.room_notification(self.outbound, prepared.installation, prepared.body)

    def delivered(self, session: Session, message: Claimed) -> None:
        """Nothing to record: the notification in the room is the record."""

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        log_gave_up(session, message, error, kind=KIND)


def from_settings(settings: Any) -> HipChatChannel:
    return HipChatChannel(OutboundPolicy.from_settings(settings))


def forwarding(settings: Any) -> dict[str, Sending]:
    """How the forwarder turns alert activity into HipChat room notifications (for ``Forwarder``)."""
    return forwarding_of(KIND, LAYOUT, settings)
