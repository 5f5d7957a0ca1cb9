"""Importing an Opsgenie account's people and teams (the fake account in tests/fakes): the plan
changes nothing, applying creates what Opsgenie had, applying again changes nothing, a run cut
short is finished by the next one, and people already in Tocsin keep what they have here."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.fakes import opsgenie_config_api
from tests.fakes.opsgenie_account import FULL_KEY
from tests.fakes.opsgenie_config_api import FakeOpsgenie
from tests.importer.opsgenie_config import row_counts
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.importer import opsgenie_import
from tocsin.importer.changes import CANNOT, CHANGE, CREATE, SAME, Change, Plan
from tocsin.importer.opsgenie_reader import OpsgenieReader
from tocsin.importer.opsgenie_source import Source, read_people
from tocsin.notify import contacts, rules
from tocsin.people import service as people
from tocsin.teams import service as teams

fake_opsgenie = opsgenie_config_api.fake_opsgenie
TABLES = (
    "user_account",
    "contact_method",
    "notification_rule",
    "notification_rule_step",
    "team",
    "team_member",
    "outbox",
)


@pytest.fixture
def source(fake_opsgenie: FakeOpsgenie) -> Source:
    fake_opsgenie.reset()
    with OpsgenieReader(fake_opsgenie.base_url, FULL_KEY, sleep=lambda seconds: None) as reader:
        return read_people(reader)


def counts(db: Database) -> dict[str, int]:
    return row_counts(db, TABLES)


def by_name(plan: Plan) -> dict[str, Change]:
    return {f"{change.kind} {change.name}": change for change in plan.changes}


def test_the_plan_changes_nothing_and_says_what_cannot_come_over(db: Database, source: Source) -> None:
    before = counts(db)

    plan = opsgenie_import.make_plan(db, source)

    assert counts(db) == before
    assert plan.counts() == {CREATE: 35}
    changes = by_name(plan)
    observer = changes["user raj.reddy@acme.example"]  # Opsgenie's custom role "Observer"
    assert observer.details[0] == "user" and any("custom role 'Observer'" in note for note in observer.notes)
    assert any("ntfy" in note for note in changes["user ada.lovelace@acme.example"].notes)  # the app's push
    borg = changes["user anita.borg@acme.example"]  # a number no numbering plan has
    assert any("sms contact '1-5550000026'" in note for note in borg.notes)
    assert any("custom role" in note for note in changes["team Platform"].notes)


def test_applying_creates_the_people_and_teams_opsgenie_has(db: Database, source: Source) -> None:
    plan = opsgenie_import.make_plan(db, source)

    applied = opsgenie_import.apply(db, plan)

    assert applied.failed == [] and len(applied.made) == 35
    with db.read_session() as session:
        ada = accounts.get_user(session, "ada.lovelace@acme.example")
        assert (ada.role, ada.time_zone, ada.full_name, ada.password_hash) == (
            "owner",
            "Europe/London",
            "Ada Lovelace",
            None,
        )
        assert accounts.get_user(session, "alan.turing@acme.example").role == "admin"
        phone = contacts.find_contact(session, ada.id, "sms", "+12015550100")
        assert phone is not None and phone.verified_at is not None  # Opsgenie had it: nobody is texted a code
        voice = contacts.find_contact(session, ada.id, "voice", "+12015550100")
        assert voice is not None and voice.enabled is False  # disabled in Opsgenie
        new_alert = next(
            rule for rule in rules.list_rules(session, actor=SYSTEM, user=ada) if rule.name == "New alert"
        )
        steps = [
            (contact.method, step.send_after_minutes) for step, contact in rules.steps_of(session, new_alert)
        ]
        assert steps == [("email", 0), ("sms", 5)]
        names = [rule.name for rule in rules.list_rules(session, actor=SYSTEM, user=ada)]
        assert sorted(names) == [
            "New alert",
            "Shift starts",
        ]  # not Quiet hours (conditions), not the default twice
        platform = teams.get_team(session, name="Platform")
        members = {user.username: role for user, role in teams.members_of(session, platform.id)}
        assert members["ada.lovelace@acme.example"] == "admin"
        assert len(members) == len(next(t for t in source.teams if t["name"] == "Platform")["members"])
    assert counts(db)["outbox"] == 0


def test_applying_again_changes_nothing(db: Database, source: Source) -> None:
    opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))
    after_first = counts(db)

    again = opsgenie_import.make_plan(db, source)
    applied = opsgenie_import.apply(db, again)

    assert again.counts() == {SAME: 35} and applied.made == []
    assert counts(db) == after_first


def test_a_run_cut_short_is_finished_by_the_next_run(db: Database, source: Source) -> None:
    def stop_after(count: int) -> Callable[[Change, str | None], None]:
        seen = []

        def on_change(change: Change, problem: str | None) -> None:
            seen.append(change)
            if len(seen) == count:
                raise KeyboardInterrupt

        return on_change

    with pytest.raises(KeyboardInterrupt):
        opsgenie_import.apply(db, opsgenie_import.make_plan(db, source), stop_after(12))
    cut = counts(db)
    resumed = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, resumed)

    assert resumed.counts() == {SAME: 12, CREATE: 23}
    assert cut["user_account"] == 12
    assert opsgenie_import.make_plan(db, source).counts() == {SAME: 35}
    assert counts(db)["team"] == 5


def test_people_already_in_tocsin_keep_what_they_have_and_get_what_they_lack(
    db: Database, source: Source
) -> None:
    with db.write_session() as session:
        people.create_user(
            session,
            username="Ada.Lovelace@acme.example",
            role="admin",
            password="a long password",
            full_name="Ada L.",
        )
        teams.create_team(session, name="platform", description="ours")

    plan = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, plan)

    ada_change = by_name(plan)["user ada.lovelace@acme.example"]
    assert ada_change.action == CHANGE
    assert "add sms contact +12015550100" in ada_change.details
    assert "role stays 'admin' (Opsgenie: 'owner')" in ada_change.details
    assert by_name(plan)["team Platform"].action == CHANGE
    with db.read_session() as session:
        ada = accounts.get_user(session, "ada.lovelace@acme.example")
        assert (ada.role, ada.full_name) == ("admin", "Ada L.") and ada.password_hash is not None
        assert contacts.find_contact(session, ada.id, "sms", "+12015550100") is not None
        team = teams.get_team(session, name="Platform")
        assert team.description == "ours" and len(teams.members_of(session, team.id)) == 6
    assert CANNOT not in plan.counts()


def test_a_rule_with_conditions_comes_over_with_them_and_one_with_a_time_restriction_does_not(
    db: Database, source: Source
) -> None:
    plan = opsgenie_import.make_plan(db, source)
    ada_notes = by_name(plan)["user ada.lovelace@acme.example"].notes
    assert any("'Quiet hours' has a time restriction" in note for note in ada_notes)

    opsgenie_import.apply(db, plan)

    with db.read_session() as session:
        alan = accounts.get_user(session, "alan.turing@acme.example")
        urgent = next(
            rule
            for rule in rules.list_rules(session, actor=SYSTEM, user=alan)
            if rule.name == "Urgent by every means"
        )
        criteria = rules.criteria_of(urgent)
        assert criteria.type == "match-any-condition"
        assert [(c.field, c.operation, c.expected) for c in criteria.conditions] == [
            ("priority", "equals", "P1"),
            ("tags", "contains", "customer"),
        ]
        assert rules.steps_of(session, urgent) != []


def test_a_rule_whose_conditions_tocsin_cannot_read_is_named_in_the_plan(
    db: Database, source: Source
) -> None:
    alan = next(user for user in source.users if user.username == "alan.turing@acme.example")
    urgent = next(rule for rule in alan.rules if rule["name"] == "Urgent by every means")
    urgent["criteria"]["conditions"][0]["field"] = "weather"

    notes = by_name(opsgenie_import.make_plan(db, source))["user alan.turing@acme.example"].notes

    assert any("'Urgent by every means': Tocsin cannot read its conditions" in note for note in notes)
