"""Who is on call, next on call, the timeline, overrides and take-on-call through HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.factories import make_team

WEEKLY = {
    "name": "ops_schedule",
    "timezone": "Europe/Berlin",
    "ownerTeam": {"name": "ops_team"},
    "rotations": [
        {
            "name": "primary",
            "startDate": "2026-03-16T09:00:00+01:00",
            "type": "weekly",
            "participants": [
                {"type": "user", "username": "ada@example.com"},
                {"type": "none"},
                {"type": "user", "username": "bob@example.com"},
            ],
        },
        {
            "name": "secondary",
            "startDate": "2026-03-16T09:00:00+01:00",
            "type": "weekly",
            "participants": [{"type": "user", "username": "cy@example.com"}],
        },
    ],
}


@pytest.fixture
def ops(api, db, people):
    make_team(db, "ops_team", "ada@example.com", "bob@example.com")
    response = api.post("/v2/schedules", json=WEEKLY)
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def on_calls(api, schedule, **params):
    response = api.get(f"/v2/schedules/{schedule}/on-calls", params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_on_calls_flat_lists_usernames_and_otherwise_participants(api, ops, people):
    flat = on_calls(api, ops, flat="true", date="2026-03-17T12:00:00Z")
    assert flat == {
        "_parent": {"id": ops, "name": "ops_schedule", "enabled": True},
        "onCallRecipients": ["ada@example.com", "cy@example.com"],
    }
    full = on_calls(api, ops, date="2026-03-17T12:00:00Z")
    assert full["onCallParticipants"] == [
        {"id": people["ada"], "name": "ada@example.com", "type": "user"},
        {"id": people["cy"], "name": "cy@example.com", "type": "user"},
    ]


def test_on_calls_by_schedule_name_at_a_date_with_an_offset(api, ops):
    # The second week is a gap in "primary"; an unescaped "+" in a query string arrives as a space.
    response = api.get(
        "/v2/schedules/ops_schedule/on-calls?scheduleIdentifierType=name&flat=true&date=2026-03-24T12:00:00+01:00"
    )
    assert response.status_code == 200 and response.json()["data"]["onCallRecipients"] == ["cy@example.com"]


def test_on_calls_of_all_schedules(api, ops):
    data = api.get("/v2/schedules/on-calls", params={"flat": "true", "date": "2026-03-31T12:00:00Z"}).json()[
        "data"
    ]
    assert data == [
        {
            "_parent": {"id": ops, "name": "ops_schedule", "enabled": True},
            "onCallRecipients": ["bob@example.com", "cy@example.com"],
        }
    ]


def test_next_on_calls_skips_the_gap_unless_exact(api, ops):
    response = api.get(
        f"/v2/schedules/{ops}/next-on-calls", params={"flat": "true", "date": "2026-03-17T12:00:00Z"}
    )
    data = response.json()["data"]
    # Ada and Cy now; from 23 March only Cy (primary has a gap), then from 30 March (09:00 CEST) Bob and Cy.
    assert data["exactNextOnCallRecipients"] == ["cy@example.com"]
    assert data["nextOnCallRecipients"] == ["cy@example.com"]
    assert data["exactNextOnCallStartDate"] == "2026-03-23T08:00:00Z"
    later = api.get(f"/v2/schedules/{ops}/next-on-calls", params={"date": "2026-03-24T12:00:00Z"}).json()[
        "data"
    ]
    assert [person["name"] for person in later["nextOnCallRecipients"]] == [
        "bob@example.com",
        "cy@example.com",
    ]
    assert later["nextOnCallStartDate"] == "2026-03-30T07:00:00Z"


def test_timeline_has_each_rotations_periods_with_overrides_in_place(api, ops, people):
    override = {
        "alias": "dentist",
        "user": {"type": "user", "username": "bob@example.com"},
        "startDate": "2026-03-18T10:00:00Z",
        "endDate": "2026-03-18T14:00:00Z",
        "rotations": [{"name": "primary"}],
    }
    assert api.post(f"/v2/schedules/{ops}/overrides", json=override).status_code == 201
    response = api.get(
        f"/v2/schedules/{ops}/timeline",
        params={"date": "2026-03-16T08:00:00Z", "interval": 2, "intervalUnit": "weeks"},
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["startDate"], data["endDate"]) == ("2026-03-16T08:00:00Z", "2026-03-30T08:00:00Z")
    primary, secondary = data["finalTimeline"]["rotations"]
    assert (primary["name"], primary["order"]) == ("primary", 1.0)
    assert [
        (p["startDate"], p["endDate"], p["type"], p["recipient"]["name"]) for p in primary["periods"]
    ] == [
        ("2026-03-16T08:00:00Z", "2026-03-18T10:00:00Z", "default", "ada@example.com"),
        ("2026-03-18T10:00:00Z", "2026-03-18T14:00:00Z", "override", "bob@example.com"),
        ("2026-03-18T14:00:00Z", "2026-03-23T08:00:00Z", "default", "ada@example.com"),
        ("2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z", "default", "bob@example.com"),  # 09:00 CEST
    ]
    assert [(p["startDate"], p["endDate"]) for p in secondary["periods"]] == [
        ("2026-03-16T08:00:00Z", "2026-03-23T08:00:00Z"),
        ("2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"),
        ("2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z"),
    ]
    assert primary["periods"][1]["recipient"] == {
        "type": "user",
        "id": people["bob"],
        "name": "bob@example.com",
    }


def test_overrides_are_created_listed_replaced_and_deleted(api, ops, people):
    base = f"/v2/schedules/{ops}/overrides"
    created = api.post(
        base,
        json={
            "user": {"type": "user", "username": "bob@example.com"},
            "startDate": "2026-03-17T10:00:00+01:00",
            "endDate": "2026-03-17T14:00:00+01:00",
        },
    )
    assert created.status_code == 201, created.text
    alias = created.json()["data"]["alias"]
    assert on_calls(api, ops, flat="true", date="2026-03-17T10:00:00Z")["onCallRecipients"] == [
        "bob@example.com"
    ]
    listed = api.get(base).json()["data"]
    assert listed == [
        {
            "_parent": {"id": ops, "name": "ops_schedule", "enabled": True},
            "alias": alias,
            "user": {"type": "user", "id": people["bob"], "username": "bob@example.com"},
            "startDate": "2026-03-17T09:00:00Z",
            "endDate": "2026-03-17T13:00:00Z",
            "rotations": [],
        }
    ]
    replaced = api.request(
        "PUT",
        f"{base}/{alias}",
        json={
            "user": {"type": "user", "id": people["ada"]},
            "startDate": "2026-03-17T09:00:00Z",
            "endDate": "2026-03-17T18:00:00Z",
            "rotations": [{"name": "secondary"}],
        },
    )
    assert replaced.status_code == 200 and replaced.json()["data"] == {"alias": alias}
    got = api.get(f"{base}/{alias}").json()["data"]
    assert (got["user"]["username"], got["endDate"], [r["name"] for r in got["rotations"]]) == (
        "ada@example.com",
        "2026-03-17T18:00:00Z",
        ["secondary"],
    )
    assert api.request("DELETE", f"{base}/{alias}").status_code == 200
    assert api.get(f"{base}/{alias}").status_code == 404


def test_override_errors_are_json(api, ops):
    base = f"/v2/schedules/{ops}/overrides"
    good = {"alias": "swap", "user": {"username": "bob@example.com"}, "startDate": "2026-03-17T10:00:00Z"}
    bad_order = api.post(base, json={**good, "endDate": "2026-03-17T09:00:00Z"})
    assert bad_order.status_code == 422 and "endDate" in bad_order.json()["errors"]
    assert api.post(base, json={**good, "endDate": "2026-03-17T12:00:00Z"}).status_code == 201
    duplicate = api.post(base, json={**good, "endDate": "2026-03-17T12:00:00Z"})
    assert duplicate.status_code == 409 and "swap" in duplicate.json()["message"]
    missing = api.post("/v2/schedules/nope/overrides", json={**good, "endDate": "2026-03-17T12:00:00Z"})
    assert missing.status_code == 404 and set(missing.json()) == {"message", "took", "requestId"}
    assert (
        api.request("PUT", f"{base}/other", json={**good, "endDate": "2026-03-17T12:00:00Z"}).status_code
        == 404
    )


def test_a_bad_date_or_interval_is_422(api, ops):
    assert api.get(f"/v2/schedules/{ops}/on-calls", params={"date": "yesterday"}).status_code == 422
    assert api.get(f"/v2/schedules/{ops}/on-calls", params={"date": "2026-03-17T12:00:00"}).status_code == 422
    response = api.get(f"/v2/schedules/{ops}/timeline", params={"interval": 2, "intervalUnit": "years"})
    assert response.status_code == 422 and "intervalUnit" in response.json()["errors"]


def test_take_on_call_makes_the_user_on_call_for_the_duration(api, ops, frozen_clock):
    frozen_clock.set(frozen_clock.now().replace(year=2026, month=3, day=17))
    response = api.post(
        f"/v2/schedules/{ops}/take-on-call",
        json={"user": {"username": "bob@example.com"}, "duration": {"timeAmount": 90, "timeUnit": "minutes"}},
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert (data["user"]["username"], data["startDate"], data["endDate"]) == (
        "bob@example.com",
        "2026-03-17T09:00:00Z",
        "2026-03-17T10:30:00Z",
    )
    assert on_calls(api, ops, flat="true")["onCallRecipients"] == ["bob@example.com"]
    frozen_clock.advance(timedelta(minutes=90))
    assert on_calls(api, ops, flat="true")["onCallRecipients"] == ["ada@example.com", "cy@example.com"]
    nobody = api.post(f"/v2/schedules/{ops}/take-on-call", json={})
    assert nobody.status_code == 422 and "user" in nobody.json()["errors"]
