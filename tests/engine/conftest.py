from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import make_integration, make_user
from tests.support.smtp import SmtpServer
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.engine.runner import EngineRunner
from tocsin.notify import outbox
from tocsin.notify.email import TOPIC
from tocsin.writer import WriteQueue


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def engine_settings(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_timeout_seconds=2,
        public_base_url="http://tocsin.test",
    )


class EngineDriver:
    """An engine as ``tocsin serve`` runs it, ticked by hand so tests decide when time passes."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.writer = WriteQueue(db)
        self.engine: EngineRunner = build_engine(settings, self.writer)

    def tick(self) -> bool:
        return asyncio.run(self.engine.tick(every_job=True))

    def start(self) -> None:
        self.writer.start()

    def stop(self) -> None:
        self.writer.stop()


@pytest.fixture
def make_engine(db: Database, engine_settings: Settings) -> Iterator[Callable[..., EngineDriver]]:
    drivers: list[EngineDriver] = []

    def make(settings: Settings | None = None, database: Database | None = None) -> EngineDriver:
        driver = EngineDriver(database or db, settings or engine_settings)
        driver.start()
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.stop()


@pytest.fixture
def engine(make_engine: Callable[..., EngineDriver]) -> EngineDriver:
    return make_engine()


@pytest.fixture
def alert_for(db: Database) -> Callable[..., tuple[str, str]]:
    """An alert and a person to tell about it: returns (alert id, user id)."""
    actor, _ = make_integration(db, "Prometheus")

    def make(username: str = "ada@example.com", **fields: Any) -> tuple[str, str]:
        user_id = make_user(db, username)
        with db.write_session() as session:
            payload = CreateAlertPayload.model_validate({"message": "Disk full on db1", **fields})
            alert_id = ingest.create_alert(session, payload=payload, actor=actor).alert_id
        return alert_id, user_id

    return make


def queue_email(
    db: Database, alert_id: str, user_id: str, to: str, kind: str = "create-alert", **extra: Any
) -> None:
    with db.write_session() as session:
        payload = {"alertId": alert_id, "userId": user_id, "kind": kind, "reason": "test", **extra}
        outbox.enqueue(session, TOPIC, payload, destination=to, alert_id=alert_id)
