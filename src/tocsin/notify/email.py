"""Sending e-mail over SMTP, and the e-mail channel of the delivery engine."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert
from tocsin.alerts.service import add_log, set_recipient_state
from tocsin.config import Settings
from tocsin.engine.deliveries import PermanentFailure, Skip
from tocsin.notify import mute
from tocsin.notify.messages import alert_email, shift_email
from tocsin.notify.outbox import Claimed

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
        )

    async def send(self, message: EmailMessage) -> None:
        message["From"] = self.sender
        message["Date"] = formatdate(clock.now().timestamp())
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "tocsin")
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username or None,
                password=self.password or None,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",  # False: never upgrade unasked
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused) as refused:
            raise PermanentFailure(str(refused)) from refused
        except aiosmtplib.SMTPResponseException as answer:
            if 500 <= answer.code < 600:
                raise PermanentFailure(f"{answer.code} {answer.message}") from answer
            raise


class EmailChannel:
    """Notifications by e-mail: ``notify.email`` messages name a person, an alert and why."""

    topics: tuple[str, ...] = (TOPIC,)

    def __init__(self, server: SmtpServer, base_url: str) -> None:
        self.server = server
        self.base_url = base_url

    def prepare(self, session: Session, message: Claimed) -> EmailMessage | Skip:
        payload = message.payload
        user = session.get(User, payload["userId"])
        if "alertId" not in payload:  # about a shift, not an alert
            if user is None:
                return Skip("the person is gone")
            return shift_email(payload, to=message.destination, time_zone=user.time_zone)
        alert = session.get(Alert, payload["alertId"])
        if alert is None or user is None:
            return Skip("the alert or the person is gone")
        now = clock.now()
        muted_until = mute.muted_until(user, now)
        if muted_until is not None:
            until = muted_until.strftime("%Y-%m-%d %H:%M UTC")
            add_log(
                session, alert.id, f"{user.username} not notified by e-mail: muted until {until}", SYSTEM, now
            )
            set_recipient_state(session, alert.id, user.id, "muted", now)
            return Skip(f"{user.username} is muted until {until}")
        if payload["kind"] == "create-alert":
            # A new-alert message is wanted until someone acknowledges (or, for an "if not
            # closed" escalation rule, closes) the alert: a later step then has nothing to say.
            if alert.status == "closed":
                return Skip("the alert was closed first")
            if alert.acknowledged and payload.get("until", "acknowledged") == "acknowledged":
                return Skip("the alert was acknowledged first")
        return alert_email(alert, payload, to=message.destination, base_url=self.base_url)

    async def send(self, prepared: EmailMessage) -> None:
        await self.server.send(prepared)

    def delivered(self, session: Session, message: Claimed) -> None:
        if "alertId" not in message.payload:
            return
        alert_id, reason = message.payload["alertId"], message.payload.get("reason", "")
        because = f" ({reason})" if reason else ""
        add_log(session, alert_id, f"Notified {message.destination} by e-mail{because}", SYSTEM, clock.now())
        set_recipient_state(
            session, alert_id, message.payload["userId"], "notified", clock.now(), method="email"
        )

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        if "alertId" not in message.payload:
            return
        alert_id = message.payload["alertId"]
        add_log(session, alert_id, f"E-mail to {message.destination} failed: {error}", SYSTEM, clock.now())
        set_recipient_state(
            session, alert_id, message.payload["userId"], "failed", clock.now(), method="email"
        )
