"""Custom actions: defined on a webhook integration, listed on an alert, run through the API;
delivered with the alert and logged, as executed and as delivered or failed."""

from __future__ import annotations

import pytest

from tests.integrations.conftest import webhook


@pytest.fixture
def sender(integration_key):
    return integration_key("Prometheus")


def test_a_custom_action_is_delivered_with_the_alert_and_logged(sender, create_integration, receiver, engine):
    hook = create_integration(
        webhook("ops-hooks", receiver.url("/actions"), customActions=["Restart"], outgoing={"actions": []})
    )
    alert = sender.create(message="web1 stuck", actions=["Restart"], details={"host": "web1"})
    status = sender.act("POST", f"/v2/alerts/{alert['id']}/actions/Restart", json={"user": "ada"})
    assert status["isSuccess"] and status["action"] == "ExecuteCustomAction"
    engine.tick()

    (request,) = receiver.received
    body = request.json()
    assert (body["action"], body["customAction"]) == ("CustomAction", "Restart")
    assert body["integrationName"] == "ops-hooks" and body["integrationId"] == hook["id"]
    assert body["alert"]["alertId"] == alert["id"] and body["alert"]["details"] == {"host": "web1"}
    assert body["alert"]["username"] == "ada via Prometheus (API)"
    assert request.headers["x-tocsin-signature"].startswith("sha256=")
    assert sender.logs(alert["id"])[-2:] == [
        "Custom action 'Restart' executed by ada via Prometheus (API)",
        "Custom action 'Restart' delivered to ops-hooks (HTTP 200)",
    ]


def test_a_custom_action_refused_by_the_receiver_is_logged_as_failed(
    sender, create_integration, receiver, engine
):
    create_integration(webhook("ops-hooks", receiver.url(), customActions=["Restart"]))
    receiver.answer_with(404)
    alert = sender.create(message="web1 stuck", actions=["Restart"])
    sender.act("POST", f"/v2/alerts/{alert['id']}/actions/Restart")
    engine.tick()
    assert sender.logs(alert["id"])[-1] == (
        f"Custom action 'Restart' to ops-hooks failed: HTTP 404 from {receiver.url()}: {{}}"
    )


def test_other_webhooks_hear_of_the_custom_action_as_activity(sender, create_integration, receiver, engine):
    create_integration(webhook("ops-hooks", receiver.url("/runs"), customActions=["Restart"]))
    create_integration(webhook("audit", receiver.url("/audit"), outgoing={"actions": ["CustomAction"]}))
    alert = sender.create(message="web1 stuck", actions=["Restart"])
    sender.act("POST", f"/v2/alerts/{alert['id']}/actions/Restart")
    engine.tick()
    custom = sorted(
        (request.path, request.json()["integrationName"])
        for request in receiver.received
        if request.json()["action"] == "CustomAction"
    )
    assert custom == [("/audit", "audit"), ("/runs", "ops-hooks")]


def test_an_action_no_enabled_integration_runs_is_refused_naming_it(
    api, sender, create_integration, receiver, engine
):
    hook = create_integration(webhook("ops-hooks", receiver.url(), customActions=["Restart"]))
    api.post(f"/v2/integrations/{hook['id']}/disable")
    alert = sender.create(message="web1 stuck", actions=["Restart", "Reboot"])
    for action in ("Restart", "Reboot"):
        status = sender.act("POST", f"/v2/alerts/{alert['id']}/actions/{action}")
        assert status["isSuccess"] is False
        assert status["status"] == (
            f"No enabled integration runs the custom action {action!r}: "
            "add it to the customActions of a Webhook integration that can see this alert"
        )
    engine.tick()
    assert receiver.received == []
    assert not any(line.startswith("Custom action") for line in sender.logs(alert["id"]))


def test_a_team_webhook_runs_actions_only_on_its_teams_alerts(
    cast, sender, create_integration, receiver, engine
):
    create_integration(
        webhook("ops-hooks", receiver.url(), customActions=["Restart"], ownerTeam={"name": "ops"})
    )
    theirs = sender.create(message="db", actions=["Restart"], responders=[{"type": "team", "name": "db"}])
    ours = sender.create(message="ops", actions=["Restart"], responders=[{"type": "team", "name": "ops"}])
    assert sender.act("POST", f"/v2/alerts/{theirs['id']}/actions/Restart")["isSuccess"] is False
    assert (
        sender.act("POST", f"/v2/alerts/{ours['id']}/actions/restart")["isSuccess"] is False
    )  # alert's name
    assert sender.act("POST", f"/v2/alerts/{ours['id']}/actions/Restart")["isSuccess"] is True
    engine.tick()
    assert [request.json()["alert"]["message"] for request in receiver.received
            if request.json()["action"] == "CustomAction"] == ["ops"]  # fmt: skip
