"""Every alert action of the v2 API: applied before the 202, logged with who did it."""

from __future__ import annotations

from datetime import timedelta

from tests.support.factories import make_team, make_user
from tocsin import clock


def test_acknowledge_fills_report_and_logs_the_requester(api):
    alert = api.create(message="disk full")
    status = api.act("POST", f"/v2/alerts/{alert['id']}/acknowledge", json={"user": "ada", "note": "on it"})
    assert status["isSuccess"] and status["action"] == "Acknowledge"
    acked = api.alert(alert["id"])
    assert acked["acknowledged"] is True and acked["isSeen"] is True
    assert acked["report"]["acknowledgedBy"] == "ada" and acked["report"]["ackTime"] >= 0
    assert api.logs(alert["id"])[1:] == [
        "Alert acknowledged by ada via Prometheus (API)",
        "Note added by ada via Prometheus (API)",
    ]


def test_acknowledge_with_no_body_at_all(api):
    alert = api.create(message="disk full")
    response = api.post(f"/v2/alerts/{alert['id']}/acknowledge", headers={"Content-Type": "application/json"})
    assert api.status_of(response)["isSuccess"]
    assert api.alert(alert["id"])["acknowledged"] is True


def test_unacknowledge_and_close_by_alias(api):
    api.create(message="disk full", alias="disk")
    api.act("POST", "/v2/alerts/disk/acknowledge", params={"identifierType": "alias"})
    api.act("POST", "/v2/alerts/disk/unacknowledge", params={"identifierType": "alias"})
    alert = api.alert("disk", "alias")
    assert alert["acknowledged"] is False
    status = api.act(
        "POST", "/v2/alerts/disk/close", params={"identifierType": "alias"}, json={"source": "am"}
    )
    assert status["isSuccess"] and status["alertId"] == alert["id"]
    closed = api.alert(alert["id"])
    assert closed["status"] == "closed" and closed["report"]["closedBy"] == "Prometheus"
    assert "closeTime" in closed["report"]


def test_snooze_until_a_time_and_wake_up_when_it_passes(api, db, frozen_clock):
    from tocsin.alerts.actions import wake_snoozed

    alert = api.create(message="disk full")
    until = (clock.now() + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    assert api.act("POST", f"/v2/alerts/{alert['id']}/snooze", json={"endTime": until})["isSuccess"]
    snoozed = api.alert(alert["id"])
    assert snoozed["snoozed"] is True and snoozed["snoozedUntil"].startswith(until[:16])
    frozen_clock.advance(timedelta(minutes=29))
    with db.write_session() as session:
        assert wake_snoozed(session) == 0
    frozen_clock.advance(timedelta(minutes=2))
    with db.write_session() as session:
        assert wake_snoozed(session) == 1
    assert api.alert(alert["id"])["snoozed"] is False
    assert api.logs(alert["id"])[-1] == "Snooze ended; the alert is active again"


def test_snooze_in_the_past_is_refused(api):
    alert = api.create(message="disk full")
    response = api.post(f"/v2/alerts/{alert['id']}/snooze", json={"endTime": "2001-01-01T00:00:00Z"})
    assert response.status_code == 422 and response.json()["errors"] == {
        "endTime": "endTime must be in the future"
    }


def queued_events(db, alert_id):
    from sqlalchemy import select

    from tocsin.notify.outbox import OutboxMessage

    with db.read_session() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.alert_id == alert_id).order_by(OutboxMessage.id)
        ).all()
        return [(row.topic, row.payload) for row in rows]


def test_escalate_moves_the_alert_to_a_named_policy(api, db):
    from tocsin.actors import SYSTEM
    from tocsin.escalations import service as escalations
    from tocsin.escalations.schemas import EscalationPayload

    make_user(db, "ada@example.com")
    with db.write_session() as session:
        policy = escalations.create_policy(
            session,
            actor=SYSTEM,
            payload=EscalationPayload.model_validate(
                {
                    "name": "ops-escalation",
                    "rules": [{"recipient": {"type": "user", "username": "ada@example.com"}}],
                }
            ),
        )
    alert = api.create(message="disk full")
    status = api.act(
        "POST", f"/v2/alerts/{alert['id']}/escalate", json={"escalation": {"name": "ops-escalation"}}
    )
    assert status["isSuccess"] and status["action"] == "Escalate"
    assert api.logs(alert["id"])[-1] == "Alert escalated to ops-escalation by Prometheus (API)"
    topic, payload = queued_events(db, alert["id"])[-1]
    assert topic == "alert.escalation_requested" and payload["policyId"] == policy.id


def test_escalating_to_an_unknown_policy_is_422_naming_it(api):
    alert = api.create(message="disk full")
    response = api.post(f"/v2/alerts/{alert['id']}/escalate", json={"escalation": {"name": "nobody"}})
    assert response.status_code == 422
    assert response.json()["errors"] == {"escalation": "escalation 'nobody' does not exist"}


def test_assign_add_team_and_add_responder(api, db):
    ada = make_user(db, "ada@example.com")
    make_user(db, "bob@example.com")
    ops = make_team(db, "ops", "bob@example.com")
    alert = api.create(message="disk full")
    api.act("POST", f"/v2/alerts/{alert['id']}/assign", json={"owner": {"username": "ada@example.com"}})
    api.act("POST", f"/v2/alerts/{alert['id']}/teams", json={"team": {"name": "ops"}})
    api.act(
        "POST",
        f"/v2/alerts/{alert['id']}/responders",
        json={"responder": {"type": "user", "username": "ada@example.com"}},
    )
    updated = api.alert(alert["id"])
    assert updated["owner"] == "ada@example.com"
    assert [(item["type"], item["id"]) for item in updated["responders"]] == [("team", ops), ("user", ada)]
    assert "Team ops added as responder by Prometheus (API)" in api.logs(alert["id"])
    added = [
        payload["responder"]
        for topic, payload in queued_events(db, alert["id"])
        if topic == "alert.responder_added"
    ]
    assert added == [{"type": "team", "id": ops}, {"type": "user", "id": ada}]  # the engine notifies them


def test_assign_to_unknown_user_is_422_naming_it(api):
    alert = api.create(message="disk full")
    response = api.post(
        f"/v2/alerts/{alert['id']}/assign", json={"owner": {"username": "nobody@example.com"}}
    )
    assert response.status_code == 422
    assert "nobody@example.com" in response.json()["errors"]["owner"]


def test_tags_and_details_are_added_and_removed(api):
    alert = api.create(message="disk full", tags=["a"], details={"k1": "v1"})
    api.act("POST", f"/v2/alerts/{alert['id']}/tags", json={"tags": ["b", "c"]})
    api.act("DELETE", f"/v2/alerts/{alert['id']}/tags", params={"tags": "a,c"})
    api.act("POST", f"/v2/alerts/{alert['id']}/details", json={"details": {"k2": "v2", "k3": "v3"}})
    api.act("DELETE", f"/v2/alerts/{alert['id']}/details", params={"keys": "k1,k3"})
    updated = api.alert(alert["id"])
    assert updated["tags"] == ["b"] and updated["details"] == {"k2": "v2"}


def test_priority_message_and_description_updates(api):
    alert = api.create(message="disk full")
    api.act("PUT", f"/v2/alerts/{alert['id']}/priority", json={"priority": "P1"})
    api.act("PUT", f"/v2/alerts/{alert['id']}/message", json={"message": "disk really full"})
    api.act("PUT", f"/v2/alerts/{alert['id']}/description", json={"description": "now 100%"})
    updated = api.alert(alert["id"])
    assert (updated["priority"], updated["message"], updated["description"]) == (
        "P1",
        "disk really full",
        "now 100%",
    )
    assert "Priority changed from P3 to P1 by Prometheus (API)" in api.logs(alert["id"])


def test_custom_action_is_logged_and_queued_for_the_integration_that_runs_it(api, db):
    from sqlalchemy import select

    from tocsin.notify.outbox import OutboxMessage

    hook = {
        "name": "ops-hooks",
        "type": "Webhook",
        "url": "https://93.184.215.14/hook",
        "customActions": ["Restart"],
    }
    assert api.post("/v2/integrations", json=hook).status_code == 201
    alert = api.create(message="disk full", actions=["Restart"])
    status = api.act("POST", f"/v2/alerts/{alert['id']}/actions/Restart", json={"user": "ada"})
    assert status["isSuccess"]
    assert api.logs(alert["id"])[-1] == "Custom action 'Restart' executed by ada via Prometheus (API)"
    with db.read_session() as session:
        queued = [
            message.payload
            for message in session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "webhook.send"))
            if message.payload.get("customAction") == "Restart"
        ]
    (payload,) = queued
    assert payload["integrationName"] == "ops-hooks"
    assert payload["body"]["action"] == "CustomAction" and payload["body"]["alert"]["alertId"] == alert["id"]


def test_custom_action_no_integration_runs_fails_in_request_status(api):
    alert = api.create(message="disk full", actions=["Restart"])
    status = api.act("POST", f"/v2/alerts/{alert['id']}/actions/Restart")
    assert status["isSuccess"] is False and "custom action 'Restart'" in status["status"]


def test_undefined_custom_action_fails_in_request_status(api):
    alert = api.create(message="disk full", actions=["Restart"])
    status = api.act("POST", f"/v2/alerts/{alert['id']}/actions/Reboot")
    assert status["isSuccess"] is False and "Reboot" in status["status"]


def test_delete_removes_the_alert(api):
    alert = api.create(message="disk full", note="a note")
    status = api.act("DELETE", f"/v2/alerts/{alert['id']}", params={"user": "ada", "source": "script"})
    assert status["isSuccess"] and status["action"] == "Delete"
    assert api.get(f"/v2/alerts/{alert['id']}").status_code == 404


def test_action_on_missing_alert_is_accepted_then_fails_in_request_status(api):
    status = api.act("POST", "/v2/alerts/no-such-alias/close", params={"identifierType": "alias"})
    assert status["isSuccess"] is False and status["success"] is False
    assert (status["action"], status["status"], status["alertId"]) == ("Close", "Alert does not exist", "")


def test_acknowledging_a_closed_alert_fails_in_request_status(api):
    alert = api.create(message="disk full")
    api.act("POST", f"/v2/alerts/{alert['id']}/close")
    status = api.act("POST", f"/v2/alerts/{alert['id']}/acknowledge")
    assert status["isSuccess"] is False and "closed" in status["status"]
    assert api.alert(alert["id"])["acknowledged"] is False
