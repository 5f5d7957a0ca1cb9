"""Notification rules' criteria: which alerts a rule is for (Opsgenie's filter shape), through
the API, and what the engine sends for alerts of different priorities."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.accounts.people import Client, user
from tests.support.factories import make_integration
from tocsin import clock
from tocsin.alerts import ingest
from tocsin.alerts.models import AlertLog
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.conditions.facts import AlertFacts
from tocsin.db import Database
from tocsin.notify import contacts, rules
from tocsin.notify.notifications import Notices, Person
from tocsin.notify.outbox import OutboxMessage

USER = "/v2/users/ann@example.com"
RULES = f"{USER}/notification-rules"
EVERYTHING = frozenset({"email", "sms", "voice"})


def _priorities(*names: str) -> dict:
    return {
        "type": "match-any-condition",
        "conditions": [
            {"field": "priority", "operation": "equals", "expectedValue": name, "not": False, "order": n}
            for n, name in enumerate(names)
        ],
    }


def _step(method: str, to: str, minutes: int = 0) -> dict:
    return {"contact": {"method": method, "to": to}, "sendAfter": {"timeAmount": minutes}}


def _verified_phone(api: Client, db: Database, method: str, number: str) -> None:
    created = api.post(f"{USER}/contacts", json={"method": method, "to": number})
    assert created.status_code == 201, created.text
    contact_id = created.json()["data"]["id"]
    with db.read_session() as session:
        [code] = [
            m.payload["code"]
            for m in session.scalars(
                select(OutboxMessage).where(OutboxMessage.topic == contacts.VERIFICATION_TOPIC)
            )
            if m.payload["contactId"] == contact_id
        ]
    verified = api.post(f"{USER}/contacts/{contact_id}/verify", json={"code": code})
    assert verified.status_code == 200, verified.text


def test_criteria_are_stored_returned_and_changed(api, cast):
    created = api.post(
        RULES,
        json={
            "name": "Urgent",
            "actionType": "create-alert",
            "criteria": _priorities("P1", "P2"),
            "steps": [_step("email", "ann@example.com")],
        },
    )
    assert created.status_code == 201, created.text
    rule_id = created.json()["data"]["id"]
    assert api.data(f"{RULES}/{rule_id}")["criteria"] == _priorities("P1", "P2")
    [default] = [rule for rule in api.data(RULES) if rule["id"] != rule_id]
    assert api.data(f"{RULES}/{default['id']}")["criteria"] == {"type": "match-all"}

    changed = api.patch(f"{RULES}/{rule_id}", json={"criteria": _priorities("P1")})
    assert changed.status_code == 200, changed.text
    assert api.data(f"{RULES}/{rule_id}")["criteria"] == _priorities("P1")
    assert api.patch(f"{RULES}/{rule_id}", json={"criteria": {"type": "match-all"}}).status_code == 200
    assert api.data(f"{RULES}/{rule_id}")["criteria"] == {"type": "match-all"}


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"actionType": "create-alert", "criteria": {"type": "some"}},
            "criteria.type",
            "unknown type 'some'",
        ),
        (
            {"actionType": "create-alert", "criteria": _priorities("P7")},
            "criteria.conditions[0].expectedValue",
            "'P7' is not a priority",
        ),
        (
            {"actionType": "closed-alert", "criteria": {"type": "match-all-conditions"}},
            "criteria.conditions",
            "needs at least one condition",
        ),
        ({"actionType": "create-alert", "criteria": "P1"}, "criteria", "valid dictionary"),
        (
            {"actionType": "schedule-start", "criteria": _priorities("P1")},
            "criteria",
            "schedule-start rules are about shifts, not alerts: their criteria can only be match-all",
        ),
    ],
    ids=["type", "priority", "no-conditions", "not-an-object", "schedule"],
)
def test_bad_criteria_are_422s_naming_the_field_and_store_nothing(api, cast, payload, field, message):
    response = api.post(RULES, json={"name": "x", **payload})
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"] and message in response.json()["errors"][field]
    assert [rule["name"] for rule in api.data(RULES)] == ["New alert"]

    [rule] = api.data(RULES)
    if payload["actionType"] == "create-alert":
        refused = api.patch(
            f"{RULES}/{rule['id']}", json={"name": "Renamed", "criteria": payload["criteria"]}
        )
        assert refused.status_code == 422 and field in refused.json()["errors"]
    after = api.data(f"{RULES}/{rule['id']}")
    assert (after["name"], after["criteria"]) == ("New alert", {"type": "match-all"})


def test_a_schedule_rule_takes_match_all(api, cast):
    created = api.post(
        RULES,
        json={
            "name": "Shift",
            "actionType": "schedule-start",
            "criteria": {"type": "match-all"},
            "steps": [_step("email", "ann@example.com")],
        },
    )
    assert created.status_code == 201, created.text


def _notify_ann(db: Database, priority: str) -> tuple[list[tuple[str, str, int]], list[str]]:
    """Ann told of a new alert of ``priority``: the messages queued (topic, where to, minutes
    from now) and the alert's log."""
    actor, _ = make_integration(db, f"monitor {priority}")
    with db.write_session() as session:
        payload = CreateAlertPayload(message=f"disk full {priority}", priority=priority)
        alert_id = ingest.create_alert(session, payload=payload, actor=actor).alert_id
    now = clock.now()
    with db.write_session() as session:
        notices = Notices(now=now, methods=EVERYTHING)
        notices.notify(alert_id, [Person(db_user(session), "a responder")], "create-alert")
        notices.write(session)
    with db.read_session() as session:
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.alert_id == alert_id).order_by(OutboxMessage.id)
        )
        queued = [
            (m.topic, m.destination, round((m.next_attempt_at - now).total_seconds() / 60))
            for m in messages
            if m.topic.startswith("notify.")
        ]
        logs = list(session.scalars(select(AlertLog.log).where(AlertLog.alert_id == alert_id)))
    return queued, logs


def db_user(session: Session) -> str:
    return user(session, "ann").id


def test_each_alert_is_sent_by_the_rules_its_priority_matches(api, cast, db):
    _verified_phone(api, db, "sms", "+4915112345678")
    _verified_phone(api, db, "voice", "+4915112345678")
    urgent = api.post(
        RULES,
        json={
            "name": "Urgent",
            "actionType": "create-alert",
            "order": 0,
            "criteria": _priorities("P1", "P2"),
            "steps": [_step("sms", "+4915112345678"), _step("voice", "+4915112345678", 5)],
        },
    )
    assert urgent.status_code == 201, urgent.text
    default = next(rule for rule in api.data(RULES) if rule["name"] == "New alert")
    api.patch(f"{RULES}/{default['id']}", json={"criteria": _priorities("P3", "P4")})

    assert _notify_ann(db, "P1")[0] == [
        ("notify.sms", "+4915112345678", 0),
        ("notify.voice", "+4915112345678", 5),
    ]
    assert _notify_ann(db, "P4")[0] == [("notify.email", "ann@example.com", 0)]
    queued, logs = _notify_ann(db, "P5")
    assert queued == []
    assert "ann@example.com not notified: no notification rule matches this alert" in logs


def test_without_an_alert_only_rules_for_every_alert_apply(api, cast, db):
    api.post(
        RULES,
        json={
            "name": "Urgent",
            "actionType": "create-alert",
            "criteria": _priorities("P1"),
            "steps": [_step("email", "ann@example.com", 3)],
        },
    )
    with db.read_session() as session:
        ann = db_user(session)

        def planned(facts: AlertFacts | None) -> list[tuple[str, int]]:
            return [
                (s.rule_name, s.send_after_minutes)
                for s in rules.steps_for(session, ann, "create-alert", facts)
            ]

        assert planned(None) == [("New alert", 0)]
        assert planned(AlertFacts(priority="P1")) == [("New alert", 0), ("Urgent", 3)]
        assert planned(AlertFacts(priority="P2")) == [("New alert", 0)]
