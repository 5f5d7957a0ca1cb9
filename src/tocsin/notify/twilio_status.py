"""Twilio's delivery statuses of the texts and calls Tocsin sent. A text that failed or was not
delivered, or a call that failed or was not answered, is written to its alert's log with Twilio's
error code, and the person's next notification step for that alert goes out now instead of at
its time: a failed SMS falls through to the next rule step. The person's state among the
alert's recipients says "failed" until something else reaches them. Each message falls through
once, however often Twilio reports it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.alerts.models import AlertRecipient
from tocsin.alerts.service import add_log
from tocsin.notify import methods, wake_signal
from tocsin.notify.outbox import OutboxMessage

FAILED = frozenset({"failed", "undelivered", "busy", "no-answer", "canceled"})
TOPICS = {methods.topic_of("sms"): "sms", methods.topic_of("voice"): "voice"}
REPORTED = "Twilio reported it "


def record_status(session: Session, *, message_id: str, status: str, error_code: str, now: datetime) -> None:
    if status not in FAILED or not message_id.isdigit():
        return
    message = session.get(OutboxMessage, int(message_id))
    if message is None or message.topic not in TOPICS or "alertId" not in message.payload:
        return
    if message.last_error.startswith(REPORTED):
        return  # told before: Twilio may report a status more than once
    code = f" (Twilio error {error_code})" if error_code else ""
    message.last_error = f"{REPORTED}{status}{code}"
    sent_as = methods.SENT_AS[TOPICS[message.topic]]
    line = f"{sent_as} to {message.destination} {status.replace('-', ' ')}{code}"
    following = _next_step(session, message, now)
    if following is not None:
        following.next_attempt_at = now
        wake_signal.due_now(session)
        method = TOPICS.get(following.topic, following.topic.removeprefix("notify."))
        line += f"; the next step ({methods.NAMES.get(method, method)} to {following.destination}) goes now"
    add_log(session, message.payload["alertId"], line, SYSTEM, now)
    _failed_unless_acted(session, message, TOPICS[message.topic], now)
    session.flush()


def _failed_unless_acted(session: Session, message: OutboxMessage, method: str, now: datetime) -> None:
    """The person's recipient state, if this message is what last reached them."""
    session.execute(
        update(AlertRecipient)
        .where(
            AlertRecipient.alert_id == message.payload["alertId"],
            AlertRecipient.user_id == message.payload.get("userId"),
            AlertRecipient.state == "notified",
            AlertRecipient.method == method,
        )
        .values(state="failed", updated_at=now)
    )


def _next_step(session: Session, failed: OutboxMessage, now: datetime) -> OutboxMessage | None:
    """The person's next notification about the same alert still waiting for its time."""
    waiting = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.alert_id == failed.alert_id,
            OutboxMessage.topic.like("notify.%"),
            OutboxMessage.state == "pending",
            OutboxMessage.next_attempt_at > now,
            OutboxMessage.id != failed.id,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    user_id, kind = failed.payload.get("userId"), failed.payload.get("kind")
    for message in waiting:
        if message.payload.get("userId") == user_id and message.payload.get("kind") == kind:
            return message
    return None
