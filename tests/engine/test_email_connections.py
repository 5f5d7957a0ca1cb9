"""E-mail through the engine to a real SMTP server on loopback: a few kept-open connections carry
every e-mail; a connection the server dropped meanwhile costs no failure; a round of many
e-mails costs the database as many statements as a round of one."""

from __future__ import annotations

from sqlalchemy import select

from tests.engine.conftest import queue_email
from tests.engine.test_delivery import logs, recipient_state, states
from tests.engine.test_delivery_destinations import statements_during
from tocsin.notify.email import TOPIC
from tocsin.notify.outbox import OutboxMessage


def test_emails_to_one_server_share_the_pools_few_connections(db, engine, engine_settings, smtp, alert_for):
    alert_id, ada = alert_for()
    for _ in range(30):
        queue_email(db, alert_id, ada, "ada@example.com")
    engine.tick()
    for _ in range(30):
        queue_email(db, alert_id, ada, "ada@example.com")
    engine.tick()  # a later tick sends over the connections the first one opened
    assert len(smtp.wait_for(60)) == 60
    assert 1 <= smtp.connections <= engine_settings.smtp_connections == 4
    assert states(db) == ["delivered"] * 60


def test_a_connection_the_server_dropped_costs_no_failure(db, engine, smtp, alert_for):
    alert_id, ada = alert_for()
    queue_email(db, alert_id, ada, "ada@example.com")
    engine.tick()
    smtp.drop_connections()  # as a server does with a connection left idle
    queue_email(db, alert_id, ada, "ada@example.com")
    engine.tick()
    assert len(smtp.wait_for(2)) == 2 and smtp.connections == 2
    with db.read_session() as session:
        sent = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == TOPIC)).all()
    assert [(message.state, message.attempts, message.last_error) for message in sent] == [
        ("delivered", 1, "")
    ] * 2
    assert [line for line in logs(db, alert_id) if "e-mail" in line] == [
        "Notified ada@example.com by e-mail (test)"
    ] * 2


def test_a_round_of_50_emails_takes_as_many_statements_as_a_round_of_1(db, engine, smtp, alert_for):
    alert_id, ada = alert_for(responders=[{"type": "user", "username": "ada@example.com"}])
    engine.tick()  # the alert's own e-mail, and the engine's lease
    queue_email(db, alert_id, ada, "ada@example.com", reason="round of 1")
    one = statements_during(db, engine.tick)
    for n in range(50):
        queue_email(db, alert_id, ada, "ada@example.com", reason=f"round of 50, {n}")
    fifty = statements_during(db, engine.tick)
    assert len(smtp.wait_for(52)) == 52
    assert fifty == one
    notified = [line for line in logs(db, alert_id) if line.startswith("Notified")]
    assert notified[2:] == [f"Notified ada@example.com by e-mail (round of 50, {n})" for n in range(50)]
    assert recipient_state(db, alert_id, ada) == "notified"
