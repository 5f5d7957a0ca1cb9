""" "Escalate to next" (a key press in a paging call): the alert's next escalation rule that has
not fired yet fires now instead of at its time (the engine's escalation job picks it up within
a tick). Opsgenie's API escalates to a named policy instead (``alerts.actions.escalate``)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import Actor
from tocsin.alerts.actions import ActionOutcome
from tocsin.alerts.service import AlertRef, add_log, find_alert
from tocsin.errors import AlertActionRefused
from tocsin.escalations.models import AlertEscalation, AlertEscalationStep
from tocsin.notify import wake_signal


def escalate_to_next(session: Session, *, ref: AlertRef, actor: Actor) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    if alert.status == "closed":
        raise AlertActionRefused("Alert is closed; it cannot be escalated")
    step = session.scalar(_next_step(alert.id))
    if step is None:
        raise AlertActionRefused("Alert has no escalation rule left to escalate to")
    step.due_at = min(step.due_at, now)
    escalation = session.get(AlertEscalation, step.alert_escalation_id)
    name = escalation.policy_name if escalation is not None else ""
    add_log(
        session,
        alert.id,
        f"Escalated to the next rule of {name} (rule {step.rule_position + 1}) by {actor.describe()}",
        actor,
        now,
    )
    wake_signal.due_now(session)
    session.flush()
    return ActionOutcome(alert.id, alert.alias, "Escalated")


def has_next_rule(session: Session, alert_id: str) -> bool:
    """Whether escalating the alert to next would fire a rule (its escalation has one left)."""
    return session.scalar(_next_step(alert_id)) is not None


def _next_step(alert_id: str) -> Select[AlertEscalationStep]:
    return (
        select(AlertEscalationStep)
        .join(AlertEscalation, AlertEscalation.id == AlertEscalationStep.alert_escalation_id)
        .where(
            AlertEscalation.alert_id == alert_id,
            AlertEscalation.state == "active",
            AlertEscalationStep.fired_at.is_(None),
        )
        .order_by(AlertEscalationStep.due_at, AlertEscalationStep.id)
        .limit(1)
    )
