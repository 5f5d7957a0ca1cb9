"""A deactivated person is not paged: the router skips them and says so in the alert log, and a
message queued before they were deactivated is held back at delivery."""

from __future__ import annotations

from sqlalchemy import select

from tests.engine.conftest import queue_email
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts.models import AlertLog, AlertRecipient


def logs(db, alert_id):
    with db.read_session() as session:
        return session.scalars(
            select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id)
        ).all()


def deactivate(db, user_id, active=False):
    with db.write_session() as session:
        accounts.set_active(session, actor=SYSTEM, user=session.get(User, user_id), active=active)


def test_a_deactivated_responder_is_sent_nothing_and_the_log_says_why(db, engine, smtp, make_user_and_alert):
    ada = make_user_and_alert.user("ada@example.com")
    deactivate(db, ada)
    alert_id = make_user_and_alert.alert(responders=[{"type": "user", "username": "ada@example.com"}])
    engine.tick()
    assert smtp.received == []
    assert logs(db, alert_id)[-1] == "ada@example.com not notified (a responder): deactivated"
    with db.read_session() as session:
        assert session.get(AlertRecipient, (alert_id, ada)) is None


def test_reactivated_they_are_paged_again(db, engine, smtp, make_user_and_alert):
    ada = make_user_and_alert.user("ada@example.com")
    deactivate(db, ada)
    deactivate(db, ada, active=True)
    make_user_and_alert.alert(responders=[{"type": "user", "username": "ada@example.com"}])
    engine.tick()
    assert [mail.recipients for mail in smtp.received] == [["ada@example.com"]]


def test_deactivating_after_a_message_is_queued_still_holds_it_back(db, engine, smtp, alert_for):
    alert_id, ada = alert_for()
    queue_email(db, alert_id, ada, "ada@example.com")
    deactivate(db, ada)
    engine.tick()
    assert smtp.received == []
    assert logs(db, alert_id)[-1] == "ada@example.com not notified by e-mail: deactivated"
