"""The e-mail that brings a person their set-password link. It goes straight to the SMTP server
after the page has answered, not through the outbox: the link is a secret the database must not
hold in the clear, and the administrator who made it sees it on the page anyway, so a failed
e-mail is logged and not retried."""

from __future__ import annotations

import logging

from tocsin.config import Settings
from tocsin.notify.email import SmtpServer
from tocsin.notify.messages import plain_text_email

log = logging.getLogger(__name__)


def subject(invited: bool) -> str:
    return "[Tocsin] You are invited: set your password" if invited else "[Tocsin] Set your password"


def text(*, url: str, made_by: str, invited: bool) -> str:
    opening = (
        f"{made_by} has made you a Tocsin account, where alerts reach the people on call."
        if invited
        else f"{made_by} has made you a link to set your Tocsin password."
    )
    return "\n".join(
        [
            opening,
            "",
            "Set your password (the link works once, within 15 minutes):",
            url,
            "",
            f"When it has expired, ask {made_by} for a new one.",
        ]
    )


async def send_password_link(settings: Settings, *, to: str, url: str, made_by: str, invited: bool) -> bool:
    """Send the link to ``to``; whether the SMTP server took it. Does nothing (False) where no
    SMTP server is set up."""
    if not settings.smtp_host:
        return False
    server = SmtpServer.from_settings(settings)
    connection = server.connection()
    try:
        await connection.connect()
        message = plain_text_email(to, subject(invited), text(url=url, made_by=made_by, invited=invited))
        await connection.send_message(server.stamped(message))
        await connection.quit()
        return True
    except Exception as error:  # the page already showed the link; say why the mail did not go
        log.warning("could not e-mail the password link to %s: %s", to, error)
        return False
    finally:
        connection.close()
