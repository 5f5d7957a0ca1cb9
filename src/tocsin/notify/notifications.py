"""Telling people about an alert: their notification rules decide how and when; mute and a
missing channel are said in the alert log instead of failing silently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts.models import AlertRecipient
from tocsin.alerts.service import add_log, ensure_recipient, set_recipient_state
from tocsin.notify import email, mute, outbox, rules


@dataclass(frozen=True)
class Person:
    user_id: str
    why: str
    """Why this person is told: "on call for ops_schedule", "a responder"."""


def notify_people(
    session: Session,
    *,
    alert_id: str,
    people: list[Person],
    kind: str,
    now: datetime,
    can_email: bool,
    by: str = "",
    until: str = "acknowledged",
) -> list[str]:
    """Queue each person's notifications of ``kind`` for the alert; returns who was queued.
    New-alert messages still waiting to go are dropped once the alert is ``until``
    ("acknowledged", or "closed" for an escalation rule that goes on after acknowledgement)."""
    queued = []
    for person in _unique(people):
        user = session.get(User, person.user_id)
        if user is None:
            continue
        ensure_recipient(session, alert_id, user.id, now)
        muted_until = mute.muted_until(user, now)
        if muted_until is not None:
            until = muted_until.strftime("%Y-%m-%d %H:%M UTC")
            add_log(
                session,
                alert_id,
                f"{user.username} not notified ({person.why}): muted until {until}",
                SYSTEM,
                now,
            )
            set_recipient_state(session, alert_id, user.id, "muted", now)
            continue
        steps = rules.steps_for(session, user.id, kind)
        if not steps:
            if kind != "create-alert":  # hearing of acknowledgements and closes is a person's choice
                continue
            add_log(
                session,
                alert_id,
                f"{user.username} not notified: no notification rule for new alerts",
                SYSTEM,
                now,
            )
            continue
        if not can_email and all(step.method == "email" for step in steps):
            add_log(
                session,
                alert_id,
                f"{user.username} not notified: e-mail is not set up on this server (TOCSIN_SMTP_HOST)",
                SYSTEM,
                now,
            )
            continue
        rows = [
            outbox.row(
                email.TOPIC,
                {
                    "alertId": alert_id,
                    "userId": user.id,
                    "kind": kind,
                    "reason": person.why,
                    "by": by,
                    "until": until,
                },
                destination=step.address,
                alert_id=alert_id,
                deliver_at=now + timedelta(minutes=step.send_after_minutes),
            )
            for step in steps
            if step.method == "email" and can_email
        ]
        outbox.enqueue_many(session, rows)
        queued.append(user.id)
    return queued


def notified_people(session: Session, alert_id: str) -> list[str]:
    """Who has been notified of the alert so far (told of its acknowledgement and close, too)."""
    return list(
        session.scalars(
            select(AlertRecipient.user_id).where(
                AlertRecipient.alert_id == alert_id, AlertRecipient.state.in_(("notified", "action"))
            )
        )
    )


def _unique(people: list[Person]) -> list[Person]:
    seen: dict[str, Person] = {}
    for person in people:
        seen.setdefault(person.user_id, person)
    return list(seen.values())
