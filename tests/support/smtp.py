"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives (and over which
connection), can be stopped and started again on the same port to play an outage, and can drop
its open connections as a server does those left idle."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.support.postgres import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message
    peer: object
    """The client's address: one per connection."""

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",)) if hasattr(self.message, "get_body") else self.message
        return part.get_content() if part is not None else ""  # type: ignore[union-attr]


@dataclass
class _Inbox:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    open: set[asyncio.BaseTransport] = field(default_factory=set)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name for the hook
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, session.peer))
        return "250 Message accepted for delivery"


async def refuse_nobody(self, server, session, envelope, address, options):  # aiosmtpd's name
    """A ``handle_RCPT`` that refuses mailboxes named ``nobody@…`` for good (550)."""
    if address.startswith("nobody@"):
        return "550 5.1.1 no such mailbox"
    envelope.rcpt_tos.append(address)
    return "250 OK"


class _TrackingSmtp(SMTP):
    """aiosmtpd's server, keeping its open connections in the inbox (to drop them)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.event_handler.open.add(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self.event_handler.open.discard(self.transport)
        super().connection_lost(error)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _TrackingSmtp(self.handler, **self.SMTP_kwargs)


class SmtpServer:
    def __init__(self, **options: Any) -> None:
        """``options``: aiosmtpd's (``ssl_context`` for implicit TLS, ``tls_context`` and
        ``require_starttls``, ``authenticator`` and ``auth_require_tls``…)."""
        self.port = free_port()
        self.inbox = _Inbox()
        self.options = options
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        with self.inbox.lock:
            return list(self.inbox.received)

    @property
    def connections(self) -> int:
        """How many connections carried the messages received."""
        return len({mail.peer for mail in self.received})

    def drop_connections(self) -> None:
        """Close every open connection from the server's side, as a server does with idle ones."""
        assert self._controller is not None

        async def drop() -> None:
            for transport in list(self.inbox.open):
                transport.close()

        asyncio.run_coroutine_threadsafe(drop(), self._controller.loop).result(timeout=5)

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.recipients]

    def start(self) -> SmtpServer:
        self._controller = _Controller(self.inbox, hostname="127.0.0.1", port=self.port, **self.options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages, got {len(self.received)}")
            time.sleep(0.02)
        return self.received

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
