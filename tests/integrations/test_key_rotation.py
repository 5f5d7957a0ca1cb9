"""A new key for an integration that receives alerts: the old one is refused at once, the new one
creates alerts; only those who configure the integration may ask for it, and kinds without a key
have none to rotate."""

from __future__ import annotations

import logging

import pytest

from tests.accounts.people import Client, actor_of, raises
from tests.integrations.conftest import webhook
from tocsin.actors import SYSTEM
from tocsin.errors import PermissionDenied
from tocsin.integrations import registry
from tocsin.integrations import service as integrations


def test_after_rotation_the_old_key_is_refused_and_the_new_one_creates_alerts(
    api, create_integration, http, caplog: pytest.LogCaptureFixture
):
    created = create_integration({"name": "Prometheus", "type": "API"})
    old = Client(http, created["apiKey"])
    assert old.post("/v2/alerts", json={"message": "before"}).status_code == 202

    with caplog.at_level(logging.INFO, logger="tocsin.integrations.registry"):
        response = api.post(f"/v2/integrations/{created['id']}/rotate-key")

    assert response.status_code == 200, response.text
    rotated = response.json()
    assert rotated["result"] == "Rotated"
    new_key = rotated["data"]["apiKey"]
    assert rotated["data"] | {"apiKey": ""} == {
        "id": created["id"],
        "name": "Prometheus",
        "enabled": True,
        "type": "API",
        "teamId": None,
        "apiKey": "",
    }
    assert new_key != created["apiKey"] and len(new_key) == 36
    refused = old.post("/v2/alerts", json={"message": "with the old key"})
    assert refused.status_code == 401, refused.text
    assert Client(http, new_key).post("/v2/alerts", json={"message": "with the new key"}).status_code == 202
    assert "apiKey" not in api.data(f"/v2/integrations/{created['id']}")
    logged = [record.getMessage() for record in caplog.records]
    assert logged == ["integration Prometheus has a new key; its old key is refused from now on"]
    assert new_key not in caplog.text and created["apiKey"] not in caplog.text


def test_a_key_is_rotated_by_name_and_a_team_key_rotates_its_own(api, cast, create_integration, http):
    ops = create_integration({"name": "ops-api", "type": "API", "ownerTeam": {"name": "ops"}})
    ops_key = Client(http, ops["apiKey"])
    db_api = create_integration({"name": "db-api", "type": "API", "ownerTeam": {"name": "db"}})

    mine = ops_key.post("/v2/integrations/ops-api/rotate-key", params={"identifierType": "name"})
    theirs = ops_key.post(f"/v2/integrations/{db_api['id']}/rotate-key")

    assert mine.status_code == 200, mine.text
    assert ops_key.get("/v2/integrations").status_code == 401  # its own old key, now
    assert theirs.status_code in (401, 403)
    other = Client(http, mine.json()["data"]["apiKey"]).post(f"/v2/integrations/{db_api['id']}/rotate-key")
    assert other.status_code == 403
    assert other.json()["message"] == "ops-api may not change integration db-api"
    assert (
        Client(http, db_api["apiKey"]).post("/v2/alerts", json={"message": "still works"}).status_code == 202
    )


def test_an_integration_that_only_sends_has_no_key_to_rotate(api, create_integration, receiver):
    hooks = create_integration(webhook("ops-hooks", receiver.url("/hook")))

    response = api.post(f"/v2/integrations/{hooks['id']}/rotate-key")

    assert response.status_code == 422
    assert response.json()["message"] == (
        "type: Webhook integrations have no key: they send alerts out and receive none"
    )


def test_the_service_refuses_people_who_do_not_configure_the_integration(db, cast):
    with db.write_session() as session:
        integration, key = integrations.create_integration(
            session, type="API", name="ops-api", team_name="ops"
        )
    with (
        db.write_session() as session,
        raises(PermissionDenied, "ann@example.com may not change integration ops-api"),
    ):
        found = integrations.get_integration(session, integration.id)
        registry.rotate_key(session, actor=actor_of(session, "ann"), integration=found)
    with db.write_session() as session:
        found = integrations.get_integration(session, integration.id)
        new_key = registry.rotate_key(session, actor=actor_of(session, "lead"), integration=found)
    with db.read_session() as session:
        assert integrations.find_by_secret(session, key) is None
        assert integrations.find_by_secret(session, new_key) is not None


def test_a_heartbeat_integration_has_a_key_to_rotate_too(db):
    with db.write_session() as session:
        door, old = integrations.create_integration(session, type="Heartbeat", name="Heartbeat")
        new_key = registry.rotate_key(session, actor=SYSTEM, integration=door)
    with db.read_session() as session:
        assert integrations.find_by_secret(session, old) is None
        assert integrations.find_by_secret(session, new_key).name == "Heartbeat"
