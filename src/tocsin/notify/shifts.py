"""Telling people their on-call shift is about to start or end (schedule-start and schedule-end
notification rules), once per shift change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tocsin.notify import email, outbox, rules
from tocsin.notify.models import NotificationRule, ShiftNotice
from tocsin.oncall import service as oncall

KINDS = ("schedule-start", "schedule-end")


@dataclass(frozen=True)
class OnCallStretch:
    """Uninterrupted time on call in one schedule (shifts that follow one another, merged)."""

    schedule_id: str
    start: datetime
    end: datetime


def notify_shift_changes(session: Session, now: datetime, *, methods: frozenset[str]) -> int:
    """Queue the shift notices that are due now; returns how many were queued."""
    people = session.execute(
        select(NotificationRule.user_id, NotificationRule.action_type)
        .where(NotificationRule.enabled, NotificationRule.action_type.in_(KINDS))
        .distinct()
    ).all()
    if not people or "email" not in methods:
        return 0
    queued = 0
    for user_id, kind in people:
        steps = [step for step in rules.steps_for(session, user_id, kind) if step.method == "email"]
        longest = max((step.notify_before_minutes or 0 for step in steps), default=0)
        stretches = _stretches(session, user_id, now, now + timedelta(minutes=longest + 1))
        for stretch in stretches:
            moment = stretch.start if kind == "schedule-start" else stretch.end
            due = [
                step
                for step in steps
                if moment - timedelta(minutes=step.notify_before_minutes or 0) <= now < moment
            ]
            if due and _first_notice(session, user_id, stretch.schedule_id, kind, moment):
                schedule = oncall.find_schedule(session, stretch.schedule_id)
                payload = {
                    "userId": user_id,
                    "kind": kind,
                    "scheduleName": schedule.name if schedule else stretch.schedule_id,
                    "start": stretch.start.isoformat(),
                    "end": stretch.end.isoformat(),
                }
                outbox.enqueue_many(
                    session, [outbox.row(email.TOPIC, payload, destination=step.address) for step in due]
                )
                queued += len(due)
    return queued


def _stretches(session: Session, user_id: str, start: datetime, end: datetime) -> list[OnCallStretch]:
    merged: list[OnCallStretch] = []
    shifts = oncall.user_timeline(
        session, user_id, start - timedelta(days=1), end + timedelta(days=1), clip=False
    )
    for shift in sorted(shifts, key=lambda found: (found.schedule_id, found.start)):
        last = merged[-1] if merged else None
        if last and last.schedule_id == shift.schedule_id and shift.start <= last.end:
            merged[-1] = OnCallStretch(last.schedule_id, last.start, max(last.end, shift.end))
        else:
            merged.append(OnCallStretch(shift.schedule_id, shift.start, shift.end))
    return merged


def _first_notice(session: Session, user_id: str, schedule_id: str, kind: str, at: datetime) -> bool:
    """Record that the person is told of this change; False if they already were."""
    if session.get(ShiftNotice, (user_id, schedule_id, kind, at)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ShiftNotice(user_id=user_id, schedule_id=schedule_id, kind=kind, at=at))
            session.flush()
    except IntegrityError:  # another engine told them just now
        return False
    return True
