"""Phone contacts (SMS, voice) are kept in E.164 and used only once verified by the code sent to
them; ntfy contacts are topics. Unverified or unreachable contacts are skipped, said in the log."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.accounts.people import Client
from tests.support.factories import make_integration
from tocsin import clock
from tocsin.alerts import ingest
from tocsin.alerts.models import AlertLog
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.clock import FrozenClock
from tocsin.db import Database
from tocsin.notify import contacts
from tocsin.notify.notifications import Notices, Person
from tocsin.notify.outbox import OutboxMessage

ANN = "/v2/users/ann@example.com/contacts"
_numbers = itertools.count(1)


def _add(api: Client, method: str, to: str) -> str:
    created = api.post(ANN, json={"method": method, "to": to})
    assert created.status_code == 201, created.text
    return str(created.json()["data"]["id"])


def _codes(db: Database) -> list[dict[str, Any]]:
    """The verification messages waiting to be sent: where to, and the code."""
    with db.read_session() as session:
        found = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == contacts.VERIFICATION_TOPIC)
            .order_by(OutboxMessage.id)
        )
        return [{"to": m.destination, **m.payload} for m in found]


def test_a_phone_number_is_kept_in_e164_and_sent_a_code(api, cast, db):
    sms = _add(api, "sms", "+49 151 1234-5678")
    voice = _add(api, "voice", "49-15112345678")  # Opsgenie's way of writing it

    shown = {c["method"]: c for c in api.data(ANN)}
    assert shown["sms"] == {
        "id": sms, "method": "sms", "to": "+4915112345678",
        "status": {"enabled": True, "verified": False}, "applyOrder": 1,
    }  # fmt: skip
    assert shown["voice"]["to"] == "+4915112345678"
    assert shown["voice"]["status"]["verified"] is False
    codes = _codes(db)
    assert [(c["to"], c["method"], c["contactId"]) for c in codes] == [
        ("+4915112345678", "sms", sms),
        ("+4915112345678", "voice", voice),
    ]
    assert all(len(c["code"]) == 6 and c["code"].isdigit() for c in codes)
    duplicate = api.post(ANN, json={"method": "sms", "to": "+4915112345678"})
    assert duplicate.status_code == 409


def test_the_right_code_verifies_and_wrong_ones_say_how_many_tries_are_left(api, cast, db):
    sms = _add(api, "sms", "+4915112345678")
    [sent] = _codes(db)
    wrong = "000000" if sent["code"] != "000000" else "111111"

    refused = api.post(f"{ANN}/{sms}/verify", json={"code": wrong})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "code": "the code is not the one sent to +4915112345678 (4 more tries)"
    }
    verified = api.post(f"{ANN}/{sms}/verify", json={"code": f" {sent['code']} "})
    assert verified.status_code == 200, verified.text
    assert verified.json()["data"]["status"] == {"enabled": True, "verified": True}
    assert api.data(f"{ANN}/{sms}")["status"]["verified"] is True
    again = api.post(f"{ANN}/{sms}/verification-code")
    assert again.status_code == 409 and "verified already" in again.json()["message"]


def test_five_wrong_codes_or_ten_minutes_end_a_code(api, cast, db, frozen_clock: FrozenClock):
    sms = _add(api, "sms", "+4915112345678")
    [sent] = _codes(db)
    wrong = "000000" if sent["code"] != "000000" else "111111"
    for _ in range(5):
        assert api.post(f"{ANN}/{sms}/verify", json={"code": wrong}).status_code == 422

    spent = api.post(f"{ANN}/{sms}/verify", json={"code": sent["code"]})
    assert spent.status_code == 422
    assert spent.json()["errors"]["code"].startswith("the code has expired: ask for a new one")

    frozen_clock.advance(timedelta(minutes=1))
    assert api.post(f"{ANN}/{sms}/verification-code").status_code == 202
    fresh = _codes(db)[-1]["code"]
    frozen_clock.advance(contacts.CODE_LIFETIME)
    assert api.post(f"{ANN}/{sms}/verify", json={"code": fresh}).status_code == 422
    assert api.data(f"{ANN}/{sms}")["status"]["verified"] is False


def test_a_new_code_at_most_once_a_minute_and_the_old_one_stops_working(api, cast, db, frozen_clock):
    sms = _add(api, "sms", "+4915112345678")
    first = _codes(db)[0]["code"]

    too_soon = api.post(f"{ANN}/{sms}/verification-code")
    assert too_soon.status_code == 409
    assert too_soon.json()["message"] == (
        "a code was sent to +4915112345678 moments ago; ask for a new one in 61 s"
    )
    frozen_clock.advance(timedelta(seconds=61))
    assert api.post(f"{ANN}/{sms}/verification-code").status_code == 202
    second = _codes(db)[-1]["code"]
    if first != second:
        assert api.post(f"{ANN}/{sms}/verify", json={"code": first}).status_code == 422
    assert api.post(f"{ANN}/{sms}/verify", json={"code": second}).status_code == 200


def test_a_changed_number_must_be_verified_again(api, cast, db):
    sms = _add(api, "sms", "+4915112345678")
    assert api.post(f"{ANN}/{sms}/verify", json={"code": _codes(db)[0]["code"]}).status_code == 200

    assert api.patch(f"{ANN}/{sms}", json={"to": "+33 6 12 34 56 78"}).status_code == 200

    shown = api.data(f"{ANN}/{sms}")
    assert (shown["to"], shown["status"]["verified"]) == ("+33612345678", False)
    assert _codes(db)[-1]["to"] == "+33612345678"
    unchanged = api.patch(f"{ANN}/{sms}", json={"to": "+33612345678"})
    assert unchanged.status_code == 200 and len(_codes(db)) == 2


def test_ntfy_contacts_are_topics_or_topic_urls_and_need_no_code(api, cast, db):
    topic = _add(api, "ntfy", "Ann-Pager_7")
    own_server = _add(api, "ntfy", "https://ntfy.example.com/ann-pager")

    shown = {c["id"]: (c["to"], c["status"]["verified"]) for c in api.data(ANN)}
    assert shown[topic] == ("Ann-Pager_7", True)  # ntfy topics are case-sensitive
    assert shown[own_server] == ("https://ntfy.example.com/ann-pager", True)
    assert _codes(db) == []


@pytest.fixture
def ann_rule(api, cast):
    """Ann's rule for new alerts: e-mail at once, SMS after 1 minute, a call after 5."""

    def make(*steps: tuple[str, str, int]) -> None:
        created = api.post(
            "/v2/users/ann@example.com/notification-rules",
            json={
                "name": "Wake me",
                "actionType": "create-alert",
                "steps": [
                    {"contact": {"method": m, "to": to}, "sendAfter": {"timeAmount": minutes}}
                    for m, to, minutes in steps
                ],
            },
        )
        assert created.status_code == 201, created.text

    return make


def _notify_ann(db: Database, cast, methods: frozenset[str]) -> tuple[list[tuple[str, str, int]], list[str]]:
    """Ann told of a new alert by a server that can reach people by ``methods``: the messages
    queued (topic, where to, minutes from now) and the alert's log."""
    actor, _ = make_integration(db, f"monitor {next(_numbers)}")
    with db.write_session() as session:
        alert_id = ingest.create_alert(
            session, payload=CreateAlertPayload(message="disk full"), actor=actor
        ).alert_id
    now = clock.now()
    with db.write_session() as session:
        notices = Notices(now=now, methods=methods)
        notices.notify(alert_id, [Person(cast["ann"], "a responder")], "create-alert")
        notices.write(session)
    with db.read_session() as session:
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.alert_id == alert_id).order_by(OutboxMessage.id)
        )
        queued = [
            (m.topic, m.destination, round((m.next_attempt_at - now).total_seconds() / 60))
            for m in messages
            if m.topic.startswith("notify.")
        ]
        logs = list(session.scalars(select(AlertLog.log).where(AlertLog.alert_id == alert_id)))
    return queued, logs


def test_each_step_goes_by_its_method_once_the_number_is_verified(api, cast, db, ann_rule):
    sms = _add(api, "sms", "+4915112345678")
    _add(api, "voice", "+4915112345678")
    _add(api, "ntfy", "ann-pager")
    ann_rule(("ntfy", "ann-pager", 0), ("sms", "+49 151 12345678", 1), ("voice", "+4915112345678", 5))
    everything = frozenset({"email", "sms", "voice", "ntfy"})

    queued, logs = _notify_ann(db, cast, everything)
    assert queued == [
        ("notify.email", "ann@example.com", 0),
        ("notify.ntfy", "ann-pager", 0),
    ]
    assert "ann@example.com not notified by SMS at +4915112345678: the number is not verified yet" in logs
    assert "ann@example.com not notified by a call at +4915112345678: the number is not verified yet" in logs

    assert api.post(f"{ANN}/{sms}/verify", json={"code": _codes(db)[0]["code"]}).status_code == 200
    queued, _ = _notify_ann(db, cast, everything)
    assert ("notify.sms", "+4915112345678", 1) in queued


def test_a_method_this_server_cannot_send_is_said_once(api, cast, db, ann_rule):
    _add(api, "ntfy", "ann-pager")
    ann_rule(("ntfy", "ann-pager", 0), ("ntfy", "ann-pager", 2))

    queued, logs = _notify_ann(db, cast, frozenset({"email"}))

    assert queued == [("notify.email", "ann@example.com", 0)]
    said = [line for line in logs if "ntfy" in line]
    assert said == [
        "ann@example.com not notified by ntfy push: ntfy push is not set up on this server (TOCSIN_NTFY_URL)"
    ]
