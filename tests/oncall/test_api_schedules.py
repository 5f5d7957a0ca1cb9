"""/v2/schedules and /rotations through HTTP: Opsgenie shapes, identifiers and JSON errors."""

from __future__ import annotations

import pytest

from tests.support.api import ApiClient
from tests.support.factories import make_integration, make_team
from tocsin.accounts import apikeys

NIGHTS = {"type": "time-of-day", "restriction": {"startHour": 22, "startMin": 0, "endHour": 6, "endMin": 0}}
OPS = {
    "name": "ops_schedule",
    "description": "who answers the pager",
    "timezone": "Europe/Berlin",
    "enabled": True,
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
            "name": "nights",
            "startDate": "2026-03-16T00:00:00Z",
            "endDate": "2026-12-31T00:00:00Z",
            "type": "daily",
            "length": 2,
            "participants": [{"type": "user", "username": "cy@example.com"}],
            "timeRestriction": NIGHTS,
        },
    ],
}


@pytest.fixture
def ops_team(db, people):
    return make_team(db, "ops_team", "ada@example.com", "bob@example.com")


def create(api: ApiClient, payload=OPS) -> str:
    response = api.post("/v2/schedules", json=payload)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["name"] == payload["name"] and data["enabled"] is True
    return data["id"]  # type: ignore[no-any-return]


def test_a_schedule_created_with_rotations_reads_back_in_opsgenie_shape(api, ops_team, people):
    schedule_id = create(api)
    response = api.get(f"/v2/schedules/{schedule_id}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert {key: data[key] for key in ("name", "description", "timezone", "enabled", "ownerTeam")} == {
        "name": "ops_schedule",
        "description": "who answers the pager",
        "timezone": "Europe/Berlin",
        "enabled": True,
        "ownerTeam": {"id": ops_team, "name": "ops_team"},
    }
    primary, nights = data["rotations"]
    assert primary["startDate"] == "2026-03-16T08:00:00Z" and "endDate" not in primary
    assert primary["participants"] == [
        {"type": "user", "id": people["ada"], "username": "ada@example.com"},
        {"type": "none"},
        {"type": "user", "id": people["bob"], "username": "bob@example.com"},
    ]
    assert (nights["type"], nights["length"], nights["endDate"]) == ("daily", 2, "2026-12-31T00:00:00Z")
    assert nights["timeRestriction"] == NIGHTS


def test_schedules_are_found_by_name_with_identifier_type(api, ops_team):
    schedule_id = create(api)
    response = api.get("/v2/schedules/OPS_SCHEDULE", params={"identifierType": "name"})
    assert response.status_code == 200 and response.json()["data"]["id"] == schedule_id
    listed = api.get("/v2/schedules", params={"expand": "rotation"}).json()["data"]
    assert [(s["name"], len(s["rotations"])) for s in listed] == [("ops_schedule", 2)]


def test_a_schedule_is_patched_and_deleted(api, ops_team):
    schedule_id = create(api)
    response = api.request("PATCH", f"/v2/schedules/{schedule_id}", json={"name": "ops", "enabled": False})
    assert response.status_code == 200 and response.json()["data"] == {
        "id": schedule_id,
        "name": "ops",
        "enabled": False,
    }
    data = api.get(f"/v2/schedules/{schedule_id}").json()["data"]
    assert data["description"] == "who answers the pager" and len(data["rotations"]) == 2
    response = api.request("DELETE", "/v2/schedules/ops", params={"identifierType": "name"})
    assert response.status_code == 200 and response.json()["result"] == "Deleted"
    missing = api.get(f"/v2/schedules/{schedule_id}")
    assert missing.status_code == 404
    assert set(missing.json()) == {"message", "took", "requestId"}


def test_rotations_are_listed_added_changed_and_removed(api, ops_team, people):
    schedule_id = create(api)
    base = f"/v2/schedules/{schedule_id}/rotations"
    added = api.post(
        base,
        json={
            "name": "weekend",
            "startDate": "2026-03-20T18:00:00Z",
            "type": "hourly",
            "length": 12,
            "participants": [{"type": "user", "id": people["cy"]}],
        },
    )
    assert added.status_code == 201, added.text
    rotation_id = added.json()["data"]["id"]
    assert [r["name"] for r in api.get(base).json()["data"]] == ["primary", "nights", "weekend"]
    changed = api.request("PATCH", f"{base}/{rotation_id}", json={"length": 24, "timeRestriction": NIGHTS})
    assert changed.status_code == 200, changed.text
    rotation = api.get(f"{base}/{rotation_id}").json()["data"]
    assert (rotation["length"], rotation["timeRestriction"], rotation["participants"][0]["username"]) == (
        24,
        NIGHTS,
        "cy@example.com",
    )
    assert api.request("DELETE", f"{base}/{rotation_id}").status_code == 200
    assert api.get(f"{base}/{rotation_id}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        (
            {"rotations": [{**OPS["rotations"][0], "startDate": "2026-03-16T09:00:00"}]},
            "rotations[0].startDate",
        ),
        ({"rotations": [{**OPS["rotations"][0], "type": "monthly"}]}, "rotations[0].type"),
        ({"rotations": [{**OPS["rotations"][0], "participants": [{"type": "team", "name": "x"}]}]}, None),
        (
            {
                "rotations": [
                    {**OPS["rotations"][0], "participants": [{"type": "user", "username": "no@x.io"}]}
                ]
            },
            None,
        ),
        ({"rotations": [{**OPS["rotations"][1], "timeRestriction": {"type": "never"}}]}, None),
        ({"ownerTeam": {"name": "nobody"}}, "ownerTeam"),
        ({"name": ""}, "name"),
    ],
)
def test_invalid_schedules_are_422_naming_the_field(api, ops_team, change, field):
    response = api.post("/v2/schedules", json={**OPS, **change})
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) >= {"message", "took", "requestId", "errors"}
    if field:
        assert field in body["errors"]
    assert api.get("/v2/schedules").json()["data"] == []


def test_a_second_schedule_with_the_same_name_in_other_case_is_409(api, ops_team):
    create(api)
    response = api.post("/v2/schedules", json={"name": "OPS_Schedule"})
    assert response.status_code == 409 and "already exists" in response.json()["message"]


def test_team_keys_and_keys_without_configuration_rights_are_403(api, http, db, ops_team):
    schedule_id = create(api)
    make_team(db, "db_team")
    _, db_key = make_integration(db, "db-monitor", team="db_team")
    outsider = ApiClient(http, db_key)
    for response in (
        outsider.get(f"/v2/schedules/{schedule_id}"),
        outsider.request("PATCH", f"/v2/schedules/{schedule_id}", json={"enabled": False}),
        outsider.get(f"/v2/schedules/{schedule_id}/on-calls"),
    ):
        assert response.status_code == 403 and response.json()["code"] == 40301
    assert outsider.get("/v2/schedules").json()["data"] == []
    with db.write_session() as session:
        _, reader = apikeys.create_api_key(session, name="dashboards", rights=["read"])
    response = ApiClient(http, reader).get("/v2/schedules")
    assert response.status_code == 403 and "configuration" in response.json()["message"]


def test_the_owner_teams_key_may_change_its_schedule(api, http, db, ops_team):
    schedule_id = create(api)
    _, ops_key = make_integration(db, "ops-monitor", team="ops_team")
    response = ApiClient(http, ops_key).request(
        "PATCH", f"/v2/schedules/{schedule_id}", json={"enabled": False}
    )
    assert response.status_code == 200, response.text
