# ruff: noqa: F811  (the heartbeat fixtures are imported, then taken as arguments)
"""Alerts a silent heartbeat raises are counted too, under the Heartbeat integration."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import generate_latest

from tests.heartbeats.conftest import (  # noqa: F401  (fixtures)
    account_key,
    api,
    cast,
    create,
    engine,
    heartbeat,
    integration_key,
)
from tests.ops.metrics_scrape import grew, samples
from tocsin.ops.metrics_endpoint import scrape_registry


def test_a_silent_heartbeat_counts_a_created_alert_under_its_integration(db, api, engine, frozen_clock):
    def scrape():
        return samples(generate_latest(scrape_registry(db)).decode())

    create(api, heartbeat("nightly-backup"))
    before = scrape()
    frozen_clock.advance(timedelta(minutes=10))
    engine.tick()
    after = scrape()
    assert grew(before, after, "tocsin_alerts_created_total", integration="Heartbeat") == 1
    assert grew(before, after, "tocsin_open_alerts", priority="P3") == 1
