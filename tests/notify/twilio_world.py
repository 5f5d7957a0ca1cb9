"""Fixtures and helpers for the Twilio tests: a fake Twilio on loopback that Tocsin's engine
texts and calls, and that posts Twilio's webhooks to the app (through its TestClient); people
with verified phone numbers and notification rules; an engine ticked by hand.

A test module imports the fixtures it uses: ``from tests.notify.twilio_world import ...``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.people import Client
from tests.engine.conftest import EngineDriver
from tests.fakes.twilio import FakeTwilio
from tests.support.factories import make_integration
from tocsin.alerts import ingest
from tocsin.alerts.models import Alert, AlertLog
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.notify import contacts
from tocsin.notify.outbox import OutboxMessage

ANN_PHONE = "+4915112345678"
BASE = "http://tocsin.test"
SMS_WEBHOOK = f"{BASE}/webhooks/twilio/sms"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def settings(database_url: str, tmp_path: Path, twilio: FakeTwilio) -> Settings:
    """Tocsin with Twilio set up: the fake's account, its number and its address."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret",
        public_base_url=BASE,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from_number=twilio.from_number,
        twilio_api_url=twilio.api_url,
        outbound_allow="127.0.0.0/8",
        delivery_round_wait_seconds=30.0,
    )


@pytest.fixture
def phone(twilio: FakeTwilio, http: TestClient) -> FakeTwilio:
    """The fake Twilio, able to post its webhooks to the app."""
    twilio.sender = http
    return twilio


@pytest.fixture
def engine(db: Database, settings: Settings) -> Iterator[EngineDriver]:
    driver = EngineDriver(db, settings)
    driver.start()
    yield driver
    stop_engine(driver)


def stop_engine(driver: EngineDriver) -> None:
    """Stop as ``tocsin serve`` stops it: its pooled HTTP clients closed in their own loop."""
    deliveries = driver.engine.deliveries
    if deliveries is not None:
        driver._loop.run(deliveries.stop(driver.writer))
    driver.stop()


def verification_codes(db: Database) -> list[dict[str, Any]]:
    with db.read_session() as session:
        found = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == contacts.VERIFICATION_TOPIC)
            .order_by(OutboxMessage.id)
        )
        return [{"to": message.destination, **message.payload} for message in found]


def add_phone(api: Client, db: Database, method: str, number: str = ANN_PHONE, *, user: str = "ann") -> str:
    """A phone contact of ``user``, verified with the code Tocsin queued for it; its id."""
    path = f"/v2/users/{user}@example.com/contacts"
    created = api.post(path, json={"method": method, "to": number})
    assert created.status_code == 201, created.text
    contact_id = str(created.json()["data"]["id"])
    [code] = [c["code"] for c in verification_codes(db) if c["contactId"] == contact_id]
    verified = api.post(f"{path}/{contact_id}/verify", json={"code": code})
    assert verified.status_code == 200, verified.text
    return contact_id


def page_rule(api: Client, *steps: tuple[str, str, int], user: str = "ann") -> None:
    """``user``'s rule for new alerts: (method, to, minutes after) for each step."""
    created = api.post(
        f"/v2/users/{user}@example.com/notification-rules",
        json={
            "name": "Wake me",
            "actionType": "create-alert",
            "steps": [
                {"contact": {"method": method, "to": to}, "sendAfter": {"timeAmount": minutes}}
                for method, to, minutes in steps
            ],
        },
    )
    assert created.status_code == 201, created.text


@pytest.fixture
def alert_for(db: Database) -> Callable[..., str]:
    """A new alert with the given users as responders; its id."""
    actor, _ = make_integration(db, "Prometheus")

    def make(*usernames: str, message: str = "Disk full on db1", **fields: Any) -> str:
        payload = CreateAlertPayload.model_validate(
            {
                "message": message,
                "responders": [{"type": "user", "username": f"{name}@example.com"} for name in usernames],
                **fields,
            }
        )
        with db.write_session() as session:
            return ingest.create_alert(session, payload=payload, actor=actor).alert_id

    return make


def alert_log(db: Database, alert_id: str) -> list[str]:
    with db.read_session() as session:
        return list(
            session.scalars(select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id))
        )


def tiny_id(db: Database, alert_id: str) -> int:
    with db.read_session() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert.tiny_id


def outbox_of(db: Database, alert_id: str, topic: str) -> list[OutboxMessage]:
    with db.read_session() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.alert_id == alert_id, OutboxMessage.topic == topic)
                .order_by(OutboxMessage.id)
            )
        )
