"""Everything that can be done to an existing alert. Each action logs who did it and how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import SYSTEM, Actor
from tocsin.alerts import activity
from tocsin.alerts import responders as responder_refs
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import DETAILS_MAX_CHARS, TAGS_MAX, Ref, ResponderRef, details_size
from tocsin.alerts.service import (
    AlertRef,
    add_log,
    add_note,
    find_alert,
    set_recipient_state,
    store_responder,
)
from tocsin.errors import AlertActionRefused, InvalidInput
from tocsin.escalations import service as escalation_policies
from tocsin.integrations.custom_actions import run_custom_action
from tocsin.notify import outbox


@dataclass(frozen=True)
class ActionOutcome:
    alert_id: str
    alias: str
    status: str


def _elapsed_ms(alert: Alert, now: datetime) -> int:
    return max(0, int((now - alert.created_at).total_seconds() * 1000))


def _open(session: Session, ref: AlertRef, actor: Actor, action: str) -> Alert:
    alert = find_alert(session, ref, actor, for_update=True)
    if alert.status == "closed":
        raise AlertActionRefused(f"Alert is closed; it cannot be {action}")
    return alert


def _done(
    session: Session,
    alert: Alert,
    actor: Actor,
    now: datetime,
    *,
    status: str,
    log: str | None,
    note: str | None = None,
    event: str | None = None,
    **event_details: object,
) -> ActionOutcome:
    """Log what changed and, for integrations that forward it, record the action as ``event``
    (an Opsgenie action name); a note given with any action is also an "AddNote"."""
    if log is not None:
        alert.updated_at = now
        add_log(session, alert.id, f"{log} by {actor.describe()}", actor, now)
        if event is not None:
            activity.record(session, alert.id, event, actor, **event_details)
    if note:
        add_note(session, alert.id, note, actor, now)
        alert.updated_at = now
        activity.record(session, alert.id, "AddNote", actor, note=note)
    return ActionOutcome(alert.id, alert.alias, status)


def _recipient_acted(session: Session, alert: Alert, actor: Actor, method: str, now: datetime) -> None:
    if actor.user_id:
        set_recipient_state(session, alert.id, actor.user_id, "action", now, method=method)


def _queue(session: Session, topic: str, alert: Alert, actor: Actor, **details: object) -> None:
    """Leave work for the engine in the outbox, in this transaction: the router turns alert
    events into escalations and notifications."""
    payload = {"alertId": alert.id, **details, "by": actor.describe(), "byUserId": actor.user_id}
    outbox.enqueue(session, topic, payload, destination="router", alert_id=alert.id)


def acknowledge(session: Session, *, ref: AlertRef, actor: Actor, note: str | None = None) -> ActionOutcome:
    now = clock.now()
    alert = _open(session, ref, actor, "acknowledged")
    if alert.acknowledged:
        return _done(session, alert, actor, now, status="Alert is already acknowledged", log=None, note=note)
    alert.acknowledged = True
    alert.is_seen = True
    if alert.ack_time is None:
        alert.ack_time = _elapsed_ms(alert, now)
    alert.acknowledged_by = actor.display_name
    if actor.username and not alert.owner:
        alert.owner = actor.username
    _recipient_acted(session, alert, actor, "Acknowledge", now)
    _queue(session, "alert.acknowledged", alert, actor)
    return _done(
        session,
        alert,
        actor,
        now,
        status="Acknowledged",
        log="Alert acknowledged",
        note=note,
        event="Acknowledge",
    )


def unacknowledge(session: Session, *, ref: AlertRef, actor: Actor, note: str | None = None) -> ActionOutcome:
    now = clock.now()
    alert = _open(session, ref, actor, "unacknowledged")
    if not alert.acknowledged:
        return _done(session, alert, actor, now, status="Alert is not acknowledged", log=None, note=note)
    alert.acknowledged = False
    return _done(
        session,
        alert,
        actor,
        now,
        status="Unacknowledged",
        log="Alert unacknowledged",
        note=note,
        event="UnAcknowledge",
    )


def close(session: Session, *, ref: AlertRef, actor: Actor, note: str | None = None) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    if alert.status == "closed":
        return _done(session, alert, actor, now, status="Alert is already closed", log=None, note=note)
    alert.status = "closed"
    alert.snoozed = False
    alert.close_time = _elapsed_ms(alert, now)
    alert.closed_by = actor.display_name
    _recipient_acted(session, alert, actor, "Close", now)
    _queue(session, "alert.closed", alert, actor)
    return _done(session, alert, actor, now, status="Closed", log="Alert closed", note=note, event="Close")


def snooze(
    session: Session, *, ref: AlertRef, actor: Actor, end_time: datetime, note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    if end_time <= now:
        raise InvalidInput("endTime", "endTime must be in the future")
    alert = _open(session, ref, actor, "snoozed")
    alert.snoozed = True
    alert.snoozed_until = end_time
    _recipient_acted(session, alert, actor, "Snooze", now)
    until = end_time.strftime("%Y-%m-%d %H:%M:%S UTC")
    return _done(
        session,
        alert,
        actor,
        now,
        status="Snoozed",
        log=f"Alert snoozed until {until}",
        note=note,
        event="Snooze",
    )


def escalate(
    session: Session, *, ref: AlertRef, actor: Actor, escalation: Ref, note: str | None = None
) -> ActionOutcome:
    """Move the alert to the escalation policy ``escalation`` (the engine starts it at once)."""
    now = clock.now()
    policy = escalation_policies.policy_by_ref(session, escalation, field="escalation")
    alert = _open(session, ref, actor, "escalated")
    _queue(session, "alert.escalation_requested", alert, actor, policyId=policy.id)
    log = f"Alert escalated to {policy.name}"
    return _done(session, alert, actor, now, status="Escalated", log=log, note=note, event="Escalate")


def assign(
    session: Session, *, ref: AlertRef, actor: Actor, owner: Ref, note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    user = responder_refs.resolve_one(session, owner, field="owner", type="user")
    alert = _open(session, ref, actor, "assigned")
    alert.owner = user.label
    taken = actor.user_id is not None and user.id == actor.user_id
    return _done(
        session,
        alert,
        actor,
        now,
        status="Assigned",
        log=f"Alert owner changed to {user.label}",
        note=note,
        event="TakeOwnership" if taken else "AssignOwnership",
        owner=user.label,
    )


def add_responder(
    session: Session,
    *,
    ref: AlertRef,
    actor: Actor,
    responder: ResponderRef,
    field: str,
    note: str | None = None,
) -> ActionOutcome:
    now = clock.now()
    resolved = responder_refs.resolve_one(session, responder, field=field)
    alert = _open(session, ref, actor, "given responders")
    if not store_responder(session, alert.id, resolved):
        return _done(
            session, alert, actor, now, status=f"{resolved.label} already responds", log=None, note=note
        )
    _queue(
        session, "alert.responder_added", alert, actor, responder={"type": resolved.type, "id": resolved.id}
    )
    log = f"{resolved.type.capitalize()} {resolved.label} added as responder"
    return _done(
        session, alert, actor, now, status="Responder added", log=log, note=note, event="AddResponder"
    )


def add_tags(
    session: Session, *, ref: AlertRef, actor: Actor, tags: list[str], note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    combined = list(dict.fromkeys([*alert.tags, *tags]))
    if len(combined) > TAGS_MAX:
        raise AlertActionRefused(f"An alert can have at most {TAGS_MAX} tags; it would have {len(combined)}")
    alert.tags = combined
    return _done(
        session,
        alert,
        actor,
        now,
        status="Tags added",
        log=f"Tags added: {', '.join(tags)}",
        note=note,
        event="AddTags",
    )


def remove_tags(
    session: Session, *, ref: AlertRef, actor: Actor, tags: list[str], note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    alert.tags = [tag for tag in alert.tags if tag not in tags]
    log = f"Tags removed: {', '.join(tags)}"
    return _done(session, alert, actor, now, status="Tags removed", log=log, note=note, event="RemoveTags")


def add_details(
    session: Session, *, ref: AlertRef, actor: Actor, details: dict[str, str], note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    merged = {**alert.details, **details}
    if details_size(merged) > DETAILS_MAX_CHARS:
        raise AlertActionRefused(f"Details of an alert may hold at most {DETAILS_MAX_CHARS} characters")
    alert.details = merged
    log = f"Details added: {', '.join(details)}"
    return _done(session, alert, actor, now, status="Details added", log=log, note=note, event="AddDetails")


def remove_details(
    session: Session, *, ref: AlertRef, actor: Actor, keys: list[str], note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    alert.details = {key: value for key, value in alert.details.items() if key not in keys}
    log = f"Details removed: {', '.join(keys)}"
    return _done(
        session, alert, actor, now, status="Details removed", log=log, note=note, event="RemoveDetails"
    )


def update_priority(
    session: Session, *, ref: AlertRef, actor: Actor, priority: str, note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    previous, alert.priority = alert.priority, priority
    log = f"Priority changed from {previous} to {priority}"
    return _done(
        session,
        alert,
        actor,
        now,
        status="Priority updated",
        log=log,
        note=note,
        event="UpdatePriority",
        oldPriority=previous,
        priority=priority,
    )


def update_message(
    session: Session, *, ref: AlertRef, actor: Actor, message: str, note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    alert.message = message
    return _done(
        session,
        alert,
        actor,
        now,
        status="Message updated",
        log=f'Message changed to "{message}"',
        note=note,
        event="UpdateMessage",
    )


def update_description(
    session: Session, *, ref: AlertRef, actor: Actor, description: str, note: str | None = None
) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    alert.description = description
    return _done(
        session,
        alert,
        actor,
        now,
        status="Description updated",
        log="Description changed",
        note=note,
        event="UpdateDescription",
    )


def execute_custom_action(
    session: Session, *, ref: AlertRef, actor: Actor, action: str, note: str | None = None
) -> ActionOutcome:
    """Sends the alert to the integrations that define the action (through the delivery engine);
    the result is logged on the alert when delivered or given up."""
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    if action not in alert.actions:
        available = ", ".join(alert.actions) or "none"
        raise AlertActionRefused(f"Action {action!r} is not defined for this alert (defined: {available})")
    run_custom_action(session, alert=alert, action=action, actor=actor)
    log = f"Custom action {action!r} executed"
    return _done(
        session,
        alert,
        actor,
        now,
        status="Custom action queued",
        log=log,
        note=note,
        event="CustomAction",
        customAction=action,
    )


def add_alert_note(session: Session, *, ref: AlertRef, actor: Actor, note: str) -> ActionOutcome:
    now = clock.now()
    alert = find_alert(session, ref, actor, for_update=True)
    return _done(session, alert, actor, now, status="Note added", log=None, note=note)


def delete_alert(session: Session, *, ref: AlertRef, actor: Actor) -> ActionOutcome:
    alert = find_alert(session, ref, actor, for_update=True)
    outcome = ActionOutcome(alert.id, alert.alias, "Deleted")
    session.delete(alert)  # its responders, log, notes and recipients go with it (ON DELETE CASCADE)
    session.flush()
    return outcome


def wake_snoozed(session: Session, *, now: datetime | None = None) -> int:
    """End every snooze whose time has come; returns how many alerts woke up."""
    now = now or clock.now()
    woken = (
        session.execute(
            update(Alert)
            .where(Alert.snoozed.is_(True), Alert.snoozed_until <= now)
            .values(snoozed=False, snoozed_until=None, updated_at=now)
            .returning(Alert.id)
        )
        .scalars()
        .all()
    )
    for alert_id in woken:
        add_log(session, alert_id, "Snooze ended; the alert is active again", SYSTEM, now)
        outbox.enqueue(session, "alert.snooze_ended", {"alertId": alert_id}, alert_id=alert_id)
    return len(woken)
