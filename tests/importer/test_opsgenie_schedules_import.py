"""Importing an Opsgenie account's schedules (the fake account in tests/fakes), with Tocsin's
clock at the fake's NOW: the plan changes nothing, applying creates the schedules with their
rotations, restrictions and future overrides, applying again changes nothing, a schedule Tocsin
has keeps its rotations, and the on-call check agrees with Opsgenie for every schedule over the
next 14 days (across New York's DST change) until Tocsin's schedule is changed."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import frozen_at
from tests.fakes import opsgenie_config_api
from tests.fakes.opsgenie_account import FULL_KEY
from tests.fakes.opsgenie_config_api import FakeOpsgenie
from tests.fakes.opsgenie_schedules import NOW
from tests.importer.opsgenie_config import row_counts
from tests.test_cli import tocsin_environment
from tocsin.actors import SYSTEM
from tocsin.cli.app import app
from tocsin.db import Database
from tocsin.importer import opsgenie_import, opsgenie_oncall_check
from tocsin.importer.changes import CANNOT, CREATE, SAME, Change, Plan
from tocsin.importer.opsgenie_reader import OpsgenieReader
from tocsin.importer.opsgenie_source import Json, Source, read_account
from tocsin.oncall import service as oncall

fake_opsgenie = opsgenie_config_api.fake_opsgenie
TABLES = ("schedule", "rotation", "rotation_participant", "schedule_override")


@pytest.fixture(autouse=True)
def at_now() -> Iterator[None]:
    with frozen_at(NOW):
        yield


@pytest.fixture
def reader(fake_opsgenie: FakeOpsgenie) -> Iterator[OpsgenieReader]:
    fake_opsgenie.reset()
    with OpsgenieReader(fake_opsgenie.base_url, FULL_KEY, sleep=lambda seconds: None) as reader:
        yield reader


@pytest.fixture
def source(reader: OpsgenieReader) -> Source:
    return read_account(reader)


def counts(db: Database) -> dict[str, int]:
    return row_counts(db, TABLES)


def schedule_changes(plan: Plan) -> dict[str, Change]:
    return {change.name: change for change in plan.changes if change.kind == "schedule"}


def opsgenie_schedule(source: Source, name: str) -> Json:
    return next(schedule for schedule in source.schedules if schedule["name"] == name)


def usernames_of(rotation: Json) -> list[str | None]:
    return [p.get("username") for p in rotation["participants"]]


def test_the_plan_changes_nothing_and_lists_the_schedules(db: Database, source: Source) -> None:
    before = counts(db)

    plan = opsgenie_import.make_plan(db, source)

    assert counts(db) == before == dict.fromkeys(TABLES, 0)
    changes = schedule_changes(plan)
    assert {name: change.action for name, change in changes.items()} == {
        schedule["name"]: CREATE for schedule in source.schedules
    }
    assert changes["Platform primary"].details == [
        "America/New_York",
        "2 rotation(s)",
        "2 override(s)",
        "owner team Platform",
    ]
    assert "disabled" in changes["Legacy pager"].details
    payments = changes["Payments EU"]
    assert "1 override(s)" in payments.details
    assert any("1 override(s) that have ended" in note for note in payments.notes)  # february-swap


def test_applying_creates_schedules_with_rotations_restrictions_and_future_overrides(
    db: Database, source: Source
) -> None:
    applied = opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))

    assert applied.failed == []
    platform_source = opsgenie_schedule(source, "Platform primary")
    with db.read_session() as session:
        platform = oncall.schedule_named(session, "Platform primary", "name")
        assert (platform.timezone, platform.enabled, platform.description) == (
            "America/New_York",
            True,
            "Platform on-call",
        )
        rotations = oncall.rotations_of(session, platform.id)
        people = oncall.participants_of(session, [r.id for r in rotations])
        names = oncall.usernames(session, [p.user_id for ps in people.values() for p in ps if p.user_id])
        for here, there in zip(rotations, platform_source["rotations"], strict=True):
            assert (here.name, here.type, here.length) == (there["name"], there["type"], there["length"])
            assert here.start_date == datetime.fromisoformat(there["startDate"])
            assert [names[p.user_id] for p in people[here.id]] == usernames_of(there)
            assert here.time_restriction == there.get("timeRestriction")
        overrides = {o.alias: o for o in oncall.list_overrides(session, platform.id)}
        assert set(overrides) == {"dentist-swap", "nights-cover"}
        assert overrides["dentist-swap"].rotation_ids == []  # the whole schedule
        assert overrides["nights-cover"].rotation_ids == [rotations[1].id]  # Weeknights only
        assert overrides["nights-cover"].start_date == datetime(2027, 3, 15, 3, 0, tzinfo=UTC)
        covering = next(o for o in platform_source["overrides"] if o["alias"] == "nights-cover")
        standing_in = oncall.usernames(session, [overrides["nights-cover"].user_id])
        assert list(standing_in.values()) == [covering["user"]["username"]]

        mobile = oncall.schedule_named(session, "Mobile APAC", "name")
        (office_hours,) = oncall.rotations_of(session, mobile.id)
        gaps = [
            p.user_id is None for p in oncall.participants_of(session, [office_hours.id])[office_hours.id]
        ]
        assert gaps == [False, False, False, False, True]  # Opsgenie's "none" placeholder stays a gap
        payments = oncall.schedule_named(session, "Payments EU", "name")
        assert [o.alias for o in oncall.list_overrides(session, payments.id)] == ["training-day"]
        legacy = oncall.schedule_named(session, "Legacy pager", "name")
        (old,) = oncall.rotations_of(session, legacy.id)
        assert legacy.enabled is False and old.end_date == datetime(2026, 12, 28, 15, 0, tzinfo=UTC)


def test_applying_again_changes_nothing(db: Database, source: Source) -> None:
    opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))
    after_first = counts(db)

    again = opsgenie_import.make_plan(db, source)
    applied = opsgenie_import.apply(db, again)

    assert {change.action for change in schedule_changes(again).values()} == {SAME}
    assert applied.made == [] and counts(db) == after_first


def test_a_schedule_already_in_tocsin_keeps_its_rotations_and_gets_the_missing_ones(
    db: Database, source: Source
) -> None:
    opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))  # people and teams
    with db.write_session() as session:
        schedule = oncall.schedule_named(session, "Support follow-the-sun", "name")
        oncall.delete_schedule(session, actor=SYSTEM, schedule_id=schedule.id)
        oncall.create_schedule(
            session,
            actor=SYSTEM,
            name="support FOLLOW-the-sun",
            timezone="UTC",
            rotations=[
                oncall.RotationInput(
                    type="weekly",
                    start=datetime(2027, 1, 4, tzinfo=UTC),
                    participants=[oncall.UserRef(username="ada.lovelace@acme.example")],
                    name="europe",
                )
            ],
        )

    plan = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, plan)

    change = schedule_changes(plan)["Support follow-the-sun"]
    assert change.details == [
        "add rotation 'Americas'",
        "add rotation 'Asia'",
        "time zone stays 'UTC' (Opsgenie: 'Europe/London')",
    ]
    with db.read_session() as session:
        schedule = oncall.schedule_named(session, "Support follow-the-sun", "name")
        rotations = oncall.rotations_of(session, schedule.id)
        assert [(r.name, r.type) for r in rotations] == [
            ("europe", "weekly"),
            ("Americas", "daily"),
            ("Asia", "daily"),
        ]
        assert schedule.name == "support FOLLOW-the-sun" and schedule.timezone == "UTC"


def test_the_check_agrees_for_every_schedule_across_dst_restrictions_and_overrides(
    db: Database, source: Source, reader: OpsgenieReader
) -> None:
    opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))

    checks = opsgenie_oncall_check.check(db, reader, source.schedules)

    assert {c.schedule: (c.problem, c.disagreements) for c in checks} == {
        s["name"]: (None, []) for s in source.schedules
    }
    assert all(c.start == NOW and c.end == NOW + timedelta(days=14) for c in checks)
    assert checks[0].lines() == [
        f"on-call check: {checks[0].schedule} agrees with Opsgenie for the next 14 days"
    ]


def test_the_check_runs_from_a_now_between_two_seconds(
    db: Database, source: Source, reader: OpsgenieReader
) -> None:
    opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))

    with frozen_at(NOW + timedelta(milliseconds=250)):  # a real clock; Opsgenie's dates are to the second
        checks = opsgenie_oncall_check.check(db, reader, source.schedules)

    assert [c.problem for c in checks] == [None] * len(source.schedules)


def test_the_check_finds_an_override_deleted_in_tocsin_with_its_times(
    db: Database, source: Source, reader: OpsgenieReader
) -> None:
    opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))
    with db.write_session() as session:
        platform = oncall.schedule_named(session, "Platform primary", "name")
        oncall.delete_override(session, actor=SYSTEM, schedule_id=platform.id, alias="dentist-swap")

    checks = {c.schedule: c for c in opsgenie_oncall_check.check(db, reader, source.schedules)}

    assert [name for name, c in checks.items() if not c.agrees] == ["Platform primary"]
    found = checks["Platform primary"].disagreements
    covering = next(
        o for o in opsgenie_schedule(source, "Platform primary")["overrides"] if o["alias"] == "dentist-swap"
    )
    standing_in = covering["user"]["username"]
    assert found[0].start == datetime(2027, 3, 10, tzinfo=UTC) and found[-1].end == datetime(
        2027, 3, 11, tzinfo=UTC
    )
    assert all(d.opsgenie == {standing_in} and d.tocsin != {standing_in} for d in found)
    assert all(a.end == b.start for a, b in itertools.pairwise(found))
    line = checks["Platform primary"].lines()[0]
    assert line.startswith("warning: on-call check: Platform primary, Tue 2027-03-09 19:00 EST to ")
    assert f"Opsgenie says {standing_in}, Tocsin says " in line


def test_the_plan_checks_only_what_tocsin_already_has(
    db: Database, source: Source, reader: OpsgenieReader
) -> None:
    assert opsgenie_oncall_check.check(db, reader, source.schedules) == []


def test_the_command_prints_the_check_and_a_disagreement_is_a_warning_not_a_failure(
    db: Database, database_url: str, tmp_path: Path, fake_opsgenie: FakeOpsgenie
) -> None:
    fake_opsgenie.reset()
    environment = tocsin_environment(database_url=database_url, data_dir=tmp_path / "data")
    environment["OPSGENIE_API_KEY"] = FULL_KEY

    def run(*args: str) -> list[str]:
        result = CliRunner().invoke(
            app, ["import", "opsgenie", "--api-url", fake_opsgenie.base_url, *args], env=environment
        )
        assert result.exit_code == 0, (result.output, result.exception)
        return [line for line in result.stdout.splitlines() if "on-call check" in line]

    assert run() == [
        f"on-call check: {schedule['name']} agrees with Opsgenie for the next 14 days"
        for schedule in fake_opsgenie.account.schedules
    ]
    with db.write_session() as session:
        platform = oncall.schedule_named(session, "Platform primary", "name")
        oncall.delete_override(session, actor=SYSTEM, schedule_id=platform.id, alias="nights-cover")

    warnings = [line for line in run("--plan") if line.startswith("warning: ")]

    # Three hours on the Weeknights rotation, the first night of summer time; the Weekly
    # rotation's person is on call beside them all along.
    assert warnings == [
        "warning: on-call check: Platform primary, Sun 2027-03-14 23:00 EDT to Mon 2027-03-15 02:00 EDT: "
        "Opsgenie says donald.knuth@acme.example, yukihiro.matsumoto@acme.example, "
        "Tocsin says donald.knuth@acme.example, satoshi.tajiri@acme.example"
    ]


def test_what_tocsin_cannot_hold_is_left_out_and_said(db: Database, source: Source) -> None:
    changed = copy.deepcopy(source)
    mobile = opsgenie_schedule(changed, "Mobile APAC")
    team = next(t for t in changed.teams if t["name"] == "Mobile")
    by_team = {
        "id": "rotation-of-a-team",
        "name": "Team weekends",
        "type": "weekly",
        "length": 1,
        "startDate": "2027-03-06T00:00:00Z",
        "participants": [{"type": "team", "id": team["id"], "name": "Mobile"}],
    }
    mobile["rotations"].append(by_team)
    mobile["overrides"] = [
        {
            "alias": "team-cover",
            "user": mobile["rotations"][0]["participants"][0],
            "startDate": "2027-03-13T00:00:00Z",
            "endDate": "2027-03-14T00:00:00Z",
            "rotations": [{"id": "rotation-of-a-team", "name": "Team weekends"}],
        },
        {
            "alias": "escalation-cover",
            "user": {"type": "escalation", "id": "e1", "name": "Mobile escalation"},
            "startDate": "2027-03-13T00:00:00Z",
            "endDate": "2027-03-14T00:00:00Z",
            "rotations": [],
        },
    ]
    changed.schedules.append(
        {**mobile, "name": "Mars base", "timezone": "Mars/Olympus_Mons", "overrides": []}
    )

    plan = opsgenie_import.make_plan(db, changed)
    opsgenie_import.apply(db, plan)

    changes = schedule_changes(plan)
    assert changes["Mars base"].action == CANNOT
    assert "'Mars/Olympus_Mons' is not an IANA time zone" in changes["Mars base"].details[0]
    notes = changes["Mobile APAC"].notes
    assert any(
        n.startswith("rotation 'Team weekends' not imported: participant team 'Mobile'") for n in notes
    )
    assert "override 'team-cover' replaces a rotation that is not carried over" in notes
    assert any(n.startswith("override 'escalation-cover' puts escalation 'Mobile escalation'") for n in notes)
    assert changes["Mobile APAC"].details[1:3] == ["1 rotation(s)", "0 override(s)"]
    with db.read_session() as session:
        schedule = oncall.schedule_named(session, "Mobile APAC", "name")
        assert [r.name for r in oncall.rotations_of(session, schedule.id)] == ["Office hours"]
        assert oncall.list_overrides(session, schedule.id) == []
        assert oncall.find_schedule(session, "Mars base", "name") is None


def test_a_run_cut_short_among_the_schedules_is_finished_by_the_next_run(
    db: Database, source: Source, reader: OpsgenieReader
) -> None:
    plan = opsgenie_import.make_plan(db, source)
    first_schedule = next(n for n, change in enumerate(plan.to_make()) if change.kind == "schedule")
    made: list[Change] = []

    def stop_after_two_schedules(change: Change, problem: str | None) -> None:
        made.append(change)
        if len(made) == first_schedule + 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        opsgenie_import.apply(db, plan, stop_after_two_schedules)
    resumed = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, resumed)

    actions = [change.action for change in schedule_changes(resumed).values()]
    assert actions == [SAME, SAME, CREATE, CREATE, CREATE, CREATE]
    assert all(found.agrees for found in opsgenie_oncall_check.check(db, reader, source.schedules))
