"""An alert for a team escalates through its policy until someone acts, with e-mail received by a
real SMTP server on loopback and time moved by the clock, not by sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.oncall.conftest import daily, make_schedule
from tests.support.factories import make_team
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts import actions, reads
from tocsin.alerts.models import AlertLog
from tocsin.alerts.schemas import Ref
from tocsin.alerts.service import AlertRef
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload, EscalationUpdate
from tocsin.notify import mute, rules
from tocsin.notify.rules import StepSpec
from tocsin.teams import service as teams


def policy(db, name="ops_escalation", *rules_given, team="ops", default=True, **extra):
    rule_list = list(rules_given) or [
        {"recipient": {"type": "schedule", "name": "ops_schedule"}},
        {"delay": {"timeAmount": 10}, "recipient": {"type": "user", "username": "bob@example.com"}},
    ]
    payload = {"name": name, "ownerTeam": {"name": team}, "teamDefault": default, "rules": rule_list, **extra}
    with db.write_session() as session:
        return escalations.create_policy(
            session, actor=SYSTEM, payload=EscalationPayload.model_validate(payload)
        ).id


@pytest.fixture
def ops(db, make_user_and_alert, frozen_clock):
    """Ada and Bob in team ops; Ada on call for ops_schedule; ops_escalation: the on-call at once,
    then Bob after 10 minutes if no one acknowledged."""
    people = make_user_and_alert
    ada, bob = people.user("ada@example.com"), people.user("bob@example.com")
    make_team(db, "ops", "ada@example.com", "bob@example.com")
    make_schedule(db, "ops_schedule", daily(datetime(2026, 2, 1, 9, tzinfo=UTC), "ada"), team="ops")
    return {"ada": ada, "bob": bob, "policy": policy(db), "people": people}


def team_alert(ops):
    return ops["people"].alert(responders=[{"type": "team", "name": "ops"}])


def as_user(db, username):
    with db.read_session() as session:
        return teams.actor_for_user(session, accounts.get_user(session, username), channel="web")


def logs(db, alert_id):
    with db.read_session() as session:
        return session.scalars(
            select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id)
        ).all()


def recipients(db, alert_id):
    """The alert's recipients list, as GET /v2/alerts/{id}/recipients shows it."""
    with db.read_session() as session:
        rows = reads.recipients(session, AlertRef(alert_id), SYSTEM)
    return {username: (recipient.state, recipient.method) for recipient, username in rows}


def first_recipients(smtp):
    return [mail.recipients[0] for mail in smtp.received]


def test_team_alert_escalates_until_acknowledged_then_stops(db, engine, smtp, frozen_clock, ops):
    alert_id = team_alert(ops)
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com"]
    assert smtp.received[0].subject.startswith("[Tocsin] New alert: #1 P3")
    assert "escalation ops_escalation, rule 1: on call for ops_schedule" in smtp.received[0].body

    frozen_clock.advance(timedelta(minutes=9))
    engine.tick()
    assert len(smtp.received) == 1
    frozen_clock.advance(timedelta(minutes=2))
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com", "bob@example.com"]

    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(alert_id), actor=as_user(db, "bob@example.com"))
    for _ in range(3):
        frozen_clock.advance(timedelta(hours=1))
        engine.tick()
    assert len(smtp.received) == 2
    log = logs(db, alert_id)
    assert "Escalation ops_escalation started (team ops)" in log
    assert "Escalation ops_escalation, rule 1: notifying the on-call of ops_schedule" in log
    assert "Escalation ops_escalation, rule 2: notifying bob@example.com" in log
    assert (
        "Notified ada@example.com by e-mail (escalation ops_escalation, rule 1: on call for ops_schedule)"
        in log
    )
    assert "Alert acknowledged by bob@example.com via web" in log
    assert recipients(db, alert_id) == {
        "ada@example.com": ("notified", "email"),
        "bob@example.com": ("action", "Acknowledge"),
    }


def test_acknowledging_before_the_delay_means_the_next_rule_never_fires(db, engine, smtp, frozen_clock, ops):
    alert_id = team_alert(ops)
    engine.tick()
    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(alert_id), actor=as_user(db, "ada@example.com"))
    frozen_clock.advance(timedelta(minutes=30))
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com"]


def test_a_muted_on_call_person_receives_nothing_and_the_log_says_why(db, engine, smtp, frozen_clock, ops):
    with db.write_session() as session:
        ada = accounts.get_user(session, "ada@example.com")
        mute.mute(session, actor=SYSTEM, user=ada, minutes=60)
    alert_id = team_alert(ops)
    engine.tick()
    assert smtp.received == []
    expected = (
        "ada@example.com not notified (escalation ops_escalation, rule 1: on call for ops_schedule): muted"
    )
    assert any(line.startswith(expected) for line in logs(db, alert_id))
    frozen_clock.advance(timedelta(minutes=11))
    engine.tick()
    assert first_recipients(smtp) == ["bob@example.com"]


def test_editing_the_policy_does_not_change_an_alert_under_way(db, engine, smtp, frozen_clock, ops):
    ops["people"].user("cy@example.com")
    team_alert(ops)
    engine.tick()
    change = EscalationUpdate.model_validate(
        {"rules": [{"recipient": {"type": "user", "username": "cy@example.com"}}]}
    )
    with db.write_session() as session:
        escalations.update_policy(
            session, actor=SYSTEM, policy=escalations.get_policy(session, ops["policy"]), payload=change
        )
    frozen_clock.advance(timedelta(minutes=11))
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com", "bob@example.com"]


def test_closing_stops_the_escalation(db, engine, smtp, frozen_clock, ops):
    alert_id = team_alert(ops)
    engine.tick()
    with db.write_session() as session:
        actions.close(session, ref=AlertRef(alert_id), actor=SYSTEM)
    frozen_clock.advance(timedelta(minutes=30))
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com"]


def test_an_if_not_closed_rule_still_fires_after_acknowledgement(db, engine, smtp, frozen_clock, ops):
    policy(
        db,
        "keep_going",
        {"recipient": {"type": "user", "username": "ada@example.com"}},
        {
            "condition": "if-not-closed",
            "delay": {"timeAmount": 5},
            "recipient": {"type": "user", "username": "bob@example.com"},
        },
    )
    alert_id = team_alert(ops)
    engine.tick()
    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(alert_id), actor=SYSTEM)
    frozen_clock.advance(timedelta(minutes=6))
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com", "bob@example.com"]


def test_a_repeating_policy_starts_over_after_the_wait(db, engine, smtp, frozen_clock, ops):
    policy(
        db,
        "repeating",
        {"recipient": {"type": "user", "username": "ada@example.com"}},
        repeat={"waitInterval": 5, "count": 2},
    )
    team_alert(ops)
    for _ in range(4):
        engine.tick()
        frozen_clock.advance(timedelta(minutes=5, seconds=1))
    assert len(smtp.to("ada@example.com")) == 3


def test_escalating_an_alert_moves_it_to_the_named_policy(db, engine, smtp, frozen_clock, ops):
    policy(db, "bob_first", {"recipient": {"type": "user", "username": "bob@example.com"}}, default=False)
    alert_id = team_alert(ops)
    engine.tick()
    with db.write_session() as session:
        actions.escalate(session, ref=AlertRef(alert_id), actor=SYSTEM, escalation=Ref(name="bob_first"))
    engine.tick()
    frozen_clock.advance(timedelta(minutes=30))
    engine.tick()
    # Bob once, from bob_first; ops_escalation's rule 2 (Bob after 10 minutes) no longer fires.
    assert first_recipients(smtp) == ["ada@example.com", "bob@example.com"]
    assert "Escalation bob_first started (escalated by Tocsin (system))" in logs(db, alert_id)


def test_people_notified_hear_of_the_acknowledgement_if_their_rules_say_so(db, engine, smtp, ops):
    with db.write_session() as session:
        ada = accounts.get_user(session, "ada@example.com")
        rules.create_rule(
            session,
            actor=SYSTEM,
            user=ada,
            name="Acknowledged",
            action_type="acknowledged-alert",
            steps=[StepSpec(method="email", to="ada@example.com")],
        )
    alert_id = team_alert(ops)
    engine.tick()
    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(alert_id), actor=as_user(db, "bob@example.com"))
    engine.tick()
    acknowledged = [mail for mail in smtp.to("ada@example.com") if "Acknowledged" in mail.subject]
    assert len(acknowledged) == 1 and "bob@example.com via web" in acknowledged[0].body


def test_a_team_without_an_escalation_reaches_all_its_members(db, engine, smtp, make_user_and_alert):
    make_user_and_alert.user("ada@example.com")
    make_user_and_alert.user("bob@example.com")
    make_team(db, "db", "ada@example.com", "bob@example.com")
    make_user_and_alert.alert(responders=[{"type": "team", "name": "db"}])
    engine.tick()
    assert sorted(first_recipients(smtp)) == ["ada@example.com", "bob@example.com"]


def test_a_schedule_responder_reaches_whoever_is_on_call(db, engine, smtp, ops):
    ops["people"].alert(responders=[{"type": "schedule", "name": "ops_schedule"}])
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com"]
