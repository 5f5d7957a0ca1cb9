"""An integration in a maintenance window: its alerts are stored and counted, nobody is told of
them, and notifications are back the moment the window ends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.support.api import ApiClient
from tocsin.db import Database
from tocsin.notify.outbox import OutboxMessage


def _routed(db: Database, alert_id: str, topic: str = "alert.created") -> list[str]:
    with db.read_session() as session:
        return list(
            session.scalars(
                select(OutboxMessage.topic).where(
                    OutboxMessage.alert_id == alert_id, OutboxMessage.topic == topic
                )
            )
        )


def test_a_window_silences_an_integration_and_ends_on_time(api, http, cast, db, frozen_clock):
    prometheus = ApiClient(
        http,
        api.post("/v2/integrations", json={"type": "API", "name": "prometheus"}).json()["data"]["apiKey"],
    )
    webhook = api.post(
        "/v2/integrations", json={"type": "Webhook", "name": "chat", "url": "http://93.184.216.34/hook"}
    )
    assert webhook.status_code == 201, webhook.text
    window = api.post(
        "/v1/maintenance",
        json={
            "time": {"type": "for-30-minutes"},
            "rules": [{"state": "disabled", "entity": {"type": "integration", "name": "prometheus"}}],
        },
    )
    assert window.status_code == 201, window.text

    during = prometheus.create(message="db1 down", alias="db1", responders=[{"type": "team", "name": "ops"}])
    repeat = prometheus.create(message="db1 down", alias="db1", responders=[{"type": "team", "name": "ops"}])

    assert repeat["id"] == during["id"] and repeat["count"] == 2
    assert _routed(db, during["id"]) == []
    assert _routed(db, during["id"], "alert.activity") == []  # nor told to the webhook
    assert "Not notified: integration prometheus is in a maintenance window" in prometheus.logs(during["id"])

    frozen_clock.advance(timedelta(minutes=30))
    after = prometheus.create(message="db2 down", alias="db2", responders=[{"type": "team", "name": "ops"}])

    assert _routed(db, after["id"]) == ["alert.created"]
    assert _routed(db, after["id"], "alert.activity") == ["alert.activity"]
    assert not any("maintenance" in line for line in prometheus.logs(after["id"]))
