"""``tocsin engine`` as a process: killed in the middle of a delivery, started again, nothing lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select

from tests.engine.conftest import queue_email
from tests.support.postgres import free_port
from tests.support.smtp import SmtpServer
from tocsin.notify.email import TOPIC
from tocsin.notify.outbox import OutboxMessage

TOCSIN = str(Path(sys.executable).parent / "tocsin")


class SilentServer:
    """Accepts connections and never says a word: an SMTP server that hangs."""

    def __init__(self) -> None:
        self.port = free_port()
        self.accepted = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", self.port))
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._connections.append(connection)
            self.accepted.set()

    def close(self) -> None:
        self._socket.close()
        for connection in self._connections:
            connection.close()


def start_engine(database_url: str, data_dir: Path, smtp_port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "TOCSIN_DATABASE_URL": database_url,
        "TOCSIN_DATA_DIR": str(data_dir),
        "TOCSIN_SMTP_HOST": "127.0.0.1",
        "TOCSIN_SMTP_PORT": str(smtp_port),
        "TOCSIN_SMTP_TIMEOUT_SECONDS": "60",
        "TOCSIN_DELIVERY_LEASE_SECONDS": "2",
        "TOCSIN_ENGINE_LEASE_SECONDS": "2",
        "TOCSIN_ENGINE_TICK_SECONDS": "0.2",
    }
    return subprocess.Popen(
        [TOCSIN, "engine"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def email_states(db) -> list[str]:
    with db.read_session() as session:
        return list(session.scalars(select(OutboxMessage.state).where(OutboxMessage.topic == TOPIC)))


def test_an_engine_killed_mid_delivery_and_started_again_loses_nothing(db, database_url, tmp_path, alert_for):
    alert_id, ada = alert_for()
    queue_email(db, alert_id, ada, "ada@example.com")
    hanging = SilentServer()
    engine = start_engine(database_url, tmp_path, hanging.port)
    try:
        assert hanging.accepted.wait(20), "the engine never tried to deliver"
        assert email_states(db) == ["delivering"]
        engine.send_signal(signal.SIGKILL)
        engine.wait(10)
    finally:
        hanging.close()
        if engine.poll() is None:
            engine.kill()
    with SmtpServer() as smtp:
        engine = start_engine(database_url, tmp_path, smtp.port)
        try:
            smtp.wait_for(1, timeout=30)
            deadline = time.monotonic() + 10
            while email_states(db) != ["delivered"] and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)  # time for a wrong second delivery to show
            assert len(smtp.received) == 1 and email_states(db) == ["delivered"]
            engine.send_signal(signal.SIGTERM)
            assert engine.wait(20) == 0, engine.stdout.read() if engine.stdout else ""
        finally:
            if engine.poll() is None:
                engine.kill()
