"""The service functions chat commands and the CLI call: policies by name, switched on and off."""

from __future__ import annotations

import pytest

from tests.accounts.people import actor_of, raises
from tests.policies.conftest import alert_policy, raise_alert
from tests.support.factories import make_integration
from tocsin.actors import SYSTEM
from tocsin.conditions import AlertFacts, facts_of_alert
from tocsin.errors import Conflict, PermissionDenied
from tocsin.policies import service
from tocsin.policies.schemas import PolicyPayload


def _make(session, name: str, team: str | None = None, **changes):
    payload = PolicyPayload.model_validate(alert_policy(name, priority="P1", **changes))
    return service.create_policy(session, actor=SYSTEM, payload=payload, team_id=team)


def test_policy_is_found_by_name_in_any_case_and_switched_off_and_on(db, cast):
    with db.write_session() as session:
        _make(session, "Raise DB")
    with db.write_session() as session:
        policy = service.find_policy_by_name(session, "  raise db ")
        assert policy is not None
        service.set_enabled(session, actor=SYSTEM, policy=policy, enabled=False)
    with db.read_session() as session:
        found = service.find_policy_by_name(session, "RAISE DB")
        assert found is not None and found.enabled is False
        assert service.find_policy_by_name(session, "lower db") is None


def test_a_name_used_in_two_teams_needs_the_team(db, cast):
    with db.write_session() as session:
        ops, team_db = (service.team_id_of(session, name) for name in ("ops", "db"))
        _make(session, "quiet", team=ops)
        _make(session, "quiet", team=team_db)
    with db.read_session() as session:
        with raises(
            Conflict,
            "several policies are named 'quiet' (policies of team db, policies of team ops); "
            "name the team too",
        ):
            service.find_policy_by_name(session, "quiet")
        found = service.find_policy_by_name(session, "quiet", team_id=ops)
        assert found is not None and found.team_id == ops


def test_only_the_teams_admins_may_switch_a_team_policy(db, cast):
    with db.write_session() as session:
        policy = _make(session, "ops quiet", team=service.team_id_of(session, "ops"))
    with db.write_session() as session:
        policy = service.find_policy_by_name(session, "ops quiet")
        assert policy is not None
        service.set_enabled(session, actor=actor_of(session, "lead"), policy=policy, enabled=False)
        for outsider in ("ann", "bob"):
            with pytest.raises(PermissionDenied, match="may not change policies of team ops"):
                service.set_enabled(session, actor=actor_of(session, outsider), policy=policy, enabled=True)


def test_facts_of_a_stored_alert_name_its_responding_teams(db, cast):
    monitoring = make_integration(db, "monitoring")[0]
    alert = raise_alert(
        db,
        monitoring,
        message="Disk full",
        alias="disk",
        tags=["db"],
        details={"host": "db-1"},
        responders=[{"type": "team", "name": "db"}, {"type": "user", "username": "ann@example.com"}],
        visibleTo=[{"type": "team", "name": "ops"}],
        priority="P2",
        source="prometheus",
    )
    with db.read_session() as session:
        stored = session.merge(alert)
        assert facts_of_alert(session, stored) == AlertFacts(
            message="Disk full",
            alias="disk",
            description="",
            source="prometheus",
            entity="",
            tags=["db"],
            actions=[],
            details={"host": "db-1"},
            priority="P2",
            teams=["db"],
        )
