"""``tocsin serve`` with and without its engine, ``tocsin engine`` on its own, and ``tocsin outbox``."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.smtp import SmtpServer
from tests.test_cli import TOCSIN, Tocsin, tocsin_environment
from tocsin.db import Database
from tocsin.notify import outbox


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def environment(database_url: str, tmp_path: Path, smtp: SmtpServer) -> dict[str, str]:
    return tocsin_environment(
        database_url=database_url,
        data_dir=tmp_path / "data",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        engine_tick_seconds="0.2",
    )


def prepare(environment: dict[str, str]) -> str:
    """A responder (with the default e-mail rule) and an integration key."""
    tocsin = Tocsin(environment)
    tocsin.ok("migrate")
    tocsin.ok("user", "create", "ada@example.com")
    return tocsin.ok("integration", "create", "--name", "monitoring")[-1]


def raise_alert(url: str, key: str) -> None:
    response = httpx.post(
        f"{url}/v2/alerts",
        json={"message": "Disk full", "responders": [{"type": "user", "username": "ada@example.com"}]},
        headers={"Authorization": f"GenieKey {key}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text


def test_serve_runs_the_engine_and_ada_is_emailed(serves, environment, smtp):
    key = prepare(environment)
    serve = serves(environment)
    raise_alert(serve.url, key)
    (mail,) = smtp.wait_for(1, timeout=15)
    assert mail.recipients == ["ada@example.com"]
    serve.stop(signal.SIGTERM)


def test_serve_without_engine_leaves_delivery_to_tocsin_engine(serves, environment, smtp, database_url):
    key = prepare(environment)
    serve = serves(environment, "--no-engine")
    raise_alert(serve.url, key)
    time.sleep(2)
    assert smtp.received == []
    engine = subprocess.Popen([str(TOCSIN), "engine"], env=environment, stdout=subprocess.PIPE, text=True)
    try:
        (mail,) = smtp.wait_for(1, timeout=20)
        assert mail.recipients == ["ada@example.com"]
    finally:
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(20) == 0
    serve.stop(signal.SIGTERM)


def test_outbox_list_shows_dead_letters_and_retry_puts_them_back(environment, database_url):
    prepare(environment)
    db = Database(database_url)
    try:
        with db.write_session() as session:
            outbox.enqueue(session, "notify.email", {"userId": "x"}, destination="nobody@example.com")
            outbox.enqueue(session, "notify.email", {"userId": "y"}, destination="fine@example.com")
            dead = outbox.listing(session)[-1]
            dead.state, dead.last_error = "dead", "550 no such mailbox"
            dead_id = dead.id
    finally:
        db.dispose()
    tocsin = Tocsin(environment)
    everything = tocsin.ok("outbox", "list")
    failed = tocsin.ok("outbox", "list", "--failed")
    assert len(everything) == 2
    assert len(failed) == 1 and failed[0].startswith(f"{dead_id}\tdead\tnotify.email\tnobody@example.com")
    assert "550 no such mailbox" in failed[0]
    assert tocsin.ok("outbox", "retry", str(dead_id)) == [
        f"Outbox message {dead_id} will be delivered again."
    ]
    assert tocsin.ok("outbox", "list", "--failed")[0].split("\t")[1] == "pending"
    missing = tocsin("outbox", "retry", "999999")
    assert missing.returncode == 1 and missing.stderr.startswith("error: no outbox message 999999")
