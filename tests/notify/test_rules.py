"""Notification rules: the API in Opsgenie shapes, order, and what the engine is told to send."""

from __future__ import annotations

import pytest

from tests.accounts.people import actor_of, user
from tocsin.errors import InvalidInput, PermissionDenied
from tocsin.notify import rules
from tocsin.notify.rules import PlannedStep, StepSpec

RULES = "/v2/users/ann@example.com/notification-rules"


def _step(to: str = "ann@example.com", minutes: int = 0, **extra) -> dict:
    return {
        "contact": {"method": "email", "to": to},
        "sendAfter": {"timeAmount": minutes, "timeUnit": "minutes"},
        **extra,
    }


def _add_contact(api, to: str) -> None:
    assert (
        api.post("/v2/users/ann@example.com/contacts", json={"method": "email", "to": to}).status_code == 201
    )


def test_create_get_update_switch_and_delete_a_rule(api, cast):
    _add_contact(api, "ann.pager@example.org")
    created = api.post(
        RULES,
        json={
            "name": "Acks",
            "actionType": "acknowledged-alert",
            "steps": [_step(), _step("ann.pager@example.org", 10)],
        },
    )
    assert created.status_code == 201, created.text
    rule_id = created.json()["data"]["id"]
    assert created.json()["result"] == "Created"
    assert created.json()["data"] == {
        "id": rule_id,
        "name": "Acks",
        "actionType": "acknowledged-alert",
        "order": 0,
        "enabled": True,
    }
    full = api.data(f"{RULES}/{rule_id}")
    assert {key: full[key] for key in ("id", "name", "actionType", "order", "enabled")} == created.json()[
        "data"
    ]
    assert "notificationTime" not in full
    assert [({k: v for k, v in s.items() if k != "id"}) for s in full["steps"]] == [
        _step(enabled=True),
        _step("ann.pager@example.org", 10, enabled=True),
    ]

    updated = api.patch(
        f"{RULES}/{rule_id}",
        json={"name": "Acknowledgements", "steps": [_step("ann.pager@example.org", 5, enabled=False)]},
    )
    assert updated.status_code == 200 and updated.json()["result"] == "Updated"
    assert updated.json()["data"]["name"] == "Acknowledgements"
    [step] = api.data(f"{RULES}/{rule_id}")["steps"]
    assert (step["contact"]["to"], step["sendAfter"]["timeAmount"], step["enabled"]) == (
        "ann.pager@example.org",
        5,
        False,
    )

    disabled = api.post(f"{RULES}/{rule_id}/disable")
    assert disabled.status_code == 200 and disabled.json()["result"] == "Disabled"
    assert disabled.json()["data"]["enabled"] is False
    assert api.post(f"{RULES}/{rule_id}/enable").json()["data"]["enabled"] is True
    assert [(r["name"], r["actionType"]) for r in api.data(RULES)] == [
        ("New alert", "create-alert"),
        ("Acknowledgements", "acknowledged-alert"),
    ]
    deleted = api.delete(f"{RULES}/{rule_id}")
    assert deleted.status_code == 200 and deleted.json()["result"] == "Deleted"
    gone = api.get(f"{RULES}/{rule_id}")
    assert (
        gone.status_code == 404
        and gone.json()["message"] == f"notification rule {rule_id!r} of ann@example.com does not exist"
    )


def test_schedule_rules_say_how_long_before_the_shift(db, api, cast):
    created = api.post(
        RULES,
        json={
            "name": "Shift soon",
            "actionType": "schedule-start",
            "notificationTime": ["1-hour-ago"],
            "steps": [_step()],
        },
    )
    assert created.status_code == 201, created.text
    rule_id = created.json()["data"]["id"]
    assert api.data(f"{RULES}/{rule_id}")["notificationTime"] == ["1-hour-ago"]
    api.patch(f"{RULES}/{rule_id}", json={"notificationTime": ["1-day-ago"]})
    [contact] = api.data("/v2/users/ann@example.com/contacts")
    with db.read_session() as session:
        assert rules.steps_for(session, cast["ann"], "schedule-start") == [
            PlannedStep(rule_id, "Shift soon", contact["id"], "email", "ann@example.com", 0, 1440)
        ]
    ended = api.post(RULES, json={"name": "Shift over", "actionType": "schedule-end", "steps": [_step()]})
    assert api.data(f"{RULES}/{ended.json()['data']['id']}")["notificationTime"] == ["just-before"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"name": "x", "actionType": "create-alert", "steps": [_step("someone@else.org")]},
            "steps[0].contact",
            "ann@example.com has no email contact someone@else.org; add it first",
        ),
        ({"name": "x", "actionType": "add-note", "steps": []}, "actionType", "actionType must be one of"),
        (
            {"name": "x", "actionType": "create-alert", "notificationTime": ["1-hour-ago"]},
            "notificationTime",
            "notificationTime is for schedule-start and schedule-end rules only",
        ),
        (
            {"name": "x", "actionType": "schedule-end", "notificationTime": ["2-hours-ago"]},
            "notificationTime",
            "notificationTime must be one of just-before, 15-minutes-ago, 1-hour-ago, 1-day-ago",
        ),
        (
            {"name": "x", "actionType": "create-alert", "steps": [_step(minutes=10081)]},
            "steps[0].sendAfter",
            "sendAfter must be 0 to 10080 minutes",
        ),
        (
            {"name": "x", "actionType": "create-alert", "steps": [_step(minutes=-1)]},
            "steps[0].sendAfter.timeAmount",
            "greater than or equal to 0",
        ),
        (
            {"name": "x", "actionType": "create-alert", "timeRestriction": {"type": "time-of-day"}},
            "timeRestriction",
            "not supported by Tocsin yet",
        ),
        ({"actionType": "create-alert"}, "name", "Field required"),
        ({"name": "x", "actionType": "create-alert", "order": -1}, "order", "greater than or equal to 0"),
    ],
    ids=[
        "unknown-contact",
        "action",
        "time-on-alert-rule",
        "unknown-time",
        "send-after",
        "negative-send-after",
        "time-restriction",
        "no-name",
        "order",
    ],
)
def test_bad_rules_are_422s_naming_the_field_and_store_nothing(api, cast, payload, field, message):
    response = api.post(RULES, json=payload)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"] and message in response.json()["errors"][field]
    assert [rule["name"] for rule in api.data(RULES)] == ["New alert"]


def test_a_rejected_update_leaves_the_rule_as_it_was(api, cast):
    [rule] = api.data(RULES)
    response = api.patch(
        f"{RULES}/{rule['id']}", json={"name": "Renamed", "steps": [_step(), _step("nobody@example.org")]}
    )
    assert response.status_code == 422 and "steps[1].contact" in response.json()["errors"]
    after = api.data(f"{RULES}/{rule['id']}")
    assert after["name"] == "New alert" and [s["contact"]["to"] for s in after["steps"]] == [
        "ann@example.com"
    ]


def test_order_within_an_action_type_decides_what_is_sent_first(db, api, cast):
    _add_contact(api, "ann.pager@example.org")
    first = api.post(
        RULES,
        json={
            "name": "Pager first",
            "actionType": "create-alert",
            "order": 0,
            "steps": [_step("ann.pager@example.org", 1)],
        },
    )
    assert first.json()["data"]["order"] == 0
    last = api.post(RULES, json={"name": "Later", "actionType": "create-alert", "steps": [_step(minutes=30)]})
    assert last.json()["data"]["order"] == 2
    assert [(r["name"], r["order"]) for r in api.data(RULES)] == [
        ("Pager first", 0),
        ("New alert", 1),
        ("Later", 2),
    ]

    def planned() -> list[tuple[str, str, int]]:
        with db.read_session() as session:
            return [
                (s.rule_name, s.address, s.send_after_minutes)
                for s in rules.steps_for(session, cast["ann"], "create-alert")
            ]

    assert planned() == [
        ("Pager first", "ann.pager@example.org", 1),
        ("New alert", "ann@example.com", 0),
        ("Later", "ann@example.com", 30),
    ]
    api.patch(f"{RULES}/{last.json()['data']['id']}", json={"order": 0})
    api.post(f"{RULES}/{first.json()['data']['id']}/disable")
    assert planned() == [("Later", "ann@example.com", 30), ("New alert", "ann@example.com", 0)]
    api.delete(f"{RULES}/{last.json()['data']['id']}")
    assert [(r["name"], r["order"]) for r in api.data(RULES)] == [("Pager first", 0), ("New alert", 1)]


def test_send_after_in_hours_and_disabled_steps(db, cast):
    with db.write_session() as session:
        ann = user(session, "ann")
        rule = rules.create_rule(
            session,
            actor=actor_of(session, "ann"),
            user=ann,
            name="Closes",
            action_type="closed-alert",
            steps=[
                StepSpec("email", "ann@example.com", 120),
                StepSpec("email", "ANN@example.com", 0, enabled=False),
            ],
        )
        planned = rules.steps_for(session, ann.id, "closed-alert")
        assert [(s.rule_id, s.send_after_minutes, s.notify_before_minutes) for s in planned] == [
            (rule.id, 120, None)
        ]
        with pytest.raises(InvalidInput, match="actionType must be one of"):
            rules.steps_for(session, ann.id, "closed")


def test_who_may_change_whose_rules(db, api, integration_key, cast):
    with db.write_session() as session:
        for actor, target, allowed in (
            ("lead", "ann", True),
            ("lead", "bob", False),
            ("ann", "eve", False),
            ("admin", "eve", True),
        ):
            try:
                rules.create_rule(
                    session,
                    actor=actor_of(session, actor),
                    user=user(session, target),
                    name="x",
                    action_type="create-alert",
                    steps=[],
                )
                assert allowed, (actor, target)
            except PermissionDenied as refused:
                assert not allowed, (actor, target)
                assert refused.message == (
                    f"{actor}@example.com may not change the notification rules of {target}@example.com"
                )
    ops_key = integration_key("ops monitor", team="ops")
    assert ops_key.post(RULES, json={"name": "x", "actionType": "create-alert"}).status_code == 403
    assert ops_key.get(RULES).status_code == 403
    global_key = integration_key("Prometheus")
    assert global_key.post(RULES, json={"name": "x", "actionType": "create-alert"}).status_code == 201
