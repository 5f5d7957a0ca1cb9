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
    """An engine as ``tocsin serve`` runs it, ticked by hand so tests decide when time passes.
    Its ticks share one event loop, as the engine's do, so its HTTP clients are kept between
    ticks. Unless the settings say otherwise, a round waits for its sends (to servers on
    loopback), so a tick's outcome does not depend on how busy the machine is."""

    def __init__(self, db: Database, settings: Settings) -> None:
        if "delivery_round_wait_seconds" not in settings.model_fields_set:
            settings = settings.model_copy(update={"delivery_round_wait_seconds": 30.0})
        self.writer = WriteQueue(db)
        self.engine: EngineRunner = build_engine(settings, self.writer)
        self._loop = asyncio.Runner()

    def tick(self) -> bool:
        return self._loop.run(self.engine.tick(every_job=True))

    def start(self) -> None:
        self.writer.start()

    def stop(self) -> None:
        self._loop.close()
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


class PeopleAndAlerts:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.actor, _ = make_integration(db, "Prometheus")

    def user(self, username: str) -> str:
        return make_user(self.db, username)

    def alert(self, **fields: Any) -> str:
        with self.db.write_session() as session:
            payload = CreateAlertPayload.model_validate({"message": "Disk full on db1", **fields})
            return ingest.create_alert(session, payload=payload, actor=self.actor).alert_id


@pytest.fixture
def make_user_and_alert(db: Database) -> PeopleAndAlerts:
    return PeopleAndAlerts(db)


@pytest.fixture
def alert_for(make_user_and_alert: PeopleAndAlerts) -> Callable[..., tuple[str, str]]:
    """A person and an alert (about which the person is told only if a responder): (alert id, user id)."""

    def make(username: str = "ada@example.com", **fields: Any) -> tuple[str, str]:
        user_id = make_user_and_alert.user(username)
        return make_user_and_alert.alert(**fields), user_id

    return make


def queue_email(
    db: Database, alert_id: str, user_id: str, to: str, kind: str = "create-alert", **extra: Any
) -> None:
    with db.write_session() as session:
        payload = {"alertId": alert_id, "userId": user_id, "kind": kind, "reason": "test", **extra}
        outbox.enqueue(session, TOPIC, payload, destination=to, alert_id=alert_id)
