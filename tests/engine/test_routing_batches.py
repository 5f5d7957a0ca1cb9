"""A claimed batch of new alerts is routed at once: with the same statements whatever its size,
with exactly what routing the alerts one by one gives, and without one bad alert sinking the
others."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from tests.engine.test_escalation_flow import policy
from tests.oncall.conftest import daily, make_schedule
from tests.support.factories import make_team
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts.models import AlertLog, AlertRecipient
from tocsin.db import Database
from tocsin.escalations import firing, progress
from tocsin.escalations.models import AlertEscalation, AlertEscalationStep
from tocsin.notify import mute, outbox, rules
from tocsin.notify.email import TOPIC as EMAIL
from tocsin.notify.outbox import OutboxMessage
from tocsin.notify.router import AlertRouter
from tocsin.oncall.models import Schedule

LEASE = timedelta(minutes=2)
TEAM_ALERT = {
    "responders": [{"type": "team", "name": "ops"}, {"type": "user", "username": "carol@example.com"}]
}


@pytest.fixture
def storm(db, make_user_and_alert, frozen_clock):
    """Team ops (Ada, Bob, Carol, Dave); Ada on call for ops_schedule; Bob muted; Carol has no
    notification rule. ops_escalation: the on-call and Bob at once, all members of ops at once
    until closed, Dave after 10 minutes; one repeat after 5 minutes."""
    people = make_user_and_alert
    for name in ("ada", "bob", "carol", "dave"):
        people.user(f"{name}@example.com")
    make_team(db, "ops", *(f"{name}@example.com" for name in ("ada", "bob", "carol", "dave")))
    make_schedule(db, "ops_schedule", daily(datetime(2026, 2, 1, 9, tzinfo=UTC), "ada"), team="ops")
    policy(
        db,
        "ops_escalation",
        {"recipient": {"type": "schedule", "name": "ops_schedule"}},
        {"recipient": {"type": "user", "username": "bob@example.com"}},
        {"condition": "if-not-closed", "recipient": {"type": "team", "name": "ops"}, "notifyType": "users"},
        {"delay": {"timeAmount": 10}, "recipient": {"type": "user", "username": "dave@example.com"}},
        repeat={"waitInterval": 5, "count": 1},
    )
    with db.write_session() as session:
        mute.mute(session, actor=SYSTEM, user=accounts.get_user(session, "bob@example.com"), minutes=60)
        carol = accounts.get_user(session, "carol@example.com")
        for rule in rules.list_rules(session, actor=SYSTEM, user=carol):
            rules.delete_rule(session, actor=SYSTEM, user=carol, rule_id=rule.id)
    return people


def new_alerts(people, count: int, **fields: Any) -> list[str]:
    return [people.alert(message=f"Disk full on db{n}", **(fields or TEAM_ALERT)) for n in range(count)]


@contextmanager
def counting_statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements run meanwhile."""
    statements: list[str] = []

    def count(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(db.write_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.write_engine, "before_cursor_execute", count)


def route_batch(db: Database, size: int) -> int:
    """Claim ``size`` alert.created messages and route them as one batch; returns how many SQL
    statements routing them took."""
    with db.write_session() as session:
        claimed = outbox.claim(session, ["alert.created"], limit=size, lease=LEASE)
        assert len(claimed) == size
        with counting_statements(db) as statements:
            AlertRouter(methods=frozenset({"email"})).handle_batch(session, claimed)
        outbox.mark_all_delivered(session, claimed)
    return len(statements)


def fire_due_counted(db: Database, now: datetime) -> tuple[int, int]:
    """Fire due steps; returns how many fired and how many statements that took."""
    with db.write_session() as session, counting_statements(db) as statements:
        fired = progress.fire_due(session, now, methods=frozenset({"email"}))
    return fired, len(statements)


def test_a_batch_of_fifty_team_alerts_takes_the_statements_of_a_batch_of_one(
    db, storm, frozen_clock, monkeypatch
):
    new_alerts(storm, 51)
    one, fifty = route_batch(db, 1), route_batch(db, 50)
    assert one == fifty
    frozen_clock.advance(timedelta(minutes=10))
    monkeypatch.setattr(firing, "FIRE_AT_ONCE", 1)
    fired_one = fire_due_counted(db, frozen_clock.now())
    monkeypatch.setattr(firing, "FIRE_AT_ONCE", 50)
    fired_fifty = fire_due_counted(db, frozen_clock.now())
    assert (fired_one[0], fired_fifty[0]) == (1, 50)
    assert fired_one[1] == fired_fifty[1]


def what_routing_did(session: Session, alert_id: str) -> dict[str, Any]:
    """Everything routing an alert wrote, without the ids and times that differ between alerts."""
    escalations = session.scalars(select(AlertEscalation).where(AlertEscalation.alert_id == alert_id)).all()
    steps = session.execute(
        select(
            AlertEscalationStep.round,
            AlertEscalationStep.rule_position,
            AlertEscalationStep.due_at,
            AlertEscalationStep.fired_at,
            AlertEscalationStep.outcome,
        )
        .where(AlertEscalationStep.alert_escalation_id.in_([one.id for one in escalations]))
        .order_by(AlertEscalationStep.round, AlertEscalationStep.rule_position)
    ).all()
    messages = session.execute(
        select(OutboxMessage.destination, OutboxMessage.payload, OutboxMessage.next_attempt_at).where(
            OutboxMessage.alert_id == alert_id, OutboxMessage.topic == EMAIL
        )
    ).all()
    return {
        "log": session.scalars(
            select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id)
        ).all(),
        "recipients": sorted(
            session.execute(
                select(AlertRecipient.user_id, AlertRecipient.state).where(
                    AlertRecipient.alert_id == alert_id
                )
            ).all()
        ),
        "escalations": [(one.policy_name, one.round, one.state, one.stopped_reason) for one in escalations],
        "steps": [tuple(step) for step in steps],
        "outbox": sorted(
            ((to, {k: v for k, v in payload.items() if k != "alertId"}, at) for to, payload, at in messages),
            key=repr,
        ),
    }


def test_fifty_alerts_routed_together_get_what_routing_them_one_by_one_gives(db, storm, frozen_clock):
    together, alone = new_alerts(storm, 50), new_alerts(storm, 50)
    route_batch(db, 50)
    for _ in alone:
        route_batch(db, 1)
    with db.read_session() as session:
        routed_together = [what_routing_did(session, alert_id) for alert_id in together]
        routed_alone = [what_routing_did(session, alert_id) for alert_id in alone]
    assert routed_together == routed_alone
    first = routed_together[0]
    log = first["log"]
    assert log[:5] == [
        "Alert created by Prometheus (API)",
        "Escalation ops_escalation started (team ops)",
        "Escalation ops_escalation, rule 1: notifying the on-call of ops_schedule",
        "bob@example.com not notified (escalation ops_escalation, rule 2: named in the escalation): "
        "muted until 2026-03-01 10:00 UTC",
        "Escalation ops_escalation, rule 2: notifying bob@example.com",
    ]
    assert sorted(log[5:7]) == [  # team members in no particular order
        "bob@example.com not notified (escalation ops_escalation, rule 3: member of team ops): "
        "muted until 2026-03-01 10:00 UTC",
        "carol@example.com not notified: no notification rule for new alerts",
    ]
    assert log[7:] == [
        "Escalation ops_escalation, rule 3: notifying all members of team ops",
        "carol@example.com not notified: no notification rule for new alerts",  # the user responder
    ]
    assert sorted(to for to, _, _ in first["outbox"]) == [
        "ada@example.com",
        "ada@example.com",
        "dave@example.com",
    ]
    assert [state for _, state in first["recipients"]].count("muted") == 1
    assert [(step[0], step[1], step[4]) for step in first["steps"]] == [
        (0, 0, "notified 1"),
        (0, 1, "notified 1"),
        (0, 2, "notified 4"),
        (0, 3, ""),
    ]


def test_one_alert_that_breaks_routing_leaves_the_other_49_routed(db, engine, storm, frozen_clock):
    make_schedule(db, "broken_schedule", daily(datetime(2026, 2, 1, 9, tzinfo=UTC), "dave"))
    alerts = new_alerts(storm, 30)
    bad = storm.alert(message="Odd one", responders=[{"type": "schedule", "name": "broken_schedule"}])
    alerts += new_alerts(storm, 19)
    with db.write_session() as session:  # as a database edited by hand might hold
        session.execute(
            update(Schedule).where(Schedule.name == "broken_schedule").values(timezone="Nowhere/Else")
        )
    engine.tick()
    with db.read_session() as session:
        created = {
            message.alert_id: message
            for message in session.scalars(
                select(OutboxMessage).where(OutboxMessage.topic == "alert.created")
            )
        }
        started = session.scalars(
            select(AlertLog.alert_id).where(AlertLog.log == "Escalation ops_escalation started (team ops)")
        ).all()
    assert sorted(started) == sorted(alerts)
    assert {created[alert_id].state for alert_id in alerts} == {"delivered"}
    assert created[bad].state == "pending" and created[bad].attempts == 1
    assert "Nowhere/Else" in created[bad].last_error


def dave_paged(db: Database) -> tuple[int, list[str]]:
    """How many e-mails rule 4 queued for Dave, and the alerts whose rule 4 fired."""
    with db.read_session() as session:
        payloads = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.topic == EMAIL)).all()
        fired = session.scalars(
            select(AlertLog.alert_id).where(
                AlertLog.log == "Escalation ops_escalation, rule 4: notifying dave@example.com"
            )
        )
        mails = [
            payload
            for payload in payloads
            if payload["reason"].startswith("escalation ops_escalation, rule 4")
        ]
        return len(mails), sorted(fired)


def test_two_engines_firing_at_once_fire_each_step_once(db, database_url, storm, frozen_clock, monkeypatch):
    alerts = new_alerts(storm, 60)
    route_batch(db, 60)
    frozen_clock.advance(timedelta(minutes=10))
    monkeypatch.setattr(firing, "FIRE_AT_ONCE", 7)
    engines = [Database(database_url), Database(database_url)]
    fired = [0, 0]

    def escalate(index: int) -> None:
        while True:
            with engines[index].write_session() as session:
                count = progress.fire_due(session, frozen_clock.now(), methods=frozenset({"email"}))
            if not count:
                return
            fired[index] += count

    try:
        threads = [threading.Thread(target=escalate, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for database in engines:
            database.dispose()
    assert sum(fired) == 60
    assert dave_paged(db) == (60, sorted(alerts))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: the other one waits
def test_a_step_claimed_by_one_engine_is_skipped_by_the_other(db, database_url, storm, frozen_clock):
    alerts = new_alerts(storm, 5)
    route_batch(db, 5)
    frozen_clock.advance(timedelta(minutes=10))
    other = Database(database_url)
    try:
        with db.write_session() as first:
            assert progress.fire_due(first, frozen_clock.now(), methods=frozenset({"email"})) == 5
            with other.write_session() as second:  # while the first has not committed
                assert progress.fire_due(second, frozen_clock.now(), methods=frozenset({"email"})) == 0
        with other.write_session() as second:
            assert progress.fire_due(second, frozen_clock.now(), methods=frozenset({"email"})) == 0
    finally:
        other.dispose()
    assert dave_paged(db) == (5, sorted(alerts))
