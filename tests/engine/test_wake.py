"""The engine starts work as soon as messages are due, not at its next tick: alerts created by
this process's API wake it, and on PostgreSQL so do messages written by other processes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.engine.conftest import queue_email
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.engine.runner import EngineRunner
from tocsin.writer import WriteQueue

A_TICK_NO_TEST_WAITS_FOR = 3600.0
on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def slow_ticking_settings(engine_settings: Settings) -> Settings:
    return engine_settings.model_copy(update={"engine_tick_seconds": A_TICK_NO_TEST_WAITS_FOR})


@pytest.fixture
def running_engine(db: Database, slow_ticking_settings: Settings) -> Iterator[EngineRunner]:
    """An engine as ``tocsin serve`` runs it (its own write queue), past its first tick: from
    now on only a wake makes it work."""
    engine_writer = WriteQueue(db, name="engine-writer")
    engine = build_engine(slow_ticking_settings, engine_writer)
    engine_writer.start()
    engine.start()
    try:
        deadline = time.monotonic() + 10
        while engine.ticks == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert engine.ticks >= 1, "the engine's first tick did not end"
        yield engine
    finally:
        engine.stop()
        engine_writer.stop()


def test_an_alert_created_through_the_api_writer_is_emailed_without_waiting_for_a_tick(
    db, running_engine, smtp, make_user_and_alert
):
    make_user_and_alert.user("ada@example.com")
    api_writer = WriteQueue(db)
    running_engine.wake_on_commits_of(api_writer)
    api_writer.start()
    try:
        payload = CreateAlertPayload.model_validate(
            {"message": "Disk full on db1", "responders": [{"type": "user", "username": "ada@example.com"}]}
        )
        api_writer.call(
            lambda session: ingest.create_alert(session, payload=payload, actor=make_user_and_alert.actor)
        )
        (mail,) = smtp.wait_for(1)
    finally:
        api_writer.stop()
    assert mail.recipients == ["ada@example.com"]
    assert running_engine.wakes >= 1


def test_a_commit_that_leaves_nothing_due_now_does_not_wake_the_engine(
    db, running_engine, make_user_and_alert
):
    api_writer = WriteQueue(db)
    running_engine.wake_on_commits_of(api_writer)
    api_writer.start()
    try:
        payload = CreateAlertPayload(message="no responders, nothing to route")
        api_writer.call(
            lambda session: ingest.create_alert(session, payload=payload, actor=make_user_and_alert.actor)
        )
    finally:
        api_writer.stop()
    assert running_engine.wakes == 0


@on_postgresql
def test_a_message_written_by_another_process_wakes_an_engine_listening_on_postgresql(
    database_url, running_engine, smtp, alert_for
):
    alert_id, ada = alert_for()
    other_process = Database(database_url)  # its own connections, as an API-only node has
    try:
        queue_email(other_process, alert_id, ada, "ada@example.com")
    finally:
        other_process.dispose()
    (mail,) = smtp.wait_for(1)
    assert mail.recipients == ["ada@example.com"]
