"""The /v2/integrations registry: Opsgenie shapes, keys shown once, who may configure what, and
bad input refused with nothing stored."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integrations.conftest import webhook
from tocsin.integrations.models import Integration

P1_OR_P2 = {
    "type": "match-any-condition",
    "conditions": [
        {"field": "priority", "operation": "equals", "expectedValue": "P1"},
        {"field": "priority", "operation": "equals", "expectedValue": "P2"},
    ],
}


def count(db) -> int:
    with db.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Integration)))


def test_an_api_integration_is_created_with_its_key_shown_once(api, create_integration):
    created = create_integration({"name": "Prometheus", "type": "api", "description": "scrapes"})
    assert created["type"] == "API" and created["enabled"] is True and created["teamId"] is None
    assert len(created["apiKey"]) >= 32
    shown = api.data(f"/v2/integrations/{created['id']}")
    assert "apiKey" not in shown and shown["description"] == "scrapes"
    assert "outgoing" not in shown and "signingSecret" not in shown


def test_a_webhook_shows_its_settings_defaults_and_signing_secret(api, create_integration, receiver):
    created = create_integration(
        webhook("ops-hooks", receiver.url("/hook"), headers={"X-Team": "ops"}, customActions=["Restart"])
    )
    assert "apiKey" not in created
    shown = api.data("/v2/integrations/ops-hooks", params={"identifierType": "name"})
    assert shown["url"] == receiver.url("/hook") and shown["headers"] == {"X-Team": "ops"}
    assert shown["customActions"] == ["Restart"]
    assert shown["outgoing"] == {
        "actions": ["Create", "Acknowledge", "UnAcknowledge", "Close", "AddNote", "AssignOwnership"],
        "filter": {"type": "match-all"},
    }
    assert shown["signingSecret"].startswith("whsec_")


def test_list_filters_by_type_and_team(api, cast, create_integration, receiver):
    teams = {team["name"]: team["id"] for team in api.data("/v2/teams")}
    create_integration({"name": "Prometheus", "type": "API"})
    create_integration({"name": "ops-api", "type": "API", "ownerTeam": {"name": "ops"}})
    create_integration(webhook("ops-hooks", receiver.url(), ownerTeam={"id": teams["ops"]}))
    everything = api.data("/v2/integrations")
    assert [item["name"] for item in everything] == ["ops-api", "ops-hooks", "Prometheus"]
    assert set(everything[0]) == {"id", "name", "enabled", "type", "teamId"}
    assert [item["name"] for item in api.data("/v2/integrations", params={"type": "API"})] == [
        "ops-api",
        "Prometheus",
    ]
    by_team = api.data("/v2/integrations", params={"teamName": "ops", "type": "Webhook"})
    assert [(item["name"], item["teamId"]) for item in by_team] == [("ops-hooks", teams["ops"])]
    assert api.data("/v2/integrations", params={"teamId": teams["db"]}) == []


def test_update_changes_the_outgoing_side_and_keeps_the_rest(api, create_integration, receiver):
    created = create_integration(webhook("ops-hooks", receiver.url("/a"), headers={"X-A": "1"}))
    response = api.request(
        "PUT",
        f"/v2/integrations/{created['id']}",
        json={"outgoing": {"actions": ["create", "Close"], "filter": P1_OR_P2}, "description": "pager"},
    )
    assert response.status_code == 200, response.text
    shown = api.data(f"/v2/integrations/{created['id']}")
    assert shown["outgoing"]["actions"] == ["Create", "Close"]
    assert shown["outgoing"]["filter"]["type"] == "match-any-condition"
    assert [c["expectedValue"] for c in shown["outgoing"]["filter"]["conditions"]] == ["P1", "P2"]
    assert (shown["url"], shown["headers"], shown["description"]) == (
        receiver.url("/a"),
        {"X-A": "1"},
        "pager",
    )


def test_names_are_unique_whatever_their_case(api, db, create_integration):
    create_integration({"name": "Prometheus", "type": "API"})
    response = api.post("/v2/integrations", json={"name": "prometheus", "type": "API"})
    assert response.status_code == 409
    assert (
        response.json()["message"] == "an integration named 'Prometheus' already exists; choose another name"
    )
    other = create_integration({"name": "Grafana", "type": "API"})
    renamed = api.request("PUT", f"/v2/integrations/{other['id']}", json={"name": "PROMETHEUS"})
    assert renamed.status_code == 409 and count(db) == 2


def test_enable_and_disable_answer_the_meta_and_the_key_follows(api, http, create_integration):
    created = create_integration({"name": "Prometheus", "type": "API"})
    sender = type(api)(http, created["apiKey"])
    assert sender.post("/v2/alerts", json={"message": "disk full"}).status_code == 202
    disabled = api.post(f"/v2/integrations/{created['id']}/disable")
    assert disabled.status_code == 200 and disabled.json()["result"] == "Disabled"
    assert disabled.json()["data"] == {
        "id": created["id"],
        "name": "Prometheus",
        "enabled": False,
        "type": "API",
        "teamId": None,
    }
    refused = sender.post("/v2/alerts", json={"message": "disk full"})
    assert refused.status_code == 401
    assert refused.json()["message"] == "Could not authenticate: integration Prometheus is disabled"
    assert (
        api.post("/v2/integrations/Prometheus/enable", params={"identifierType": "name"}).status_code == 200
    )
    assert sender.post("/v2/alerts", json={"message": "disk full"}).status_code == 202


def test_a_deleted_integrations_key_is_refused_at_once(api, db, http, create_integration):
    created = create_integration({"name": "Prometheus", "type": "API"})
    sender = type(api)(http, created["apiKey"])
    assert sender.post("/v2/alerts", json={"message": "disk full"}).status_code == 202
    assert api.delete(f"/v2/integrations/{created['id']}").status_code == 200
    assert sender.post("/v2/alerts", json={"message": "disk full"}).status_code == 401
    assert api.get(f"/v2/integrations/{created['id']}").status_code == 404 and count(db) == 0


def test_rotating_the_signing_secret_changes_it(api, create_integration, receiver):
    created = create_integration(webhook("ops-hooks", receiver.url()))
    rotated = api.post(f"/v2/integrations/{created['id']}/rotate-signing-secret").json()["data"]
    assert rotated["signingSecret"].startswith("whsec_")
    assert rotated["signingSecret"] != created["signingSecret"]
    assert api.data(f"/v2/integrations/{created['id']}")["signingSecret"] == rotated["signingSecret"]


def test_team_admins_and_team_keys_configure_their_teams_integrations_only(
    api, cast, create_integration, integration_key, receiver
):
    ops_key = integration_key("ops-api", team="ops")
    mine = create_integration(webhook("ops-hooks", receiver.url(), ownerTeam={"name": "ops"}), client=ops_key)
    assert mine["teamId"] is not None and mine["signingSecret"]
    theirs = create_integration({"name": "db-api", "type": "API", "ownerTeam": {"name": "db"}})
    create_integration({"name": "Prometheus", "type": "API"})
    assert [item["name"] for item in ops_key.data("/v2/integrations")] == ["ops-api", "ops-hooks"]
    assert ops_key.get(f"/v2/integrations/{theirs['id']}").status_code == 403
    refused = ops_key.post(f"/v2/integrations/{theirs['id']}/disable")
    assert (
        refused.status_code == 403
        and refused.json()["message"] == "ops-api may not change integration db-api"
    )
    global_refused = ops_key.post("/v2/integrations", json={"name": "mine", "type": "API"})
    assert global_refused.status_code == 403
    assert global_refused.json()["message"] == "ops-api may not change global integrations"
    moved = ops_key.request("PUT", f"/v2/integrations/{mine['id']}", json={"ownerTeam": {"name": "db"}})
    assert moved.status_code == 403
    assert ops_key.post(f"/v2/integrations/{mine['id']}/disable").status_code == 200


def test_an_account_key_without_the_configuration_right_cannot_list(account_key):
    response = account_key("read").get("/v2/integrations")
    assert response.status_code == 403 and "configuration" in response.json()["message"]


def refused(api, db, payload, status=422):
    before = count(db)
    response = api.post("/v2/integrations", json=payload)
    assert response.status_code == status, response.text
    assert count(db) == before
    return response.json()


def test_a_webhook_to_a_private_address_is_refused_and_nothing_stored(api, db):
    body = refused(api, db, webhook("ops-hooks", "https://10.0.0.5/hook"))
    assert body["message"] == (
        "url: https://10.0.0.5/hook points to a private address (10.0.0.5); "
        "allow it with TOCSIN_OUTBOUND_ALLOW=10.0.0.0/8"
    )
    assert body["errors"] == {"url": body["message"].removeprefix("url: ")}


def test_a_change_to_a_private_url_is_refused_and_the_old_one_kept(api, create_integration, receiver):
    created = create_integration(webhook("ops-hooks", receiver.url("/ok")))
    response = api.request(
        "PUT", f"/v2/integrations/{created['id']}", json={"url": "http://169.254.169.254/", "name": "x"}
    )
    assert response.status_code == 422 and "link-local" in response.json()["message"]
    shown = api.data(f"/v2/integrations/{created['id']}")
    assert (shown["name"], shown["url"]) == ("ops-hooks", receiver.url("/ok"))


def test_unknown_filter_field_or_operation_is_refused_and_nothing_stored(api, db, receiver):
    condition = {"field": "colour", "operation": "equals", "expectedValue": "red"}
    outgoing = {"filter": {"type": "match-all-conditions", "conditions": [condition]}}
    body = refused(api, db, webhook("ops-hooks", receiver.url(), outgoing=outgoing))
    assert body["message"].startswith("outgoing.filter.conditions[0].field: unknown field 'colour'")
    condition = {"field": "message", "operation": "sounds-like", "expectedValue": "disk"}
    outgoing = {"filter": {"type": "match-all-conditions", "conditions": [condition]}}
    body = refused(api, db, webhook("ops-hooks", receiver.url(), outgoing=outgoing))
    assert body["message"].startswith(
        "outgoing.filter.conditions[0].operation: unknown operation 'sounds-like'"
    )


def test_unknown_action_type_or_field_is_refused_and_nothing_stored(api, db, receiver):
    body = refused(api, db, webhook("ops-hooks", receiver.url(), outgoing={"actions": ["Create", "Explode"]}))
    assert body["message"].startswith(
        "outgoing.actions: unknown alert action 'Explode'; known actions: Create,"
    )
    body = refused(api, db, {"name": "x", "type": "Carrier pigeon"})
    assert (
        body["message"]
        == "type: integration type must be one of API, Webhook, Heartbeat, Mattermost, HipChat, Slack, "
        "got 'Carrier pigeon'"
    )
    body = refused(api, db, webhook("ops-hooks", receiver.url(), outgoingActions=["Create"]))
    assert body["errors"] == {"outgoingActions": "Extra inputs are not permitted"}


def test_settings_that_do_not_fit_the_kind_are_refused(api, db, receiver):
    body = refused(api, db, {"name": "hooks", "type": "Webhook"})
    assert body["message"] == "url: a Webhook integration needs the url it posts to"
    body = refused(api, db, {"name": "am", "type": "API", "outgoing": {"actions": ["Create"]}})
    assert body["message"] == (
        "outgoing: API integrations send nothing out; outgoing applies to HipChat, Mattermost, Slack, Webhook"
    )
    body = refused(api, db, {"name": "am", "type": "API", "url": receiver.url()})
    assert body["message"] == (
        "url: API integrations have no url; only HipChat, Mattermost, Slack and Webhook integrations do"
    )
    body = refused(api, db, webhook("h", receiver.url(), customActions=["Restart", "restart"]))
    assert body["errors"] == {"customActions": "custom action 'restart' is listed twice"}
    body = refused(api, db, webhook("h", receiver.url(), headers={"X-Tocsin-Signature": "forged"}))
    assert "set by Tocsin" in body["message"]
