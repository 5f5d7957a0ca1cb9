"""Settings > Heartbeats: the list of what the viewer may see with last ping and state, creating
and editing with the API's limits (refusals shown next to their field, nothing stored),
enabling, disabling and deleting; only for those the API lets configure the heartbeat, and a
forged form is refused with nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web import test_integration_edit
from tests.web.pages import alert_rows, csrf_token_in, log_in
from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.schemas import HeartbeatPayload

ops = test_integration_edit.ops  # the fixture: team ops, lead its admin, ann a member; admin; bob


def add(db, name: str, team_id: str | None = None, **fields: Any) -> None:
    payload = {"name": name, "interval": 10, "intervalUnit": "minutes", "enabled": True, **fields}
    if team_id:
        payload["ownerTeam"] = {"id": team_id}
    with db.write_session() as session:
        heartbeats.create_heartbeat(session, actor=SYSTEM, payload=HeartbeatPayload.model_validate(payload))


def stored(db, name: str) -> Any:
    with db.read_session() as session:
        found = heartbeats.find_heartbeat(session, name)
        if found is not None:
            session.expunge(found)
        return found


def new_heartbeat(**fields: str) -> dict[str, str]:
    return {
        "name": "nightly-backup",
        "description": "",
        "interval": "2",
        "interval_unit": "hours",
        "alert_message": "",
        "alert_tags": "",
        "alert_priority": "P3",
    } | fields


def test_the_list_shows_what_the_viewer_may_see_with_last_ping_and_state(
    http: TestClient, db, ops: str, frozen_clock
) -> None:
    add(db, "ops-backup", ops)
    add(db, "global-cron")
    add(db, "ops-report", ops, enabled=False)
    with db.write_session() as session:
        heartbeats.ping(session, name="ops-backup", actor=SYSTEM)
    frozen_clock.advance(timedelta(minutes=3))
    log_in(http, "ann@example.com")

    page = http.get("/heartbeats")

    assert page.status_code == 200
    rows = alert_rows(page.text)
    assert [(row["Name"], row["Team"], row["Interval"], row["State"]) for row in rows] == [
        ("ops-backup", "ops", "10 minutes", "active"),
        ("ops-report", "ops", "10 minutes", "disabled"),
    ]
    pinged = clock.now() - timedelta(minutes=3)
    assert rows[0]["Last ping"] == f"3 min ago {pinged:%Y-%m-%d %H:%M} UTC"
    assert rows[1]["Last ping"] == "never"
    assert "Create a heartbeat" not in page.text  # ann administers no team
    log_in(http, "admin@example.com")
    assert [row["Name"] for row in alert_rows(http.get("/heartbeats").text)] == [
        "global-cron",
        "ops-backup",
        "ops-report",
    ]


def test_an_expired_heartbeat_says_so(http: TestClient, db, ops: str) -> None:
    add(db, "ops-backup", ops)
    with db.write_session() as session:
        heartbeats.find_heartbeat(session, "ops-backup").expired = True
    log_in(http, "lead@example.com")
    assert alert_rows(http.get("/heartbeats").text)[0]["State"] == "expired"
    page = http.get("/heartbeats/ops-backup").text
    assert "expired</span>: its alert is open; the next ping closes it" in page


def test_a_team_admin_creates_a_heartbeat_for_their_team(http: TestClient, db, ops: str) -> None:
    log_in(http, "lead@example.com")
    page = http.get("/heartbeats").text
    assert '<option value="none"' not in page  # only administrators make global ones
    assert f'<option value="{ops}" selected>ops</option>' in page

    response = http.post(
        "/heartbeats",
        data=new_heartbeat(
            csrf_token=csrf_token_in(page),
            name="nightly backup",
            description="the 02:00 dump",
            owner_team=ops,
            alert_message="Backup did not run",
            alert_tags="backup, db",
            alert_priority="P1",
        ),
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/heartbeats/nightly%20backup"
    saved = stored(db, "nightly backup")
    assert (saved.interval, saved.interval_unit, saved.owner_team_id, saved.enabled) == (
        2,
        "hours",
        ops,
        True,
    )
    assert (saved.alert_message, saved.alert_tags, saved.alert_priority) == (
        "Backup did not run",
        ["backup", "db"],
        "P1",
    )
    shown = http.get(response.headers["location"]).text
    assert "Heartbeat nightly backup created: ping it within 2 hours." in shown
    assert (
        "curl -X POST http://tocsin.test/v2/heartbeats/nightly%20backup/ping "
        "-H &#39;Authorization: GenieKey &lt;key&gt;&#39;"
    ) in shown


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "backups/nightly"}, "name", "may not contain &#39;/&#39;"),
        ({"name": "  "}, "name", "String should have at least 1 character"),
        ({"interval": "ten"}, "interval", "Enter the interval as a whole number, like 10."),
        ({"interval": "0"}, "interval", "Input should be greater than or equal to 1."),
        ({"interval": "400", "interval_unit": "days"}, "interval", "Interval may be at most 366 days"),
        ({"interval_unit": "weeks"}, "interval_unit", "Input should be &#39;minutes&#39;, &#39;hours&#39;"),
        ({"alert_message": "m" * 131}, "alert_message", "String should have at most 130 characters."),
        ({"alert_tags": ",".join(f"t{n}" for n in range(21))}, "alert_tags", "at most 20 items"),
        ({"alert_priority": "P9"}, "alert_priority", "Input should be &#39;P1&#39;"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_created(
    http: TestClient, db, ops: str, fields: dict[str, str], field: str, message: str
) -> None:
    log_in(http, "admin@example.com")
    token = csrf_token_in(http.get("/heartbeats").text)

    response = http.post("/heartbeats", data=new_heartbeat(csrf_token=token, **fields))

    assert response.status_code == 422
    assert f'<p class="error" id="hb-{field}-error">' in response.text
    error = response.text.split(f'id="hb-{field}-error">')[1].split("</p>")[0]
    assert message in error
    assert f'value="{fields.get("alert_message", "")}"' in response.text  # what was typed is kept
    with db.read_session() as session:
        assert heartbeats.list_heartbeats(session) == []


def test_a_name_already_taken_is_refused(http: TestClient, db, ops: str) -> None:
    add(db, "Nightly")
    log_in(http, "admin@example.com")
    token = csrf_token_in(http.get("/heartbeats").text)
    response = http.post("/heartbeats", data=new_heartbeat(csrf_token=token, name="nightly"))
    assert response.status_code == 409
    assert "A heartbeat named &#39;Nightly&#39; already exists." in response.text


def test_the_heartbeat_page_edits_every_setting(http: TestClient, db, ops: str) -> None:
    add(db, "cron")
    log_in(http, "admin@example.com")
    page = http.get("/heartbeats/cron").text
    assert '<option value="none" selected>No team (global)</option>' in page

    response = http.post(
        "/heartbeats/cron",
        data={
            "csrf_token": csrf_token_in(page),
            "description": "hourly sync",
            "interval": "1",
            "interval_unit": "hours",
            "owner_team": ops,
            "alert_message": "Sync stopped",
            "alert_tags": "sync",
            "alert_priority": "P2",
        },
    )

    assert response.status_code == 303 and response.headers["location"] == "/heartbeats/cron"
    saved = stored(db, "cron")
    assert (saved.description, saved.interval, saved.interval_unit, saved.owner_team_id) == (
        "hourly sync",
        1,
        "hours",
        ops,
    )
    assert (saved.alert_message, saved.alert_tags, saved.alert_priority) == ("Sync stopped", ["sync"], "P2")
    assert "Saved heartbeat cron." in http.get("/heartbeats/cron").text


def test_a_refused_edit_keeps_the_input_and_changes_nothing(http: TestClient, db, ops: str) -> None:
    add(db, "cron")
    log_in(http, "admin@example.com")
    token = csrf_token_in(http.get("/heartbeats/cron").text)
    response = http.post(
        "/heartbeats/cron",
        data={"csrf_token": token, "interval": "500", "interval_unit": "days", "alert_message": "typed"},
    )
    assert response.status_code == 422
    assert "Interval may be at most 366 days" in response.text and 'value="typed"' in response.text
    assert stored(db, "cron").interval == 10


def test_disable_enable_and_delete_after_a_confirmation(http: TestClient, db, ops: str) -> None:
    add(db, "ops-backup", ops)
    log_in(http, "lead@example.com")
    token = csrf_token_in(http.get("/heartbeats/ops-backup").text)

    disabled = http.post("/heartbeats/ops-backup/disable", data={"csrf_token": token})
    assert disabled.status_code == 303
    assert (stored(db, "ops-backup").enabled, stored(db, "ops-backup").expires_at) == (False, None)
    page = http.get("/heartbeats/ops-backup").text
    assert "is disabled: no alert is raised until it is enabled again" in page
    assert ">Enable</button>" in page

    assert http.post("/heartbeats/ops-backup/enable", data={"csrf_token": token}).status_code == 303
    assert stored(db, "ops-backup").enabled is True

    confirm = http.get("/heartbeats/ops-backup/delete").text
    assert "Delete heartbeat ops-backup?" in confirm
    deleted = http.post("/heartbeats/ops-backup/delete", data={"csrf_token": token})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/heartbeats"
    assert stored(db, "ops-backup") is None
    assert "Heartbeat ops-backup is deleted." in http.get("/heartbeats").text


def test_members_see_but_do_not_change_and_forged_forms_are_refused(http: TestClient, db, ops: str) -> None:
    add(db, "ops-backup", ops)
    add(db, "global-cron")
    log_in(http, "ann@example.com")
    page = http.get("/heartbeats/ops-backup")
    assert page.status_code == 200
    assert "Only admins of team ops change this heartbeat." in page.text
    assert "Save changes" not in page.text and ">Disable</button>" not in page.text
    token = csrf_token_in(page.text)

    for path, data in (
        ("/heartbeats/ops-backup/disable", {}),
        ("/heartbeats/ops-backup/delete", {}),
        ("/heartbeats/ops-backup", {"interval": "1", "interval_unit": "minutes"}),
        ("/heartbeats", new_heartbeat(owner_team=ops)),
    ):
        refused = http.post(path, data={"csrf_token": token, **data})
        assert refused.status_code == 403, path
        assert "Nothing was changed." in refused.text
    assert http.get("/heartbeats/global-cron").status_code == 404  # not hers to see
    assert http.post("/heartbeats/global-cron/disable", data={"csrf_token": token}).status_code == 404
    saved = stored(db, "ops-backup")
    assert (saved.enabled, saved.interval) == (True, 10)
    assert stored(db, "global-cron").enabled is True
    with db.read_session() as session:
        assert len(heartbeats.list_heartbeats(session)) == 2


def test_a_form_without_its_csrf_token_changes_nothing(http: TestClient, db, ops: str) -> None:
    add(db, "cron")
    log_in(http, "admin@example.com")
    for path in ("/heartbeats/cron/disable", "/heartbeats/cron/delete", "/heartbeats"):
        refused = http.post(path, data=new_heartbeat(csrf_token="forged"))
        assert refused.status_code == 400, path
        assert "Your session expired" in refused.text
    assert stored(db, "cron").enabled is True
    with db.read_session() as session:
        assert [found.name for found in heartbeats.list_heartbeats(session)] == ["cron"]


def test_signed_out_visitors_are_sent_to_log_in(http: TestClient, db) -> None:
    response = http.get("/heartbeats")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fheartbeats"


def test_a_name_with_url_characters_is_linked_and_pinged_by_its_encoded_name(
    http: TestClient, db, ops: str
) -> None:
    add(db, "backup #1 ?50% née")
    log_in(http, "admin@example.com")
    link = re.search(r'<a href="(/heartbeats/[^"]+)">backup #1 \?50% née</a>', http.get("/heartbeats").text)
    assert link is not None
    page = http.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200 and "<h1>backup #1 ?50% née</h1>" in page.text
    assert "/v2/heartbeats/backup%20%231%20%3F50%25%20n%C3%A9e/ping" in page.text
    token = csrf_token_in(page.text)
    disabled = http.post(f"{link.group(1)}/disable", data={"csrf_token": token})
    assert disabled.status_code == 303 and disabled.headers["location"] == link.group(1)
    assert stored(db, "backup #1 ?50% née").enabled is False
