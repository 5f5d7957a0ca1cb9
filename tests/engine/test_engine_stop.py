"""Stopping the engine while chat posts hang on a server that never answers: the engine stops
(after a short grace) and its claims are pending again, not counted as attempts, so the next
engine sends them at once: as a thread, and as ``tocsin engine`` and ``tocsin serve`` on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.engine.test_engine_process import TOCSIN, SilentServer
from tests.support.chat_posts import HOOK_PATH, add_hook, queue_posts
from tests.test_cli import tocsin_environment
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.notify.outbox import OutboxMessage
from tocsin.writer import WriteQueue

POSTS = 5


class SilentHook(SilentServer):
    """A chat server that accepts connections and never answers."""

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for_connections(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self._connections) < count:
            assert time.monotonic() < deadline, f"{len(self._connections)} of {count} posts started"
            time.sleep(0.02)


@pytest.fixture
def hanging() -> Iterator[SilentHook]:
    server = SilentHook()
    yield server
    server.close()


def queue_hanging_posts(db: Database, hook: SilentHook) -> None:
    queue_posts(db, add_hook(db, hook.url(HOOK_PATH)), [(None, n) for n in range(POSTS)])


def claims(db: Database) -> list[tuple[Any, ...]]:
    with db.read_session() as session:
        query = select(OutboxMessage.state, OutboxMessage.locked_until, OutboxMessage.attempts)
        return [tuple(found) for found in session.execute(query.order_by(OutboxMessage.id))]


def test_an_engine_stopped_with_posts_hanging_hands_them_back(db, database_url, tmp_path, hanging):
    queue_hanging_posts(db, hanging)
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test",
        outbound_allow="127.0.0.0/8",
        engine_tick_seconds=0.05,
        delivery_stop_grace_seconds=0.1,
    )
    writer = WriteQueue(db)
    engine = build_engine(settings, writer)
    writer.start()
    try:
        engine.start()
        hanging.wait_for_connections(POSTS)
        assert {state for state, _, _ in claims(db)} == {"delivering"}
        engine.stop()
    finally:
        writer.stop()
    assert claims(db) == [("pending", None, 0)] * POSTS


def test_tocsin_engine_on_sigterm_hands_back_posts_hanging(db, database_url, tmp_path: Path, hanging):
    queue_hanging_posts(db, hanging)
    env = {
        **os.environ,
        "TOCSIN_DATABASE_URL": database_url,
        "TOCSIN_DATA_DIR": str(tmp_path),
        "TOCSIN_OUTBOUND_ALLOW": "127.0.0.0/8",
        "TOCSIN_ENGINE_TICK_SECONDS": "0.1",
    }
    engine = subprocess.Popen(
        [TOCSIN, "engine"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        hanging.wait_for_connections(POSTS)
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(30) == 0, engine.stdout.read() if engine.stdout else ""
    finally:
        if engine.poll() is None:
            engine.kill()
    assert claims(db) == [("pending", None, 0)] * POSTS


def test_tocsin_serve_on_sigterm_stops_and_hands_back_posts_hanging(
    db, database_url, tmp_path: Path, hanging, serves
):
    serve = serves(
        tocsin_environment(
            data_dir=tmp_path / "data",
            database_url=database_url,
            outbound_allow="127.0.0.0/8",
            engine_tick_seconds="0.1",
        )
    )
    queue_hanging_posts(db, hanging)
    hanging.wait_for_connections(POSTS)
    status = serve.stop(signal.SIGTERM)
    assert status in (0, -signal.SIGTERM), serve.stderr
    assert "Application shutdown complete" in serve.stderr
    assert claims(db) == [("pending", None, 0)] * POSTS
