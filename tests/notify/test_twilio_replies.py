# ruff: noqa: F811  (the fixtures imported from twilio_world are the tests' arguments)
"""Texts to Tocsin's number: a reply acts on the alert as the person whose verified number sent
it, under the API's rules; anything else is answered in one line; STOP and START switch the
number off and on; every request must be signed by Twilio. Delivery statuses that say a text
failed are logged, and the person's next step goes out at once."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.twilio import signature
from tests.notify.twilio_world import (  # noqa: F401  (fixtures)
    ANN_PHONE,
    SMS_WEBHOOK,
    add_phone,
    alert_for,
    alert_log,
    engine,
    page_rule,
    phone,
    settings,
    tiny_id,
    twilio,
)


def _message(response) -> str:
    """The one-line answer in the TwiML of an inbound text."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    body = response.text
    if "<Message>" not in body:
        return ""
    return body.split("<Message>", 1)[1].split("</Message>", 1)[0]


def _paged(api, db, phone, engine, alert_for, *steps):
    add_phone(api, db, "sms")
    page_rule(api, *steps)
    alert_id = alert_for("ann")
    engine.tick()
    return alert_id, tiny_id(db, alert_id)


def test_an_sms_reply_acknowledges_and_stops_the_remaining_steps(
    api, cast, db, phone, engine, alert_for, frozen_clock
):
    add_phone(api, db, "voice")
    alert_id, tiny = _paged(api, db, phone, engine, alert_for, ("sms", ANN_PHONE, 0), ("voice", ANN_PHONE, 5))
    assert len(phone.messages) == 1

    answer = _message(phone.text_from(ANN_PHONE, f"ACK {tiny}", webhook=SMS_WEBHOOK))

    assert answer == f"Tocsin: you acknowledged #{tiny}: Disk full on db1"
    assert "Alert acknowledged by ann@example.com via SMS" in alert_log(db, alert_id)
    shown = api.data(f"/v2/alerts/{alert_id}")
    assert shown["acknowledged"] is True and shown["report"]["acknowledgedBy"] == "ann@example.com"
    frozen_clock.advance(timedelta(minutes=6))
    engine.tick()
    assert phone.calls == []


def test_a_reply_without_a_number_means_the_one_alert_paged_lately(api, cast, db, phone, engine, alert_for):
    alert_id, tiny = _paged(api, db, phone, engine, alert_for, ("sms", ANN_PHONE, 0))

    answer = _message(phone.text_from(ANN_PHONE, "close", webhook=SMS_WEBHOOK))

    assert answer == f"Tocsin: you closed #{tiny}: Disk full on db1"
    assert api.data(f"/v2/alerts/{alert_id}")["status"] == "closed"
    alert_for("ann", message="second")
    engine.tick()
    assert _message(phone.text_from(ANN_PHONE, "ack", webhook=SMS_WEBHOOK)) == (
        "Tocsin: you acknowledged #2: second"
    )
    alert_for("ann", message="third")
    alert_for("ann", message="fourth")
    engine.tick()
    assert _message(phone.text_from(ANN_PHONE, "ack", webhook=SMS_WEBHOOK)).startswith("Tocsin: which alert?")


def test_unknown_numbers_hidden_alerts_and_nonsense_get_a_one_line_answer(
    api, cast, db, phone, engine, alert_for
):
    _, tiny = _paged(api, db, phone, engine, alert_for, ("sms", ANN_PHONE, 0))
    bobs = tiny_id(db, alert_for("bob"))

    stranger = _message(phone.text_from("+4930901820", f"ack {tiny}", webhook=SMS_WEBHOOK))
    assert stranger.startswith("Tocsin: this number is not a verified phone number of anyone in Tocsin.")
    hidden = _message(phone.text_from(ANN_PHONE, f"ack {bobs}", webhook=SMS_WEBHOOK))
    assert hidden == f"Tocsin: #{bobs} has no responder you belong to; ask an admin."
    assert _message(phone.text_from(ANN_PHONE, "ack 999", webhook=SMS_WEBHOOK)) == "Tocsin: #999 not found."
    nonsense = _message(phone.text_from(ANN_PHONE, "what is going on?", webhook=SMS_WEBHOOK))
    assert (
        nonsense == "Tocsin did not understand that. Reply 'ack 12' or 'close 12' (12: the alert's number)."
    )
    assert api.data("/v2/alerts", params={"query": "acknowledged:true"}) == []


def test_a_deactivated_persons_reply_does_nothing(api, cast, db, phone, engine, alert_for):
    from tocsin.accounts import service as accounts
    from tocsin.actors import SYSTEM

    alert_id, tiny = _paged(api, db, phone, engine, alert_for, ("sms", ANN_PHONE, 0))
    with db.write_session() as session:
        accounts.set_active(
            session, actor=SYSTEM, user=accounts.get_user(session, "ann@example.com"), active=False
        )

    answer = _message(phone.text_from(ANN_PHONE, f"ack {tiny}", webhook=SMS_WEBHOOK))

    assert answer.startswith("Tocsin: this number is not a verified phone number of anyone in Tocsin.")
    assert api.data(f"/v2/alerts/{alert_id}")["acknowledged"] is False


def test_an_unsigned_or_forged_text_is_refused_and_does_nothing(
    api, cast, db, phone, engine, alert_for, http
):
    alert_id, tiny = _paged(api, db, phone, engine, alert_for, ("sms", ANN_PHONE, 0))
    params = {
        "From": ANN_PHONE,
        "To": phone.from_number,
        "Body": f"ack {tiny}",
        "AccountSid": phone.account_sid,
    }

    forged = phone.post_signed(SMS_WEBHOOK, params, token="not-the-auth-token")
    unsigned = http.post(SMS_WEBHOOK, data=params)
    wrong_url = http.post(
        SMS_WEBHOOK,
        data=params,
        headers={"X-Twilio-Signature": signature(phone.auth_token, "http://x/y", params)},
    )

    for refused in (forged, unsigned, wrong_url):
        assert refused.status_code == 403
        assert "X-Twilio-Signature" in refused.text
    assert api.data(f"/v2/alerts/{alert_id}")["acknowledged"] is False


def test_stop_switches_the_numbers_contacts_off_and_start_on_again(api, cast, db, phone, engine):
    add_phone(api, db, "sms")
    add_phone(api, db, "voice")

    assert _message(phone.text_from(ANN_PHONE, "STOP", webhook=SMS_WEBHOOK)) == ""
    contacts = api.data("/v2/users/ann@example.com/contacts")
    assert {c["method"]: c["status"]["enabled"] for c in contacts if c["to"] == ANN_PHONE} == {
        "sms": False,
        "voice": False,
    }
    assert _message(phone.text_from(ANN_PHONE, "start", webhook=SMS_WEBHOOK)) == ""
    contacts = api.data("/v2/users/ann@example.com/contacts")
    assert all(c["status"]["enabled"] for c in contacts)


def test_an_undelivered_text_is_logged_and_the_next_step_goes_at_once(
    api, cast, db, phone, engine, alert_for
):
    add_phone(api, db, "voice")
    alert_id, _ = _paged(api, db, phone, engine, alert_for, ("sms", ANN_PHONE, 0), ("voice", ANN_PHONE, 10))
    [text] = phone.messages

    for _ in range(2):  # Twilio may say it twice
        reported = phone.report_status(text, "undelivered", error_code="30003")
        assert reported.status_code == 204
    [ann] = api.data(f"/v2/alerts/{alert_id}/recipients")
    assert (ann["state"], ann["method"]) == ("failed", "sms")
    engine.tick()

    [call] = phone.calls
    assert call.to == ANN_PHONE
    said = [line for line in alert_log(db, alert_id) if line.startswith("SMS to")]
    assert said == [
        f"SMS to {ANN_PHONE} undelivered (Twilio error 30003); "
        f"the next step (voice calls to {ANN_PHONE}) goes now"
    ]
    delivered = phone.report_status(text, "delivered")
    assert delivered.status_code == 204
    assert len([line for line in alert_log(db, alert_id) if line.startswith("SMS to")]) == 1


def test_answers_that_change_nothing_go_to_a_number_five_times_an_hour(
    api, cast, db, phone, engine, alert_for, frozen_clock
):
    _, tiny = _paged(api, db, phone, engine, alert_for, ("sms", ANN_PHONE, 0))
    stranger = "+4930901820"

    answered = [_message(phone.text_from(stranger, "hello?", webhook=SMS_WEBHOOK)) for _ in range(7)]
    assert [bool(text) for text in answered] == [True] * 5 + [False] * 2
    frozen_clock.advance(timedelta(minutes=61))
    assert _message(phone.text_from(stranger, "hello?", webhook=SMS_WEBHOOK)) != ""

    for _ in range(5):
        assert _message(phone.text_from(ANN_PHONE, "nonsense", webhook=SMS_WEBHOOK)) != ""
    assert _message(phone.text_from(ANN_PHONE, f"ack {tiny}", webhook=SMS_WEBHOOK)).startswith("Tocsin: you")
    assert _message(phone.text_from(ANN_PHONE, "nonsense", webhook=SMS_WEBHOOK)) != ""
