"""What an alert's page does not offer, and what it refuses: forms need their CSRF token, someone
who may not see the alert finds nothing to act on, an action the alert's state does not allow is
neither shown nor done when forged, and bad input is shown at its form with what was typed, the
alert unchanged. No input gives a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web import alert_world as world
from tests.web.alert_world import AddAlert, api_alert, api_list, as_user, error_at, offered, press
from tests.web.pages import csrf_token_in, log_in
from tocsin import clock
from tocsin.alerts import actions

people, reader_key = world.people, world.reader_key  # the shared fixtures
QUICK = {"acknowledge", "close", "snooze", "take-ownership"}


@pytest.fixture
def alert_id(db, people, add_alert: AddAlert, frozen_clock: clock.FrozenClock) -> str:
    return add_alert(message="Disk full on db1", responders=[{"type": "team", "name": "ops"}])


@pytest.fixture
def ada(http: TestClient, people) -> TestClient:
    log_in(http, "ada@example.com")
    return http


@pytest.mark.parametrize("token", [None, "", "forged"], ids=["missing", "empty", "wrong"])
def test_a_form_without_its_token_changes_nothing(
    ada: TestClient, alert_id: str, reader_key: str, token: str | None
) -> None:
    data = {"note": "sneaky"} if token is None else {"note": "sneaky", "csrf_token": token}

    answer = ada.post(f"/alerts/{alert_id}/acknowledge", data=data)

    assert answer.status_code == 400
    assert "Your session expired; please try again." in answer.text
    assert api_alert(ada, reader_key, alert_id)["acknowledged"] is False
    assert api_list(ada, reader_key, alert_id, "notes") == []


def test_an_open_alert_offers_every_action_and_an_acknowledged_one_no_acknowledge(
    ada: TestClient, db, alert_id: str
) -> None:
    first = offered(ada.get(f"/alerts/{alert_id}").text)
    as_user(db, "ada@example.com", actions.acknowledge, alert_id)
    then = offered(ada.get(f"/alerts/{alert_id}").text)

    assert first >= QUICK | {"assign", "add-responder", "add-tags", "add-detail", "priority", "message",
                             "description", "note"}  # fmt: skip
    assert "unacknowledge" not in first and "escalate-next" not in first  # no escalation runs
    assert "acknowledge" not in then and "unacknowledge" in then
    assert "take-ownership" not in then  # acknowledging made ada the owner


@pytest.mark.parametrize(
    ("form", "fields", "refusal"),
    [
        ("acknowledge", {}, "Alert is closed; it cannot be acknowledged."),
        ("snooze", {"preset": "1h"}, "Alert is closed; it cannot be snoozed."),
        ("assign", {"owner": "bob@example.com"}, "Alert is closed; it cannot be assigned."),
        ("add-responder", {"type": "user", "name": "bob@example.com"},
         "Alert is closed; it cannot be given responders."),
        ("escalate-next", {}, "Alert is closed; it cannot be escalated."),
    ],
)  # fmt: skip
def test_a_closed_alert_offers_no_action_that_moves_it_and_refuses_a_forged_one(
    ada: TestClient, db, alert_id: str, reader_key: str, form: str, fields: dict[str, str], refusal: str
) -> None:
    as_user(db, "ada@example.com", actions.close, alert_id)
    before = api_alert(ada, reader_key, alert_id)
    page = ada.get(f"/alerts/{alert_id}").text
    assert not offered(page) & (QUICK | {"unacknowledge", "assign", "add-responder", "escalate"})
    assert {"note", "add-tags"} <= offered(page)

    answer = press(ada, alert_id, form, **fields)

    assert answer.status_code == 409
    assert error_at(answer.text, form) == refusal
    assert api_alert(ada, reader_key, alert_id) == before


def test_someone_who_may_not_see_the_alert_cannot_act_on_it(
    http: TestClient, alert_id: str, reader_key: str
) -> None:
    log_in(http, "bob@example.com")
    token = csrf_token_in(http.get("/alerts").text)

    answer = http.post(f"/alerts/{alert_id}/close", data={"csrf_token": token})

    assert answer.status_code == 404 and "Alert not found" in answer.text
    assert "Disk full" not in answer.text
    assert api_alert(http, reader_key, alert_id)["status"] == "open"


def test_an_alert_deleted_meanwhile_reads_as_not_found(ada: TestClient, db, alert_id: str) -> None:
    token = csrf_token_in(ada.get(f"/alerts/{alert_id}").text)
    as_user(db, "root@example.com", actions.delete_alert, alert_id)

    answer = ada.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token})

    assert answer.status_code == 404 and "Alert not found" in answer.text


def test_forms_need_a_login(http: TestClient, alert_id: str, reader_key: str) -> None:
    answer = http.post(f"/alerts/{alert_id}/close", data={"csrf_token": "x"})

    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert api_alert(http, reader_key, alert_id)["status"] == "open"


def test_an_action_the_page_does_not_have_is_not_found(
    ada: TestClient, alert_id: str, reader_key: str
) -> None:
    answer = press(ada, alert_id, "delete")

    assert answer.status_code == 404
    assert api_alert(ada, reader_key, alert_id)["status"] == "open"


@pytest.mark.parametrize(
    ("form", "fields", "problem"),
    [
        ("assign", {"owner": "nobody@example.com"}, "User 'nobody@example.com' does not exist."),
        ("assign", {"owner": "  "}, "Give the new owner's name."),
        ("add-responder", {"type": "team", "name": "nope"}, "Team 'nope' does not exist."),
        ("add-responder", {"type": "robot", "name": "x"},
         "A responder is a user, team, escalation or schedule."),
        ("add-tags", {"tags": " , "}, "Give at least one tag (separate several with commas)."),
        ("add-tags", {"tags": "x" * 51}, f"A tag is at most 50 characters ({'x' * 20}… is longer)."),
        ("add-detail", {"key": "", "value": "v"}, "Give the detail's key."),
        ("priority", {"priority": "P9"}, "The priority is one of P1, P2, P3, P4, P5."),
        ("message", {"message": "   "}, "The message cannot be empty."),
        ("message", {"message": "m" * 131}, "The message is at most 130 characters."),
        ("note", {"note": ""}, "Write the note first."),
        ("snooze", {"until": "tomorrow"}, "Give the end as a date and time, like 2026-12-08T09:30."),
        ("snooze", {"until": "2026-03-01T08:00"}, "The snooze must end in the future."),
        ("snooze", {}, "Pick a preset or give the time the snooze ends."),
        ("escalate", {"escalation": "nope"}, "Escalation 'nope' does not exist."),
        ("escalate-next", {}, "Alert has no escalation rule left to escalate to."),
        ("custom-action", {"action": "Restart"},
         "Action 'Restart' is not defined for this alert (defined: none)."),
    ],
)  # fmt: skip
def test_bad_input_is_shown_at_its_form_and_changes_nothing(
    ada: TestClient, alert_id: str, reader_key: str, form: str, fields: dict[str, str], problem: str
) -> None:
    before = api_alert(ada, reader_key, alert_id)

    answer = press(ada, alert_id, form, **fields)

    assert answer.status_code in (409, 422)
    assert error_at(answer.text, form) == problem
    after = api_alert(ada, reader_key, alert_id)
    assert {**after, "updatedAt": None} == {**before, "updatedAt": None}


def test_a_refused_form_keeps_what_was_typed(ada: TestClient, alert_id: str) -> None:
    answer = press(ada, alert_id, "assign", owner="nobody@example.com", note="over to you")

    assert answer.status_code == 422
    field = 'value="nobody@example.com" aria-describedby="problem-assign" aria-invalid="true" autofocus'
    assert field in answer.text
    assert "<details open>\n  <summary>Owner and responders</summary>" in answer.text
