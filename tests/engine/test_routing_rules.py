"""A team's routing rules: the API in Opsgenie's shapes, and alerts for the team going where the
first matching rule says (an escalation, a schedule's on-call people, nobody), by conditions and
by time in the rule's zone; without rules of its own a team routes as it always did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.alerts.conftest import api  # noqa: F401  (fixture)
from tests.engine.test_escalation_flow import first_recipients, logs, policy
from tests.oncall.conftest import daily, make_schedule
from tests.support.factories import make_team, make_user

NIGHTS = {"type": "time-of-day", "restriction": {"startHour": 22, "startMin": 0, "endHour": 6, "endMin": 0}}
DATABASE_ALERTS = {
    "type": "match-all-conditions",
    "conditions": [{"field": "tags", "operation": "contains", "expectedValue": "db"}],
}


@pytest.fixture
def ops(db, frozen_clock):
    """Team ops (Ada, Bob); Cy on call for dba_schedule; ops_escalation (the team's default) pages
    Bob; night_escalation pages Ada."""
    frozen_clock.set(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))  # a Monday, 13:00 in Berlin
    for name in ("ada", "bob", "cy"):
        make_user(db, f"{name}@example.com")
    team = make_team(db, "ops", "ada@example.com", "bob@example.com")
    make_schedule(db, "dba_schedule", daily(datetime(2026, 2, 1, tzinfo=UTC), "cy"))
    to = lambda name: {"recipient": {"type": "user", "username": f"{name}@example.com"}}  # noqa: E731
    policy(db, "ops_escalation", to("bob"))
    policy(db, "night_escalation", to("ada"), default=False)
    return team


def add(client, team, **rule):
    response = client.post(f"/v2/teams/{team}/routing-rules", json=rule)
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def test_rules_are_listed_in_order_with_the_default_last_and_can_be_moved_changed_deleted(api, ops):  # noqa: F811
    listed = api.get("/v2/teams/ops/routing-rules?teamIdentifierType=name").json()["data"]
    assert listed == [
        {"id": ops, "name": "Default Rule", "isDefault": True, "order": 0, "criteria": {"type": "match-all"},
         "timezone": "UTC", "notify": {"type": "team-default"}},
    ]  # fmt: skip
    nights = add(api, ops, name="nights", timezone="Europe/Berlin", timeRestriction=NIGHTS,
                 notify={"type": "escalation", "name": "night_escalation"})  # fmt: skip
    dbs = add(api, ops, name="databases", order=0, criteria=DATABASE_ALERTS,
              notify={"type": "schedule", "name": "dba_schedule"})  # fmt: skip
    listed = api.get(f"/v2/teams/{ops}/routing-rules").json()["data"]
    assert [(r["name"], r["order"], r["isDefault"]) for r in listed] == [
        ("databases", 0, False), ("nights", 1, False), ("Default Rule", 2, True),
    ]  # fmt: skip
    assert (
        listed[0]["notify"]["name"] == "dba_schedule"
        and listed[0]["criteria"]["conditions"][0]["field"] == "tags"
    )
    assert listed[1]["timeRestriction"] == NIGHTS and listed[1]["timezone"] == "Europe/Berlin"

    moved = api.post(f"/v2/teams/{ops}/routing-rules/{dbs}/change-order", json={"order": 5})
    assert moved.status_code == 200, moved.text
    assert [r["name"] for r in api.get(f"/v2/teams/{ops}/routing-rules").json()["data"]] == [
        "nights", "databases", "Default Rule",
    ]  # fmt: skip

    default = api.request("PATCH", f"/v2/teams/{ops}/routing-rules/{ops}", json={"notify": {"type": "none"}})
    assert default.status_code == 200, default.text
    assert api.get(f"/v2/teams/{ops}/routing-rules/{ops}").json()["data"]["notify"] == {"type": "none"}

    assert api.request("DELETE", f"/v2/teams/{ops}/routing-rules/{nights}").status_code == 200
    refused = api.request("DELETE", f"/v2/teams/{ops}/routing-rules/{ops}")
    assert refused.status_code == 422 and "default rule cannot be deleted" in refused.json()["message"]
    assert [r["name"] for r in api.get(f"/v2/teams/{ops}/routing-rules").json()["data"]] == [
        "databases", "Default Rule",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ({"notify": {"type": "escalation", "name": "nope"}}, "escalation 'nope' does not exist"),
        ({"notify": {"type": "schedule"}}, "needs the schedule's id or name"),
        ({"notify": {"type": "pager"}}, "notify.type must be one of"),
        ({"notify": {"type": "none"}, "timezone": "Mars/Olympus"}, "unknown time zone"),
        (
            {"notify": {"type": "none"}, "criteria": {"type": "match-all-conditions"}},
            "at least one condition",
        ),
        ({"notify": {"type": "none"}, "timeRestriction": {"type": "sometimes"}}, "type must be one of"),
    ],
)
def test_bad_rules_say_what_to_fix_and_change_nothing(api, ops, rule, says):  # noqa: F811
    refused = api.post(f"/v2/teams/{ops}/routing-rules", json=rule)
    assert refused.status_code == 422 and says in refused.json()["message"], refused.text
    assert len(api.get(f"/v2/teams/{ops}/routing-rules").json()["data"]) == 1


def team_alert(client, **fields):
    return client.create(message="Disk full", responders=[{"type": "team", "name": "ops"}], **fields)["id"]


def test_alerts_go_where_the_first_matching_rule_says(api, ops, db, engine, smtp, frozen_clock):  # noqa: F811
    add(
        api,
        ops,
        name="databases",
        criteria=DATABASE_ALERTS,
        notify={"type": "schedule", "name": "dba_schedule"},
    )
    add(api, ops, name="nights", timezone="Europe/Berlin", timeRestriction=NIGHTS,
        notify={"type": "escalation", "name": "night_escalation"})  # fmt: skip
    p5 = {
        "type": "match-all-conditions",
        "conditions": [{"field": "priority", "operation": "equals", "expectedValue": "P5"}],
    }
    add(api, ops, name="noise", order=0, criteria=p5, notify={"type": "none"})  # tried first

    by_day = team_alert(api)
    engine.tick()
    assert first_recipients(smtp) == ["bob@example.com"]  # the default rule: the team's escalation
    assert "Escalation ops_escalation started (team ops)" in logs(db, by_day)

    database = team_alert(api, tags=["db"])
    engine.tick()
    assert first_recipients(smtp)[-1] == "cy@example.com"
    assert any(
        "on call for dba_schedule (team ops, routing rule databases)" in line for line in logs(db, database)
    )

    frozen_clock.advance(timedelta(hours=10))  # 23:00 in Berlin
    at_night = team_alert(api)
    engine.tick()
    assert first_recipients(smtp)[-1] == "ada@example.com"
    assert "Escalation night_escalation started (team ops, routing rule nights)" in logs(db, at_night)

    quiet = team_alert(api, priority="P5")
    sent = len(smtp.received)
    engine.tick()
    assert len(smtp.received) == sent
    assert "Nobody notified: team ops, routing rule noise notifies no one" in logs(db, quiet)
