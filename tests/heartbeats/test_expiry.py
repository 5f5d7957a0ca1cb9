"""Silence turns into an alert: the engine's heartbeat job, with the clock moved by the test."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import select

from tests.heartbeats.conftest import create, heartbeat
from tocsin.heartbeats import expiry
from tocsin.integrations.models import Integration

MINUTE = timedelta(minutes=1)


def _alerts(api) -> list[dict]:
    return api.data("/v2/alerts", params={"query": "", "limit": 100})


def _logs(api, alert_id: str) -> list[str]:
    return [entry["log"] for entry in api.data(f"/v2/alerts/{alert_id}/logs", params={"order": "asc"})]


def test_silent_heartbeat_raises_an_alert_once_and_the_next_ping_closes_it(api, engine, frozen_clock):
    create(
        api,
        heartbeat(
            "Nightly-Backup", alertMessage="Backup did not run", alertTags=["backup"], alertPriority="P2"
        ),
    )
    frozen_clock.advance(10 * MINUTE - timedelta(seconds=1))
    engine.tick()
    assert _alerts(api) == []

    frozen_clock.advance(timedelta(seconds=1))
    engine.tick()
    (listed,) = _alerts(api)
    alert = api.alert("heartbeat-nightly-backup", "alias")
    assert alert["id"] == listed["id"]
    assert (alert["message"], alert["tags"], alert["priority"]) == ("Backup did not run", ["backup"], "P2")
    assert (alert["entity"], alert["source"]) == ("Nightly-Backup", "Heartbeat")
    assert alert["integration"]["name"] == "Heartbeat" and alert["integration"]["type"] == "Heartbeat"
    assert alert["description"] == (
        "Heartbeat Nightly-Backup expects a ping at least every 10 minutes, and none came in time. "
        "It has never been pinged; it has been waiting since 2026-03-01 09:00:00 UTC."
    )
    assert "Heartbeat Nightly-Backup expired: no ping within 10 minutes" in _logs(api, alert["id"])
    assert api.data("/v2/heartbeats/nightly-backup")["expired"] is True

    frozen_clock.advance(30 * MINUTE)
    engine.tick()
    engine.tick()
    assert [(item["id"], item["count"]) for item in _alerts(api)] == [(alert["id"], 1)]

    assert api.get("/v2/heartbeats/nightly-backup/ping").status_code == 202
    closed = api.alert(alert["id"])
    assert closed["status"] == "closed"
    assert closed["report"]["closedBy"] == "Heartbeat"
    notes = [note["note"] for note in api.data(f"/v2/alerts/{alert['id']}/notes")]
    assert notes == ["Heartbeat Nightly-Backup pinged again"]
    assert "Alert closed by Heartbeat (Heartbeat)" in _logs(api, alert["id"])
    shown = api.data("/v2/heartbeats/nightly-backup")
    assert (shown["expired"], shown["expiresAt"]) == (False, "2026-03-01T09:50:00.000Z")


def test_after_a_ping_a_new_silence_raises_a_new_alert(api, engine, frozen_clock):
    create(api, heartbeat("cron", interval=1))
    frozen_clock.advance(MINUTE)
    engine.tick()
    first = api.alert("heartbeat-cron", "alias")["id"]
    frozen_clock.advance(5 * MINUTE)
    api.get("/v2/heartbeats/cron/ping")  # at 09:06

    frozen_clock.advance(MINUTE)
    engine.tick()
    second = api.alert("heartbeat-cron", "alias")
    assert second["id"] != first and second["status"] == "open"
    assert "The last ping came at 2026-03-01 09:06:00 UTC." in second["description"]
    assert api.alert(first)["status"] == "closed"


def test_regular_pings_keep_a_heartbeat_quiet(api, engine, frozen_clock):
    create(api, heartbeat("cron", interval=2))
    for _ in range(10):
        frozen_clock.advance(MINUTE)
        assert api.request("PUT", "/v2/heartbeats/cron/ping").status_code == 202
        engine.tick()
    assert _alerts(api) == []


def test_disabled_heartbeat_never_expires(api, engine, frozen_clock):
    create(api, heartbeat("cron", enabled=False))
    create(api, heartbeat("paused"))
    api.post("/v2/heartbeats/paused/disable")
    frozen_clock.advance(timedelta(days=30))
    engine.tick()
    assert _alerts(api) == []
    assert [item["expired"] for item in api.data("/v2/heartbeats")["heartbeats"]] == [False, False]


def test_team_heartbeat_alert_goes_to_the_team_through_its_team_door(
    api, cast, engine, frozen_clock, integration_key
):
    create(api, heartbeat("ops-job", ownerTeam={"name": "ops"}))
    frozen_clock.advance(10 * MINUTE)
    engine.tick()

    alert = api.alert("heartbeat-ops-job", "alias")
    ops_id = next(team["id"] for team in api.data("/v2/teams") if team["name"] == "ops")
    assert alert["responders"] == [{"type": "team", "id": ops_id}]
    assert alert["ownerTeamId"] == ops_id
    assert alert["integration"]["name"] == "ops Heartbeat"
    assert integration_key("ops key", team="ops").get(f"/v2/alerts/{alert['id']}").status_code == 200
    assert integration_key("db key", team="db").get(f"/v2/alerts/{alert['id']}").status_code == 403


def test_disabled_door_raises_nothing_but_the_heartbeat_shows_expired(api, db, engine, frozen_clock, caplog):
    create(api, heartbeat("cron"))
    with db.write_session() as session:
        door = session.scalar(select(Integration).where(Integration.type == "Heartbeat"))
        door.enabled = False
    frozen_clock.advance(10 * MINUTE)
    with caplog.at_level(logging.WARNING, logger="tocsin.heartbeats.expiry"):
        engine.tick()
    assert _alerts(api) == []
    assert api.data("/v2/heartbeats/cron")["expired"] is True
    assert "heartbeat cron expired, but its integration Heartbeat is disabled: no alert raised" in caplog.text
    assert api.get("/v2/heartbeats/cron/ping").status_code == 202
    assert api.data("/v2/heartbeats/cron")["expired"] is False


def test_doors_are_made_with_the_heartbeat_and_avoid_names_in_use(api, cast, db, integration_key):
    integration_key("Heartbeat")  # an API integration already has the plain name
    create(api, heartbeat("global-job"))
    create(api, heartbeat("other-global-job"))
    create(api, heartbeat("ops-job", ownerTeam={"name": "ops"}))
    with db.read_session() as session:
        doors = session.execute(select(Integration.name, Integration.type).order_by(Integration.name)).all()
    assert [tuple(row) for row in doors] == [
        ("Heartbeat", "API"),
        ("Heartbeat 2", "Heartbeat"),
        ("ops Heartbeat", "Heartbeat"),
    ]


def test_expired_heartbeat_disabled_and_enabled_again_closes_its_alert_on_the_next_ping(
    api, engine, frozen_clock
):
    create(api, heartbeat("cron"))
    frozen_clock.advance(10 * MINUTE)
    engine.tick()
    alert_id = api.alert("heartbeat-cron", "alias")["id"]
    api.post("/v2/heartbeats/cron/disable")
    api.post("/v2/heartbeats/cron/enable")
    frozen_clock.advance(20 * MINUTE)
    engine.tick()
    assert [item["count"] for item in _alerts(api)] == [1]
    api.get("/v2/heartbeats/cron/ping")
    assert api.alert(alert_id)["status"] == "closed"


def test_ping_closes_the_alert_a_heartbeat_raised_for_the_team_that_owned_it_then(
    api, cast, engine, frozen_clock
):
    """The alert was raised in ops' de-duplication scope; the heartbeat now belongs to db."""
    create(api, heartbeat("ops-job", ownerTeam={"name": "ops"}))
    frozen_clock.advance(10 * MINUTE)
    engine.tick()
    alert_id = api.alert("heartbeat-ops-job", "alias")["id"]
    assert api.patch("/v2/heartbeats/ops-job", json={"ownerTeam": {"name": "db"}}).status_code == 200

    api.get("/v2/heartbeats/ops-job/ping")

    assert api.alert(alert_id)["status"] == "closed"


def test_two_engines_claiming_at_once_raise_one_alert(api, db, frozen_clock):
    create(api, heartbeat("cron"))
    frozen_clock.advance(10 * MINUTE)
    claimed_by_second: list[int] = []
    with db.write_session() as first:
        assert expiry.expire_due(first) == 1
        second = threading.Thread(
            target=lambda: claimed_by_second.append(_expire_in_own_transaction(db)), daemon=True
        )
        second.start()
        second.join(timeout=0.5)
        assert second.is_alive(), "the second engine should wait for the first one's claim"
    second.join(timeout=30)
    assert claimed_by_second == [0]
    assert len(_alerts(api)) == 1


def _expire_in_own_transaction(db) -> int:
    with db.write_session() as session:
        return expiry.expire_due(session)
