"""The SMTP connection pool on its own, against a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.smtp import SmtpServer as Inbox
from tests.support.smtp import refuse_nobody
from tocsin.engine.deliveries import PermanentFailure
from tocsin.notify.email import SmtpServer, sent_through


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with Inbox() as server:
        yield server


def server_at(inbox: Inbox, connections: int = 2, security: str = "none", login: str = "") -> SmtpServer:
    return SmtpServer(
        host="127.0.0.1",
        port=inbox.port,
        username=login,
        password="secret" if login else "",
        security=security,
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


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> trustme.LeafCert:
    """A certificate for 127.0.0.1 from a CA that Tocsin's TLS trusts (``SSL_CERT_FILE``)."""
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return authority.issue_cert("127.0.0.1")


class Logins:
    """An aiosmtpd authenticator that takes ada/secret and counts the logins."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.count += 1
        good = isinstance(auth_data, LoginPassword) and auth_data == (b"ada", b"secret")
        return AuthResult(success=good)


def send_five(server: SmtpServer) -> None:
    async def send() -> None:
        pool = server.pool()
        for n in range(5):
            await sent_through(pool, server.stamped(email("ada@example.com", f"mail {n}")))
        await pool.close()

    asyncio.run(send())


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_and_login_are_done_once_per_connection(certificate, security):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    logins = Logins()
    tls = (  # aiosmtpd offers a login only on a connection made secure, or always (implicit TLS)
        {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
        if security == "starttls"
        else {"ssl_context": context, "auth_require_tls": False}
    )
    with Inbox(**tls, authenticator=logins) as inbox:
        send_five(server_at(inbox, security=security, login="ada"))
        assert [mail.subject for mail in inbox.received] == [f"mail {n}" for n in range(5)]
        assert inbox.connections == 1 and logins.count == 1
