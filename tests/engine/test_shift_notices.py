"""People with schedule-start/schedule-end rules hear of their shifts shortly before, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.oncall.conftest import daily, make_schedule
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.notify import rules
from tocsin.notify.rules import StepSpec


def shift_rule(db, username, kind, notification_time):
    with db.write_session() as session:
        user = accounts.get_user(session, username)
        rules.create_rule(
            session,
            actor=SYSTEM,
            user=user,
            name=f"{kind} {notification_time}",
            action_type=kind,
            notification_time=[notification_time],
            steps=[StepSpec(method="email", to=username)],
        )


def test_shift_start_and_end_are_told_before_they_happen_and_only_once(
    db, engine, smtp, frozen_clock, make_user_and_alert
):
    make_user_and_alert.user("ada@example.com")
    make_user_and_alert.user("bob@example.com")
    frozen_clock.set(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    make_schedule(db, "ops_schedule", daily(datetime(2026, 3, 1, 10, tzinfo=UTC), "ada", "bob"))
    shift_rule(db, "ada@example.com", "schedule-start", "15-minutes-ago")
    shift_rule(db, "ada@example.com", "schedule-end", "1-hour-ago")

    frozen_clock.set(datetime(2026, 3, 1, 9, 44, tzinfo=UTC))
    engine.tick()
    assert smtp.received == []
    frozen_clock.set(datetime(2026, 3, 1, 9, 46, tzinfo=UTC))
    engine.tick()
    engine.tick()
    (starting,) = smtp.received
    assert starting.subject == "[Tocsin] You are on call for ops_schedule from Sun 10:00"
    assert "Sun 01 Mar 10:00 to Mon 02 Mar 10:00 (UTC)" in starting.body

    frozen_clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    engine.tick()
    frozen_clock.advance(timedelta(minutes=10))
    engine.tick()
    assert [mail.subject for mail in smtp.received][1:] == [
        "[Tocsin] Your on-call shift for ops_schedule ends at Mon 10:00"
    ]
