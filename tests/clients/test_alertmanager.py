"""Debian's prometheus-alertmanager (0.25) with an opsgenie_configs receiver pointed at Tocsin."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import require_service
from tests.support.factories import make_integration, make_team
from tests.support.postgres import free_port
from tests.support.server import LiveServer, live_settings

pytestmark = pytest.mark.clients

CONFIG = """
global:
  resolve_timeout: 1m
route:
  receiver: tocsin
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
- name: tocsin
  opsgenie_configs:
  - api_url: {api_url}
    api_key: {api_key}
    send_resolved: true
    update_alerts: true
    priority: '{{{{ .CommonLabels.priority }}}}'
    tags: 'am,{{{{ .CommonLabels.severity }}}}'
    responders:
    - {{type: team, name: ops}}
    - {{type: teams, name: 'a,b'}}
    details: {{extra: 'x'}}
"""


class Alertmanager:
    def __init__(self, workdir: Path, api_url: str, api_key: str) -> None:
        binary = shutil.which("prometheus-alertmanager")
        if binary is None:
            require_service(
                "prometheus-alertmanager is not installed (Debian package prometheus-alertmanager)"
            )
        self.port = free_port()
        config = workdir / "alertmanager.yml"
        config.write_text(CONFIG.format(api_url=api_url, api_key=api_key))
        self.process = subprocess.Popen(
            [
                str(binary),
                f"--config.file={config}",
                f"--storage.path={workdir / 'am-data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "alertmanager.log").open("w"),
        )
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(lambda: httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200, "Alertmanager ready")

    def post(self, labels: dict[str, str], *, resolved: bool = False) -> None:
        now = datetime.now(UTC)
        ends = now - timedelta(seconds=1) if resolved else now + timedelta(hours=1)
        alert = {
            "labels": labels,
            "annotations": {"summary": f"disk full on {labels['instance']}"},
            "startsAt": (now - timedelta(minutes=1)).isoformat(),
            "endsAt": ends.isoformat(),
        }
        httpx.post(f"{self.url}/api/v2/alerts", json=[alert], timeout=5).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture(params=["", "/custom/prefix"], ids=["no-prefix", "prefix"])
def tocsin(request, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(live_settings(database_url, str(tmp_path), root_path=request.param)) as server:
        yield server


def test_alertmanager_fires_updates_repeats_and_resolves(tocsin, db, tmp_path):
    for team in ("ops", "a", "b"):
        make_team(db, team)
    _, key = make_integration(db, "alertmanager")
    am = Alertmanager(tmp_path, f"{tocsin.url}/", key)
    api = httpx.Client(base_url=tocsin.url, headers={"Authorization": f"GenieKey {key}"}, timeout=5)
    alias = hashlib.sha256(b'{}:{alertname="DiskFull"}').hexdigest()

    def alert() -> dict[str, Any] | None:
        response = api.get(f"/v2/alerts/{alias}", params={"identifierType": "alias"})
        return response.json()["data"] if response.status_code == 200 else None

    try:
        labels = {"alertname": "DiskFull", "instance": "host1", "priority": "P2", "severity": "critical"}
        am.post(labels)
        created = wait_for(alert, "the alert from Alertmanager")
        assert created["message"] == "[FIRING:1] DiskFull (host1 P2 critical)"
        assert created["tags"] == ["am", "critical"] and created["priority"] == "P2"
        assert created["details"] == {**labels, "extra": "x"}
        assert "disk full on host1" in created["description"]
        assert created["source"].startswith("http") and created["integration"]["name"] == "alertmanager"
        teams = api.get("/v2/alerts", params={"query": "teams:ops AND teams:a AND teams:b"}).json()["data"]
        assert [item["id"] for item in teams] == [created["id"]]
        assert len(created["responders"]) == 3 and {item["type"] for item in created["responders"]} == {
            "team"
        }

        am.post({**labels, "instance": "host2"})

        def updated_by_second_instance() -> dict[str, Any] | None:
            # Alertmanager sends the create, then PUT message, then PUT description: wait for all.
            found = alert()
            return (
                found
                if found and found["message"].startswith("[FIRING:2]") and "host2" in found["description"]
                else None
            )

        updated = wait_for(updated_by_second_instance, "message and description updates")
        assert updated["id"] == created["id"]

        repeated = wait_for(
            lambda: (found := alert()) and found["count"] >= 4 and found, "repeat notifications"
        )
        assert repeated["id"] == created["id"]
        assert api.get("/v2/alerts/count").json()["data"]["count"] == 1

        am.post(labels, resolved=True)
        am.post({**labels, "instance": "host2"}, resolved=True)
        closed = wait_for(
            lambda: api.get(f"/v2/alerts/{created['id']}").json()["data"]["status"] == "closed", "resolution"
        )
        assert closed
        final = api.get(f"/v2/alerts/{created['id']}").json()["data"]
        assert final["report"]["closedBy"] == "alertmanager"
    finally:
        am.stop()
        api.close()
