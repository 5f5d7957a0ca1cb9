"""Users at the service level: who may create, change and delete whom; owners stay; defaults."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.accounts.people import actor_of, email, raises, user
from tests.test_cli import Tocsin, tocsin_environment
from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.escalations.models import EscalationPolicy, EscalationRule
from tocsin.notify import contacts, rules
from tocsin.notify.models import ContactMethod, NotificationRule
from tocsin.people import service as people
from tocsin.server import prepare
from tocsin.teams import service as teams
from tocsin.teams.models import TeamMember


def _defaults(db: Database, username: str) -> tuple[list[tuple[str, str, bool]], list[rules.PlannedStep]]:
    with db.read_session() as session:
        found = accounts.get_user(session, username)
        methods = session.execute(
            select(ContactMethod.method, ContactMethod.address, ContactMethod.enabled).where(
                ContactMethod.user_id == found.id
            )
        )
        return [tuple(row) for row in methods], rules.steps_for(session, found.id, "create-alert")


def test_a_user_made_as_the_cli_does_gets_an_email_contact_and_a_new_alert_rule(db):
    with db.write_session() as session:
        created = people.create_user(session, username="Ada@Example.com", role="user", password=None)
    methods, steps = _defaults(db, "ada@example.com")
    assert methods == [("email", "ada@example.com", True)]
    assert [(step.rule_name, step.method, step.address, step.send_after_minutes) for step in steps] == [
        ("New alert", "email", "ada@example.com", 0)
    ]
    with db.read_session() as session:
        for action in ("acknowledged-alert", "closed-alert", "schedule-start", "schedule-end"):
            assert rules.steps_for(session, created.id, action) == []


def test_tocsin_user_create_gives_the_defaults(db, tmp_path):
    cli = Tocsin(tocsin_environment(database_url=db.url, data_dir=tmp_path / "data"))
    cli.ok("user", "create", "grace@example.com", "--role", "admin")
    methods, steps = _defaults(db, "grace@example.com")
    assert methods == [("email", "grace@example.com", True)]
    assert [(step.rule_name, step.address) for step in steps] == [("New alert", "grace@example.com")]


def test_the_first_owner_made_by_serve_gets_the_defaults_too(db, tmp_path):
    prepare(Settings(database_url=db.url, data_dir=tmp_path, owner_email="root@example.org"))
    methods, steps = _defaults(db, "root@example.org")
    assert methods == [("email", "root@example.org", True)]
    assert [step.address for step in steps] == ["root@example.org"]


def test_who_may_create_users(db, cast):
    outcomes = {}
    with db.write_session() as session:
        for creator in ("owner", "admin", "lead", "ann"):
            for role in ("user", "admin", "owner"):
                try:
                    people.create_user(
                        session,
                        actor=actor_of(session, creator),
                        username=f"{creator}-made-{role}@example.com",
                        role=role,
                        password=None,
                    )
                    outcomes[creator, role] = "ok"
                except PermissionDenied as refused:
                    outcomes[creator, role] = refused.message
    assert outcomes[("owner", "user")] == outcomes[("owner", "admin")] == outcomes[("owner", "owner")] == "ok"
    assert outcomes[("admin", "user")] == outcomes[("admin", "admin")] == "ok"
    assert outcomes[("admin", "owner")] == "only an owner may create an owner"
    for role in ("user", "admin", "owner"):
        assert outcomes[("lead", role)] == "lead@example.com may not change users"
        assert outcomes[("ann", role)] == "ann@example.com may not change users"


def test_role_names_are_taken_in_any_case_and_bad_ones_name_the_field(db, cast):
    with db.write_session() as session:
        admin = actor_of(session, "admin")
        made = people.create_user(session, actor=admin, username="x@example.com", role="Admin", password=None)
        assert made.role == "admin"
        with pytest.raises(InvalidInput) as bad:
            people.create_user(session, actor=admin, username="y@example.com", role="boss", password=None)
        assert bad.value.field == "role" and "'boss'" in bad.value.message


def test_admins_change_roles_but_only_owners_touch_owners(db, cast):
    with db.write_session() as session:
        admin, owner = actor_of(session, "admin"), actor_of(session, "owner")
        accounts.update_user(session, actor=admin, user=user(session, "eve"), role="Admin")
        assert user(session, "eve").role == "admin"
        with pytest.raises(PermissionDenied, match="only an owner may promote or demote an owner"):
            accounts.update_user(session, actor=admin, user=user(session, "bob"), role="owner")
        with pytest.raises(PermissionDenied, match="only an owner may promote or demote an owner"):
            accounts.update_user(session, actor=admin, user=user(session, "owner"), role="admin")
        with pytest.raises(PermissionDenied, match="may not change user roles"):
            accounts.update_user(
                session, actor=actor_of(session, "lead"), user=user(session, "lead"), role="admin"
            )
        accounts.update_user(session, actor=owner, user=user(session, "bob"), role="owner")
        assert user(session, "bob").role == "owner"


def test_the_last_owner_can_be_neither_demoted_nor_deleted(db, cast):
    with db.write_session() as session:
        owner = actor_of(session, "owner")
        with pytest.raises(InvalidInput, match="last owner and cannot be demoted") as demoted:
            accounts.update_user(session, actor=owner, user=user(session, "owner"), role="admin")
        assert demoted.value.field == "role"
        with pytest.raises(InvalidInput, match="last owner and cannot be deleted"):
            accounts.delete_user(session, actor=owner, user=user(session, "owner"))
        accounts.update_user(session, actor=owner, user=user(session, "admin"), role="owner")
        accounts.update_user(session, actor=owner, user=user(session, "owner"), role="user")
        assert user(session, "owner").role == "user"


def test_people_change_their_own_name_and_time_zone_but_not_others(db, cast):
    with db.write_session() as session:
        ann = actor_of(session, "ann")
        accounts.update_user(
            session, actor=ann, user=user(session, "ann"), full_name="Ann B.", time_zone="Europe/Paris"
        )
        assert (user(session, "ann").full_name, user(session, "ann").time_zone) == ("Ann B.", "Europe/Paris")
        with raises(PermissionDenied, "ann@example.com may not change user eve@example.com"):
            accounts.update_user(session, actor=ann, user=user(session, "eve"), full_name="Eve X")
        with pytest.raises(InvalidInput) as bad:
            accounts.update_user(session, actor=ann, user=user(session, "ann"), time_zone="Mars/Olympus")
        assert bad.value.field == "timeZone"


def test_deleting_a_user_takes_their_memberships_contacts_and_rules(db, cast):
    with db.write_session() as session, pytest.raises(PermissionDenied):
        accounts.delete_user(session, actor=actor_of(session, "lead"), user=user(session, "ann"))
    with db.write_session() as session:
        accounts.delete_user(session, actor=actor_of(session, "admin"), user=user(session, "ann"))
    with db.read_session() as session:
        assert accounts.find_user(session, email("ann")) is None
        for model in (TeamMember, ContactMethod, NotificationRule):
            assert session.scalar(select(func.count()).where(model.user_id == cast["ann"])) == 0
        assert [u.username for u, _ in teams.members_of(session, teams.get_team(session, name="ops").id)] == [
            "lead@example.com"
        ]


def test_a_user_named_in_an_escalation_rule_cannot_be_deleted(db, cast):
    with db.write_session() as session:
        policy = EscalationPolicy(name="night shift", created_at=clock.now())
        session.add(policy)
        session.flush()
        session.add(
            EscalationRule(
                policy_id=policy.id,
                position=0,
                condition="if-not-acked",
                recipient_type="user",
                recipient_id=cast["bob"],
            )
        )
    with db.write_session() as session, pytest.raises(Conflict) as refused:
        accounts.delete_user(session, actor=actor_of(session, "admin"), user=user(session, "bob"))
    assert refused.value.message == (
        "user bob@example.com cannot be deleted: they are a recipient in escalation policy "
        "'night shift'; change that first"
    )
    with db.read_session() as session:
        assert accounts.find_user(session, email("bob")) is not None


def test_users_are_found_by_id_or_username_and_listed_a_page_at_a_time(db, cast):
    with db.read_session() as session:
        assert accounts.get_user_by_identifier(session, cast["bob"]).username == "bob@example.com"
        assert accounts.get_user_by_identifier(session, "BOB@example.com").id == cast["bob"]
        with pytest.raises(NotFound, match="user 'nobody' does not exist"):
            accounts.get_user_by_identifier(session, "nobody")
        page, total = accounts.list_users(session, offset=1, limit=2)
        assert total == 6 and [u.username for u in page] == ["ann@example.com", "bob@example.com"]
        page, _ = accounts.list_users(session, limit=1, sort="username", order="desc")
        assert [u.username for u in page] == ["owner@example.com"]
        with pytest.raises(InvalidInput, match="sort must be one of"):
            accounts.list_users(session, sort="password")


def test_a_duplicate_username_is_a_conflict(db, cast):
    with db.write_session() as session, raises(Conflict, "user ann@example.com already exists"):
        people.create_user(session, username="ANN@example.com", role="user", password=None)
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 6
        assert len(contacts.list_contacts(session, actor=SYSTEM, user=user(session, "ann"))) == 1
