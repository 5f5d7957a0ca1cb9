"""The SMTP connection pool on its own, against a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from tests.support.smtp import SmtpServer as Inbox
from tocsin.engine.deliveries import PermanentFailure
from tocsin.notify.email import SmtpServer, sent_through


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with Inbox() as server:
        yield server


def server_at(inbox: Inbox, connections: int = 2) -> SmtpServer:
    return SmtpServer(
        host="127.0.0.1",
        port=inbox.port,
        username="",
        password="",
        security="none",
        sender="tocsin@example.com",
        timeout=2,
        connections=connections,
    )


def email(to: str, subject: str = "Disk full") -> EmailMessage:
    message = EmailMessage()
    message["To"], message["Subject"] = to, subject
    message.set_content("db1\n")
    return message


def test_many_emails_at_once_go_over_at_most_the_pools_connections(inbox):
    server = server_at(inbox, connections=3)

    async def send_all() -> None:
        pool = server.pool()
        await asyncio.gather(
            *(sent_through(pool, server.stamped(email(f"p{n}@example.com"))) for n in range(40))
        )
        await pool.close()

    asyncio.run(send_all())
    assert len(inbox.received) == 40
    assert 1 <= inbox.connections <= 3


def test_a_dropped_connection_is_found_as_the_email_goes_and_the_email_sent_on_a_fresh_one(inbox):
    server = server_at(inbox)

    async def send_drop_send() -> None:
        pool = server.pool()
        await sent_through(pool, server.stamped(email("ada@example.com", "first")))
        inbox.drop_connections()  # the client has not yet seen it go: it sends, and finds out
        await sent_through(pool, server.stamped(email("ada@example.com", "second")))
        await pool.close()

    asyncio.run(send_drop_send())
    assert [mail.subject for mail in inbox.received] == ["first", "second"]
    assert inbox.connections == 2


def test_a_refused_recipient_is_final_and_the_connection_serves_on(inbox, monkeypatch):
    async def refuse_nobody(self, server, session, envelope, address, options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    monkeypatch.setattr(type(inbox.inbox), "handle_RCPT", refuse_nobody, raising=False)
    server = server_at(inbox, connections=1)

    async def send_both() -> None:
        pool = server.pool()
        await sent_through(pool, server.stamped(email("ada@example.com", "before")))
        with pytest.raises(PermanentFailure, match="no such mailbox"):
            await sent_through(pool, server.stamped(email("nobody@example.com")))
        await sent_through(pool, server.stamped(email("ada@example.com", "after")))
        await pool.close()

    asyncio.run(send_both())
    assert [mail.subject for mail in inbox.received] == ["before", "after"]
    assert inbox.connections == 1
