"""The engine's side of a notification policy's ``autoCloseAction``: when the time comes, the
alert is closed if it is still open, in the name of the policy."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.actors import Actor
from tocsin.alerts import actions
from tocsin.alerts.models import Alert
from tocsin.alerts.service import AlertRef
from tocsin.notify.outbox import Claimed
from tocsin.policies.apply import AUTO_CLOSE_TOPIC


class AutoCloseRouter:
    topics: tuple[str, ...] = (AUTO_CLOSE_TOPIC,)

    def handle(self, session: Session, message: Claimed) -> None:
        alert = session.get(Alert, message.payload["alertId"])
        if alert is None or alert.status != "open":
            return
        actor = Actor(name=f"Notification policy '{message.payload.get('policyName', '')}'", channel="system")
        actions.close(session, ref=AlertRef(alert.id), actor=actor)
