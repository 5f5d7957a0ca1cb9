"""Acting on several alerts of the list at once: the same actions as the API's, as the signed-in
person and only on alerts they may see, CSRF checked, and a notice saying what happened."""

from __future__ import annotations

import html as html_text
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_team, make_user
from tests.web.pages import csrf_token_in, log_in
from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts.models import Alert, AlertLog
from tocsin.alerts.service import AlertRef

AddAlert = Callable[..., str]


@pytest.fixture
def people(db) -> None:
    make_user(db, "root@example.com", role="admin")
    make_user(db, "ada@example.com")
    make_team(db, "ops", "ada@example.com")
    make_team(db, "db")


def signed_in(http: TestClient, username: str) -> str:
    """Logs in; the CSRF token of the list's form."""
    assert log_in(http, username).status_code == 303
    return csrf_token_in(http.get("/alerts").text)


def alert(db, alert_id: str) -> Alert:
    with db.read_session() as session:
        found = session.get(Alert, alert_id)
        assert found is not None
        session.expunge(found)
        return found


def logs(db, alert_id: str) -> list[str]:
    with db.read_session() as session:
        return [
            entry.log for entry in session.query(AlertLog).filter_by(alert_id=alert_id).order_by(AlertLog.id)
        ]


def bulk(http: TestClient, token: str | None, alert_ids: list[str], action: str, **fields: str):
    data: dict[str, object] = {
        "alert": alert_ids,
        "action": action,
        "back": "tab=all&sort=priority",
        **fields,
    }
    if token is not None:
        data["csrf_token"] = token
    return http.post("/alerts/bulk", data=data)


def notice(http: TestClient, response) -> str:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/alerts?tab=all&sort=priority"
    html = http.get(response.headers["location"]).text
    start = html.index('<p class="notice" role="status">') + len('<p class="notice" role="status">')
    return html_text.unescape(html[start : html.index("</p>", start)])


def test_acknowledging_several_logs_each_as_the_person_via_web_and_says_how_many(
    http: TestClient, db, people, add_alert: AddAlert
) -> None:
    token = signed_in(http, "ada@example.com")
    ours = [add_alert(message=f"ops {n}", responders=[{"type": "team", "name": "ops"}]) for n in range(3)]
    theirs = add_alert(message="db's", responders=[{"type": "team", "name": "db"}])

    response = bulk(http, token, [*ours, theirs], "acknowledge")

    assert notice(http, response) == "3 acknowledged; 1 you may not act on."
    for alert_id in ours:
        assert alert(db, alert_id).acknowledged
        assert alert(db, alert_id).acknowledged_by == "ada@example.com"
        assert logs(db, alert_id)[-1] == "Alert acknowledged by ada@example.com via web"
    assert not alert(db, theirs).acknowledged
    assert all("acknowledged" not in entry for entry in logs(db, theirs))


def test_an_unknown_alert_id_reads_like_one_you_may_not_act_on(
    http: TestClient, db, people, add_alert: AddAlert
) -> None:
    token = signed_in(http, "root@example.com")
    known = add_alert(message="known")

    assert (
        notice(http, bulk(http, token, [known, "no-such-alert"], "close"))
        == "1 closed; 1 you may not act on."
    )
    assert alert(db, known).status == "closed"


def test_mixed_states_are_summed_up_by_outcome(http: TestClient, db, people, add_alert: AddAlert) -> None:
    token = signed_in(http, "root@example.com")
    fresh = add_alert(message="fresh")
    acked = add_alert(message="acked")
    closed = add_alert(message="closed")
    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(acked), actor=SYSTEM)
        actions.close(session, ref=AlertRef(closed), actor=SYSTEM)

    response = bulk(http, token, [fresh, acked, closed], "acknowledge")

    assert notice(http, response) == (
        "1 acknowledged; 1 already acknowledged; "
        "1 not acknowledged (alert is closed; it cannot be acknowledged)."
    )


def test_unacknowledge_close_snooze_and_tag(
    http: TestClient, db, people, add_alert: AddAlert, frozen_clock: clock.FrozenClock
) -> None:
    token = signed_in(http, "root@example.com")
    first, second = add_alert(message="one", tags=["x"]), add_alert(message="two")
    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(first), actor=SYSTEM)

    assert (
        notice(http, bulk(http, token, [first, second], "unacknowledge"))
        == "1 unacknowledged; 1 not acknowledged."
    )
    assert not alert(db, first).acknowledged
    assert notice(http, bulk(http, token, [first, second], "snooze", snooze="4h")) == "2 snoozed for 4 hours."
    assert alert(db, second).snoozed_until == clock.now() + timedelta(hours=4)
    assert notice(http, bulk(http, token, [first, second], "tag", tag=" db ")) == "2 tagged 'db'."
    assert alert(db, first).tags == ["x", "db"] and alert(db, second).tags == ["db"]
    assert notice(http, bulk(http, token, [first, second], "close")) == "2 closed."
    assert alert(db, first).closed_by == "root@example.com"


@pytest.mark.parametrize("token", [None, "", "forged"], ids=["missing", "empty", "wrong"])
def test_without_the_right_csrf_token_nothing_changes(
    http: TestClient, db, people, add_alert: AddAlert, token: str | None
) -> None:
    signed_in(http, "root@example.com")
    alert_id = add_alert(message="stays open")

    response = bulk(http, token, [alert_id], "close")

    assert response.status_code == 400
    assert "Your session expired, so nothing was changed" in response.text
    assert alert(db, alert_id).status == "open"


def test_a_signed_out_post_changes_nothing_and_asks_to_log_in(
    http: TestClient, db, people, add_alert: AddAlert
) -> None:
    alert_id = add_alert(message="stays open")

    response = http.post("/alerts/bulk", data={"alert": [alert_id], "action": "close", "csrf_token": "x"})

    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert alert(db, alert_id).status == "open"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"action": "delete"}, "Choose what to do: acknowledge, unacknowledge, close, snooze or add a tag."),
        ({"action": "snooze", "snooze": "1y"}, "Snooze for one of: 1 hour, 4 hours, 24 hours."),
        ({"action": "tag", "tag": "  "}, "Type a tag of 1 to 50 characters to add."),
        ({"action": "tag", "tag": "t" * 51}, "Type a tag of 1 to 50 characters to add."),
    ],
)
def test_bad_input_is_refused_saying_what_to_fix_and_changes_nothing(
    http: TestClient, db, people, add_alert: AddAlert, fields: dict[str, str], problem: str
) -> None:
    token = signed_in(http, "root@example.com")
    alert_id = add_alert(message="unchanged")

    response = http.post("/alerts/bulk", data={"alert": [alert_id], "csrf_token": token, **fields})

    assert response.status_code == 422
    assert problem in response.text
    assert alert(db, alert_id).tags == [] and alert(db, alert_id).status == "open"


def test_more_than_a_page_of_alerts_at_once_is_refused(http: TestClient, people) -> None:
    token = signed_in(http, "root@example.com")

    response = bulk(http, token, [f"id-{n}" for n in range(101)], "close")

    assert response.status_code == 422
    assert "Act on at most 100 alerts at once; 101 were selected." in response.text


def test_nothing_selected_says_so(http: TestClient, people) -> None:
    token = signed_in(http, "root@example.com")

    assert (
        notice(http, bulk(http, token, [], "close"))
        == "Select one or more alerts first; nothing was changed."
    )


def test_the_way_back_keeps_only_the_lists_own_parameters(
    http: TestClient, people, add_alert: AddAlert
) -> None:
    token = signed_in(http, "root@example.com")
    alert_id = add_alert(message="one")

    response = http.post(
        "/alerts/bulk",
        data={
            "alert": [alert_id],
            "action": "close",
            "csrf_token": token,
            "back": "tab=closed&next=//evil.test&page=2",
        },
    )

    assert response.headers["location"] == "/alerts?tab=closed&page=2"


def test_the_actions_offered_fit_the_tab(http: TestClient, people, add_alert: AddAlert) -> None:
    signed_in(http, "root@example.com")
    add_alert(message="one")

    def buttons(tab: str) -> list[str]:
        html = http.get("/alerts", params={"tab": tab}).text
        return [
            value
            for value in ("acknowledge", "unacknowledge", "close", "snooze", "tag")
            if f'value="{value}">' in html
        ]

    assert buttons("open") == ["acknowledge", "close", "snooze", "tag"]
    assert buttons("all") == ["acknowledge", "unacknowledge", "close", "snooze", "tag"]
