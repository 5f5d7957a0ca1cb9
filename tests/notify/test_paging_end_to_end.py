# ruff: noqa: F811
"""Paging as an on-call person lives it, with ntfy and Twilio both set up (each a fake speaking
its wire format over real HTTP): an alert for a team wakes the person on call by push at once,
by SMS a minute later and by a call after five, and an answer from the phone stops the rest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.engine.conftest import EngineDriver
from tests.fakes.ntfy import FakeNtfy
from tests.fakes.twilio import FakeTwilio
from tests.notify.test_ntfy import on_call, raise_alert  # noqa: F401  (fixture)
from tests.notify.twilio_world import (
    ANN_PHONE,
    SMS_WEBHOOK,
    add_phone,
    alert_log,
    page_rule,
    stop_engine,
    tiny_id,
)
from tocsin.config import Settings
from tocsin.db import Database

ANN = "/v2/users/ann@example.com"


@pytest.fixture
def ntfy() -> Iterator[FakeNtfy]:
    with FakeNtfy() as fake:
        yield fake


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def settings(database_url: str, tmp_path: Path, ntfy: FakeNtfy, twilio: FakeTwilio) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret",
        public_base_url="http://tocsin.test",
        ntfy_url=ntfy.url,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from_number=twilio.from_number,
        twilio_api_url=twilio.api_url,
        outbound_allow="127.0.0.0/8",
    )


@pytest.fixture
def engine(db: Database, settings: Settings) -> Iterator[EngineDriver]:
    driver = EngineDriver(db, settings)
    driver.start()
    yield driver
    stop_engine(driver)


@pytest.fixture
def ann_wakes_up(api, cast, db) -> None:
    """Ann's contacts (the phone numbers verified with their codes) and her rule for new alerts."""
    assert api.post(f"{ANN}/contacts", json={"method": "ntfy", "to": "ann-pager"}).status_code == 201
    add_phone(api, db, "sms")
    add_phone(api, db, "voice")
    page_rule(api, ("ntfy", "ann-pager", 0), ("sms", ANN_PHONE, 1), ("voice", ANN_PHONE, 5))


def test_push_then_sms_then_a_call_and_an_sms_reply_stops_the_call(
    db,
    api,
    on_call,
    ann_wakes_up,
    engine,
    ntfy,
    twilio,
    http: TestClient,
    frozen_clock,
):
    twilio.sender = http
    alert_id = raise_alert(db)
    engine.tick()
    [push] = ntfy.wait_for(1, topic="ann-pager")
    assert push.title.startswith(f"#{tiny_id(db, alert_id)} P3")
    assert twilio.messages == [] and twilio.calls == []

    frozen_clock.advance(timedelta(minutes=1))
    engine.tick()
    [text] = twilio.messages
    assert text.to == ANN_PHONE and f"ack {tiny_id(db, alert_id)}" in text.body

    answered = twilio.text_from(ANN_PHONE, f"ack {tiny_id(db, alert_id)}", webhook=SMS_WEBHOOK)
    assert answered.status_code == 200 and "you acknowledged" in answered.text
    frozen_clock.advance(timedelta(minutes=5))
    engine.tick()

    assert twilio.calls == []  # acknowledged before the call's turn
    assert api.data(f"/v2/alerts/{alert_id}")["acknowledged"] is True
    log = alert_log(db, alert_id)
    reason = "escalation ops_escalation, rule 1: on call for ops_schedule"
    assert f"Notified ann-pager by ntfy push ({reason})" in log
    assert f"Notified {ANN_PHONE} by SMS ({reason})" in log
    assert "Alert acknowledged by ann@example.com via SMS" in log


def test_unanswered_pages_reach_the_call_and_a_key_press_closes(
    db,
    api,
    on_call,
    ann_wakes_up,
    engine,
    ntfy,
    twilio,
    http: TestClient,
    frozen_clock,
):
    twilio.sender = http
    alert_id = raise_alert(db)
    engine.tick()
    for minutes in (1, 4):
        frozen_clock.advance(timedelta(minutes=minutes))
        engine.tick()

    [call] = twilio.calls
    assert call.to == ANN_PHONE
    spoken = twilio.answer_call(call)
    assert "Disk full on db1" in spoken.said
    twilio.press(call, spoken, "2")
    assert api.data(f"/v2/alerts/{alert_id}")["status"] == "closed"
    assert len(ntfy.published("ann-pager")) == 1 and len(twilio.messages) == 1
