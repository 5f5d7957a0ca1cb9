"""The official Python SDK's HeartbeatApi (opsgenie-sdk 2.1.5) against a real Tocsin server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import opsgenie_sdk
import pytest

from tests.accounts.people import ALL_RIGHTS
from tests.support.factories import make_integration
from tests.support.server import LiveServer, live_settings
from tocsin.accounts import apikeys

pytestmark = pytest.mark.clients


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(live_settings(database_url, str(tmp_path))) as server:
        yield server


def _heartbeats(server: LiveServer, key: str) -> opsgenie_sdk.HeartbeatApi:
    conf = opsgenie_sdk.Configuration()
    conf.host = server.url
    conf.api_key["Authorization"] = key
    conf.retry_enabled = False
    return opsgenie_sdk.HeartbeatApi(api_client=opsgenie_sdk.ApiClient(configuration=conf))


@pytest.fixture
def configured(live_server, db) -> opsgenie_sdk.HeartbeatApi:
    with db.write_session() as session:
        _, key = apikeys.create_api_key(session, name="terraform", rights=list(ALL_RIGHTS))
    return _heartbeats(live_server, key)


def test_sdk_creates_lists_updates_pings_and_deletes_heartbeats(configured, live_server, db):
    created = configured.create_heartbeat(
        opsgenie_sdk.CreateHeartbeatPayload(
            name="nightly-backup", description="02:00 backup", interval=1, interval_unit="hours",
            enabled=True,
            alert_message="Backup did not run", alert_tags=["backup"], alert_priority="P2",
        )
    )  # fmt: skip
    assert (created.data.name, created.data.interval, created.data.interval_unit) == (
        "nightly-backup",
        1,
        "hours",
    )

    (listed,) = configured.list_heart_beats().data.heartbeats
    assert (listed.name, listed.enabled, listed.expired, listed.last_ping_time) == (
        "nightly-backup", True, False, None
    )  # fmt: skip

    updated = configured.update_heartbeat(
        "nightly-backup",
        update_heartbeat_payload=opsgenie_sdk.UpdateHeartbeatPayload(interval=90, interval_unit="minutes"),
    )
    assert (updated.data.name, updated.data.enabled) == ("nightly-backup", True)
    assert configured.disable_heartbeat("nightly-backup").data.enabled is False
    assert configured.enable_heartbeat("nightly-backup").data.enabled is True

    _, ping_key = make_integration(db, "backup server")
    pong = _heartbeats(live_server, ping_key).ping("nightly-backup")
    assert pong.result == "PONG - Heartbeat received" and pong.request_id

    shown = configured.get_heartbeat("nightly-backup").data
    assert (shown.interval, shown.interval_unit) == (90, "minutes")
    assert shown.last_ping_time is not None and shown.expired is False

    assert configured.delete_heartbeat("nightly-backup").result == "Deleted"
    assert configured.list_heart_beats().data.heartbeats == []


def test_sdk_sees_errors_as_its_own_exceptions(configured):
    with pytest.raises(opsgenie_sdk.exceptions.ApiException) as missing:
        configured.get_heartbeat("ghost")
    assert missing.value.status == 404
    with pytest.raises(opsgenie_sdk.exceptions.ConfigurationException) as invalid:
        configured.create_heartbeat(
            opsgenie_sdk.CreateHeartbeatPayload(name="cron", interval=400, interval_unit="days", enabled=True)
        )
    assert invalid.value.status == 422
    assert "at most 366 days" in invalid.value.body
