"""Quiet hours: a person's daily stretch of local time when no notification reaches them, unless
the alert is tagged OverwriteQuietHours; the alert's log says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.engine.conftest import queue_email
from tocsin.accounts.models import User
from tocsin.alerts.models import Alert, AlertLog
from tocsin.clock import FrozenClock
from tocsin.notify.quiet_hours import quiet_until


def _quiet(db, user_id: str, start: str, end: str, time_zone: str = "Europe/Berlin") -> None:
    with db.write_session() as session:
        user = session.get(User, user_id)
        user.quiet_start, user.quiet_end, user.time_zone = start, end, time_zone


def _logs(db, alert_id: str) -> list[str]:
    with db.read_session() as session:
        return list(
            session.scalars(select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id))
        )


def test_an_email_due_in_quiet_hours_is_not_sent_and_the_log_says_until_when(
    db, engine, smtp, alert_for, frozen_clock: FrozenClock
) -> None:
    frozen_clock.set(datetime(2026, 3, 1, 22, 30, tzinfo=UTC))  # 23:30 in Berlin
    alert_id, ada = alert_for()
    _quiet(db, ada, "22:00", "07:00")
    queue_email(db, alert_id, ada, "ada@example.com")

    engine.tick()

    assert smtp.received == []
    assert _logs(db, alert_id)[-1] == (
        "ada@example.com not notified by e-mail: quiet hours until 07:00 (Europe/Berlin)"
    )


def test_an_alert_tagged_overwrite_quiet_hours_still_reaches_them(
    db, engine, smtp, alert_for, frozen_clock: FrozenClock
) -> None:
    frozen_clock.set(datetime(2026, 3, 1, 22, 30, tzinfo=UTC))
    alert_id, ada = alert_for()
    with db.write_session() as session:
        session.get(Alert, alert_id).tags = ["Critical", "OverwriteQuietHours"]
    _quiet(db, ada, "22:00", "07:00")
    queue_email(db, alert_id, ada, "ada@example.com")

    engine.tick()

    assert [mail.recipients for mail in smtp.received] == [["ada@example.com"]]


def test_outside_quiet_hours_mail_goes_as_ever(
    db, engine, smtp, alert_for, frozen_clock: FrozenClock
) -> None:
    frozen_clock.set(datetime(2026, 3, 1, 6, 0, tzinfo=UTC))  # 07:00 in Berlin: just over
    alert_id, ada = alert_for()
    _quiet(db, ada, "22:00", "07:00")
    queue_email(db, alert_id, ada, "ada@example.com")

    engine.tick()

    assert len(smtp.received) == 1


def _user(start: str, end: str, time_zone: str = "Europe/Berlin") -> User:
    return User(username="u@example.com", quiet_start=start, quiet_end=end, time_zone=time_zone)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_when_quiet_hours_end_in_the_persons_time_zone() -> None:
    night = _user("22:00", "07:00")
    assert quiet_until(night, _at("2026-06-10T21:30:00+00:00")) == _at("2026-06-11T07:00:00+02:00")
    assert quiet_until(night, _at("2026-06-11T04:59:00+00:00")) == _at("2026-06-11T07:00:00+02:00")
    assert quiet_until(night, _at("2026-06-11T05:00:00+00:00")) is None
    assert quiet_until(night, _at("2026-06-11T12:00:00+00:00")) is None
    lunch = _user("12:00", "13:30", "UTC")
    assert quiet_until(lunch, _at("2026-06-11T12:45:00+00:00")) == _at("2026-06-11T13:30:00+00:00")
    assert quiet_until(lunch, _at("2026-06-11T11:59:00+00:00")) is None
    assert quiet_until(_user("", ""), _at("2026-06-11T12:45:00+00:00")) is None


def test_across_the_change_to_summer_time_the_end_is_local_seven_oclock() -> None:
    night = _user("22:00", "07:00")
    # Berlin moves from UTC+1 to UTC+2 at 02:00 on 29 March 2026.
    ends = quiet_until(night, _at("2026-03-28T22:00:00+00:00"))  # 23:00 local, winter time
    assert ends is not None and ends.astimezone(UTC) == _at("2026-03-29T05:00:00+00:00")
    assert ends - _at("2026-03-28T22:00:00+00:00") == timedelta(hours=7)
