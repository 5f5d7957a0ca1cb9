"""The /v2/heartbeats configuration API: Opsgenie shapes, 422s that say what to fix and store
nothing, and who may configure which heartbeats."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.heartbeats.conftest import create, heartbeat

MINUTE = timedelta(minutes=1)


def _team_id(api, name: str) -> str:
    return next(team["id"] for team in api.data("/v2/teams") if team["name"] == name)


def test_created_heartbeat_is_shown_in_opsgenie_shape_and_expires_after_its_interval(api, cast, frozen_clock):
    created = create(
        api,
        heartbeat(
            "Nightly-Backup",
            description="the backup at 02:00",
            interval=2,
            intervalUnit="hours",
            ownerTeam={"name": "ops"},
            alertMessage="Backup did not finish",
            alertTags=["backup", "db"],
            alertPriority="P1",
        ),
    )
    expected = {
        "name": "Nightly-Backup",
        "description": "the backup at 02:00",
        "interval": 2,
        "intervalUnit": "hours",
        "enabled": True,
        "expired": False,
        "lastPingTime": None,
        "ownerTeam": {"id": _team_id(api, "ops"), "name": "ops"},
        "alertMessage": "Backup did not finish",
        "alertTags": ["backup", "db"],
        "alertPriority": "P1",
        "expiresAt": "2026-03-01T11:00:00.000Z",
    }
    assert created == expected
    assert api.data("/v2/heartbeats/nightly-backup") == expected
    assert api.data("/v2/heartbeats") == {"heartbeats": [expected]}


def test_defaults_are_opsgenies_message_priority_and_no_tags(api, cast):
    created = create(api, heartbeat("cron"))
    assert (created["alertMessage"], created["alertPriority"], created["alertTags"]) == (
        "cron is expired",
        "P3",
        [],
    )
    assert "ownerTeam" not in created and created["description"] == ""


def test_list_is_ordered_by_name(api, cast):
    for name in ("b-job", "A-job", "c-job"):
        create(api, heartbeat(name))
    assert [item["name"] for item in api.data("/v2/heartbeats")["heartbeats"]] == ["A-job", "b-job", "c-job"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"interval": 0}, "interval", "Input should be greater than or equal to 1"),
        ({"intervalUnit": "weeks"}, "intervalUnit", "Input should be 'minutes', 'hours' or 'days'"),
        ({"interval": 400, "intervalUnit": "days"}, "interval", "interval may be at most 366 days"),
        ({"name": ""}, "name", "String should have at least 1 character"),
        ({"name": "x" * 201}, "name", "String should have at most 200 characters"),
        ({"name": "backups/nightly"}, "name", "may not contain '/'"),
        ({"alertMessage": "m" * 131}, "alertMessage", "String should have at most 130 characters"),
        ({"alertTags": ["t"] * 21}, "alertTags", "List should have at most 20 items"),
        ({"alertPriority": "P9"}, "alertPriority", "Input should be 'P1', 'P2', 'P3', 'P4' or 'P5'"),
        ({"description": "d" * 10001}, "description", "String should have at most 10000 characters"),
        ({"ownerTeam": {"name": "nobody"}}, "ownerTeam", "team 'nobody' does not exist"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_bad_create_is_a_422_naming_the_field_and_stores_nothing(api, cast, payload, field, message):
    response = api.post("/v2/heartbeats", json={**heartbeat("cron"), **payload})
    assert response.status_code == 422, response.text
    assert message in response.json()["errors"][field]
    assert api.data("/v2/heartbeats") == {"heartbeats": []}


@pytest.mark.parametrize("missing", ["name", "interval", "intervalUnit", "enabled"])
def test_required_fields_of_opsgenie_are_required(api, missing):
    payload = heartbeat("cron")
    del payload[missing]
    response = api.post("/v2/heartbeats", json=payload)
    assert response.status_code == 422
    assert response.json()["errors"] == {missing: "Field required"}


def test_a_second_heartbeat_of_the_same_name_in_any_case_is_a_conflict(api):
    create(api, heartbeat("cron"))
    response = api.post("/v2/heartbeats", json=heartbeat("CRON", interval=5))
    assert response.status_code == 409
    assert response.json()["message"] == "a heartbeat named 'cron' already exists"
    assert [item["interval"] for item in api.data("/v2/heartbeats")["heartbeats"]] == [10]


def test_unknown_heartbeat_is_a_404_for_every_configuration_call(api):
    for method, path in (
        ("GET", "/v2/heartbeats/ghost"),
        ("PATCH", "/v2/heartbeats/ghost"),
        ("DELETE", "/v2/heartbeats/ghost"),
        ("POST", "/v2/heartbeats/ghost/enable"),
        ("POST", "/v2/heartbeats/ghost/disable"),
    ):
        response = api.request(method, path, json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["message"] == "Heartbeat with name 'ghost' does not exist"


def test_patch_changes_only_what_it_names_and_answers_with_heartbeat_meta(api, cast):
    create(api, heartbeat("cron", alertTags=["a"], description="old"))
    response = api.patch(
        "/v2/heartbeats/cron",
        json={"description": "new", "alertPriority": "p2", "ownerTeam": {"name": "db"}, "name": "CRON"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"name": "cron", "enabled": True, "expired": False}
    shown = api.data("/v2/heartbeats/cron")
    assert (shown["description"], shown["alertPriority"], shown["alertTags"]) == ("new", "P2", ["a"])
    assert shown["ownerTeam"]["name"] == "db"

    assert api.patch("/v2/heartbeats/cron", json={"ownerTeam": None}).status_code == 200
    assert "ownerTeam" not in api.data("/v2/heartbeats/cron")


def test_patch_cannot_rename_and_says_what_to_do_instead(api):
    create(api, heartbeat("cron"))
    response = api.patch("/v2/heartbeats/cron", json={"name": "other", "description": "changed"})
    assert response.status_code == 422
    assert "cannot be renamed" in response.json()["errors"]["name"]
    assert api.data("/v2/heartbeats/cron")["description"] == ""


def test_new_interval_counts_from_the_last_ping(api, frozen_clock):
    create(api, heartbeat("cron", interval=10))
    frozen_clock.advance(4 * MINUTE)
    assert api.get("/v2/heartbeats/cron/ping").status_code == 202  # 09:04
    frozen_clock.advance(MINUTE)
    assert api.patch("/v2/heartbeats/cron", json={"interval": 1, "intervalUnit": "hours"}).status_code == 200
    assert api.data("/v2/heartbeats/cron")["expiresAt"] == "2026-03-01T10:04:00.000Z"


def test_too_long_interval_on_patch_is_refused(api):
    create(api, heartbeat("cron", interval=300, intervalUnit="days"))
    response = api.patch("/v2/heartbeats/cron", json={"intervalUnit": "hours", "interval": 9000})
    assert response.status_code == 422
    response = api.patch("/v2/heartbeats/cron", json={"interval": 367})
    assert response.status_code == 422
    assert response.json()["errors"] == {"interval": "interval may be at most 366 days, got 367 days"}
    assert api.data("/v2/heartbeats/cron")["interval"] == 300


def test_disable_stops_the_clock_and_enable_restarts_it_now(api, frozen_clock):
    create(api, heartbeat("cron"))
    response = api.post("/v2/heartbeats/cron/disable")
    assert response.status_code == 200
    assert response.json()["data"] == {"name": "cron", "enabled": False, "expired": False}
    assert api.data("/v2/heartbeats/cron")["expiresAt"] is None

    frozen_clock.advance(timedelta(hours=3))
    assert api.post("/v2/heartbeats/cron/enable").json()["data"]["enabled"] is True
    assert api.data("/v2/heartbeats/cron")["expiresAt"] == "2026-03-01T12:10:00.000Z"


def test_delete_removes_the_heartbeat(api):
    create(api, heartbeat("cron"))
    response = api.delete("/v2/heartbeats/cron")
    assert response.status_code == 200
    assert response.json()["result"] == "Deleted"
    assert api.get("/v2/heartbeats/cron").status_code == 404


def test_team_key_configures_its_teams_heartbeats_only(api, cast, integration_key):
    ops_key = integration_key("ops alerts", team="ops")
    create(api, heartbeat("global-job"))
    create(api, heartbeat("db-job", ownerTeam={"name": "db"}))

    assert (
        ops_key.post("/v2/heartbeats", json=heartbeat("ops-job", ownerTeam={"name": "ops"})).status_code
        == 201
    )
    refused = ops_key.post("/v2/heartbeats", json=heartbeat("sneaky"))
    assert refused.status_code == 403
    assert refused.json()["message"] == "ops alerts may not change global heartbeats"
    assert ops_key.patch("/v2/heartbeats/db-job", json={"description": "x"}).status_code == 403
    assert ops_key.delete("/v2/heartbeats/global-job").status_code == 403
    assert ops_key.post("/v2/heartbeats/db-job/disable").status_code == 403
    assert ops_key.get("/v2/heartbeats/db-job").status_code == 403
    assert [item["name"] for item in ops_key.data("/v2/heartbeats")["heartbeats"]] == ["ops-job"]
    moved = ops_key.patch("/v2/heartbeats/ops-job", json={"ownerTeam": {"name": "db"}})
    assert moved.status_code == 403
    assert moved.json()["message"] == "ops alerts may not change heartbeats of team db"
    assert api.data("/v2/heartbeats/ops-job")["ownerTeam"]["name"] == "ops"


def test_account_keys_need_the_configuration_right(account_key):
    reader = account_key("read", "create-update")
    response = reader.post("/v2/heartbeats", json=heartbeat("cron"))
    assert response.status_code == 403
    assert "configuration" in response.json()["message"]
    assert reader.get("/v2/heartbeats").status_code == 403
