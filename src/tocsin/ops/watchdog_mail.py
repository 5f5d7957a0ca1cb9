"""The watchdog's e-mails to owners. They go straight to the SMTP server, not through the outbox:
the engine that delivers the outbox may be what is down."""

from __future__ import annotations

import logging
from datetime import datetime

from tocsin.config import Settings
from tocsin.notify.email import SmtpServer
from tocsin.notify.messages import plain_text_email
from tocsin.ops.liveness import Problem

log = logging.getLogger(__name__)

SUBJECTS = {
    "engine_silent": ("No engine is running: nobody is being notified", "An engine is running again"),
    "outbox_stuck": ("Messages are stuck in the outbox", "The outbox is moving again"),
}


class OwnerMail:
    def __init__(self, server: SmtpServer, base_url: str, node: str) -> None:
        self.server = server
        self.base_url = base_url
        self.node = node

    @classmethod
    def from_settings(cls, settings: Settings, node: str) -> OwnerMail | None:
        """None where no SMTP server is set up (TOCSIN_SMTP_HOST)."""
        if not settings.smtp_host:
            return None
        return cls(SmtpServer.from_settings(settings), settings.base_url, node)

    async def began(self, problem: Problem, at: datetime, owners: list[str]) -> int:
        subject = f"[Tocsin] {SUBJECTS.get(problem.key, (problem.key, ''))[0]}"
        text = "\n".join(
            [
                problem.text,
                "",
                f"Noticed at {_utc(at)} by the watchdog on {self.node}.",
                f"Tocsin: {self.base_url}/health/ready lists what is wrong while it lasts.",
                "You will get one more e-mail when it is over.",
            ]
        )
        return await self._send(owners, subject, text)

    async def ended(self, key: str, began: datetime, at: datetime, owners: list[str]) -> int:
        subject = f"[Tocsin] Resolved: {SUBJECTS.get(key, ('', key))[1]}"
        minutes = max(1, round((at - began).total_seconds() / 60))
        text = "\n".join(
            [
                f"Resolved at {_utc(at)}, after about {minutes} min (since {_utc(began)}).",
                "",
                "Alerts raised meanwhile are routed and notified now; look at the open alerts.",
                f"Tocsin: {self.base_url}/alerts",
            ]
        )
        return await self._send(owners, subject, text)

    async def _send(self, owners: list[str], subject: str, text: str) -> int:
        """One e-mail per owner over one connection; how many were accepted."""
        if not owners:
            return 0
        sent = 0
        connection = self.server.connection()
        try:
            await connection.connect()
            for owner in owners:
                try:
                    await connection.send_message(self.server.stamped(plain_text_email(owner, subject, text)))
                    sent += 1
                except Exception as refused:  # one refused address must not keep the others uninformed
                    if not connection.is_connected:
                        raise
                    log.warning("watchdog: the SMTP server refused the e-mail to %s: %s", owner, refused)
            await connection.quit()
        except Exception as error:
            log.warning("watchdog: could not send e-mail to the owners: %s", error)
        finally:
            connection.close()
        return sent


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
