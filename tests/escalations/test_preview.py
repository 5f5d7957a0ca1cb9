"""The preview of an escalation: each rule of each round at the moment the engine would fire it,
and whom it would reach then, worked out as the engine does (nothing written)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.escalations.conftest import make_policy, rule, to
from tocsin.actors import SYSTEM
from tocsin.escalations.preview import preview
from tocsin.oncall import service as oncall
from tocsin.oncall.service import RotationInput, UserRef

ALERT_AT = datetime(2026, 12, 12, 3, 0, tzinfo=UTC)


@pytest.fixture
def hand_off_at_0305(db, cast, schedules) -> str:
    """ops_schedule: a daily rotation of ann then bob handing off at 03:05 UTC; on 12 December
    ann is on call until 03:05, bob after."""
    with db.write_session() as session:
        oncall.add_rotation(
            session,
            actor=SYSTEM,
            schedule_id=schedules["ops_schedule"],
            rotation=RotationInput(
                type="daily",
                start=datetime(2026, 12, 1, 3, 5, tzinfo=UTC),
                participants=[UserRef(username="ann@example.com"), UserRef(username="bob@example.com")],
            ),
        )
    return schedules["ops_schedule"]


def whom(step) -> list[str]:
    return sorted(person.name for person in step.people)


def test_a_hand_off_between_two_rules_pages_different_people(db, hand_off_at_0305):
    with db.write_session() as session:
        policy = make_policy(
            session,
            "ops",
            rule("schedule", id=hand_off_at_0305),
            rule("schedule", delay=10, id=hand_off_at_0305),
        )
        shown = preview(session, policy, ALERT_AT)

    assert [(step.rule_number, step.at) for step in shown.steps] == [
        (1, ALERT_AT),
        (2, datetime(2026, 12, 12, 3, 10, tzinfo=UTC)),
    ]
    assert [whom(step) for step in shown.steps] == [["ann"], ["bob"]]
    assert shown.steps[0].people[0].why == "on call for ops_schedule"
    assert shown.closes_at is None


def test_repeats_start_the_wait_interval_after_the_last_rule_and_may_close_the_alert(db, cast):
    with db.write_session() as session:
        policy = make_policy(
            session,
            "twice",
            to("lead"),
            to("ann", delay=10),
            repeat={"waitInterval": 20, "count": 2, "closeAlertAfterAll": True},
        )
        shown = preview(session, policy, ALERT_AT)

    minutes = [int((step.at - ALERT_AT).total_seconds() // 60) for step in shown.steps]
    assert minutes == [0, 10, 30, 40, 60, 70]
    assert [step.round for step in shown.steps] == [0, 0, 1, 1, 2, 2]
    assert [whom(step) for step in shown.steps[:2]] == [["lead"], ["ann"]]
    assert shown.closes_at == datetime(2026, 12, 12, 4, 10, tzinfo=UTC)


def test_a_team_reaches_its_members_or_admins_and_a_schedule_without_anyone_no_one(db, cast, schedules):
    with db.write_session() as session:
        policy = make_policy(
            session,
            "team",
            rule("team", "users", name="ops"),
            rule("team", "admins", delay=5, name="ops"),
            rule("schedule", delay=15, name="night watch"),
        )
        shown = preview(session, policy, ALERT_AT)

    assert [whom(step) for step in shown.steps] == [
        ["ann", "lead"],
        ["lead"],
        [],
    ]
    assert shown.steps[1].people[0].why == "admin of team ops"


def test_the_next_on_call_of_a_schedule_is_who_takes_over_after_the_hand_off(db, hand_off_at_0305):
    with db.write_session() as session:
        policy = make_policy(session, "next", rule("schedule", "next", id=hand_off_at_0305))
        shown = preview(session, policy, ALERT_AT)

    assert whom(shown.steps[0]) == ["bob"]
