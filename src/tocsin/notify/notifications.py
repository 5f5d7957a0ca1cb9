"""Telling people about an alert: their notification rules decide how and when; mute, a
deactivated person and a missing channel are said in the alert log instead of failing silently.

The engine routes a whole batch of alert events at once, so what a round says and sends is
gathered in a ``Notices`` and written together: the people's users, notification rules and
recipient rows are read for everyone of the round in one query each (rules' criteria are matched
in memory against each alert's facts, worked out once and only when some rule needs them), and
the log lines, recipient rows and outbox messages are written in one multi-row INSERT each. Log
lines keep the order in which they were said, so each alert's log reads as if its events had
been routed alone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert, AlertRecipient
from tocsin.alerts.service import INSERT_LOG, add_recipients, known_recipients, log_row, set_recipients_state
from tocsin.conditions.facts import AlertFacts, facts_of_alert
from tocsin.notify import forwarding_rules, methods, mute, outbox, rules


@dataclass(frozen=True)
class Person:
    user_id: str
    why: str
    """Why this person is told: "on call for ops_schedule", "a responder"."""
    instead_of: str = ""
    """Whom a forwarding rule told them in place of (a username)."""


@dataclass(frozen=True)
class _Notify:
    people: tuple[Person, ...]
    kind: str
    by: str
    until: str


class Notices:
    """The log lines and notifications of one routing round, in the order they happen."""

    def __init__(self, *, now: datetime, methods: frozenset[str]) -> None:
        self.now = now
        self.methods = methods
        self._said: list[tuple[str, str | _Notify]] = []

    def log(self, alert_id: str, text: str) -> None:
        self._said.append((alert_id, text))

    def notify(
        self, alert_id: str, people: list[Person], kind: str, *, by: str = "", until: str = "acknowledged"
    ) -> None:
        """Queue each person's notifications of ``kind`` for the alert. New-alert messages still
        waiting to go are dropped once the alert is ``until`` ("acknowledged", or "closed" for
        an escalation rule that goes on after acknowledgement)."""
        if people:
            self._said.append((alert_id, _Notify(tuple(_unique(people)), kind, by, until)))

    def write(self, session: Session) -> None:
        said, self._said = self._said, []
        asked = [(alert_id, entry) for alert_id, entry in said if isinstance(entry, _Notify)]
        told = {person.user_id for _, entry in asked for person in entry.people}
        forwards = forwarding_rules.forwarded_to(session, told, self.now)
        users = _users(session, told | {user_id for chain in forwards.values() for user_id in chain})
        if forwards:
            said = [(alert_id, _forward(entry, forwards, users)) for alert_id, entry in said]
            asked = [(alert_id, entry) for alert_id, entry in said if isinstance(entry, _Notify)]
        steps = {
            kind: rules.candidate_steps_many(
                session,
                {p.user_id for _, e in asked if e.kind == kind for p in e.people if p.user_id in users},
                kind,
            )
            for kind in dict.fromkeys(entry.kind for _, entry in asked)
        }
        known = known_recipients(
            session, {(alert_id, p.user_id) for alert_id, e in asked for p in e.people if p.user_id in users}
        )
        facts = _Facts(session)
        writes = _Writes()
        for alert_id, entry in said:
            if isinstance(entry, str):
                writes.log(alert_id, entry, self.now)
                continue
            for person in entry.people:
                user = users.get(person.user_id)
                if user is not None:
                    rules_steps = steps[entry.kind][user.id]
                    chosen = rules.applying(
                        rules_steps, facts.of(alert_id) if rules.needs_facts(rules_steps) else None
                    )
                    self._tell(writes, alert_id, user, person, entry, chosen, known, bool(rules_steps))
        writes.write(session, self.now)

    def _tell(
        self,
        writes: _Writes,
        alert_id: str,
        user: User,
        person: Person,
        entry: _Notify,
        steps: list[rules.PlannedStep],
        known: set[tuple[str, str]],
        has_rules: bool,
    ) -> None:
        now = self.now
        pair = (alert_id, user.id)
        if person.instead_of:
            writes.log(
                alert_id, f"{user.username} notified instead of {person.instead_of} (forwarding rule)", now
            )
        if not user.is_active:
            writes.log(alert_id, f"{user.username} not notified ({person.why}): deactivated", now)
            return
        if pair not in known:
            writes.new_recipients.setdefault(pair, "pending")
        muted_until = mute.muted_until(user, now)
        if muted_until is not None:
            end = muted_until.strftime("%Y-%m-%d %H:%M UTC")
            writes.log(alert_id, f"{user.username} not notified ({person.why}): muted until {end}", now)
            if pair in writes.new_recipients:
                writes.new_recipients[pair] = "muted"
            else:
                writes.muted.add(pair)
            return
        if not steps:
            if entry.kind == "create-alert":  # hearing of acknowledgements and closes is a choice
                which = "matches this alert" if has_rules else "for new alerts"
                writes.log(alert_id, f"{user.username} not notified: no notification rule {which}", now)
            return
        sent = self._sendable(writes, alert_id, user, steps)
        if not sent:
            return
        payload = {
            "alertId": alert_id,
            "userId": user.id,
            "kind": entry.kind,
            "reason": person.why,
            "by": entry.by,
            "until": entry.until,
        }
        writes.outbox += [
            outbox.row(
                methods.topic_of(step.method),
                payload,
                destination=step.address,
                alert_id=alert_id,
                deliver_at=now + timedelta(minutes=step.send_after_minutes),
            )
            for step in sent
        ]

    def _sendable(
        self, writes: _Writes, alert_id: str, user: User, steps: list[rules.PlannedStep]
    ) -> list[rules.PlannedStep]:
        """The steps this server can send; what it cannot, and why, goes to the alert log (once
        per method or contact, however many steps use it)."""
        sendable, said = [], set()
        for step in steps:
            if step.method not in self.methods:
                why = f"{user.username} not notified {methods.BY[step.method]}: " + methods.not_set_up(
                    step.method
                )
            elif not step.verified:
                why = (
                    f"{user.username} not notified {methods.BY[step.method]} at {step.address}: "
                    "the number is not verified yet"
                )
            else:
                sendable.append(step)
                continue
            if why not in said:
                said.add(why)
                writes.log(alert_id, why, self.now)
        return sendable


class _Facts:
    """Each alert's facts, worked out once per round and only for people whose rules ask."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[str, AlertFacts | None] = {}

    def of(self, alert_id: str) -> AlertFacts | None:
        if alert_id not in self.known:
            alert = self.session.get(Alert, alert_id)
            self.known[alert_id] = None if alert is None else facts_of_alert(self.session, alert)
        return self.known[alert_id]


class _Writes:
    def __init__(self) -> None:
        self.logs: list[dict[str, object]] = []
        self.new_recipients: dict[tuple[str, str], str] = {}
        self.muted: set[tuple[str, str]] = set()
        self.outbox: list[dict[str, Any]] = []

    def log(self, alert_id: str, text: str, now: datetime) -> None:
        self.logs.append(log_row(alert_id, text, SYSTEM, now))

    def write(self, session: Session, now: datetime) -> None:
        add_recipients(session, self.new_recipients, now)
        set_recipients_state(session, self.muted, "muted", now)
        outbox.enqueue_many(session, self.outbox)
        if self.logs:
            session.connection().execute(INSERT_LOG, self.logs)


def _forward(entry: str | _Notify, forwards: dict[str, list[str]], users: dict[str, User]) -> str | _Notify:
    if isinstance(entry, str):
        return entry
    people = []
    for person in entry.people:
        chain = forwards.get(person.user_id)
        if chain is None:
            people.append(person)
            continue
        instead_of = users[chain[0]].username if chain[0] in users else "someone"
        people.append(Person(chain[-1], f"{person.why}, in place of {instead_of}", instead_of))
    return replace(entry, people=tuple(_unique(people)))


def _users(session: Session, user_ids: set[str]) -> dict[str, User]:
    if not user_ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(sorted(user_ids))))}


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
