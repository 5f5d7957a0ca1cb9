"""The maintenance page: windows on or planned (and past or cancelled on a tab) with their times
in the viewer's zone and what they switch; those who may configure integrations or policies plan
one for the next hour, 2 or 4 hours or a range; whoever may change all a window switches cancels
or deletes it. Bad input comes back (422) with the message by its field and nothing stored; a
forged or stale form changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_integration
from tests.web.pages import csrf_token_in, log_in
from tests.web.people_world import email, make_crew
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.models import AlertLog
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.db import Database
from tocsin.maintenance import service
from tocsin.policies import service as policies
from tocsin.policies.schemas import PolicyPayload

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def crew(db: Database, frozen_clock: Any) -> dict[str, Any]:
    ids: dict[str, Any] = make_crew(db)
    ids["prometheus"], _ = make_integration(db, "prometheus")
    ids["ops-checks"], _ = make_integration(db, "ops checks", team="ops")
    with db.write_session() as session:
        payload = PolicyPayload.model_validate({"type": "alert", "name": "tag it", "tags": ["x"]})
        ids["policy"] = policies.create_policy(session, actor=SYSTEM, payload=payload).id
        session.get(User, ids["admin"]).time_zone = "Europe/Berlin"  # type: ignore[union-attr]
    return ids


def windows(db: Database, which: str = "all") -> list[dict[str, Any]]:
    with db.read_session() as session:
        return [
            {
                "description": window.description,
                "start": window.start_at,
                "end": window.end_at,
                "status": service.status_of(window, NOW),
                "rules": [
                    (state, entity.type, entity.name) for state, entity in service.rules_of(session, window)
                ],
            }
            for window in service.list_maintenance(session, which=which)
        ]


def plan(http: TestClient, token: str | None = None, **fields: Any) -> Any:
    if token is None:
        token = csrf_token_in(http.get("/maintenance").text)
    return http.post("/maintenance", data={"length": "1h", **fields, "csrf_token": token})


def test_an_admin_silences_an_integration_for_the_next_hour(http, db, crew):
    log_in(http, email("admin"))

    response = plan(http, description="DB upgrade", integration=[crew["prometheus"].integration_id])

    assert response.status_code == 303 and response.headers["location"] == "/maintenance"
    assert windows(db) == [
        {
            "description": "DB upgrade",
            "start": NOW,
            "end": NOW + timedelta(hours=1),
            "status": "active",
            "rules": [("disabled", "integration", "prometheus")],
        }
    ]
    page = http.get("/maintenance").text
    assert "DB upgrade is planned." in page and "On now" in page
    assert "2026-03-01 10:00 CET" in page and "2026-03-01 11:00 CET" in page  # in the viewer's zone
    assert f'href="/settings/integrations/{crew["prometheus"].integration_id}">prometheus</a>' in page
    assert "nobody is notified of them" in page


def test_a_range_is_read_in_the_viewers_zone_and_planned_windows_are_deleted(http, db, crew):
    log_in(http, email("admin"))

    plan(
        http, length="custom", starts="2026-03-01T12:00", ends="2026-03-01T14:30",
        policy=[f"enabled:{crew['policy']}"],
    )  # fmt: skip

    [window] = windows(db)
    assert (window["start"], window["end"]) == (
        NOW + timedelta(hours=2),
        NOW + timedelta(hours=4, minutes=30),
    )
    assert window["status"] == "planned" and window["rules"] == [("enabled", "policy", "tag it")]
    page = http.get("/maintenance").text
    assert "Planned" in page and "Switches on policy" in page and f'href="/policies/{crew["policy"]}"' in page
    window_id = page.split('action="/maintenance/')[1].split("/")[0]
    assert 'action="/maintenance/' + window_id + '/delete"' in page
    assert plan_action(http, window_id, "delete").status_code == 303
    assert windows(db) == []


def plan_action(http: TestClient, window_id: str, action: str, token: str | None = None) -> Any:
    token = token or csrf_token_in(http.get("/maintenance").text)
    return http.post(f"/maintenance/{window_id}/{action}", data={"csrf_token": token})


def test_the_presets_run_from_now(http, db, crew):
    log_in(http, email("admin"))

    plan(http, length="4h", integration=[crew["prometheus"].integration_id])

    assert [(w["start"], w["end"]) for w in windows(db)] == [(NOW, NOW + timedelta(hours=4))]


@pytest.mark.parametrize(
    ("fields", "place", "message"),
    [
        ({"integration": []}, "rules", "Pick at least one integration or policy"),
        (
            {"length": "custom", "starts": "2026-03-01T12:00", "ends": "2026-03-01T11:00"},
            "time",
            "The end must be after",
        ),
        (
            {"length": "custom", "starts": "", "ends": "2026-03-01T11:00"},
            "time",
            "Give the start as a date and a time",
        ),
        (
            {"length": "custom", "starts": "2026-02-01T08:00", "ends": "2026-02-01T09:00"},
            "time",
            "endDate is in the past",
        ),
        ({"integration": ["no-such-id"]}, "rules", "no integration"),
    ],
)
def test_bad_input_comes_back_by_its_field_with_nothing_stored(http, db, crew, fields, place, message):
    log_in(http, email("admin"))

    response = plan(
        http, description="kept", **{"integration": [crew["prometheus"].integration_id], **fields}
    )

    assert response.status_code == 422
    assert message in response.text and f'id="{place}-error"' in response.text
    assert 'value="kept"' in response.text
    assert windows(db) == []


def test_cancelling_a_window_lets_the_next_alert_through(http, db, crew):
    log_in(http, email("admin"))
    plan(http, description="Quiet", integration=[crew["prometheus"].integration_id])
    during = raise_alert(db, crew["prometheus"], "during")
    assert "Not notified: integration prometheus is in a maintenance window" in logs(db, during)

    window_id = http.get("/maintenance").text.split('action="/maintenance/')[1].split("/")[0]
    assert plan_action(http, window_id, "cancel").status_code == 303

    assert [w["status"] for w in windows(db)] == ["cancelled"]
    assert "Quiet is cancelled" in http.get("/maintenance").text
    assert "Cancelled" in http.get("/maintenance?tab=past").text
    after = raise_alert(db, crew["prometheus"], "after")
    assert not any("maintenance" in line for line in logs(db, after))
    assert plan_action(http, window_id, "cancel").status_code == 409  # once is enough
    assert plan_action(http, window_id, "delete").status_code == 303  # a cancelled one may go
    assert windows(db) == []


def raise_alert(db: Database, actor: Any, message: str) -> str:
    with db.write_session() as session:
        payload = CreateAlertPayload.model_validate(
            {"message": message, "responders": [{"type": "team", "name": "ops"}]}
        )
        return ingest.create_alert(session, payload=payload, actor=actor).alert_id


def logs(db: Database, alert_id: str) -> list[str]:
    with db.read_session() as session:
        return [entry.log for entry in session.query(AlertLog).filter(AlertLog.alert_id == alert_id)]


def test_a_team_admin_silences_their_team_only(http, db, crew):
    log_in(http, email("admin"))
    plan(http, description="Global", integration=[crew["prometheus"].integration_id])
    http.cookies.clear()
    log_in(http, email("lead"))

    page = http.get("/maintenance").text
    assert "ops checks (team ops)" in page and ">prometheus (" not in page and "tag it" not in page
    assert "Cancel now" not in page  # the global window is not theirs to end
    assert 'action="/maintenance/' not in page
    [global_id] = all_ids(db)
    assert plan_action(http, global_id, "cancel").status_code == 403
    forged = plan(http, integration=[crew["prometheus"].integration_id])
    assert forged.status_code == 403

    assert plan(http, description="Ops", integration=[crew["ops-checks"].integration_id]).status_code == 303
    assert [w["status"] for w in windows(db)] == ["active", "active"]
    assert "Cancel now" in http.get("/maintenance").text


def all_ids(db: Database) -> list[str]:
    with db.read_session() as session:
        return [window.id for window in service.list_maintenance(session, which="all")]


def test_a_member_reads_the_windows_but_may_not_plan_or_end_them(http, db, crew):
    log_in(http, email("admin"))
    plan(http, description="Ops quiet", integration=[crew["ops-checks"].integration_id])
    http.cookies.clear()
    log_in(http, email("ann"))

    page = http.get("/maintenance").text
    assert "Ops quiet" in page and "Plan a maintenance window" not in page and "Cancel now" not in page
    token = csrf_token_in(http.get("/alerts").text)
    assert plan(http, token, integration=[crew["ops-checks"].integration_id]).status_code == 403
    assert plan_action(http, all_ids(db)[0], "cancel", token).status_code == 403
    assert [w["status"] for w in windows(db)] == ["active"]


def test_a_form_without_its_token_changes_nothing(http, db, crew):
    log_in(http, email("admin"))

    assert plan(http, "forged", integration=[crew["prometheus"].integration_id]).status_code == 400
    assert windows(db) == []


def test_the_page_needs_signing_in(http, crew):
    assert http.get("/maintenance").headers["location"] == "/login?next=%2Fmaintenance"


@pytest.mark.parametrize(
    "fields",
    [
        {"length": "custom", "starts": "0001-01-01T00:00", "ends": "9999-12-31T23:59"},
        {"length": "forever"},
        {"policy": ["sometimes:x", "disabled:"]},
        {"description": "x" * 10001},
        {"integration": [""]},
    ],
)
def test_forged_or_odd_input_is_refused_as_input(http, db, crew, fields):
    log_in(http, email("admin"))

    response = plan(http, **fields)

    assert response.status_code == 422, response.text
    assert windows(db) == []
