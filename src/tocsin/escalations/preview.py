"""Whom an escalation would page for an alert that came at a given moment, had nobody acted:
each rule of each round (the repeats included) at the moment the engine would fire it, and the
people it would reach then, found by the engine's own ``Reach`` (a schedule's on-call at that
moment, a team's members or admins, a user). Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.escalations import service
from tocsin.escalations.models import EscalationPolicy
from tocsin.escalations.recipients import Reach, Reached


@dataclass(frozen=True)
class Paged:
    user_id: str
    name: str
    """The person's full name, or their username."""
    why: str


@dataclass(frozen=True)
class PreviewStep:
    round: int
    """0 for the first pass through the rules, 1 for the first repeat, …"""
    rule_number: int
    """From 1, as people count the rules."""
    at: datetime
    rule: dict[str, Any]
    """The rule as the policy's snapshot holds it (condition, notifyType, delayMinutes, recipient)."""
    people: list[Paged]


@dataclass(frozen=True)
class Preview:
    steps: list[PreviewStep]
    closes_at: datetime | None
    """When the alert would be closed after the last round (closeAlertAfterAll), else None."""


def preview(session: Session, policy: EscalationPolicy, alert_at: datetime) -> Preview:
    return preview_snapshot(session, service.snapshot(session, policy), alert_at)


def preview_snapshot(session: Session, snapshot: dict[str, Any], alert_at: datetime) -> Preview:
    """The steps in the order they would fire, as the engine times them: a round's rule is due
    at the round's start plus its delay, and the next round starts the wait interval after the
    round's last rule was due."""
    reach = Reach(session)
    rules, repeat = snapshot["rules"], snapshot["repeat"]
    steps: list[PreviewStep] = []
    round_start = alert_at
    last_due = alert_at
    for number in range(repeat["count"] + 1):
        for position, rule in enumerate(rules):
            due = round_start + timedelta(minutes=rule["delayMinutes"])
            reached = reach.reached_by(rule["recipient"], rule["notifyType"], due)
            steps.append(PreviewStep(number, position + 1, due, rule, _named(session, reached)))
        if rules:
            last_due = round_start + timedelta(minutes=rules[-1]["delayMinutes"])
        round_start = last_due + timedelta(minutes=repeat["waitMinutes"])
    steps.sort(key=lambda step: (step.at, step.round, step.rule_number))
    closes_at = last_due if repeat.get("closeAlertAfterAll") and rules else None
    return Preview(steps, closes_at)


def _named(session: Session, reached: list[Reached]) -> list[Paged]:
    names = accounts.display_names(session, {one.user_id for one in reached})
    return [Paged(one.user_id, names.get(one.user_id, one.user_id), one.why) for one in reached]
