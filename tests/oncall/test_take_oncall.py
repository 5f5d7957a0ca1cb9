"""Taking on-call (``/genie oncall me 2h for ops_team``): targets, durations and who may."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.oncall.conftest import daily, make_schedule, utc
from tests.support.factories import make_integration
from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.errors import InvalidInput, PermissionDenied
from tocsin.oncall import service
from tocsin.teams import service as teams

START = utc(2026, 2, 24)  # five days before the frozen clock (2026-03-01 09:00): bob's day


@pytest.fixture
def ops(db, people):
    """Team ops_team (ada admin, bob member) owning ops_schedule, where ada and bob rotate daily."""
    with db.write_session() as session:
        teams.create_team(
            session, name="ops_team", members=[("ada@example.com", "admin"), ("bob@example.com", "user")]
        )
    return make_schedule(db, "ops_schedule", daily(START, "ada", "bob"), team="ops_team")


def actor_of(db, username):
    with db.read_session() as session:
        return teams.actor_for_user(session, accounts.get_user(session, username), channel="Mattermost")


def take(db, username, **kwargs):
    with db.write_session() as session:
        return [
            (o.schedule_id, o.start_date, o.end_date)
            for o in service.take_oncall(session, actor=actor_of(db, username), **kwargs)
        ]


def who(db):
    with db.read_session() as session:
        return {
            answer.schedule_name: answer.usernames for answer in service.who_is_on_call(session, clock.now())
        }


def test_me_for_two_hours_for_my_team_is_an_override_that_ends_on_time(db, ops, frozen_clock):
    assert who(db) == {"ops_schedule": ["bob@example.com"]}  # 1 March: bob's day
    taken = take(db, "ada@example.com", user="me", duration=timedelta(hours=2), target="ops_team")
    assert taken == [(ops, utc(2026, 3, 1, 9), utc(2026, 3, 1, 11))]
    frozen_clock.advance(timedelta(hours=1, minutes=59))
    assert who(db) == {"ops_schedule": ["ada@example.com"]}
    with db.read_session() as session:
        assert service.on_call(session, ops, clock.now()).until == utc(2026, 3, 1, 11)
    frozen_clock.advance(timedelta(minutes=1))
    assert who(db) == {"ops_schedule": ["bob@example.com"]}


def test_without_a_target_it_is_the_users_team_schedule_for_an_hour(db, ops, frozen_clock):
    assert take(db, "bob@example.com") == [(ops, utc(2026, 3, 1, 9), utc(2026, 3, 1, 10))]


def test_without_a_team_the_single_schedule_the_user_takes_part_in(db, people, frozen_clock):
    solo = make_schedule(db, "cy_schedule", daily(START, "ada", "cy"))
    assert take(db, "cy@example.com", duration=timedelta(minutes=45))[0][0] == solo


def test_a_target_may_be_a_schedule_name_or_all(db, ops, frozen_clock):
    weekend = make_schedule(db, "weekend_schedule", daily(START, "ada"))
    make_schedule(db, "unrelated", daily(START, "cy"))
    assert [schedule for schedule, _, _ in take(db, "ada@example.com", target="Weekend_Schedule")] == [
        weekend
    ]
    assert {schedule for schedule, _, _ in take(db, "ada@example.com", target="all")} == {ops, weekend}


def test_an_ambiguous_default_lists_the_schedules_to_choose_from(db, ops, frozen_clock):
    make_schedule(db, "ops_nights", daily(START, "bob"), team="ops_team")
    with pytest.raises(InvalidInput) as raised:
        take(db, "bob@example.com")
    assert "ops_nights" in raised.value.message and "ops_schedule" in raised.value.message
    assert "all" in raised.value.message


def test_an_unknown_target_lists_the_choices(db, ops, frozen_clock):
    with pytest.raises(InvalidInput) as raised:
        take(db, "bob@example.com", target="dba_team")
    assert "dba_team" in raised.value.message and "ops_schedule" in raised.value.message


def test_taking_on_call_for_someone_else_needs_to_manage_the_team(db, ops, frozen_clock):
    assert take(db, "ada@example.com", user="bob@example.com", target="ops_schedule")[0][0] == ops  # admin
    with pytest.raises(PermissionDenied):
        take(db, "bob@example.com", user="ada@example.com", target="ops_schedule")


def test_a_person_may_not_take_on_call_for_an_unrelated_schedule(db, ops, frozen_clock):
    with pytest.raises(PermissionDenied):
        take(db, "cy@example.com", target="ops_schedule")


def test_keys_name_the_user_and_need_to_manage_the_team(db, ops, frozen_clock):
    key, _ = make_integration(db, "ops-monitor", team="ops_team")
    with db.write_session() as session:
        service.take_oncall(session, actor=key, user="bob@example.com", target="ops_schedule")
        with pytest.raises(InvalidInput):
            service.take_oncall(session, actor=key, target="ops_schedule")


def test_durations_are_a_minute_to_a_month(db, ops, frozen_clock):
    for duration in (timedelta(seconds=30), timedelta(days=32)):
        with pytest.raises(InvalidInput):
            take(db, "ada@example.com", duration=duration)
