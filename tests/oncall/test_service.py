"""Who is on call in a schedule: cumulative rotations, overrides, changes and their checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.oncall.conftest import daily, make_schedule, utc
from tests.support.factories import make_integration, make_team
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.errors import Conflict, InvalidInput, PermissionDenied
from tocsin.oncall import service
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationChanges
from tocsin.oncall.schedules import ScheduleChanges
from tocsin.teams import service as teams

MONDAY = utc(2026, 1, 5)


def override(db, schedule_id, username, start, end, rotations=(), alias=None, actor=SYSTEM):
    with db.write_session() as session:
        return service.create_override(
            session,
            actor=actor,
            schedule_id=schedule_id,
            user=UserRef(username=f"{username}@example.com"),
            start=start,
            end=end,
            rotations=[NameRef(name=name) for name in rotations],
            alias=alias,
        ).alias


def on_call(db, schedule_id, at):
    with db.read_session() as session:
        return service.on_call(session, schedule_id, at)


def test_everyone_on_call_in_any_rotation_is_on_call(db, people):
    ops = make_schedule(
        db,
        "ops",
        daily(MONDAY, "ada", "bob", name="primary"),
        daily(MONDAY, "cy", name="secondary", type="weekly"),
    )
    now = on_call(db, ops, utc(2026, 1, 5, 12))
    assert now.user_ids == [people["ada"], people["cy"]]
    assert now.since == MONDAY and now.until == utc(2026, 1, 6)
    assert on_call(db, ops, utc(2026, 1, 6, 12)).user_ids == [people["bob"], people["cy"]]


def test_an_override_of_all_rotations_replaces_everyone_while_it_lasts(db, people):
    ops = make_schedule(
        db, "ops", daily(MONDAY, "ada", name="primary"), daily(MONDAY, "bob", name="secondary")
    )
    override(db, ops, "cy", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14))
    during = on_call(db, ops, utc(2026, 1, 5, 11))
    assert during.user_ids == [people["cy"]]
    assert (during.since, during.until) == (utc(2026, 1, 5, 10), utc(2026, 1, 5, 14))
    assert on_call(db, ops, utc(2026, 1, 5, 14)).user_ids == [people["ada"], people["bob"]]


def test_an_override_naming_a_rotation_replaces_only_that_rotation(db, people):
    ops = make_schedule(
        db, "ops", daily(MONDAY, "ada", name="primary"), daily(MONDAY, "bob", name="secondary")
    )
    override(db, ops, "cy", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14), rotations=["Secondary"])
    assert on_call(db, ops, utc(2026, 1, 5, 11)).user_ids == [people["ada"], people["cy"]]


def test_an_override_holds_through_gaps_restrictions_and_schedules_without_rotations(db, people):
    nights = {
        "type": "time-of-day",
        "restriction": {"startHour": 22, "startMin": 0, "endHour": 6, "endMin": 0},
    }
    ops = make_schedule(db, "ops", daily(MONDAY, None, "ada", name="primary", time_restriction=nights))
    override(db, ops, "bob", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14), rotations=["primary"])
    assert on_call(db, ops, utc(2026, 1, 5, 12)).user_ids == [people["bob"]]  # a gap, and daytime
    empty = make_schedule(db, "empty")
    override(db, empty, "cy", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14))
    assert on_call(db, empty, utc(2026, 1, 5, 12)).user_ids == [people["cy"]]
    assert on_call(db, empty, utc(2026, 1, 5, 9)).user_ids == []


def test_a_disabled_schedule_has_no_one_on_call(db, people):
    ops = make_schedule(db, "ops", daily(MONDAY, "ada"), enabled=False)
    override(db, ops, "bob", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14))
    assert on_call(db, ops, utc(2026, 1, 5, 12)).user_ids == []
    with db.read_session() as session:
        assert service.timeline(session, ops, MONDAY, MONDAY + timedelta(days=2)) == []
        assert service.who_is_on_call(session, utc(2026, 1, 5, 12)) == []


def test_next_and_previous_on_call_skip_gaps_unless_asked_for_the_exact_one(db, people):
    ops = make_schedule(db, "ops", daily(MONDAY, "ada", None, "bob", "cy"))
    at = utc(2026, 1, 5, 12)  # ada's day; then a gap, then bob
    with db.read_session() as session:
        following = service.next_on_call(session, ops, at)
        exact = service.next_on_call(session, ops, at, exact=True)
        before = service.previous_on_call(session, ops, utc(2026, 1, 7, 12))
        exact_before = service.previous_on_call(session, ops, utc(2026, 1, 7, 12), exact=True)
    assert (following.user_ids, following.since, following.until) == (
        [people["bob"]],
        utc(2026, 1, 7),
        utc(2026, 1, 8),
    )
    assert (exact.user_ids, exact.since) == ([], utc(2026, 1, 6))
    assert (before.user_ids, before.since, before.until) == ([people["ada"]], MONDAY, utc(2026, 1, 6))
    assert exact_before.user_ids == []


def test_who_is_on_call_names_schedule_team_and_people(db, people):
    make_team(db, "ops_team", "ada@example.com")
    make_schedule(db, "ops_schedule", daily(MONDAY, "ada", "bob"), team="ops_team")
    make_schedule(db, "db_schedule", daily(MONDAY, "cy"))
    with db.read_session() as session:
        answers = service.who_is_on_call(session, utc(2026, 1, 5, 12))
    assert [(a.schedule_name, a.team_name, a.usernames, a.until) for a in answers] == [
        ("db_schedule", None, ["cy@example.com"], None),
        ("ops_schedule", "ops_team", ["ada@example.com"], utc(2026, 1, 6)),
    ]


def test_timeline_says_which_rotation_or_override_each_shift_comes_from(db, people):
    ops = make_schedule(db, "ops", daily(MONDAY, "ada", "bob", name="primary"))
    override(db, ops, "cy", utc(2026, 1, 5, 20), utc(2026, 1, 6, 4), alias="night-swap")
    with db.read_session() as session:
        shifts = service.timeline(session, ops, MONDAY, utc(2026, 1, 7))
    assert [(s.user_id, s.start, s.end, s.rotation_name, s.override_alias) for s in shifts] == [
        (people["ada"], MONDAY, utc(2026, 1, 5, 20), "primary", None),
        (people["cy"], utc(2026, 1, 5, 20), utc(2026, 1, 6, 4), None, "night-swap"),
        (people["bob"], utc(2026, 1, 6, 4), utc(2026, 1, 7), "primary", None),
    ]


def test_deleting_a_rotation_drops_overrides_that_only_replaced_it(db, people):
    ops = make_schedule(
        db, "ops", daily(MONDAY, "ada", name="primary"), daily(MONDAY, "bob", name="secondary")
    )
    override(db, ops, "cy", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14), rotations=["secondary"], alias="only")
    override(
        db,
        ops,
        "cy",
        utc(2026, 1, 6, 10),
        utc(2026, 1, 6, 14),
        rotations=["primary", "secondary"],
        alias="both",
    )
    with db.write_session() as session:
        secondary = next(r for r in service.rotations_of(session, ops) if r.name == "secondary")
        service.delete_rotation(session, actor=SYSTEM, schedule_id=ops, rotation_id=secondary.id)
    with db.read_session() as session:
        left = service.list_overrides(session, ops)
        primary = service.rotations_of(session, ops)[0]
    assert [(o.alias, o.rotation_ids) for o in left] == [("both", [primary.id])]


def test_a_rotation_can_be_changed_field_by_field(db, people):
    ops = make_schedule(db, "ops", daily(MONDAY, "ada", "bob", name="primary"))
    with db.write_session() as session:
        rotation = service.rotations_of(session, ops)[0]
        changes = RotationChanges(length=2, participants=[UserRef(username="cy@example.com"), None])
        service.update_rotation(
            session, actor=SYSTEM, schedule_id=ops, rotation_id=rotation.id, changes=changes
        )
    assert on_call(db, ops, utc(2026, 1, 6, 12)).user_ids == [people["cy"]]
    assert on_call(db, ops, utc(2026, 1, 7, 12)).user_ids == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"rotations": [daily(MONDAY, "nobody")]}, "rotations[0].participants[0]"),
        ({"rotations": [daily(MONDAY, "ada", end=MONDAY)]}, "rotations[0].endDate"),
        ({"rotations": [daily(MONDAY, "ada", type="monthly")]}, "rotations[0].type"),
        ({"rotations": [daily(MONDAY, "ada", length=0)]}, "rotations[0].length"),
        ({"rotations": [daily(MONDAY)]}, "rotations[0].participants"),
        ({"rotations": [daily(MONDAY.replace(tzinfo=None), "ada")]}, "rotations[0].startDate"),
        ({"owner_team": NameRef(name="nobody")}, "ownerTeam"),
    ],
)
def test_invalid_schedules_are_refused_naming_the_field(db, people, fields, field):
    with pytest.raises(InvalidInput) as raised, db.write_session() as session:
        service.create_schedule(session, actor=SYSTEM, name="ops", **fields)
    assert raised.value.field == field
    with db.read_session() as session:
        assert service.list_schedules(session) == []


def test_names_are_unique_ignoring_case(db, people):
    ops = make_schedule(db, "Ops", daily(MONDAY, "ada", name="Primary"))
    with pytest.raises(Conflict), db.write_session() as session:
        service.create_schedule(session, actor=SYSTEM, name="OPS")
    with pytest.raises(Conflict), db.write_session() as session:
        service.add_rotation(
            session, actor=SYSTEM, schedule_id=ops, rotation=daily(MONDAY, "bob", name="primary")
        )
    override(db, ops, "bob", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14), alias="swap")
    with pytest.raises(Conflict):
        override(db, ops, "cy", utc(2026, 1, 6, 10), utc(2026, 1, 6, 14), alias="swap")


def test_overrides_must_end_after_they_start_and_name_existing_rotations(db, people):
    ops = make_schedule(db, "ops", daily(MONDAY, "ada", name="primary"))
    with pytest.raises(InvalidInput) as raised:
        override(db, ops, "bob", utc(2026, 1, 5, 14), utc(2026, 1, 5, 10))
    assert raised.value.field == "endDate"
    with pytest.raises(InvalidInput) as raised:
        override(db, ops, "bob", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14), rotations=["tertiary"])
    assert raised.value.field == "rotations[0]" and "primary" in raised.value.message


def actor_of(db, username):
    with db.read_session() as session:
        return teams.actor_for_user(session, accounts.get_user(session, username), channel="web")


def test_team_admins_change_their_team_schedules_only(db, people):
    with db.write_session() as session:
        teams.create_team(
            session, name="ops_team", members=[("ada@example.com", "admin"), ("bob@example.com", "user")]
        )
        teams.create_team(session, name="db_team", members=[("cy@example.com", "admin")])
    ops = make_schedule(db, "ops", daily(MONDAY, "ada"), team="ops_team")
    ada, bob, cy = (actor_of(db, f"{name}@example.com") for name in ("ada", "bob", "cy"))
    with db.write_session() as session:
        service.update_schedule(
            session, actor=ada, schedule_id=ops, changes=ScheduleChanges(description="ours")
        )
    for outsider in (bob, cy):
        with pytest.raises(PermissionDenied), db.write_session() as session:
            service.update_schedule(
                session, actor=outsider, schedule_id=ops, changes=ScheduleChanges(enabled=False)
            )
        with pytest.raises(PermissionDenied):
            override(db, ops, "bob", utc(2026, 1, 5, 10), utc(2026, 1, 5, 14), actor=outsider)
    with pytest.raises(PermissionDenied), db.write_session() as session:
        service.create_schedule(session, actor=ada, name="global")  # no owner team: global rights
    with pytest.raises(PermissionDenied), db.write_session() as session:
        changes = ScheduleChanges(owner_team=NameRef(name="db_team"))
        service.update_schedule(session, actor=ada, schedule_id=ops, changes=changes)


def test_team_integration_keys_manage_their_team_schedules(db, people):
    make_team(db, "ops_team")
    make_team(db, "db_team")
    ops_key, _ = make_integration(db, "ops-monitor", team="ops_team")
    with db.write_session() as session:
        service.create_schedule(session, actor=ops_key, name="ops", owner_team=NameRef(name="ops_team"))
    with pytest.raises(PermissionDenied), db.write_session() as session:
        service.create_schedule(session, actor=ops_key, name="db", owner_team=NameRef(name="db_team"))
