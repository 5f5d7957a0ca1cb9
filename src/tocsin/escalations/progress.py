"""An alert's way through an escalation policy: rules come due one after another and notify
their recipients, unless the alert was acknowledged (for "if not acked" rules) or closed.

Each alert follows a snapshot of its policy, taken when it starts, so editing a policy never
changes alerts already under way. Every rule of every round is a step row with the moment it is
due; the engine fires due steps by claiming them in one atomic UPDATE, so two engines never fire
the same step."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts.models import Alert
from tocsin.alerts.service import add_log
from tocsin.db import table_of
from tocsin.escalations import service
from tocsin.escalations.models import AlertEscalation, AlertEscalationStep, EscalationPolicy
from tocsin.escalations.recipients import reached_by
from tocsin.notify.notifications import Person, notify_people

steps = table_of(AlertEscalationStep)
FIRE_AT_ONCE = 200


def start(
    session: Session,
    *,
    alert_id: str,
    policy: EscalationPolicy,
    now: datetime,
    why: str,
    can_email: bool | None = None,
) -> AlertEscalation:
    """Start following ``policy``. With ``can_email`` given (the engine knows it), rules due at
    once fire now rather than at the engine's next look."""
    escalation = AlertEscalation(
        alert_id=alert_id,
        policy_id=policy.id,
        policy_name=policy.name,
        snapshot=service.snapshot(session, policy),
        started_at=now,
        round=0,
        state="active",
        stopped_reason="",
    )
    session.add(escalation)
    session.flush()
    scheduled = _schedule_round(session, escalation, now)
    add_log(session, alert_id, f"Escalation {policy.name} started ({why})", SYSTEM, now)
    if can_email is not None:
        _fire_steps(session, [step_id for step_id, due in scheduled if due <= now], now, can_email=can_email)
    return escalation


def move_to(
    session: Session, *, alert: Alert, policy: EscalationPolicy, by: str, now: datetime, can_email: bool
) -> None:
    """The API's "escalate": leave whatever policy the alert follows and start ``policy``."""
    stop_all(session, alert.id, f"escalated to {policy.name}", now)
    why = f"escalated by {by}" if by else "escalated"
    start(session, alert_id=alert.id, policy=policy, now=now, why=why, can_email=can_email)


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


def fire_due(session: Session, now: datetime, *, can_email: bool) -> int:
    """Fire every step that has come due; returns how many fired."""
    due = session.execute(
        select(AlertEscalationStep.id)
        .where(AlertEscalationStep.fired_at.is_(None), AlertEscalationStep.due_at <= now)
        .order_by(AlertEscalationStep.due_at, AlertEscalationStep.id)
        .limit(FIRE_AT_ONCE)
    ).scalars()
    return _fire_steps(session, list(due), now, can_email=can_email)


def _fire_steps(session: Session, step_ids: list[int], now: datetime, *, can_email: bool) -> int:
    fired = 0
    for step_id in step_ids:
        claimed = (
            session.connection()
            .execute(
                update(steps)
                .where(steps.c.id == step_id, steps.c.fired_at.is_(None))
                .values(fired_at=now)
                .returning(steps.c.alert_escalation_id, steps.c.round, steps.c.rule_position, steps.c.due_at)
            )
            .first()
        )
        if claimed is None:  # another engine fired it
            continue
        outcome = _fire(session, claimed, now, can_email=can_email)
        session.execute(
            update(AlertEscalationStep).where(AlertEscalationStep.id == step_id).values(outcome=outcome)
        )
        fired += 1
    return fired


def _fire(session: Session, step: Any, now: datetime, *, can_email: bool) -> str:
    escalation = session.get(AlertEscalation, step.alert_escalation_id)
    if escalation is None or escalation.state != "active":
        return "escalation stopped"
    alert = session.get(Alert, escalation.alert_id)
    if alert is None:
        return "alert deleted"
    rules = escalation.snapshot["rules"]
    rule = rules[step.rule_position]
    number = step.rule_position + 1
    if alert.status == "closed":
        escalation.state, escalation.stopped_reason = "stopped", "closed"
        return "alert closed"
    if rule["condition"] == "if-not-acked" and alert.acknowledged:
        outcome = "skipped: acknowledged"
    else:
        reached = reached_by(session, rule["recipient"], rule["notifyType"], now)
        label = _describe(rule)
        if reached:
            notify_people(
                session,
                alert_id=alert.id,
                people=[
                    Person(
                        person.user_id, f"escalation {escalation.policy_name}, rule {number}: {person.why}"
                    )
                    for person in reached
                ],
                kind="create-alert",
                now=now,
                can_email=can_email,
                until="acknowledged" if rule["condition"] == "if-not-acked" else "closed",
            )
            outcome = f"notified {len(reached)}"
            add_log(
                session, alert.id, f"Escalation {escalation.policy_name}, rule {number}: {label}", SYSTEM, now
            )
        else:
            outcome = "no one to notify"
            add_log(
                session,
                alert.id,
                f"Escalation {escalation.policy_name}, rule {number}: {label}, but no one is there",
                SYSTEM,
                now,
            )
    if step.rule_position == len(rules) - 1:
        _next_round_or_finish(session, escalation, alert, step.due_at, now)
    return outcome


def _describe(rule: dict[str, Any]) -> str:
    recipient, notify_type = rule["recipient"], rule["notifyType"]
    name = recipient.get("name", recipient["id"])
    if recipient["type"] == "user":
        return f"notifying {name}"
    if recipient["type"] == "schedule":
        whom = {"next": "the next on-call", "previous": "the previous on-call"}.get(
            notify_type, "the on-call"
        )
        return f"notifying {whom} of {name}"
    whom = {"users": "all members", "admins": "the admins"}.get(notify_type, "the on-call")
    return f"notifying {whom} of team {name}"


def _schedule_round(
    session: Session, escalation: AlertEscalation, round_start: datetime
) -> list[tuple[int, datetime]]:
    """One step row per rule of the round; returns their ids and when each is due."""
    due = [round_start + timedelta(minutes=rule["delayMinutes"]) for rule in escalation.snapshot["rules"]]
    rows = [
        {
            "alert_escalation_id": escalation.id,
            "round": escalation.round,
            "rule_position": position,
            "due_at": due_at,
            "fired_at": None,
            "outcome": "",
        }
        for position, due_at in enumerate(due)
    ]
    ids = session.connection().execute(
        insert(steps).returning(steps.c.id, sort_by_parameter_order=True), rows
    )
    return list(zip(ids.scalars(), due, strict=True))


def _next_round_or_finish(
    session: Session, escalation: AlertEscalation, alert: Alert, last_due: datetime, now: datetime
) -> None:
    repeat = escalation.snapshot["repeat"]
    if escalation.round < repeat["count"]:
        escalation.round += 1
        _schedule_round(session, escalation, last_due + timedelta(minutes=repeat["waitMinutes"]))
        return
    escalation.state, escalation.stopped_reason = "completed", ""
    if repeat.get("closeAlertAfterAll") and alert.status == "open":
        actions.close(session, ref=actions.AlertRef(alert.id), actor=SYSTEM, note=None)
        add_log(
            session,
            alert.id,
            f"Closed after the last round of escalation {escalation.policy_name}",
            SYSTEM,
            now,
        )


def _active(session: Session, alert_id: str) -> list[AlertEscalation]:
    return list(
        session.scalars(
            select(AlertEscalation).where(
                AlertEscalation.alert_id == alert_id, AlertEscalation.state == "active"
            )
        )
    )
