# ruff: noqa: F811  (the fixtures imported from twilio_world are the tests' arguments)
"""Paging by SMS through Twilio: the text Tocsin sends (fields, auth, what it says), verification
codes by text and by call, and a provider in trouble (429, 503, wrong credentials)."""

from __future__ import annotations

import logging
from datetime import timedelta

from tests.engine.conftest import EngineDriver
from tests.fakes.twilio import INVALID_TO
from tests.notify.twilio_world import (  # noqa: F401  (fixtures)
    ANN_PHONE,
    add_phone,
    alert_for,
    alert_log,
    engine,
    page_rule,
    phone,
    settings,
    stop_engine,
    tiny_id,
    twilio,
    verification_codes,
)
from tocsin.config import Settings
from tocsin.notify import outbox
from tocsin.notify.outbox import OutboxMessage


def test_a_page_is_texted_with_twilios_form_fields_and_says_how_to_answer(
    api, cast, db, twilio, engine, alert_for
):
    add_phone(api, db, "sms")
    page_rule(api, ("sms", ANN_PHONE, 0))

    alert_id = alert_for("ann", message="Disk full on db1", priority="P1")
    engine.tick()

    [text] = twilio.messages
    tiny = tiny_id(db, alert_id)
    assert text.form["To"] == ANN_PHONE
    assert text.form["From"] == twilio.from_number
    assert text.body == f"Tocsin #{tiny} P1: Disk full on db1\nReply 'ack {tiny}' or 'close {tiny}'"
    assert text.form["StatusCallback"].startswith("http://tocsin.test/webhooks/twilio/status?message=")
    assert f"Notified {ANN_PHONE} by SMS (a responder)" in alert_log(db, alert_id)


def test_a_verification_code_is_texted_and_verifies_the_number(api, cast, db, twilio, engine):
    created = api.post("/v2/users/ann@example.com/contacts", json={"method": "sms", "to": ANN_PHONE})
    contact_id = created.json()["data"]["id"]
    engine.tick()

    [text] = twilio.messages
    assert text.to == ANN_PHONE
    code = text.body.removeprefix("Your Tocsin code is ")[:6]
    assert code.isdigit() and text.body == f"Your Tocsin code is {code}. It is valid for 10 minutes."
    verified = api.post(f"/v2/users/ann@example.com/contacts/{contact_id}/verify", json={"code": code})
    assert verified.status_code == 200, verified.text


def test_a_voice_contacts_code_is_read_out_twice_in_a_call(api, cast, db, phone, engine):
    api.post("/v2/users/ann@example.com/contacts", json={"method": "voice", "to": ANN_PHONE})
    engine.tick()

    assert phone.messages == []
    [call] = phone.calls
    assert call.to == ANN_PHONE and call.form["From"] == phone.from_number
    [queued] = verification_codes(db)
    spoken = " ".join(queued["code"])
    heard = phone.answer_call(call).said
    assert heard.count(f"Your Tocsin code is {spoken}.") == 2, heard


def test_a_twilio_outage_loses_nothing(api, cast, db, twilio, engine, alert_for, frozen_clock):
    add_phone(api, db, "sms")
    page_rule(api, ("sms", ANN_PHONE, 0))
    engine.tick()  # the verification message, skipped: the number is verified
    for status in (429, 503):
        twilio.outage(status)
        alerts = [alert_for("ann", message=f"disk {n} full ({status})") for n in range(3)]
        refused_before = len(twilio.refused)
        engine.tick()
        assert [m for m in twilio.messages if f"({status})" in m.body] == []
        assert len(twilio.refused) > refused_before
        twilio.outage(None)
        for _ in range(4):
            frozen_clock.advance(timedelta(seconds=10))
            engine.tick()
        texted = [m.body for m in twilio.messages if f"({status})" in m.body]
        assert len(texted) == 3, texted
        for alert_id in alerts:
            assert f"Notified {ANN_PHONE} by SMS (a responder)" in alert_log(db, alert_id)
    with db.read_session() as session:
        states = {m.state for m in session.query(OutboxMessage).filter(OutboxMessage.topic == "notify.sms")}
    assert states == {"delivered"}


def test_wrong_credentials_are_logged_once_not_per_alert(api, cast, db, twilio, settings, alert_for, caplog):
    add_phone(api, db, "sms")
    page_rule(api, ("sms", ANN_PHONE, 0))
    wrong = EngineDriver(db, settings.model_copy(update={"twilio_auth_token": "not-the-token"}))
    wrong.start()
    try:
        alerts = [alert_for("ann", message=f"disk {n} full") for n in range(3)]
        with caplog.at_level(logging.ERROR, logger="tocsin.notify.twilio_api"):
            wrong.tick()
            wrong.tick()
    finally:
        stop_engine(wrong)

    assert twilio.messages == []
    errors = [r.getMessage() for r in caplog.records if r.name == "tocsin.notify.twilio_api"]
    assert len(errors) == 1, errors
    assert "check TOCSIN_TWILIO_ACCOUNT_SID and TOCSIN_TWILIO_AUTH_TOKEN" in errors[0]
    for alert_id in alerts:
        [line] = [line for line in alert_log(db, alert_id) if line.startswith("SMS to")]
        assert line == (
            f"SMS to {ANN_PHONE} failed: Twilio refused Tocsin's settings (error 20003: Authenticate): "
            "check TOCSIN_TWILIO_ACCOUNT_SID and TOCSIN_TWILIO_AUTH_TOKEN"
        )


def test_a_team_alert_texts_then_calls_as_the_rules_say(
    api, cast, db, phone, engine, alert_for, frozen_clock
):
    add_phone(api, db, "sms")
    add_phone(api, db, "voice")
    page_rule(api, ("sms", ANN_PHONE, 1), ("voice", ANN_PHONE, 5))
    alert_id = alert_for(responders=[{"type": "team", "name": "ops"}])

    engine.tick()
    assert (phone.messages, phone.calls) == ([], [])
    frozen_clock.advance(timedelta(minutes=1))
    engine.tick()
    assert len(phone.messages) == 1 and phone.calls == []
    frozen_clock.advance(timedelta(minutes=4))
    engine.tick()
    assert len(phone.calls) == 1
    log = alert_log(db, alert_id)
    assert any(line.startswith(f"Notified {ANN_PHONE} by SMS") for line in log)
    assert any(line.startswith(f"Notified {ANN_PHONE} by a call") for line in log)


def test_a_status_callback_twilio_refuses_is_left_out_and_the_page_still_goes(
    api, cast, db, twilio, settings, alert_for, caplog
):
    add_phone(api, db, "sms")
    page_rule(api, ("sms", ANN_PHONE, 0))
    # A new Settings: a copy would keep the original's cached base_url.
    elsewhere = Settings(**{**settings.model_dump(), "public_base_url": "http://tocsin_host.local"})
    unreachable = EngineDriver(db, elsewhere)
    unreachable.start()
    try:
        alert_id = alert_for("ann")
        with caplog.at_level(logging.WARNING, logger="tocsin.notify.twilio_api"):
            unreachable.tick()
            alert_for("ann", message="second")
            unreachable.tick()
    finally:
        stop_engine(unreachable)

    assert len(twilio.messages) == 2
    assert all("StatusCallback" not in text.form for text in twilio.messages)
    warnings = [r.getMessage() for r in caplog.records if r.name == "tocsin.notify.twilio_api"]
    assert len(warnings) == 1 and "check TOCSIN_PUBLIC_BASE_URL" in warnings[0]
    assert f"Notified {ANN_PHONE} by SMS (a responder)" in alert_log(db, alert_id)


def test_a_test_notification_is_texted_or_called(api, cast, db, phone, engine):
    add_phone(api, db, "sms")
    add_phone(api, db, "voice")
    engine.tick()
    with db.write_session() as session:
        for method in ("sms", "voice"):
            payload = {"userId": cast["ann"], "kind": "test", "by": "ann@example.com via web"}
            outbox.enqueue(session, f"notify.{method}", payload, destination=ANN_PHONE)
    engine.tick()

    [text] = phone.messages
    assert (
        text.body
        == "Tocsin test: pages will reach you by SMS at this number. Asked for by ann@example.com via web."
    )
    [call] = phone.calls
    assert phone.answer_call(call).said.startswith(
        "This is a test call from Tocsin, asked for by ann@example.com"
    )


def test_a_number_twilio_refuses_fails_that_text_alone_with_twilios_words(
    api, cast, db, twilio, engine, alert_for, caplog
):
    add_phone(api, db, "sms", INVALID_TO)
    page_rule(api, ("sms", INVALID_TO, 0))
    alert_id = alert_for("ann")
    with caplog.at_level(logging.WARNING, logger="tocsin.notify.twilio_api"):
        engine.tick()

    assert twilio.messages == []
    [line] = [line for line in alert_log(db, alert_id) if line.startswith("SMS to")]
    assert line == (
        f"SMS to {INVALID_TO} failed: Twilio refused it: "
        f"The 'To' number {INVALID_TO} is not a valid phone number. (error 21211)"
    )
    assert [r for r in caplog.records if r.name == "tocsin.notify.twilio_api"] == []
