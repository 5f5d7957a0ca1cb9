"""Sending e-mail over SMTP, and the e-mail channel of the delivery engine.

The channel handles a round's e-mails together: their people and alerts are read in one query
each, and what is logged when they are sent (or given up) is written in one statement each. The
e-mails go over the pool's persistent connections (``smtp_pool``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.utils import formataddr, formatdate, make_msgid, parseaddr

import aiosmtplib
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert
from tocsin.alerts.service import INSERT_LOG, log_row, set_recipients_state
from tocsin.config import Settings
from tocsin.engine.deliveries import PermanentFailure, Skip
from tocsin.notify import mute
from tocsin.notify.messages import alert_email, shift_email
from tocsin.notify.outbox import Claimed
from tocsin.notify.smtp_pool import SmtpPool

TOPIC = "notify.email"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str
    password: str
    security: str
    sender: str
    timeout: float
    connections: int = 4
    """How many connections to it the engine keeps open."""

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpServer:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            security=settings.smtp_security,
            sender=settings.smtp_from,
            timeout=settings.smtp_timeout_seconds,
            connections=settings.smtp_connections,
        )

    def connection(self) -> aiosmtplib.SMTP:
        """A new connection (not yet open); opening it does TLS or STARTTLS and the login."""
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username or None,
            password=self.password or None,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",  # False: never upgrade unasked
            timeout=self.timeout,
        )

    def pool(self) -> SmtpPool:
        return SmtpPool(self.connection, size=self.connections)

    def stamped(self, message: Message) -> Message:
        name, address = parseaddr(self.sender)
        message["From"] = formataddr((name, address))  # a non-ASCII name RFC 2047 encoded
        message["Date"] = formatdate(clock.now().timestamp())
        message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or "tocsin")
        return message


async def sent_through(pool: SmtpPool, message: Message) -> None:
    """Send; a refusal for good (5xx, refused sender or recipients) is a ``PermanentFailure``."""
    try:
        await pool.send(message)
    except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused) as refused:
        raise PermanentFailure(str(refused)) from refused
    except aiosmtplib.SMTPResponseException as answer:
        if 500 <= answer.code < 600:
            raise PermanentFailure(f"{answer.code} {answer.message}") from answer
        raise


@dataclass
class _Mutes:
    """What the round's skips for muted people write: log lines (in order) and recipient states."""

    logs: list[dict[str, object]]
    pairs: set[tuple[str, str]]

    def write(self, session: Session, now: datetime) -> None:
        if self.logs:
            session.connection().execute(INSERT_LOG, self.logs)
        set_recipients_state(session, self.pairs, "muted", now)


class EmailChannel:
    """Notifications by e-mail: ``notify.email`` messages name a person, an alert and why."""

    topics: tuple[str, ...] = (TOPIC,)

    def __init__(self, server: SmtpServer, base_url: str) -> None:
        self.server = server
        self.base_url = base_url
        self.pool = server.pool()
        self.turns = server.connections
        """The engine lets no more e-mails go at once than there are connections: an e-mail
        waits for its turn before its time limit starts, not for a connection after."""

    def prepare(self, session: Session, message: Claimed) -> Message | Skip:
        return self.prepare_many(session, [message])[0]

    def prepare_many(self, session: Session, messages: Sequence[Claimed]) -> list[Message | Skip]:
        """``prepare`` of a round's e-mails, in one query for the people and one for the alerts."""
        user_ids = {message.payload["userId"] for message in messages}
        alert_ids = {message.payload["alertId"] for message in messages if "alertId" in message.payload}
        users = {user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))}
        alerts = (
            {alert.id: alert for alert in session.scalars(select(Alert).where(Alert.id.in_(alert_ids)))}
            if alert_ids
            else {}
        )
        now = clock.now()
        mutes = _Mutes([], set())
        prepared = [
            self._prepared(
                message,
                users.get(message.payload["userId"]),
                alerts.get(message.payload.get("alertId", "")),
                now,
                mutes,
            )
            for message in messages
        ]
        mutes.write(session, now)
        return prepared

    def _prepared(
        self, message: Claimed, user: User | None, alert: Alert | None, now: datetime, mutes: _Mutes
    ) -> Message | Skip:
        payload = message.payload
        if "alertId" not in payload:  # about a shift, not an alert
            if user is None:
                return Skip("the person is gone")
            return shift_email(payload, to=message.destination, time_zone=user.time_zone)
        if alert is None or user is None:
            return Skip("the alert or the person is gone")
        muted_until = mute.muted_until(user, now)
        if muted_until is not None:
            until = muted_until.strftime("%Y-%m-%d %H:%M UTC")
            text = f"{user.username} not notified by e-mail: muted until {until}"
            mutes.logs.append(log_row(alert.id, text, SYSTEM, now))
            mutes.pairs.add((alert.id, user.id))
            return Skip(f"{user.username} is muted until {until}")
        if payload["kind"] == "create-alert":
            # A new-alert message is wanted until someone acknowledges (or, for an "if not
            # closed" escalation rule, closes) the alert: a later step then has nothing to say.
            if alert.status == "closed":
                return Skip("the alert was closed first")
            if alert.acknowledged and payload.get("until", "acknowledged") == "acknowledged":
                return Skip("the alert was acknowledged first")
        return alert_email(alert, payload, to=message.destination, base_url=self.base_url)

    async def send(self, prepared: Message) -> None:
        await sent_through(self.pool, self.server.stamped(prepared))

    async def close(self) -> None:
        await self.pool.close()

    def delivered(self, session: Session, message: Claimed) -> None:
        self.delivered_many(session, [message])

    def delivered_many(self, session: Session, messages: Sequence[Claimed]) -> None:
        _record(session, messages, "notified", _notified)

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        _record(
            session, [message], "failed", lambda message: f"E-mail to {message.destination} failed: {error}"
        )


def _notified(message: Claimed) -> str:
    reason = message.payload.get("reason", "")
    because = f" ({reason})" if reason else ""
    return f"Notified {message.destination} by e-mail{because}"


def _record(
    session: Session, messages: Sequence[Claimed], state: str, line: Callable[[Claimed], str]
) -> None:
    """A log line for each message about an alert (in order), and its person's state, by e-mail."""
    about_alerts = [message for message in messages if "alertId" in message.payload]
    if not about_alerts:
        return
    now = clock.now()
    session.connection().execute(
        INSERT_LOG,
        [log_row(message.payload["alertId"], line(message), SYSTEM, now) for message in about_alerts],
    )
    pairs = {(message.payload["alertId"], message.payload["userId"]) for message in about_alerts}
    set_recipients_state(session, pairs, state, now, method="email")
