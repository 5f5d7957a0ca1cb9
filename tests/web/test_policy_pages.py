"""The policies pages: the alert and notification policies of a scope (global, or a team's) in
order with their conditions and actions in words; admins of the scope create and edit them with
the condition builder, move, disable, enable and delete them, through the API's service and with
its rules. A refused form comes back (422) with the message by its field, nothing stored; a
forged or stale form changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.pages import csrf_token_in, log_in
from tests.web.people_world import email, make_crew
from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert
from tocsin.db import Database
from tocsin.policies import service
from tocsin.policies.schemas import PolicyPayload

DISK = {
    "name": "Disk is storage",
    "filter_type": "match-all-conditions",
    "cond_field": "message",
    "cond_key": "",
    "cond_not": "",
    "cond_operation": "contains",
    "cond_value": "disk",
    "priority": "P1",
    "tags": "storage",
    "enabled": "on",
    "when": "always",
}


@pytest.fixture
def crew(db: Database) -> dict[str, str]:
    return make_crew(db)


def add_policy(db: Database, name: str, team_id: str | None = None, **fields: Any) -> str:
    body = {"type": "alert", "name": name, "tags": [name], **fields}
    with db.write_session() as session:
        payload = PolicyPayload.model_validate(body)
        return service.create_policy(session, actor=SYSTEM, payload=payload, team_id=team_id).id


def stored(db: Database, team_id: str | None = None) -> list[dict[str, Any]]:
    with db.read_session() as session:
        return [
            {"name": p.name, "enabled": p.enabled, "position": p.position, "filter": p.filter, "body": p.body}
            for p in service.list_policies(session, team_id=team_id)
        ]


def post(http: TestClient, page: str, action: str, **fields: Any) -> Any:
    return http.post(action, data={**fields, "csrf_token": csrf_token_in(http.get(page).text)})


def names_listed(html: str, kind: str = "alert") -> list[str]:
    section = html.split(f'id="{kind}-policies"')[1].split("</section>")[0]
    return re.findall(r'class="name">([^<]*)</a>', section)


def test_an_admin_creates_an_alert_policy_with_the_condition_builder(http, db, crew):
    log_in(http, email("admin"))

    response = post(http, "/policies/new?type=alert", "/policies/new?type=alert", **DISK)

    assert response.status_code == 303 and response.headers["location"] == "/policies"
    [policy] = stored(db)
    assert policy["filter"] == {
        "type": "match-all-conditions",
        "conditions": [
            {"field": "message", "not": False, "operation": "contains", "expectedValue": "disk", "order": 0}
        ],
    }
    assert policy["body"] == {"priority": "P1", "tags": ["storage"]}
    page = http.get("/policies").text
    assert "Disk is storage is saved." in page
    assert names_listed(page) == ["Disk is storage"]
    assert "message contains &#39;disk&#39;" in page and "Priority becomes P1" in page
    assert "Adds tags: storage" in page and "Enabled" in page


def test_a_notification_policy_with_a_delay_restricted_to_night_hours(http, db, crew):
    log_in(http, email("admin"))
    fields = {
        "name": "Quiet nights",
        "filter_type": "match-all",
        "when": "daily",
        "from_time": "22:00",
        "to_time": "06:30",
        "time_zone": "Europe/Berlin",
        "delay_amount": "15",
        "delay_unit": "minutes",
        "close_amount": "2",
        "close_unit": "hours",
    }

    response = post(http, "/policies/new?type=notification", "/policies/new?type=notification", **fields)

    assert response.status_code == 303
    with db.read_session() as session:
        [policy] = service.list_policies(session, team_id=None, type="notification")
        assert policy.time_restrictions == {
            "type": "time-of-day",
            "restriction": {"startHour": 22, "startMin": 0, "endHour": 6, "endMin": 30},
            "timeZone": "Europe/Berlin",
        }
        assert policy.body == {
            "delayAction": {
                "delayOption": "for-duration",
                "duration": {"timeAmount": 15, "timeUnit": "minutes"},
            },
            "autoCloseAction": {"duration": {"timeAmount": 2, "timeUnit": "hours"}},
        }
        assert policy.enabled is False  # the box was not ticked
        policy_id = policy.id
    page = http.get("/policies").text
    assert "Every day 22:00 to 06:30 (Europe/Berlin)" in page
    assert "Notifications wait 15 minutes" in page and "Closed after 2 hours if still open" in page
    edit = http.get(f"/policies/{policy_id}").text
    assert 'value="22:00"' in edit and 'value="Europe/Berlin"' in edit and 'value="15"' in edit


@pytest.mark.parametrize(
    ("fields", "place", "message"),
    [
        ({"message": "{{nope}}"}, "message", "unknown placeholder {{nope}}"),
        ({"cond_value": ""}, "cond-error-1", "Condition 1: enter the value to compare with"),
        ({"priority": "", "tags": ""}, "effects-error", "an alert policy must change something"),
        ({"responders": "team: nobody"}, "responders", "nobody"),
        ({"details": "no equals sign"}, "details", "line 1: write each detail as key=value"),
        ({"when": "daily", "from_time": "soon"}, "when", "give the from time as hours:minutes"),
        ({"name": ""}, "name", "String should have at least 1 character"),
    ],
)
def test_a_refused_form_comes_back_with_the_message_by_its_field_and_nothing_stored(
    http, db, crew, fields, place, message
):
    log_in(http, email("admin"))

    response = post(http, "/policies/new?type=alert", "/policies/new?type=alert", **{**DISK, **fields})

    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")
    assert f'id="{place}' in response.text
    assert 'value="disk"' in response.text or fields.get("cond_value") == ""  # what was typed is kept
    assert stored(db) == []


def test_a_name_taken_in_the_scope_is_refused_by_the_name(http, db, crew):
    add_policy(db, "Disk is storage")
    log_in(http, email("admin"))

    response = post(http, "/policies/new?type=alert", "/policies/new?type=alert", **DISK)

    assert response.status_code == 422 and 'id="name-error"' in response.text
    assert len(stored(db)) == 1


def test_add_a_condition_draws_the_form_again_with_another_row_and_saves_nothing(http, db, crew):
    log_in(http, email("admin"))

    response = post(http, "/policies/new?type=alert", "/policies/new?type=alert", **DISK, add_condition="1")

    assert response.status_code == 200
    assert 'id="cond-field-2"' in response.text and 'value="disk"' in response.text
    assert stored(db) == []


def test_editing_keeps_the_place_and_changes_what_the_form_says(http, db, crew):
    first = add_policy(db, "first")
    add_policy(db, "second")
    log_in(http, email("admin"))
    page = http.get(f"/policies/{first}").text
    assert 'value="first"' in page and "Save changes" in page

    response = post(
        http, f"/policies/{first}", f"/policies/{first}", name="First", filter_type="match-all",
        tags="first, more", ignore_original_tags="on", continue_on="on", enabled="on", when="always",
    )  # fmt: skip

    assert response.status_code == 303
    assert [(p["name"], p["body"]) for p in stored(db)] == [
        ("First", {"tags": ["first", "more"], "ignoreOriginalTags": True, "continue": True}),
        ("second", {"tags": ["second"]}),
    ]


def test_move_disable_enable_and_delete_after_confirming(http, db, crew):
    first = add_policy(db, "first")
    second = add_policy(db, "second")
    log_in(http, email("admin"))

    assert post(http, "/policies", f"/policies/{second}/move", direction="up").status_code == 303
    assert names_listed(http.get("/policies").text) == ["second", "first"]
    post(http, "/policies", f"/policies/{second}/move", direction="down")
    assert names_listed(http.get("/policies").text) == ["first", "second"]

    post(http, "/policies", f"/policies/{first}/disable")
    assert [p["enabled"] for p in stored(db)] == [False, True]
    assert "first is disabled." in http.get("/policies").text
    post(http, "/policies", f"/policies/{first}/enable")
    assert [p["enabled"] for p in stored(db)] == [True, True]

    confirm = http.get(f"/policies/{first}/delete")
    assert confirm.status_code == 200 and "Delete alert policy first?" in confirm.text
    assert post(http, f"/policies/{first}/delete", f"/policies/{first}/delete").status_code == 303
    assert [p["name"] for p in stored(db)] == ["second"]


def test_a_team_admin_manages_the_team_policies_but_not_the_global_ones(http, db, crew):
    add_policy(db, "global one")
    add_policy(db, "ops one", crew["ops"])
    log_in(http, email("lead"))

    page = http.get("/policies").text  # no global scope for them: their team's comes first
    assert names_listed(page) == ["ops one"] and "New alert policy" in page
    assert 'value=""' not in page.split('id="policy-scope"')[1].split("</select>")[0]
    assert http.get("/policies?team=").status_code == 403
    assert http.get("/policies/new?type=alert").status_code == 404

    response = post(
        http,
        f"/policies/new?type=alert&team={crew['ops']}",
        f"/policies/new?type=alert&team={crew['ops']}",
        **DISK,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/policies?team={crew['ops']}"
    assert [p["name"] for p in stored(db, crew["ops"])] == ["ops one", "Disk is storage"]
    forged = post(http, f"/policies?team={crew['ops']}", "/policies/new?type=alert", **DISK)
    assert forged.status_code == 404 and [p["name"] for p in stored(db)] == ["global one"]


def test_a_team_member_reads_the_team_policies_and_a_forged_change_is_refused(http, db, crew):
    ops_one = add_policy(db, "ops one", crew["ops"])
    add_policy(db, "ops two", crew["ops"])
    log_in(http, email("ann"))

    page = http.get("/policies").text
    assert names_listed(page) == ["ops one", "ops two"]
    assert "Move down" not in page and "New alert policy" not in page and "Delete…" not in page
    assert "its team's admins change it" in http.get(f"/policies/{ops_one}").text
    token = csrf_token_in(page)
    for action, fields in [
        ("move", {"direction": "down"}),
        ("disable", {}),
        ("delete", {}),
    ]:
        answer = http.post(f"/policies/{ops_one}/{action}", data={**fields, "csrf_token": token})
        assert answer.status_code == 403, action
    answer = http.post(f"/policies/{ops_one}", data={**DISK, "csrf_token": token})
    assert answer.status_code == 403
    assert http.get(f"/policies/{ops_one}/delete").status_code == 403
    assert [(p["name"], p["enabled"]) for p in stored(db, crew["ops"])] == [
        ("ops one", True),
        ("ops two", True),
    ]


def test_someone_in_no_team_sees_no_policies_and_cannot_open_one(http, db, crew):
    ops_one = add_policy(db, "ops one", crew["ops"])
    log_in(http, email("bob"))

    assert "You are in no team" in http.get("/policies").text
    assert http.get(f"/policies?team={crew['ops']}").status_code == 404
    assert http.get(f"/policies/{ops_one}").status_code == 404
    token = csrf_token_in(http.get("/policies").text)
    assert http.post(f"/policies/{ops_one}/disable", data={"csrf_token": token}).status_code == 403
    assert stored(db, crew["ops"])[0]["enabled"] is True


def test_a_form_without_its_token_changes_nothing(http, db, crew):
    first = add_policy(db, "first")
    log_in(http, email("admin"))

    assert http.post(f"/policies/{first}/disable", data={"csrf_token": "forged"}).status_code == 400
    assert http.post("/policies/new?type=alert", data=DISK).status_code == 400
    assert [(p["name"], p["enabled"]) for p in stored(db)] == [("first", True)]


def test_the_pages_need_signing_in(http, crew):
    assert http.get("/policies").headers["location"] == "/login?next=%2Fpolicies"
    assert http.post("/policies/x/disable").headers["location"].startswith("/login")


def test_a_policy_created_on_the_page_changes_the_next_alert(http, db, crew, add_alert):
    log_in(http, email("admin"))
    post(http, "/policies/new?type=alert", "/policies/new?type=alert", **DISK)

    alert_id = add_alert(message="Disk full on db1")

    with db.read_session() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None and alert.priority == "P1" and "storage" in alert.tags


WEEKDAYS = {
    "type": "weekday-and-time-of-day",
    "restrictions": [
        {"startDay": "monday", "startHour": 8, "startMin": 0, "endDay": "friday", "endHour": 18, "endMin": 0}
    ],
    "timeZone": "Europe/Berlin",
}


def test_restrictions_the_form_cannot_draw_are_shown_in_words_and_kept(http, db, crew):
    policy_id = add_policy(db, "office hours", timeRestrictions=WEEKDAYS)
    log_in(http, email("admin"))
    page = http.get(f"/policies/{policy_id}").text
    assert "As set: Mon 08:00 to Fri 18:00 (Europe/Berlin)" in page
    assert "Mon 08:00 to Fri 18:00 (Europe/Berlin)" in http.get("/policies").text

    form = {"name": "office hours", "filter_type": "match-all", "tags": "office", "when": "as-set"}
    assert post(http, f"/policies/{policy_id}", f"/policies/{policy_id}", **form).status_code == 303

    with db.read_session() as session:
        assert service.get_policy(session, policy_id).time_restrictions == WEEKDAYS


def test_responders_and_details_go_back_and_forth_between_the_form_and_the_policy(http, db, crew):
    log_in(http, email("admin"))
    fields = {
        **DISK,
        "responders": f"team: ops\nuser: {email('ann')}",
        "details": "runbook=https://wiki/disk\nowner=storage",
        "ignore_original_responders": "on",
    }

    assert post(http, "/policies/new?type=alert", "/policies/new?type=alert", **fields).status_code == 303

    [policy] = stored(db)
    assert [(r["type"], r["name"]) for r in policy["body"]["responders"]] == [
        ("team", "ops"),
        ("user", email("ann")),
    ]
    assert policy["body"]["details"] == {"runbook": "https://wiki/disk", "owner": "storage"}
    with db.read_session() as session:
        policy_id = service.list_policies(session, team_id=None)[0].id
    page = http.get(f"/policies/{policy_id}").text
    assert f"team: ops\nuser: {email('ann')}</textarea>" in page
    details = page.split('id="details"')[1].split("</textarea>")[0]
    assert sorted(details.split(">", 1)[1].splitlines()) == ["owner=storage", "runbook=https://wiki/disk"]
    assert "Replaces the responders: team ops, user ann@example.com" in http.get("/policies").text


@pytest.mark.parametrize(
    "fields",
    [
        {"filter_type": "match-everything"},
        {"cond_operation": "is-bigger"},
        {"cond_field": "colour"},
        {"priority": "P9"},
        {"when": "daily", "from_time": "25:00", "to_time": "26:00"},
        {"when": "daily", "from_time": "08:00", "to_time": "09:00", "time_zone": "Mars/Olympus"},
        {"tags": ",".join(f"t{n}" for n in range(30))},
        {"tags": "x" * 300},
        {"cond_value": "(a+)+$", "cond_operation": "matches"},
    ],
)
def test_forged_or_odd_input_is_refused_as_input(http, db, crew, fields):
    log_in(http, email("admin"))

    response = post(http, "/policies/new?type=alert", "/policies/new?type=alert", **{**DISK, **fields})

    assert response.status_code == 422, response.text
    assert stored(db) == []
