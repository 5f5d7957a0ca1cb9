"""/v1/maintenance: windows now or scheduled, their status over time, what they switch, and the
bad input refused with nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.factories import make_integration
from tocsin import clock
from tocsin.db import Database
from tocsin.maintenance.switches import active_switches


def _window(time: dict[str, Any], *rules: tuple[str, str], description: str = "db upgrade") -> dict[str, Any]:
    return {
        "description": description,
        "time": time,
        "rules": [{"state": "disabled", "entity": {"type": kind, "name": name}} for kind, name in rules],
    }


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _switches(db: Database) -> Any:
    with db.read_session() as session:
        return active_switches(session, clock.now())


def test_a_window_for_an_hour_pauses_an_integration_and_ends_on_time(api, db, frozen_clock):
    integration_id = make_integration(db, "prometheus")[0].integration_id

    created = api.post("/v1/maintenance", json=_window({"type": "for-1-hour"}, ("integration", "Prometheus")))

    assert created.status_code == 201, created.text
    window = created.json()["data"]
    assert window["status"] == "active"
    assert window["time"] == {
        "type": "for-1-hour",
        "startDate": "2026-03-01T09:00:00Z",
        "endDate": "2026-03-01T10:00:00Z",
    }
    shown = api.data(f"/v1/maintenance/{window['id']}")
    assert shown["rules"] == [
        {"state": "disabled", "entity": {"id": integration_id, "type": "integration", "name": "prometheus"}}
    ]
    assert _switches(db).integration_paused(integration_id)

    frozen_clock.advance(timedelta(minutes=59, seconds=59))
    assert _switches(db).integration_paused(integration_id)
    frozen_clock.advance(timedelta(seconds=1))
    assert not _switches(db).integration_paused(integration_id)
    assert api.data(f"/v1/maintenance/{window['id']}")["status"] == "past"
    assert api.data("/v1/maintenance") == []
    assert [found["id"] for found in api.data("/v1/maintenance", params={"type": "past"})] == [window["id"]]


def test_a_scheduled_window_is_planned_then_active_then_past(api, db, frozen_clock):
    integration_id = make_integration(db, "nagios")[0].integration_id
    time = {"type": "schedule", "startDate": "2026-03-01T22:00:00Z", "endDate": "2026-03-02T02:00:00+01:00"}
    window = api.post("/v1/maintenance", json=_window(time, ("integration", "nagios"))).json()["data"]

    seen = []
    for moment in (
        "2026-03-01T21:59:59",
        "2026-03-01T22:00:00",
        "2026-03-02T00:59:59",
        "2026-03-02T01:00:00",
    ):
        frozen_clock.set(_utc(moment))
        seen.append(
            (
                api.data(f"/v1/maintenance/{window['id']}")["status"],
                _switches(db).integration_paused(integration_id),
            )
        )

    assert seen == [("planned", False), ("active", True), ("active", True), ("past", False)]


def test_cancelling_ends_the_window_at_once(api, db, frozen_clock):
    integration_id = make_integration(db, "zabbix")[0].integration_id
    window = api.post(
        "/v1/maintenance", json=_window({"type": "indefinitely"}, ("integration", "zabbix"))
    ).json()["data"]
    assert "endDate" not in window["time"]
    frozen_clock.advance(timedelta(days=30))
    assert _switches(db).integration_paused(integration_id)

    cancelled = api.post(f"/v1/maintenance/{window['id']}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["data"]["status"] == "cancelled"
    assert not _switches(db).integration_paused(integration_id)
    again = api.post(f"/v1/maintenance/{window['id']}/cancel")
    assert again.status_code == 409
    assert "already cancelled" in again.json()["message"]


def test_a_window_may_enable_a_disabled_integration_or_policy_by_id(api, db, frozen_clock):
    integration_id = make_integration(db, "backups")[0].integration_id
    body = {
        "time": {"type": "for-30-minutes"},
        "rules": [{"state": "enabled", "entity": {"type": "integration", "id": integration_id}}],
    }

    assert api.post("/v1/maintenance", json=body).status_code == 201

    switches = _switches(db)
    assert integration_id in switches.integrations_on
    assert not switches.integration_paused(integration_id)


def test_updating_an_active_window_replaces_its_rules_and_time(api, db, frozen_clock):
    first = make_integration(db, "first")[0].integration_id
    second = make_integration(db, "second")[0].integration_id
    window = api.post(
        "/v1/maintenance", json=_window({"type": "for-5-minutes"}, ("integration", "first"))
    ).json()["data"]

    changed = api.request(
        "PUT",
        f"/v1/maintenance/{window['id']}",
        json=_window({"type": "for-1-hour"}, ("integration", "second")),
    )

    assert changed.status_code == 200, changed.text
    frozen_clock.advance(timedelta(minutes=10))
    switches = _switches(db)
    assert not switches.integration_paused(first)
    assert switches.integration_paused(second)


def test_bad_windows_are_refused_with_what_to_fix_and_nothing_is_stored(api, db, frozen_clock):
    make_integration(db, "prometheus")
    cases = [
        (_window({"type": "for-1-hour"}, ("integration", "nonesuch")), "no integration 'nonesuch'"),
        (
            _window({"type": "schedule", "startDate": "2026-03-01T10:00:00Z"}, ("integration", "prometheus")),
            "needs both startDate and endDate",
        ),
        (
            _window(
                {"type": "schedule", "startDate": "2026-02-01T10:00:00Z", "endDate": "2026-02-02T10:00:00Z"},
                ("integration", "prometheus"),
            ),
            "endDate is in the past",
        ),
        (
            _window(
                {"type": "for-1-hour", "startDate": "2026-03-01T10:00:00Z"}, ("integration", "prometheus")
            ),
            "only for type 'schedule'",
        ),
        (_window({"type": "for-2-hours"}, ("integration", "prometheus")), "for-1-hour"),
        (
            _window({"type": "for-1-hour"}, ("integration", "prometheus"), ("integration", "PROMETHEUS")),
            "listed twice",
        ),
        ({"time": {"type": "for-1-hour"}, "rules": []}, "rules"),
        ({**_window({"type": "for-1-hour"}, ("integration", "prometheus")), "colour": "red"}, "colour"),
    ]
    for body, message in cases:
        response = api.post("/v1/maintenance", json=body)
        assert response.status_code == 422, (body, response.text)
        assert message in response.text, (message, response.text)

    assert api.data("/v1/maintenance", params={"type": "all"}) == []


def test_a_team_key_may_pause_only_its_own_teams_integrations(api, cast, db, integration_key, frozen_clock):
    make_integration(db, "ops alerts", team="ops")
    make_integration(db, "global alerts")
    ops_key = integration_key("ops key", team="ops")

    own = ops_key.post("/v1/maintenance", json=_window({"type": "for-1-hour"}, ("integration", "ops alerts")))
    other = ops_key.post(
        "/v1/maintenance", json=_window({"type": "for-1-hour"}, ("integration", "global alerts"))
    )

    assert own.status_code == 201, own.text
    assert other.status_code == 403, other.text
    assert len(api.data("/v1/maintenance")) == 1


def test_deleting_a_window_removes_it_and_its_rules(api, db, frozen_clock):
    integration_id = make_integration(db, "prometheus")[0].integration_id
    window = api.post(
        "/v1/maintenance", json=_window({"type": "for-1-hour"}, ("integration", "prometheus"))
    ).json()["data"]

    assert api.delete(f"/v1/maintenance/{window['id']}").status_code == 200

    assert api.get(f"/v1/maintenance/{window['id']}").status_code == 404
    assert not _switches(db).integration_paused(integration_id)
