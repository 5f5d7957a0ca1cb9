"""An alert's way through an escalation policy: rules come due one after another and notify
their recipients, unless the alert was acknowledged (for "if not acked" rules) or closed.

Each alert follows a snapshot of its policy, taken when it starts, so editing a policy never
changes alerts already under way. Every rule of every round is a step row with the moment it is
due; the engine fires due steps by claiming them in one atomic UPDATE, so two engines never fire
the same step. Starting and firing are done for many alerts at once by an ``EscalationRound``
(``tocsin.escalations.firing``); stopping is rare and done alert by alert here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert
from tocsin.alerts.service import add_log
from tocsin.escalations.firing import EscalationRound
from tocsin.escalations.models import AlertEscalation, EscalationPolicy


def move_to(escalation_round: EscalationRound, *, alert: Alert, policy: EscalationPolicy, by: str) -> None:
    """The API's "escalate": leave whatever policy the alert follows and start ``policy``."""
    stop_all(escalation_round.session, alert.id, f"escalated to {policy.name}", escalation_round.now)
    escalation_round.start(alert, policy, f"escalated by {by}" if by else "escalated")


def stop_all(session: Session, alert_id: str, reason: str, now: datetime) -> int:
    result = session.execute(
        update(AlertEscalation)
        .where(AlertEscalation.alert_id == alert_id, AlertEscalation.state == "active")
        .values(state="stopped", stopped_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def acknowledged(session: Session, alert_id: str, now: datetime) -> None:
    """Escalations whose rules all wait for an acknowledgement have nothing left to do."""
    for escalation in _active(session, alert_id):
        if all(rule["condition"] == "if-not-acked" for rule in escalation.snapshot["rules"]):
            escalation.state, escalation.stopped_reason = "stopped", "acknowledged"
            add_log(
                session, alert_id, f"Escalation {escalation.policy_name} stopped: acknowledged", SYSTEM, now
            )


def fire_due(session: Session, now: datetime, *, methods: frozenset[str]) -> int:
    """Fire every step that has come due; returns how many fired."""
    escalation_round = EscalationRound(session, now, methods=methods)
    fired = escalation_round.fire_due()
    escalation_round.write()
    return fired


def _active(session: Session, alert_id: str) -> list[AlertEscalation]:
    return list(
        session.scalars(
            select(AlertEscalation).where(
                AlertEscalation.alert_id == alert_id, AlertEscalation.state == "active"
            )
        )
    )
