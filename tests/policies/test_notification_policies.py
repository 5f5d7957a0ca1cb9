"""Notification policies decide what happens to a new alert's notifications: none at all, later,
or an automatic close; and maintenance windows keep a paused integration's alerts quiet."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.policies.conftest import (
    alert_policy,
    create,
    for_duration,
    log_of,
    notification_policy,
    outbox_of,
    raise_alert,
    when,
)
from tests.support.factories import make_integration
from tocsin import clock, config_version
from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts.service import AlertRef
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.maintenance.models import Maintenance, MaintenanceRule
from tocsin.writer import WriteQueue

OPS = [{"type": "team", "name": "ops"}]


def test_notification_policy_suppresses_a_noisy_source(api, db, cast, frozen_clock):
    create(api, notification_policy("quiet flappy", when("source", "equals", "flappy-check"), suppress=True))
    monitoring = make_integration(db, "monitoring")[0]

    noisy = raise_alert(db, monitoring, message="Flap", source="flappy-check", responders=OPS)
    normal = raise_alert(db, monitoring, message="Disk full", source="prometheus", responders=OPS)

    assert outbox_of(db, noisy.id, "alert.created") == []
    assert "Not notified: notification policy 'quiet flappy' suppresses notifications" in log_of(db, noisy.id)
    assert noisy.status == "open"  # stored and visible, only nobody is told
    assert len(outbox_of(db, normal.id, "alert.created")) == 1


def test_delay_policy_holds_the_notification_back(api, db, cast, frozen_clock):
    create(
        api,
        notification_policy(
            "wait a bit", delayAction={"delayOption": "for-duration", "duration": for_duration(10)}
        ),
    )
    monitoring = make_integration(db, "monitoring")[0]

    alert = raise_alert(db, monitoring, responders=OPS)

    (created,) = outbox_of(db, alert.id, "alert.created")
    assert created.next_attempt_at == clock.now() + timedelta(minutes=10)
    assert "Notification policy 'wait a bit' applied: notifications delayed until 2026-03-01 09:10 UTC" in (
        log_of(db, alert.id)
    )


def test_delay_applies_to_new_alerts_only_not_to_repeats(api, db, cast, frozen_clock):
    create(
        api,
        notification_policy(
            "wait", delayAction={"delayOption": "for-duration", "duration": for_duration(1, "hours")}
        ),
    )
    monitoring = make_integration(db, "monitoring")[0]

    first = raise_alert(db, monitoring, alias="disk", responders=OPS)
    again = raise_alert(db, monitoring, alias="disk", responders=OPS)

    assert again.id == first.id and again.count == 2
    assert len(outbox_of(db, first.id, "alert.created")) == 1
    assert sum("Notification policy" in line for line in log_of(db, first.id)) == 1


def _run_engine(settings: Settings, db: Database) -> None:
    writer = WriteQueue(db)
    writer.start()
    try:
        asyncio.run(build_engine(settings, writer).tick(every_job=True))
    finally:
        writer.stop()


def test_an_alert_acknowledged_during_the_delay_notifies_no_one(api, db, cast, frozen_clock, settings):
    create(
        api,
        notification_policy(
            "wait a bit", delayAction={"delayOption": "for-duration", "duration": for_duration(10)}
        ),
    )
    monitoring = make_integration(db, "monitoring")[0]
    handled = raise_alert(db, monitoring, message="handled in time", responders=OPS)
    waiting = raise_alert(db, monitoring, message="still open", responders=OPS)
    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(handled.id), actor=SYSTEM)

    frozen_clock.advance(timedelta(minutes=10))
    _run_engine(settings, db)

    assert api.data(f"/v2/alerts/{handled.id}/recipients") == []
    assert "Not notified: the alert was acknowledged before its notifications were due" in log_of(
        db, handled.id
    )
    assert {r["user"]["username"] for r in api.data(f"/v2/alerts/{waiting.id}/recipients")} == {
        "lead@example.com",
        "ann@example.com",
    }


def test_auto_close_policy_closes_the_alert_when_its_time_comes(api, db, cast, frozen_clock, settings):
    create(
        api,
        notification_policy(
            "close stale",
            when("tags", "contains", "transient"),
            autoCloseAction={"duration": for_duration(2, "hours")},
        ),
    )
    monitoring = make_integration(db, "monitoring")[0]
    transient = raise_alert(db, monitoring, message="Blip", tags=["transient"])
    closed_by_hand = raise_alert(db, monitoring, message="Blip 2", tags=["transient"])
    lasting = raise_alert(db, monitoring, message="Real", tags=["real"])
    with db.write_session() as session:
        actions.close(session, ref=AlertRef(closed_by_hand.id), actor=SYSTEM)

    frozen_clock.advance(timedelta(minutes=119))
    _run_engine(settings, db)
    assert api.data(f"/v2/alerts/{transient.id}")["status"] == "open"

    frozen_clock.advance(timedelta(minutes=1))
    _run_engine(settings, db)

    assert api.data(f"/v2/alerts/{transient.id}")["status"] == "closed"
    assert "Alert closed by Notification policy 'close stale' (system)" in log_of(db, transient.id)
    assert sum(line.startswith("Alert closed") for line in log_of(db, closed_by_hand.id)) == 1
    assert api.data(f"/v2/alerts/{lasting.id}")["status"] == "open"


def _maintenance(db: Database, entity_type: str, entity_id: str, state: str = "disabled") -> None:
    now = clock.now()
    with db.write_session() as session:
        window = Maintenance(
            description="upgrade",
            start_at=now - timedelta(minutes=1),
            end_at=now + timedelta(hours=1),
            time_type="for-1-hour",
            created_at=now,
        )
        session.add(window)
        session.flush()
        session.add(
            MaintenanceRule(
                maintenance_id=window.id, entity_type=entity_type, entity_id=entity_id, state=state
            )
        )
        config_version.bump(session)  # as the maintenance service does: writers see the change


def test_alert_from_an_integration_in_maintenance_is_stored_but_nobody_is_notified(db, cast, frozen_clock):
    paused, _ = make_integration(db, "prometheus")
    other, _ = make_integration(db, "zabbix")
    assert paused.integration_id is not None
    _maintenance(db, "integration", paused.integration_id)

    quiet = raise_alert(db, paused, message="During upgrade", responders=OPS)
    loud = raise_alert(db, other, message="Elsewhere", responders=OPS)

    assert quiet.status == "open"
    assert outbox_of(db, quiet.id, "alert.created") == []
    assert "Not notified: integration prometheus is in a maintenance window" in log_of(db, quiet.id)
    assert len(outbox_of(db, loud.id, "alert.created")) == 1

    frozen_clock.advance(timedelta(hours=2))  # the window is over
    after = raise_alert(db, paused, message="After upgrade", responders=OPS)
    assert len(outbox_of(db, after.id, "alert.created")) == 1


def test_maintenance_window_switches_policies_off_and_on(api, db, cast, frozen_clock):
    raising = create(api, alert_policy("raise", priority="P1"))
    lowering = create(api, {**alert_policy("lower", priority="P5"), "enabled": False})
    monitoring = make_integration(db, "monitoring")[0]
    assert raise_alert(db, monitoring, message="before").priority == "P1"

    _maintenance(db, "policy", raising)
    _maintenance(db, "policy", lowering, state="enabled")

    assert raise_alert(db, monitoring, message="during").priority == "P5"
