"""A backup taken while alerts pour in holds every alert accepted before it started.

Tocsin answers a create with 202 only once the alert is committed (docs/decisions/0001 and
0015), so an alert accepted before ``tocsin backup`` began is in the database it reads."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.factories import make_integration
from tests.support.processes import Serve
from tests.support.revisions import revision_of
from tests.test_cli import Tocsin
from tocsin.backups.common import known_revisions
from tocsin.db import Database


@dataclass
class Sender:
    """Creates alerts one after another over HTTP and notes when each was accepted."""

    url: str
    key: str
    accepted: list[tuple[str, float]] = field(default_factory=list)
    """(message, monotonic time its 202 arrived)"""
    refused: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        headers = {"Authorization": f"GenieKey {self.key}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=30) as client:
            number = 0
            while not self.stop.is_set():
                number += 1
                message = f"load alert {number}"
                answer = client.post("/v2/alerts", json={"message": message, "alias": f"load-{number}"})
                if answer.status_code == 202:
                    self.accepted.append((message, time.monotonic()))
                else:
                    self.refused.append(f"{answer.status_code} {answer.text}")
                # A steady stream, not a flood: the suite's other worker shares the two cores, and
                # its tests of chat answers within Slack's 3 s starved under an unpaced sender.
                self.stop.wait(0.005)

    def accepted_before(self, moment: float) -> set[str]:
        return {message for message, at in self.accepted if at < moment}

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 30
        while len(self.accepted) < count:
            assert time.monotonic() < deadline, (
                f"only {len(self.accepted)} alerts accepted: {self.refused[:3]}"
            )
            time.sleep(0.01)


def every_alert_message(url: str, key: str) -> set[str]:
    messages: set[str] = set()
    with httpx.Client(base_url=url, headers={"Authorization": f"GenieKey {key}"}, timeout=30) as client:
        offset = 0
        while True:
            page = client.get("/v2/alerts", params={"limit": 100, "offset": offset, "order": "asc"})
            assert page.status_code == 200, page.text
            data = page.json()["data"]
            messages.update(alert["message"] for alert in data)
            if len(data) < 100:
                return messages
            offset += 100


def test_a_backup_taken_under_load_restores_every_alert_accepted_before_it(
    installation: Tocsin, another_installation: Tocsin, serves: Callable[..., Serve], tmp_path: Path
) -> None:
    database = Database(installation.environment["TOCSIN_DATABASE_URL"])  # migrated, empty
    try:
        key = make_integration(database, "load")[1]
    finally:
        database.dispose()
    serve = serves(installation.environment)
    sender = Sender(serve.url, key)
    sending = threading.Thread(target=sender.run, daemon=True)
    sending.start()
    sender.wait_for(100)

    backup_started = time.monotonic()
    written = installation.ok("backup", str(tmp_path / "tocsin.backup"))
    backup_ended = time.monotonic()
    sender.wait_for(len(sender.accepted) + 10)  # still flowing after it
    sender.stop.set()
    sending.join(timeout=30)
    serve.stop(signal.SIGTERM)

    promised = sender.accepted_before(backup_started)
    during = [message for message, at in sender.accepted if backup_started <= at < backup_ended]
    assert during, "no alert was accepted while the backup ran: it was not taken under load"
    assert sender.refused == []
    assert "Backup written:" in written[-1]
    restored = another_installation.ok("restore", str(tmp_path / "tocsin.backup"))
    assert "checked" in restored[-1]
    assert "schema revision" in restored[-1]
    again = serves(another_installation.environment)

    found = every_alert_message(again.url, key)

    assert promised <= found, (
        f"{len(promised - found)} accepted alerts missing, e.g. {sorted(promised - found)[:3]}"
    )
    assert len(found) <= len(sender.accepted)
    assert revision_of(another_installation.environment["TOCSIN_DATABASE_URL"]) == known_revisions()[0]
