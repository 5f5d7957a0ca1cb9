"""One engine round of escalation work, done set-based: escalations started and steps fired for
a whole batch of alerts are gathered here and written with a fixed handful of statements,
however many alerts the round holds.

- a new escalation gets its id in Python; its rows, its steps' rows and what firing them says
  (log lines, recipients, outbox messages, see ``notify.notifications.Notices``) are written in
  one multi-row INSERT each by ``write``. Steps due at once are fired before they are inserted,
  so they are stored already fired: no other engine can see them before the round commits;
- steps that came due later are claimed all at once by one atomic UPDATE (``claim_due``), so two
  engines never fire the same step;
- who a rule reaches is read once per team, schedule and moment for the round (``Reach``), and a
  policy's snapshot once per policy."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts.models import Alert
from tocsin.alerts.service import alerts_by_id
from tocsin.db import new_id, table_of
from tocsin.escalations import service
from tocsin.escalations.models import AlertEscalation, AlertEscalationStep, EscalationPolicy
from tocsin.escalations.recipients import Reach
from tocsin.notify.notifications import Notices, Person

escalations = table_of(AlertEscalation)
steps = table_of(AlertEscalationStep)
FIRE_AT_ONCE = 200

UPDATE_ESCALATION = (
    update(escalations)
    .where(escalations.c.id == bindparam("b_id"))
    .values(round=bindparam("b_round"), state=bindparam("b_state"), stopped_reason=bindparam("b_reason"))
)
SET_OUTCOME = update(steps).where(steps.c.id == bindparam("b_id")).values(outcome=bindparam("b_outcome"))


@dataclass
class Following:
    """An alert following a policy: an ``AlertEscalation`` row (a field per column) as the round
    changes it."""

    id: str
    alert_id: str
    policy_id: str
    policy_name: str
    snapshot: dict[str, Any]
    started_at: datetime
    round: int = 0
    state: str = "active"
    stopped_reason: str = ""


class EscalationRound:
    def __init__(self, session: Session, now: datetime, *, methods: frozenset[str]) -> None:
        self.session = session
        self.now = now
        self.notices = Notices(now=now, methods=methods)
        self.reach = Reach(session)
        self._team_defaults: dict[str, EscalationPolicy | None] = {}
        self._snapshots: dict[str, dict[str, Any]] = {}
        self._started: dict[str, Following] = {}
        self._changed: dict[str, Following] = {}
        self._steps: list[dict[str, Any]] = []
        self._outcomes: list[dict[str, Any]] = []
        self._closes: list[tuple[Alert, str]] = []
        self._closing: set[str] = set()

    def team_default(self, team_id: str) -> EscalationPolicy | None:
        if team_id not in self._team_defaults:
            self._team_defaults[team_id] = service.team_default(self.session, team_id)
        return self._team_defaults[team_id]

    def start(self, alert: Alert, policy: EscalationPolicy, why: str) -> None:
        """Start following ``policy``; its rules due at once fire now."""
        if policy.id not in self._snapshots:
            self._snapshots[policy.id] = service.snapshot(self.session, policy)
        following = Following(
            id=new_id(),
            alert_id=alert.id,
            policy_id=policy.id,
            policy_name=policy.name,
            snapshot=self._snapshots[policy.id],
            started_at=self.now,
        )
        self._started[following.id] = following
        scheduled = self._schedule_round(following, self.now)
        self.notices.log(alert.id, f"Escalation {policy.name} started ({why})")
        for step in scheduled:
            if step["due_at"] <= self.now:
                step["fired_at"] = self.now
                step["outcome"] = self._fire(following, alert, step["rule_position"], step["due_at"])

    def fire_due(self) -> int:
        """Claim every step that has come due (up to ``FIRE_AT_ONCE``) and fire them in the order
        they came due; returns how many fired."""
        due = (
            select(steps.c.id)
            .where(steps.c.fired_at.is_(None), steps.c.due_at <= self.now)
            .order_by(steps.c.due_at, steps.c.id)
            .limit(FIRE_AT_ONCE)
            .with_for_update(skip_locked=True)
            # Taken once: as a plain subquery PostgreSQL may run it again and claim past the limit.
            .cte("due")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        claimed = self.session.connection().execute(
            update(steps)
            .where(steps.c.id.in_(select(due.c.id)), steps.c.fired_at.is_(None))
            .values(fired_at=self.now)
            .returning(steps.c.id, steps.c.alert_escalation_id, steps.c.rule_position, steps.c.due_at)
        )
        claimed_steps = sorted(claimed, key=lambda step: (step.due_at, step.id))
        if not claimed_steps:
            return 0
        following = self._following({step.alert_escalation_id for step in claimed_steps})
        alerts = alerts_by_id(self.session, {one.alert_id for one in following.values()})
        for step in claimed_steps:
            one = following.get(step.alert_escalation_id)
            if one is None:
                outcome = "escalation stopped"
            else:
                outcome = self._fire(one, alerts.get(one.alert_id), step.rule_position, step.due_at)
            self._outcomes.append({"b_id": step.id, "b_outcome": outcome})
        return len(claimed_steps)

    def write(self) -> None:
        """Write what the round has gathered so far (it may go on gathering afterwards)."""
        connection = self.session.connection()
        if self._started:
            connection.execute(insert(escalations), [asdict(one) for one in self._started.values()])
        if self._changed:
            connection.execute(
                UPDATE_ESCALATION,
                [
                    {
                        "b_id": one.id,
                        "b_round": one.round,
                        "b_state": one.state,
                        "b_reason": one.stopped_reason,
                    }
                    for one in self._changed.values()
                ],
            )
        if self._steps:
            connection.execute(insert(steps), self._steps)
        if self._outcomes:
            connection.execute(SET_OUTCOME, self._outcomes)
        self._started, self._changed, self._steps, self._outcomes = {}, {}, [], []
        self.notices.write(self.session)
        closes, self._closes = self._closes, []
        for alert, policy_name in closes:
            actions.close(self.session, ref=actions.AlertRef(alert.id), actor=SYSTEM, note=None)
            self.notices.log(alert.id, f"Closed after the last round of escalation {policy_name}")
        if closes:
            self.notices.write(self.session)

    def _fire(self, following: Following, alert: Alert | None, position: int, due_at: datetime) -> str:
        if following.state != "active":
            return "escalation stopped"
        if alert is None:
            return "alert deleted"
        rules = following.snapshot["rules"]
        rule = rules[position]
        number = position + 1
        if alert.status == "closed" or alert.id in self._closing:
            self._set_state(following, "stopped", "closed")
            return "alert closed"
        name = following.policy_name
        if rule["condition"] == "if-not-acked" and alert.acknowledged:
            outcome = "skipped: acknowledged"
        else:
            reached = self.reach.reached_by(rule["recipient"], rule["notifyType"], self.now)
            label = describe(rule)
            if reached:
                self.notices.notify(
                    alert.id,
                    [Person(one.user_id, f"escalation {name}, rule {number}: {one.why}") for one in reached],
                    "create-alert",
                    until="acknowledged" if rule["condition"] == "if-not-acked" else "closed",
                )
                outcome = f"notified {len(reached)}"
                self.notices.log(alert.id, f"Escalation {name}, rule {number}: {label}")
            else:
                outcome = "no one to notify"
                self.notices.log(alert.id, f"Escalation {name}, rule {number}: {label}, but no one is there")
        if position == len(rules) - 1:
            self._next_round_or_finish(following, alert, due_at)
        return outcome

    def _next_round_or_finish(self, following: Following, alert: Alert, last_due: datetime) -> None:
        repeat = following.snapshot["repeat"]
        if following.round < repeat["count"]:
            following.round += 1
            self._changed_if_stored(following)
            self._schedule_round(following, last_due + timedelta(minutes=repeat["waitMinutes"]))
            return
        self._set_state(following, "completed", "")
        if repeat.get("closeAlertAfterAll") and alert.status == "open" and alert.id not in self._closing:
            # Closed once the round's rows are written, as ``actions.close`` writes at once.
            self._closes.append((alert, following.policy_name))
            self._closing.add(alert.id)

    def _schedule_round(self, following: Following, round_start: datetime) -> list[dict[str, Any]]:
        """One step row per rule of the round, each with the moment it is due."""
        rows = [
            {
                "alert_escalation_id": following.id,
                "round": following.round,
                "rule_position": position,
                "due_at": round_start + timedelta(minutes=rule["delayMinutes"]),
                "fired_at": None,
                "outcome": "",
            }
            for position, rule in enumerate(following.snapshot["rules"])
        ]
        self._steps += rows
        return rows

    def _set_state(self, following: Following, state: str, reason: str) -> None:
        following.state, following.stopped_reason = state, reason
        self._changed_if_stored(following)

    def _changed_if_stored(self, following: Following) -> None:
        if following.id not in self._started:
            self._changed[following.id] = following

    def _following(self, escalation_ids: set[str]) -> dict[str, Following]:
        rows = self.session.connection().execute(
            select(
                escalations.c.id,
                escalations.c.alert_id,
                escalations.c.policy_id,
                escalations.c.policy_name,
                escalations.c.snapshot,
                escalations.c.started_at,
                escalations.c.round,
                escalations.c.state,
                escalations.c.stopped_reason,
            ).where(escalations.c.id.in_(sorted(escalation_ids)))
        )
        return {row.id: Following(*row) for row in rows}


def describe(rule: dict[str, Any]) -> str:
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
