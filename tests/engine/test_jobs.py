"""The engine's loops: snoozes end by themselves, old request records and ended web sessions go away."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from tests.support.factories import make_integration, make_user
from tocsin.accounts import web_sessions
from tocsin.accounts.models import WebSession
from tocsin.alerts import actions, ingest, requests
from tocsin.alerts.models import Alert, AlertRequest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import AlertRef
from tocsin.config import Settings
from tocsin.engine.assembly import default_jobs
from tocsin.engine.runner import EngineRunner, Job
from tocsin.secrets_util import hash_key
from tocsin.writer import WriteQueue


def engine_job(name: str, data_dir) -> Job:
    return next(job for job in default_jobs(Settings(data_dir=data_dir)) if job.name == name)


def test_running_engine_wakes_a_snoozed_alert_when_its_time_comes(db, frozen_clock, tmp_path):
    actor, _ = make_integration(db, "Prometheus")
    with db.write_session() as session:
        created = ingest.create_alert(session, payload=CreateAlertPayload(message="disk"), actor=actor)
        ref = AlertRef(created.alert_id)
        actions.snooze(session, ref=ref, actor=actor, end_time=frozen_clock.now() + timedelta(minutes=10))
    writer = WriteQueue(db)
    wake = engine_job("wake-snoozed", tmp_path)
    engine = EngineRunner(writer, [replace(wake, every_seconds=0.02)], tick_seconds=0.02)
    writer.start()
    engine.start()
    try:
        time.sleep(0.2)
        with db.read_session() as session:
            assert session.get(Alert, created.alert_id).snoozed is True
        frozen_clock.advance(timedelta(minutes=11))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with db.read_session() as session:
                if not session.get(Alert, created.alert_id).snoozed:
                    break
            time.sleep(0.02)
        else:
            raise AssertionError("the engine did not wake the alert")
    finally:
        engine.stop()
        writer.stop()


def test_request_records_older_than_the_setting_are_purged(db, frozen_clock, tmp_path):
    with db.write_session() as session:
        requests.record(session, request_id="old", action="Create", success=True, status="Created alert")
    frozen_clock.advance(timedelta(days=8))
    with db.write_session() as session:
        requests.record(session, request_id="new", action="Create", success=True, status="Created alert")
    purge = engine_job("purge-request-records", tmp_path)
    with db.write_session() as session:
        assert purge.run(session) == 1
    with db.read_session() as session:
        assert session.scalars(select(AlertRequest.request_id)).all() == ["new"]


def test_web_sessions_past_their_lifetimes_are_purged(db, frozen_clock, tmp_path):
    ada = make_user(db, "ada@example.com")
    settings = Settings(data_dir=tmp_path)
    with db.write_session() as session:
        started_first = web_sessions.start_session(session, user_id=ada, user_agent="", address="")
    frozen_clock.advance(timedelta(minutes=settings.session_idle_minutes - 1))
    with db.write_session() as session:
        used_lately = web_sessions.start_session(session, user_id=ada, user_agent="", address="")
    frozen_clock.advance(timedelta(minutes=1))
    purge = engine_job("purge-ended-sessions", tmp_path)

    with db.write_session() as session:
        assert purge.run(session) == 1
    with db.read_session() as session:
        assert session.scalars(select(WebSession.id_hash)).all() == [hash_key(used_lately)]
    assert started_first != used_lately
