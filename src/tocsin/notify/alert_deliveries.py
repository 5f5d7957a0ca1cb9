"""The notifications sent (or waiting to go) to people about one alert, as its page lists them:
who, how, to which address, when, and how it went. They are the alert's ``notify.*`` messages
in the outbox, whose state and last error the engine and Twilio's status callbacks keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.notify import methods
from tocsin.notify.outbox import OutboxMessage
from tocsin.notify.twilio_status import REPORTED

SKIPPED = "not sent: "
"""How the engine marks a message it chose not to send (the alert was acknowledged first...)."""


@dataclass(frozen=True)
class Delivery:
    username: str
    method: str
    """"SMS", "e-mail", ... (``methods.NAMES``)."""
    address: str
    kind: str
    """What it said: "create-alert", "acknowledged", ..."""
    at: datetime
    """When it went, or when it is due."""
    outcome: str
    """delivered, failed, not sent, waiting, retrying or sending."""
    detail: str
    """Why it failed or was not sent, or the last error of a retry."""


def deliveries_of(session: Session, alert_id: str, *, limit: int = 200) -> list[Delivery]:
    """The newest ``limit`` notifications about the alert, newest first."""
    messages = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.alert_id == alert_id, OutboxMessage.topic.like("notify.%"))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )
    user_ids = sorted({str(message.payload.get("userId", "")) for message in messages})
    names = {
        row.id: row.username
        for row in session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
    }
    return [_delivery(message, names) for message in messages]


def _delivery(message: OutboxMessage, names: dict[str, str]) -> Delivery:
    method = message.topic.removeprefix("notify.")
    outcome, detail = _outcome(message)
    return Delivery(
        username=names.get(str(message.payload.get("userId", "")), "a removed user"),
        method=methods.NAMES.get(method, method),
        address=message.destination,
        kind=str(message.payload.get("kind", "")),
        at=message.delivered_at or message.next_attempt_at,
        outcome=outcome,
        detail=detail,
    )


def _outcome(message: OutboxMessage) -> tuple[str, str]:
    error = message.last_error
    if message.state == "delivered":
        if error.startswith(REPORTED):
            return "failed", error
        if error.startswith(SKIPPED):
            return "not sent", error.removeprefix(SKIPPED)
        return "delivered", ""
    if message.state == "dead":
        return "failed", error
    if message.state == "delivering":
        return "sending", ""
    return ("retrying", error) if message.attempts else ("waiting", "")
