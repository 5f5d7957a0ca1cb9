"""Sending e-mail over SMTP, and the e-mail channel of the delivery engine (what it shares with
the other ways of notifying a person is in ``personal``). The e-mails go over the pool's
persistent connections (``smtp_pool``)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.utils import formataddr, formatdate, make_msgid, parseaddr

import aiosmtplib

from tocsin import clock
from tocsin.config import Settings
from tocsin.engine.deliveries import PermanentFailure
from tocsin.notify.messages import alert_email, shift_email, test_email
from tocsin.notify.personal import ForPerson, PersonalChannel
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


class EmailChannel(PersonalChannel):
    """Notifications by e-mail: ``notify.email`` messages name a person, an alert and why."""

    method = "email"

    def __init__(self, server: SmtpServer, base_url: str) -> None:
        self.server = server
        self.base_url = base_url
        self.pool = server.pool()
        self.turns = server.connections
        """The engine lets no more e-mails go at once than there are connections: an e-mail
        waits for its turn before its time limit starts, not for a connection after."""

    def render(self, item: ForPerson) -> Message:
        if item.payload.get("kind") == "test":
            return test_email(item.payload, to=item.message.destination)
        if item.alert is None:
            return shift_email(item.payload, to=item.message.destination, time_zone=item.user.time_zone)
        return alert_email(item.alert, item.payload, to=item.message.destination, base_url=self.base_url)

    async def send(self, prepared: Message) -> None:
        await sent_through(self.pool, self.server.stamped(prepared))

    async def close(self) -> None:
        await self.pool.close()
