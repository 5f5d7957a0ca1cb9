"""Teams at the service level: a team admin changes only their own team; what blocks a delete."""

from __future__ import annotations

import pytest

from tests.accounts.people import actor_of, raises, user
from tests.support.factories import make_integration
from tocsin import clock
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.escalations.models import EscalationPolicy, EscalationRule
from tocsin.teams import service as teams


def _members(session, name: str) -> dict[str, str]:
    team = teams.get_team(session, name=name)
    return {member.username.split("@")[0]: role for member, role in teams.members_of(session, team.id)}


def test_a_team_admin_changes_their_own_team_and_no_other(db, cast):
    with db.write_session() as session:
        lead = actor_of(session, "lead")
        ops, other = teams.get_team(session, name="ops"), teams.get_team(session, name="db")
        teams.update_team(session, actor=lead, team=ops, name="Operations", description="keeps things up")
        teams.add_member(session, actor=lead, team=ops, user="eve@example.com", role="admin")
        teams.remove_member(session, actor=lead, team=ops, user=cast["ann"])
        assert _members(session, "Operations") == {"eve": "admin", "lead": "admin"}
        for change in (
            lambda: teams.update_team(session, actor=lead, team=other, description="mine now"),
            lambda: teams.add_member(session, actor=lead, team=other, user="lead@example.com"),
            lambda: teams.remove_member(session, actor=lead, team=other, user="bob@example.com"),
            lambda: teams.delete_team(session, actor=lead, team=other),
        ):
            with raises(PermissionDenied, "lead@example.com may not change team db"):
                change()
        with raises(PermissionDenied, "lead@example.com may not change teams"):
            teams.create_team(session, actor=lead, name="skunkworks")


def test_plain_members_change_nothing_and_admins_change_everything(db, cast):
    with db.write_session() as session:
        ann, admin = actor_of(session, "ann"), actor_of(session, "admin")
        ops = teams.get_team(session, name="ops")
        with raises(PermissionDenied, "ann@example.com may not change team ops"):
            teams.update_team(session, actor=ann, team=ops, description="x")
        with pytest.raises(PermissionDenied):
            teams.add_member(session, actor=ann, team=ops, user="eve@example.com")
        made = teams.create_team(session, actor=admin, name="web", members=[(cast["eve"], "Admin")])
        assert _members(session, "web") == {"eve": "admin"}
        teams.update_team(
            session,
            actor=admin,
            team=ops,
            members=[("ann@example.com", "admin"), ("bob@example.com", "user")],
        )
        assert _members(session, "ops") == {"ann": "admin", "bob": "user"}
        teams.delete_team(session, actor=admin, team=made)
        assert teams.find_team(session, name="web") is None


def test_unknown_members_and_roles_name_the_member(db, cast):
    with db.write_session() as session:
        admin = actor_of(session, "admin")
        with pytest.raises(InvalidInput) as unknown:
            teams.create_team(
                session,
                actor=admin,
                name="web",
                members=[("ann@example.com", "user"), ("ghost@example.com", "user")],
            )
        assert unknown.value.field == "members[1]" and unknown.value.message == "no user ghost@example.com"
        assert isinstance(unknown.value, NotFound)  # the CLI's hint for missing users still applies
        with pytest.raises(InvalidInput) as role:
            teams.add_member(
                session,
                actor=admin,
                team=teams.get_team(session, name="ops"),
                user="eve@example.com",
                role="boss",
            )
        assert role.value.field == "role" and "'boss'" in role.value.message
        with raises(NotFound, "user eve@example.com is not a member of team ops"):
            teams.remove_member(
                session, actor=admin, team=teams.get_team(session, name="ops"), user="eve@example.com"
            )


def test_names_stay_unique_whatever_their_case(db, cast):
    with db.write_session() as session:
        admin = actor_of(session, "admin")
        with pytest.raises(Conflict, match="team ops already exists"):
            teams.create_team(session, actor=admin, name="OPS")
        ops = teams.get_team(session, name="ops")
        with pytest.raises(Conflict, match="team db already exists"):
            teams.update_team(session, actor=admin, team=ops, name="DB")
        teams.update_team(session, actor=admin, team=ops, name="Ops")
        assert ops.name == "Ops"


def test_a_team_that_owns_integrations_cannot_be_deleted(db, cast):
    make_integration(db, "ops monitor", team="ops")
    make_integration(db, "ops grafana", team="ops")
    with db.write_session() as session, pytest.raises(Conflict) as refused:
        teams.delete_team(session, actor=actor_of(session, "admin"), team=teams.get_team(session, name="ops"))
    assert refused.value.message == (
        "team ops owns integration(s) 'ops grafana', 'ops monitor'; "
        "delete them or give them another team first"
    )
    with db.read_session() as session:
        assert _members(session, "ops") == {"ann": "user", "lead": "admin"}


def test_a_team_named_in_another_teams_escalation_cannot_be_deleted(db, cast):
    with db.write_session() as session:
        ops, other = teams.get_team(session, name="ops"), teams.get_team(session, name="db")
        own = EscalationPolicy(name="ops default", owner_team_id=ops.id, created_at=clock.now())
        foreign = EscalationPolicy(name="db escalation", owner_team_id=other.id, created_at=clock.now())
        session.add_all([own, foreign])
        session.flush()
        for policy in (own, foreign):
            session.add(
                EscalationRule(
                    policy_id=policy.id,
                    position=0,
                    condition="if-not-acked",
                    recipient_type="team",
                    recipient_id=ops.id,
                )
            )
    with db.write_session() as session, pytest.raises(Conflict) as refused:
        teams.delete_team(session, actor=actor_of(session, "admin"), team=teams.get_team(session, name="ops"))
    assert (
        refused.value.message
        == "team ops is a recipient in escalation policy 'db escalation'; change that first"
    )


def test_who_may_manage_a_person(db, cast):
    """The rule behind contact methods, notification rules and mute."""
    with db.read_session() as session:
        allowed = {
            (actor, target)
            for actor in ("owner", "admin", "lead", "ann", "bob", "eve")
            for target in ("owner", "lead", "ann", "bob", "eve")
            if teams.may_manage_person(session, actor_of(session, actor), user(session, target))
        }
    everyone = {"owner", "lead", "ann", "bob", "eve"}
    assert allowed == (
        {("owner", target) for target in everyone}
        | {("admin", target) for target in everyone}
        | {("lead", "lead"), ("lead", "ann"), ("ann", "ann"), ("bob", "bob"), ("eve", "eve")}
    )


def test_a_team_that_owns_a_heartbeat_cannot_be_deleted(db, cast):
    from tocsin.heartbeats import service as heartbeats
    from tocsin.heartbeats.schemas import HeartbeatPayload

    payload = HeartbeatPayload.model_validate(
        {
            "name": "nightly backup",
            "intervalUnit": "hours",
            "interval": 24,
            "enabled": True,
            "ownerTeam": {"name": "ops"},
        }
    )
    with db.write_session() as session:
        heartbeats.create_heartbeat(session, actor=actor_of(session, "admin"), payload=payload)
    with db.write_session() as session, pytest.raises(Conflict) as refused:
        teams.delete_team(session, actor=actor_of(session, "admin"), team=teams.get_team(session, name="ops"))
    assert refused.value.message.endswith(
        "; team ops owns heartbeat(s) 'nightly backup'; delete them or give them another team first"
    )
