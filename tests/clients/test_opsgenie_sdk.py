"""The official Python SDK (opsgenie-sdk 2.1.5) against a real Tocsin server on loopback."""

from __future__ import annotations

import opsgenie_sdk
import pytest

from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

pytestmark = pytest.mark.clients


@pytest.fixture
def alerts(live_server, integration_key) -> opsgenie_sdk.AlertApi:
    conf = opsgenie_sdk.Configuration()
    conf.host = live_server.url
    conf.api_key["Authorization"] = integration_key
    conf.retry_enabled = False
    return opsgenie_sdk.AlertApi(api_client=opsgenie_sdk.ApiClient(configuration=conf))


def test_sdk_full_alert_lifecycle(alerts, db):
    _restart_runs_through_a_webhook(db)
    created = alerts.create_alert(
        create_alert_payload=opsgenie_sdk.CreateAlertPayload(
            message="disk full", alias="disk-host1", priority="P2", tags=["db"], details={"host": "host1"},
            description="the disk is full", actions=["Restart"],
        )
    )  # fmt: skip
    alert_id = created.id  # polls GET /v2/alerts/requests/{id}
    assert alert_id

    by_id = alerts.get_alert(alert_id).data
    by_alias = alerts.get_alert("disk-host1", identifier_type="alias").data
    by_tiny = alerts.get_alert(by_id.tiny_id, identifier_type="tiny").data
    assert by_id.id == by_alias.id == by_tiny.id and by_id.message == "disk full" and by_id.priority == "P2"

    alerts.acknowledge_alert(
        "disk-host1", identifier_type="alias",
        acknowledge_alert_payload=opsgenie_sdk.AcknowledgeAlertPayload(note="looking", user="ada"),
    )  # fmt: skip
    assert alerts.get_alert(alert_id).data.acknowledged is True
    alerts.un_acknowledge_alert(alert_id)
    assert alerts.get_alert(alert_id).data.acknowledged is False

    alerts.add_note(alert_id, opsgenie_sdk.AddNoteToAlertPayload(note="hi"))
    assert "hi" in [note.note for note in alerts.list_notes(alert_id).data]

    alerts.add_tags(alert_id, opsgenie_sdk.AddTagsToAlertPayload(tags=["x", "y"]))
    alerts.remove_tags(alert_id, tags=["x", "db"])
    alerts.add_details(alert_id, opsgenie_sdk.AddDetailsToAlertPayload(details={"k1": "v1", "k2": "v2"}))
    alerts.remove_details(alert_id, keys=["k1", "host"])
    alerts.update_alert_priority(alert_id, opsgenie_sdk.UpdateAlertPriorityPayload(priority="P1"))
    alerts.update_alert_message(alert_id, opsgenie_sdk.UpdateAlertMessagePayload(message="disk really full"))
    alerts.update_alert_description(alert_id, opsgenie_sdk.UpdateAlertDescriptionPayload(description="100%"))
    alerts.snooze_alert(alert_id, opsgenie_sdk.SnoozeAlertPayload(end_time="2030-04-03T20:05:50.894Z"))
    alerts.execute_custom_alert_action(alert_id, "Restart")

    alert = alerts.get_alert(alert_id).data
    assert alert.tags == ["y"] and alert.details == {"k2": "v2"}
    assert (alert.priority, alert.message, alert.description) == ("P1", "disk really full", "100%")
    assert alert.snoozed is True and alert.snoozed_until.year == 2030
    logs = [entry.log for entry in alerts.list_logs(alert_id, order="asc").data]
    assert "Custom action 'Restart' executed by Prometheus (API)" in logs

    listed = alerts.list_alerts(
        query="status:open AND priority:P1", limit=10, offset=0, sort="createdAt", order="desc"
    )
    assert [item.id for item in listed.data] == [alert_id]
    assert alerts.count_alerts(query="status:open").data.count == 1

    alerts.close_alert(alert_id, close_alert_payload=opsgenie_sdk.CloseAlertPayload(source="sdk"))
    assert alerts.get_alert(alert_id).data.status == "closed"
    assert alerts.count_alerts(query="status:open").data.count == 0

    alerts.delete_alert(alert_id, identifier_type="id", user="ada", source="sdk")
    with pytest.raises(opsgenie_sdk.exceptions.ApiException) as missing:
        alerts.get_alert(alert_id)
    assert missing.value.status == 404


def test_sdk_action_on_missing_alert_is_accepted_then_reports_failure(alerts):
    accepted = alerts.acknowledge_alert("no-such-alert")
    status = alerts.get_request_status(accepted.request_id).data
    assert (
        status.is_success is False
        and status.status == "Alert does not exist"
        and status.action == "Acknowledge"
    )


def test_sdk_sees_responders_with_ids(alerts, db):
    from tests.support.factories import make_team, make_user

    make_team(db, "ops")
    make_user(db, "a@b.c")
    created = alerts.create_alert(
        create_alert_payload=opsgenie_sdk.CreateAlertPayload(
            message="hello",
            responders=[opsgenie_sdk.TeamRecipient(name="ops"), {"type": "user", "username": "a@b.c"}],
        )
    )
    alert = alerts.get_alert(created.id).data
    assert [(responder.type, bool(responder.id)) for responder in alert.responders] == [
        ("team", True),
        ("user", True),
    ]


def _restart_runs_through_a_webhook(db) -> None:
    """A custom action needs an integration that runs it (its delivery is not part of this test)."""
    with db.write_session() as session:
        integrations.create_integration(
            session,
            type="Webhook",
            name="runbooks",
            changes=Changes(url="http://127.0.0.1:9/restart", custom_actions=["Restart"]),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )
