# ruff: noqa: F811  (the fixtures imported from twilio_world are the tests' arguments)
"""Paging by phone call: Twilio fetches the call's TwiML from Tocsin, which reads the alert and
waits for a key: 1 acknowledges, 2 closes, 3 escalates to the next rule, as the person called."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.twilio import signature
from tests.notify.twilio_world import (  # noqa: F401  (fixtures)
    ANN_PHONE,
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
from tocsin.actors import SYSTEM
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload
from tocsin.teams import service as teams


def _called(api, db, phone, engine, alert_for, **fields):
    add_phone(api, db, "voice")
    page_rule(api, ("voice", ANN_PHONE, 0))
    alert_id = alert_for("ann", **fields)
    engine.tick()
    [call] = phone.calls
    return alert_id, tiny_id(db, alert_id), call


def test_a_call_reads_the_alert_and_a_key_press_closes_it(api, cast, db, phone, engine, alert_for):
    alert_id, tiny, call = _called(
        api, db, phone, engine, alert_for, message="Disk <full> & db1", priority="P1"
    )
    assert call.to == ANN_PHONE and call.form["From"] == phone.from_number
    assert call.form["Url"].startswith("http://tocsin.test/webhooks/twilio/voice/alert?token=")
    assert call.form["StatusCallback"].startswith("http://tocsin.test/webhooks/twilio/status?message=")

    spoken = phone.answer_call(call)
    assert spoken.status == 200
    assert f"Alert {tiny}, priority P1: Disk <full> & db1." in spoken.said
    assert "Press 1 to acknowledge, 2 to close, or 3 to escalate" in spoken.said
    assert spoken.gather is not None and spoken.gather.get("numDigits") == "1"

    after = phone.press(call, spoken, "2")
    assert after.said == f"Alert {tiny} closed. Goodbye."
    assert after.root.find("Hangup") is not None
    assert "Alert closed by ann@example.com via phone call" in alert_log(db, alert_id)
    assert api.data(f"/v2/alerts/{alert_id}")["status"] == "closed"
    assert (
        phone.press(call, spoken, "1").said == f"Alert {tiny} is closed; it cannot be acknowledged. Goodbye."
    )


def test_no_key_repeats_the_menu_once_then_hangs_up(api, cast, db, phone, engine, alert_for):
    alert_id, tiny, call = _called(api, db, phone, engine, alert_for)

    first = phone.answer_call(call)
    again = phone.silence(first, call)
    assert again is not None and again.said.startswith(f"Once more: Alert {tiny}")
    assert again.root.find("Hangup") is not None and phone.silence(again, call) is None
    assert phone.press(call, again, "7").said == "Sorry, that key does nothing here."
    assert phone.press(call, again, "1").said == f"Alert {tiny} acknowledged. Goodbye."
    assert api.data(f"/v2/alerts/{alert_id}")["acknowledged"] is True


def test_three_escalates_to_the_next_rule_at_once(api, cast, db, phone, engine, alert_for):
    with db.write_session() as session:
        escalations.create_policy(
            session,
            actor=SYSTEM,
            payload=EscalationPayload.model_validate(
                {
                    "name": "ops_escalation",
                    "ownerTeam": {"name": "ops"},
                    "teamDefault": True,
                    "rules": [
                        {"recipient": {"type": "user", "username": "ann@example.com"}},
                        {
                            "delay": {"timeAmount": 30},
                            "recipient": {"type": "user", "username": "lead@example.com"},
                        },
                    ],
                }
            ),
        )
    add_phone(api, db, "voice")
    page_rule(api, ("voice", ANN_PHONE, 0))
    alert_id = alert_for(responders=[{"type": "team", "name": "ops"}])
    engine.tick()
    [call] = phone.calls

    pressed = phone.press(call, phone.answer_call(call), "3")
    engine.tick()

    assert pressed.said == f"Alert {tiny_id(db, alert_id)} escalated to the next responder. Goodbye."
    log = alert_log(db, alert_id)
    assert "Escalated to the next rule of ops_escalation (rule 2) by ann@example.com via phone call" in log
    assert "Escalation ops_escalation, rule 2: notifying lead@example.com" in log


def test_an_expired_or_forged_call_does_nothing(api, cast, db, phone, engine, alert_for, http, frozen_clock):
    alert_id, _, call = _called(api, db, phone, engine, alert_for)
    spoken = phone.answer_call(call)
    action = spoken.gather.get("action")
    params = {"CallSid": call.sid, "AccountSid": phone.account_sid, "Digits": "2"}

    forged = http.post(action, data=params, headers={"X-Twilio-Signature": signature("nope", action, params)})
    tampered_url = action.replace("token=", "token=x")
    tampered = phone.post_signed(tampered_url, params)
    frozen_clock.advance(timedelta(hours=2))
    late = phone.press(call, spoken, "2")

    assert forged.status_code == 403
    assert "This call has expired" in tampered.text
    assert late.said == "This call has expired. Please answer the alert in Tocsin. Goodbye."
    assert api.data(f"/v2/alerts/{alert_id}")["status"] == "open"


def test_an_unanswered_call_is_logged_and_the_next_step_goes_at_once(api, cast, db, phone, engine, alert_for):
    add_phone(api, db, "voice")
    add_phone(api, db, "sms")
    page_rule(api, ("voice", ANN_PHONE, 0), ("sms", ANN_PHONE, 15))
    alert_id = alert_for("ann")
    engine.tick()
    [call] = phone.calls

    assert phone.report_call_status(call, "no-answer").status_code == 204
    engine.tick()

    [text] = phone.messages
    assert text.body.startswith(f"Tocsin #{tiny_id(db, alert_id)} P3: Disk full on db1")
    assert f"Call to {ANN_PHONE} no answer; the next step (SMS to {ANN_PHONE}) goes now" in alert_log(
        db, alert_id
    )


def test_a_person_paged_about_an_alert_may_answer_it_even_after_leaving_its_team(
    api, cast, db, phone, engine, alert_for
):
    add_phone(api, db, "voice")
    page_rule(api, ("voice", ANN_PHONE, 0))
    alert_id = alert_for(responders=[{"type": "team", "name": "ops"}])
    engine.tick()
    [call] = phone.calls
    spoken = phone.answer_call(call)
    with db.write_session() as session:
        teams.remove_member(
            session, actor=SYSTEM, team=teams.get_team(session, name="ops"), user="ann@example.com"
        )

    pressed = phone.press(call, spoken, "1")

    assert (
        pressed.said == f"Alert {tiny_id(db, alert_id)} acknowledged. Goodbye."
    )  # whoever was paged may answer
    assert api.data(f"/v2/alerts/{alert_id}")["acknowledged"] is True
