"""Each form of an alert's page changes the alert as the API's action would: the API then shows
the change, and the log says who did it via the web. After a form the browser goes back to the
page (303), which says what happened."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.engine.conftest import EngineDriver
from tests.web import alert_world as world
from tests.web.alert_world import AddAlert, api_alert, api_list, press
from tests.web.conftest import web_client, web_settings
from tests.web.pages import csrf_token_in, log_in
from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

people, reader_key = world.people, world.reader_key  # the shared fixtures


@pytest.fixture
def alert_id(db, people, add_alert: AddAlert, frozen_clock: clock.FrozenClock) -> str:
    return add_alert(message="Disk full on db1", tags=["disk"], details={"host": "db1"},
                     responders=[{"type": "team", "name": "ops"}])  # fmt: skip


@pytest.fixture
def ada(http: TestClient, people) -> TestClient:
    log_in(http, "ada@example.com")
    return http


def test_acknowledge_with_a_note_goes_back_to_the_page_which_says_so(
    ada: TestClient, alert_id: str, reader_key: str
) -> None:
    answer = press(ada, alert_id, "acknowledge", note="On it")

    assert answer.status_code == 303 and answer.headers["location"] == f"/alerts/{alert_id}"
    alert = api_alert(ada, reader_key, alert_id)
    assert alert["acknowledged"] is True and alert["owner"] == "ada@example.com"
    assert api_list(ada, reader_key, alert_id, "notes") == ["On it"]
    assert "Alert acknowledged by ada@example.com via web" in api_list(ada, reader_key, alert_id, "logs")
    page = ada.get(f"/alerts/{alert_id}").text
    assert '<p class="notice" role="status">Acknowledged.</p>' in page
    assert "Acknowledged." not in ada.get(f"/alerts/{alert_id}").text  # said once


def test_unacknowledge_and_close(ada: TestClient, alert_id: str, reader_key: str) -> None:
    press(ada, alert_id, "acknowledge")
    press(ada, alert_id, "unacknowledge")
    assert api_alert(ada, reader_key, alert_id)["acknowledged"] is False

    press(ada, alert_id, "close", note="Fixed by cleaning /var/log")

    alert = api_alert(ada, reader_key, alert_id)
    assert alert["status"] == "closed"
    assert api_list(ada, reader_key, alert_id, "notes") == ["Fixed by cleaning /var/log"]


@pytest.mark.parametrize(
    ("fields", "until"),
    [
        ({"preset": "15m"}, "2026-03-01T09:15:00Z"),
        ({"preset": "1h"}, "2026-03-01T10:00:00Z"),
        ({"preset": "4h"}, "2026-03-01T13:00:00Z"),
        ({"preset": "tomorrow-09"}, "2026-03-02T08:00:00Z"),  # 09:00 in Berlin
        ({"until": "2026-03-01T12:30"}, "2026-03-01T11:30:00Z"),  # read in Berlin time
    ],
    ids=["15m", "1h", "4h", "tomorrow-morning", "custom"],
)
def test_snooze_presets_and_a_custom_end_in_the_viewers_time_zone(
    db, ada: TestClient, alert_id: str, reader_key: str, fields: dict[str, str], until: str
) -> None:
    with db.write_session() as session:
        accounts.get_user(session, "ada@example.com").time_zone = "Europe/Berlin"

    assert press(ada, alert_id, "snooze", **fields).status_code == 303

    alert = api_alert(ada, reader_key, alert_id)
    assert alert["snoozed"] is True and alert["snoozedUntil"].replace(".000", "") == until


def test_assign_take_ownership_and_add_responders(
    ada: TestClient, db, alert_id: str, reader_key: str
) -> None:
    press(ada, alert_id, "assign", owner="bob@example.com")
    assert api_alert(ada, reader_key, alert_id)["owner"] == "bob@example.com"

    press(ada, alert_id, "take-ownership")
    assert api_alert(ada, reader_key, alert_id)["owner"] == "ada@example.com"

    press(ada, alert_id, "add-responder", type="user", name="bob@example.com")
    answer = press(ada, alert_id, "add-responder", type="user", name="bob@example.com")

    assert answer.status_code == 303
    assert "bob@example.com already responds" in ada.get(f"/alerts/{alert_id}").text
    responders = api_alert(ada, reader_key, alert_id)["responders"]
    assert {"type": "user", "id": accounts_id(db, "bob@example.com")} in responders


def accounts_id(db, username: str) -> str:
    with db.read_session() as session:
        return accounts.get_user(session, username).id


def test_tags_and_details_are_added_and_removed_one_by_one(
    ada: TestClient, alert_id: str, reader_key: str
) -> None:
    press(ada, alert_id, "add-tags", tags="db, urgent ,db")
    press(ada, alert_id, "remove-tag", tag="disk")
    press(ada, alert_id, "add-detail", key="runbook", value="https://wiki/disk")
    press(ada, alert_id, "remove-detail", key="host")

    alert = api_alert(ada, reader_key, alert_id)
    assert alert["tags"] == ["db", "urgent"]
    assert alert["details"] == {"runbook": "https://wiki/disk"}


def test_priority_message_description_and_a_note(ada: TestClient, alert_id: str, reader_key: str) -> None:
    press(ada, alert_id, "priority", priority="P1")
    press(ada, alert_id, "message", message="Disk full on db1 and db2")
    press(ada, alert_id, "description", description="Both replicas\r\nare full")
    press(ada, alert_id, "note", note="Paged the DBA")

    alert = api_alert(ada, reader_key, alert_id)
    assert (alert["priority"], alert["message"]) == ("P1", "Disk full on db1 and db2")
    assert alert["description"] == "Both replicas\nare full"
    assert api_list(ada, reader_key, alert_id, "notes") == ["Paged the DBA"]
    log = api_list(ada, reader_key, alert_id, "logs")
    assert "Priority changed from P3 to P1 by ada@example.com via web" in log


def test_escalate_hands_the_alert_to_a_policy(ada: TestClient, db, alert_id: str, reader_key: str) -> None:
    with db.write_session() as session:
        payload = {"name": "ops_escalation", "ownerTeam": {"name": "ops"},
                   "rules": [{"recipient": {"type": "user", "username": "ada@example.com"}}]}  # fmt: skip
        escalations.create_policy(session, actor=SYSTEM, payload=EscalationPayload.model_validate(payload))
    page = ada.get(f"/alerts/{alert_id}").text
    assert "<option>ops_escalation</option>" in page

    assert press(ada, alert_id, "escalate", escalation="ops_escalation").status_code == 303

    assert "Alert escalated to ops_escalation by ada@example.com via web" in api_list(
        ada, reader_key, alert_id, "logs"
    )


def test_a_custom_action_is_sent_to_the_integration_that_defines_it(
    ada: TestClient, db, add_alert: AddAlert, reader_key: str, frozen_clock
) -> None:
    with db.write_session() as session:
        integrations.create_integration(
            session, type="Webhook", name="Runner",
            changes=Changes(url="https://hooks.example.test/run", custom_actions=["Restart"]),
            outbound=OutboundPolicy.parse("hooks.example.test"),
        )  # fmt: skip
    alert_id = add_alert(
        message="Stuck worker", actions=["Restart"], responders=[{"type": "team", "name": "ops"}]
    )
    assert (
        '<button type="submit" name="action" value="Restart">Restart</button>'
        in ada.get(f"/alerts/{alert_id}").text
    )

    answer = press(ada, alert_id, "custom-action", action="Restart")

    assert answer.status_code == 303
    assert "Restart: custom action queued." in ada.get(f"/alerts/{alert_id}").text
    assert "Custom action 'Restart' executed by ada@example.com via web" in api_list(
        ada, reader_key, alert_id, "logs"
    )


def test_escalate_to_next_fires_the_next_rule_of_the_running_escalation(
    ada: TestClient, db, settings, alert_id: str, reader_key: str
) -> None:
    with db.write_session() as session:
        first = {"recipient": {"type": "user", "username": "ada@example.com"}}
        later = {"delay": {"timeAmount": 30}, "recipient": {"type": "user", "username": "bob@example.com"}}
        payload = {"name": "ops_escalation", "ownerTeam": {"name": "ops"}, "teamDefault": True,
                   "rules": [first, later]}  # fmt: skip
        escalations.create_policy(session, actor=SYSTEM, payload=EscalationPayload.model_validate(payload))
    assert "escalate-next" not in world.offered(ada.get(f"/alerts/{alert_id}").text)
    engine = EngineDriver(db, settings)
    engine.start()
    try:
        engine.tick()  # the escalation starts: its first rule fires, the second waits 30 minutes
        assert "escalate-next" in world.offered(ada.get(f"/alerts/{alert_id}").text)

        assert press(ada, alert_id, "escalate-next").status_code == 303
        engine.tick()
    finally:
        engine.stop()

    log = api_list(ada, reader_key, alert_id, "logs")
    assert "Escalated to the next rule of ops_escalation (rule 2) by ada@example.com via web" in log
    assert "escalate-next" not in world.offered(ada.get(f"/alerts/{alert_id}").text)  # no rule left


def test_under_a_path_prefix_the_forms_post_and_come_back_under_it(
    database_url: str, tmp_path, db, alert_id: str
) -> None:
    prefix = "/tocsin"
    with web_client(web_settings(database_url, tmp_path, root_path=prefix)) as http:
        log_in(http, "ada@example.com", prefix=prefix)
        page = http.get(f"{prefix}/alerts/{alert_id}").text
        assert f'action="{prefix}/alerts/{alert_id}/acknowledge"' in page
        assert f'<script src="{prefix}/static/alert_page.js" defer></script>' in page

        answer = http.post(
            f"{prefix}/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf_token_in(page)}
        )

        assert answer.status_code == 303 and answer.headers["location"] == f"{prefix}/alerts/{alert_id}"
        assert "Acknowledged." in http.get(answer.headers["location"]).text
