"""``tocsin engine`` with ``TOCSIN_LOG_FORMAT=json``: its lines are JSON objects too, and neither
the SMTP password it holds nor a webhook URL's secret path shows in them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.engine.conftest import PeopleAndAlerts, queue_email
from tests.support.http_receiver import Answer, HttpReceiver
from tests.support.postgres import free_port
from tests.test_cli import TOCSIN
from tocsin.db import Database
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

SMTP_PASSWORD = "smtp-relay-Pa55phrase"
HOOK_SECRET = "hook-path-S3cret-4f9a"


def test_the_engine_writes_json_lines_without_its_secrets(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    gone = HttpReceiver(lambda _: Answer(404, b'{"message": "no such hook"}')).start()
    with db.write_session() as session:  # its deliveries fail for good: logged with their destination
        integrations.create_integration(
            session,
            type="Webhook",
            name="runbooks",
            changes=Changes(url=gone.url(f"/hooks/catch/{HOOK_SECRET}")),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )
    people = PeopleAndAlerts(db)
    alert_id, user_id = people.alert(), people.user("ada@example.com")
    queue_email(db, alert_id, user_id, "ada@example.com")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("TOCSIN_")}
    environment.update(
        TOCSIN_DATABASE_URL=database_url,
        TOCSIN_DATA_DIR=str(tmp_path),
        TOCSIN_LOG_FORMAT="json",
        TOCSIN_SMTP_HOST="127.0.0.1",
        TOCSIN_SMTP_PORT=str(free_port()),  # nothing listens: the delivery fails and is logged
        TOCSIN_SMTP_USERNAME="tocsin",
        TOCSIN_SMTP_PASSWORD=SMTP_PASSWORD,
        TOCSIN_ENGINE_TICK_SECONDS="0.1",
        TOCSIN_OUTBOUND_ALLOW="127.0.0.0/8",
    )
    stderr_path = tmp_path / "engine-stderr"
    with stderr_path.open("w") as stderr:
        engine = subprocess.Popen(
            [str(TOCSIN), "engine"], env=environment, stdout=subprocess.DEVNULL, stderr=stderr
        )
    try:
        deadline = time.monotonic() + 30
        while f"to http://127.0.0.1:{gone.port}" not in stderr_path.read_text():
            assert engine.poll() is None, stderr_path.read_text()
            assert time.monotonic() < deadline, f"no failed webhook logged:\n{stderr_path.read_text()}"
            time.sleep(0.05)
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(20) == 0
    finally:
        gone.stop()
        if engine.poll() is None:
            engine.kill()
            engine.wait(10)

    output = stderr_path.read_text()
    lines = [json.loads(line) for line in output.splitlines()]
    [failure, *_] = [line for line in lines if line["logger"].startswith("tocsin.engine")]
    assert failure["level"] == "warning"
    assert "request_id" not in failure  # the engine serves no request
    assert SMTP_PASSWORD not in output
    assert gone.received and gone.received[0].path.endswith(HOOK_SECRET)
    assert HOOK_SECRET not in output
