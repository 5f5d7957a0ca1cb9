"""Pinging a heartbeat as cron jobs and scripts do: any method, Opsgenie's PONG, and keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.accounts.people import Client
from tests.heartbeats.conftest import create, heartbeat

PONG = "PONG - Heartbeat received"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH"])
def test_ping_with_any_method_answers_pong_and_restarts_the_interval(api, frozen_clock, method):
    create(api, heartbeat("cron"))
    frozen_clock.advance(timedelta(minutes=7))

    response = api.request(method, "/v2/heartbeats/CRON/ping")

    assert response.status_code == 202, response.text
    assert response.json()["result"] == PONG
    assert set(response.json()) == {"result", "took", "requestId"}
    shown = api.data("/v2/heartbeats/cron")
    assert shown["lastPingTime"] == "2026-03-01T09:07:00.000Z"
    assert shown["expiresAt"] == "2026-03-01T09:17:00.000Z"


@pytest.mark.parametrize(("name", "pinged_as"), [("Ñightly", "ñIGHTLY"), ("Straße", "STRASSE")])
def test_a_ping_in_another_case_or_form_of_the_name_records_the_ping(api, frozen_clock, name, pinged_as):
    create(api, heartbeat(name))
    frozen_clock.advance(timedelta(minutes=3))

    response = api.get(f"/v2/heartbeats/{pinged_as}/ping")

    assert response.status_code == 202 and response.json()["result"] == PONG
    shown = api.data(f"/v2/heartbeats/{name}")
    assert shown["lastPingTime"] == "2026-03-01T09:03:00.000Z"
    assert shown["expiresAt"] == "2026-03-01T09:13:00.000Z"


def test_ping_ignores_whatever_body_a_script_sends(api, frozen_clock):
    create(api, heartbeat("cron"))
    response = api.post(
        "/v2/heartbeats/cron/ping", content=b"backup done", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 202 and response.json()["result"] == PONG
    assert api.data("/v2/heartbeats/cron")["lastPingTime"] is not None


def test_ping_of_an_unknown_name_still_answers_pong_but_records_nothing(api):
    response = api.get("/v2/heartbeats/no-such-job/ping")
    assert response.status_code == 202
    assert response.json()["result"] == PONG
    assert api.data("/v2/heartbeats") == {"heartbeats": []}
    assert api.get("/v2/heartbeats/no-such-job").status_code == 404


def test_ping_with_a_bad_key_or_none_is_401(http, api):
    create(api, heartbeat("cron"))
    for headers in ({"Authorization": "GenieKey not-a-key"}, {}):
        response = http.get("/v2/heartbeats/cron/ping", headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["message"].startswith("Could not authenticate")
    assert api.data("/v2/heartbeats/cron")["lastPingTime"] is None


def test_integration_keys_and_account_keys_that_may_create_can_ping(api, account_key, integration_key):
    create(api, heartbeat("cron"))
    assert integration_key("cron server").get("/v2/heartbeats/cron/ping").status_code == 202
    assert account_key("create-update").get("/v2/heartbeats/cron/ping").status_code == 202


def test_read_only_account_key_may_not_ping(api, account_key):
    create(api, heartbeat("cron"))
    response = account_key("read").get("/v2/heartbeats/cron/ping")
    assert response.status_code == 403
    assert "create-update" in response.json()["message"]
    assert api.data("/v2/heartbeats/cron")["lastPingTime"] is None


def test_team_key_pings_its_teams_heartbeats_only(api, cast, integration_key):
    create(api, heartbeat("ops-job", ownerTeam={"name": "ops"}))
    create(api, heartbeat("db-job", ownerTeam={"name": "db"}))
    ops_key: Client = integration_key("ops server", team="ops")

    assert ops_key.get("/v2/heartbeats/ops-job/ping").status_code == 202
    refused = ops_key.get("/v2/heartbeats/db-job/ping")
    assert refused.status_code == 403
    assert refused.json()["message"] == "ops server may not ping heartbeat db-job"
    assert api.data("/v2/heartbeats/db-job")["lastPingTime"] is None


def test_ping_of_a_disabled_heartbeat_is_recorded_but_starts_no_interval(api, frozen_clock):
    create(api, heartbeat("cron", enabled=False))
    assert api.get("/v2/heartbeats/cron/ping").status_code == 202
    shown = api.data("/v2/heartbeats/cron")
    assert (shown["lastPingTime"], shown["expiresAt"]) == ("2026-03-01T09:00:00.000Z", None)
