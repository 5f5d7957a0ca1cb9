"""Previewing a rotation: the schedule's shifts and on-call with one rotation added or changed,
refused as saving it would be, and nothing stored."""

from __future__ import annotations

import pytest

from tests.oncall.conftest import daily, make_schedule, utc
from tests.support.factories import make_team
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.errors import InvalidInput, NotFound, PermissionDenied
from tocsin.oncall import service
from tocsin.oncall.lookup import UserRef
from tocsin.teams import service as teams

MONDAY = utc(2026, 1, 5)


def preview(db, schedule_id, rotation, *, replacing=None, actor=SYSTEM, days=2):
    with db.read_session() as session:
        return service.preview_rotation(
            session,
            actor=actor,
            schedule_id=schedule_id,
            rotation=rotation,
            start=MONDAY,
            end=utc(2026, 1, 5 + days),
            replacing=replacing,
        )


def test_a_new_rotation_is_previewed_beside_the_others_and_nothing_is_stored(db, people):
    ops = make_schedule(db, "ops", daily(MONDAY, "ada", "bob", name="primary"))

    shown = preview(db, ops, daily(MONDAY, "cy", name="secondary", type="weekly"))

    assert [(s.user_id, s.start, s.end, s.rotation_name) for s in shown.rotation_shifts] == [
        (people["cy"], MONDAY, utc(2026, 1, 7), "secondary")
    ]
    assert [(s.start, set(s.user_ids)) for s in shown.on_call] == [
        (MONDAY, {people["ada"], people["cy"]}),
        (utc(2026, 1, 6), {people["bob"], people["cy"]}),
    ]
    with db.read_session() as session:
        assert [r.name for r in service.rotations_of(session, ops)] == ["primary"]


def test_a_changed_rotation_takes_the_place_of_the_stored_one(db, people):
    ops = make_schedule(
        db, "ops", daily(MONDAY, "ada", name="primary"), daily(MONDAY, "bob", name="secondary")
    )
    with db.read_session() as session:
        primary = service.rotations_of(session, ops)[0].id

    shown = preview(db, ops, daily(MONDAY, "cy", name="primary"), replacing=primary)

    assert [s.user_ids for s in shown.on_call] == [(people["cy"], people["bob"])]
    assert {s.rotation_id for s in shown.rotation_shifts} == {primary}


@pytest.mark.parametrize(
    ("rotation", "field"),
    [
        (daily(MONDAY, name="empty"), "participants"),
        (daily(MONDAY, "ada", name="long", length=0), "length"),
        (daily(MONDAY, "ada", name="ends", end=utc(2026, 1, 1)), "endDate"),
    ],
)
def test_a_preview_is_refused_as_saving_would_be(db, people, rotation, field):
    ops = make_schedule(db, "ops", daily(MONDAY, "ada", name="primary"))

    with pytest.raises(InvalidInput) as refused:
        preview(db, ops, rotation)

    assert refused.value.field == field


def test_an_unknown_person_or_rotation_is_refused(db, people):
    ops = make_schedule(db, "ops", daily(MONDAY, "ada", name="primary"))
    stranger = service.RotationInput(type="daily", start=MONDAY, participants=[UserRef(id="nobody")])

    with pytest.raises(InvalidInput) as refused:
        preview(db, ops, stranger)
    assert refused.value.field == "participants[0]"
    with pytest.raises(NotFound):
        preview(db, ops, daily(MONDAY, "ada"), replacing="no-such-rotation")


def test_only_those_who_may_change_the_schedule_may_preview(db, people):
    make_team(db, "ops", "bob@example.com")
    ops = make_schedule(db, "ops", daily(MONDAY, "ada", name="primary"), team="ops")
    with db.read_session() as session:
        bob = accounts.find_user(session, "bob@example.com")
        member = teams.actor_for_user(session, bob, channel="web")

    with pytest.raises(PermissionDenied):
        preview(db, ops, daily(MONDAY, "cy"), actor=member)
