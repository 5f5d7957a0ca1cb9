"""The delivery engine: e-mail reaches people once, through outages, crashes and bad addresses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.engine.conftest import queue_email
from tests.support.smtp import refuse_nobody
from tocsin import clock
from tocsin.alerts import actions
from tocsin.alerts.models import AlertLog, AlertRecipient
from tocsin.alerts.service import AlertRef
from tocsin.notify import outbox
from tocsin.notify.email import TOPIC
from tocsin.notify.outbox import OutboxMessage


def logs(db, alert_id):
    with db.read_session() as session:
        return session.scalars(
            select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id)
        ).all()


def states(db):
    """States of the e-mails in the outbox (alert events for the router are left out)."""
    with db.read_session() as session:
        return sorted(session.scalars(select(OutboxMessage.state).where(OutboxMessage.topic == TOPIC)).all())


def recipient_state(db, alert_id, user_id):
    with db.read_session() as session:
        return session.get(AlertRecipient, (alert_id, user_id)).state


def test_a_responder_is_emailed_and_it_is_logged(db, engine, smtp, alert_for):
    alert_id, ada = alert_for(responders=[{"type": "user", "username": "ada@example.com"}])
    engine.tick()
    (mail,) = smtp.received
    assert mail.recipients == ["ada@example.com"]
    assert mail.subject == "[Tocsin] New alert: #1 P3 Disk full on db1"
    assert "http://tocsin.test/alerts?query=tinyId%3A1" in mail.body and "/genie ack 1" in mail.body
    assert states(db) == ["delivered"]
    assert logs(db, alert_id)[-1] == "Notified ada@example.com by e-mail (a responder)"
    assert recipient_state(db, alert_id, ada) == "notified"


def test_smtp_down_for_a_while_then_back_every_message_arrives_once(
    db, engine, smtp, alert_for, frozen_clock
):
    alert_id, ada = alert_for()
    smtp.stop()
    for _ in range(3):
        queue_email(db, alert_id, ada, "ada@example.com")
    engine.tick()
    frozen_clock.advance(timedelta(minutes=10))
    engine.tick()
    with db.read_session() as session:
        waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == TOPIC)).all()
    assert {message.state for message in waiting} == {"pending"}
    assert all(message.attempts == 2 and message.last_error for message in waiting)
    smtp.start()
    frozen_clock.advance(timedelta(minutes=30))
    engine.tick()
    engine.tick()
    assert len(smtp.received) == 3
    assert states(db) == ["delivered"] * 3


def test_a_refused_address_becomes_a_dead_letter_and_delays_no_one(db, engine, smtp, alert_for, monkeypatch):
    monkeypatch.setattr(type(smtp.inbox), "handle_RCPT", refuse_nobody, raising=False)
    alert_id, ada = alert_for()
    queue_email(db, alert_id, ada, "nobody@example.com")
    for _ in range(5):
        queue_email(db, alert_id, ada, "ada@example.com")
    engine.tick()
    assert len(smtp.to("ada@example.com")) == 5
    with db.read_session() as session:
        (dead,) = outbox.listing(session, failed_only=True)
    assert dead.state == "dead" and dead.destination == "nobody@example.com" and "550" in dead.last_error
    assert any(line.startswith("E-mail to nobody@example.com failed: ") for line in logs(db, alert_id))


def test_an_engine_killed_mid_delivery_loses_nothing(db, engine, smtp, alert_for, frozen_clock):
    alert_id, ada = alert_for()
    queue_email(db, alert_id, ada, "ada@example.com")
    with db.write_session() as session:  # an engine claims it, then dies before sending
        assert len(outbox.claim(session, ["notify.email"], limit=10, lease=timedelta(minutes=2))) == 1
    engine.tick()
    assert smtp.received == []
    frozen_clock.advance(timedelta(minutes=3))
    engine.tick()
    assert len(smtp.received) == 1 and states(db) == ["delivered"]


def test_too_old_to_deliver_becomes_dead_and_can_be_retried(db, engine, smtp, alert_for, frozen_clock):
    alert_id, ada = alert_for()
    smtp.stop()
    queue_email(db, alert_id, ada, "ada@example.com")
    for _ in range(30):
        engine.tick()
        frozen_clock.advance(timedelta(hours=1))
    assert states(db) == ["dead"]
    smtp.start()
    with db.write_session() as session:
        (dead,) = outbox.listing(session, failed_only=True)
        outbox.retry(session, dead.id)
    engine.tick()
    assert len(smtp.received) == 1 and states(db) == ["delivered"]


def mute(db, user_id, minutes=5):
    from tocsin.accounts.models import User

    with db.write_session() as session:
        session.get(User, user_id).muted_until = clock.now() + timedelta(minutes=minutes)


def test_a_muted_responder_is_sent_nothing_and_the_log_says_why(db, engine, smtp, make_user_and_alert):
    ada = make_user_and_alert.user("ada@example.com")
    mute(db, ada)
    alert_id = make_user_and_alert.alert(responders=[{"type": "user", "username": "ada@example.com"}])
    engine.tick()
    assert smtp.received == []
    assert logs(db, alert_id)[-1].startswith("ada@example.com not notified (a responder): muted until ")
    assert recipient_state(db, alert_id, ada) == "muted"


def test_muting_after_a_message_is_queued_still_holds_it_back(db, engine, smtp, alert_for):
    alert_id, ada = alert_for()
    queue_email(db, alert_id, ada, "ada@example.com")
    mute(db, ada)
    engine.tick()
    assert smtp.received == []
    assert logs(db, alert_id)[-1].startswith("ada@example.com not notified by e-mail: muted until ")


def test_a_late_new_alert_step_is_not_sent_once_the_alert_is_acknowledged(db, engine, smtp, alert_for):
    alert_id, ada = alert_for()
    queue_email(db, alert_id, ada, "ada@example.com")
    from tocsin.actors import SYSTEM

    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(alert_id), actor=SYSTEM)
    engine.tick()
    assert smtp.received == []
    with db.read_session() as session:
        (message,) = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == TOPIC)).all()
    assert message.state == "delivered" and message.last_error == "not sent: the alert was acknowledged first"


def test_a_test_notification_by_email_says_what_it_is(db, engine, smtp, make_user_and_alert):
    ada = make_user_and_alert.user("ada@example.com")
    with db.write_session() as session:
        payload = {"userId": ada, "kind": "test", "by": "ada@example.com (web)"}
        outbox.enqueue(session, TOPIC, payload, destination="ada.pager@example.org")

    engine.tick()

    (mail,) = smtp.received
    assert mail.recipients == ["ada.pager@example.org"]
    assert mail.subject == "[Tocsin] Test notification"
    assert "pages will reach you by e-mail at ada.pager@example.org" in mail.body
    assert "Asked for by ada@example.com (web)." in mail.body
    assert states(db) == ["delivered"]
