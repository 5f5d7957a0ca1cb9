"""/v2/forwarding-rules in Opsgenie's shapes: create, read by id and alias, list, update with
PUT, delete; clear errors; a team's key manages only its members' rules."""

from __future__ import annotations

import pytest

from tests.alerts.conftest import api  # noqa: F401  (fixture)
from tests.support.api import ApiClient
from tests.support.factories import make_integration, make_team, make_user

VACATION = {
    "alias": "ada-vacation",
    "fromUser": {"username": "ada@example.com"},
    "toUser": {"username": "bob@example.com"},
    "startDate": "2027-01-04T08:00:00Z",
    "endDate": "2027-01-18T08:00:00+01:00",
}


@pytest.fixture
def people(db) -> dict[str, str]:
    return {name: make_user(db, f"{name}@example.com") for name in ("ada", "bob", "cy")}


def test_a_rule_is_created_read_listed_changed_and_deleted(api, people):  # noqa: F811
    created = api.post("/v2/forwarding-rules", json=VACATION)
    assert created.status_code == 201, created.text
    assert created.json()["result"] == "Created"
    rule_id = created.json()["data"]["id"]
    assert created.json()["data"]["alias"] == "ada-vacation"

    expected = {
        "id": rule_id,
        "alias": "ada-vacation",
        "fromUser": {"id": people["ada"], "username": "ada@example.com"},
        "toUser": {"id": people["bob"], "username": "bob@example.com"},
        "startDate": "2027-01-04T08:00:00.000Z",
        "endDate": "2027-01-18T07:00:00.000Z",
    }
    assert api.get(f"/v2/forwarding-rules/{rule_id}").json()["data"] == expected
    assert api.get("/v2/forwarding-rules/ada-vacation?identifierType=alias").json()["data"] == expected
    assert api.get("/v2/forwarding-rules").json()["data"] == [expected]
    assert api.get("/v2/users/ada@example.com/forwarding-rules").json()["data"] == [expected]
    assert api.get("/v2/users/bob@example.com/forwarding-rules").json()["data"] == []

    changed = api.request(
        "PUT",
        "/v2/forwarding-rules/ada-vacation?identifierType=alias",
        json={**VACATION, "toUser": {"id": people["cy"]}, "alias": None},
    )
    assert changed.status_code == 200 and changed.json()["result"] == "Updated", changed.text
    after = api.get(f"/v2/forwarding-rules/{rule_id}").json()["data"]
    assert after["toUser"]["username"] == "cy@example.com" and after["alias"] == "ada-vacation"

    assert api.request("DELETE", f"/v2/forwarding-rules/{rule_id}").json()["result"] == "Deleted"
    missing = api.get(f"/v2/forwarding-rules/{rule_id}")
    assert missing.status_code == 404 and "forwarding rule" in missing.json()["message"]


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"toUser": {"username": "ada@example.com"}}, 422, "toUser must be someone else"),
        ({"endDate": "2027-01-04T07:00:00Z"}, 422, "endDate must be after startDate"),
        ({"toUser": {"username": "ghost@example.com"}}, 422, "user 'ghost@example.com' does not exist"),
        ({"fromUser": {}}, 422, "give the user's id or username"),
        ({"endDate": "2027-01-18T08:00:00"}, 422, "endDate"),
        ({"alias": "x" * 101}, 422, "alias"),
    ],
)
def test_bad_rules_are_refused_and_say_what_to_fix(api, people, change, status, says):  # noqa: F811
    refused = api.post("/v2/forwarding-rules", json={**VACATION, **change})
    assert refused.status_code == status, refused.text
    assert says in refused.text
    assert api.get("/v2/forwarding-rules").json()["data"] == []


def test_overlaps_and_taken_aliases_are_conflicts(api, people):  # noqa: F811
    assert api.post("/v2/forwarding-rules", json=VACATION).status_code == 201
    overlapping = {
        **VACATION,
        "alias": "other",
        "startDate": "2027-01-10T00:00:00Z",
        "endDate": "2027-02-01T00:00:00Z",
    }
    clash = api.post("/v2/forwarding-rules", json=overlapping)
    assert clash.status_code == 409 and "ada@example.com already forwards" in clash.json()["message"]
    taken = api.post("/v2/forwarding-rules", json={**VACATION, "fromUser": {"username": "cy@example.com"}})
    assert taken.status_code == 409 and "ada-vacation" in taken.json()["message"]
    later = {**overlapping, "startDate": "2027-01-18T07:00:00Z"}  # starts as the first ends
    assert api.post("/v2/forwarding-rules", json=later).status_code == 201


def test_a_team_key_may_not_set_people_s_own_forwarding(http, db, people):
    """As with contact methods and notification rules: a team's key configures the team, not
    its members' own settings."""
    make_team(db, "ops", "bob@example.com")
    _, key = make_integration(db, "Ops alerts", team="ops")
    bobs = {
        **VACATION,
        "fromUser": {"username": "bob@example.com"},
        "toUser": {"username": "ada@example.com"},
    }
    refused = ApiClient(http, key).post("/v2/forwarding-rules", json=bobs)
    assert refused.status_code == 403, refused.text
    assert "may not change forwarding rules of bob@example.com" in refused.json()["message"]
