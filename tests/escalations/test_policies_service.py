"""Escalation policies at the service level: who may change them, team defaults, snapshots that
later edits do not touch, and changes that are refused whole."""

from __future__ import annotations

import copy
import json

import pytest

from tests.accounts.people import actor_of, raises
from tests.escalations.conftest import escalation, make_policy, rule, to
from tocsin.errors import InvalidInput, PermissionDenied
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload, EscalationUpdate
from tocsin.teams import service as teams


def _update(**fields) -> EscalationUpdate:
    return EscalationUpdate.model_validate(fields)


def _payload(name: str, **fields) -> EscalationPayload:
    return EscalationPayload.model_validate(escalation(name, **fields))


def test_a_team_admin_changes_their_own_teams_escalations_and_no_others(db, cast):
    with db.write_session() as session:
        lead = actor_of(session, "lead")
        theirs = make_policy(session, "db escalation", ownerTeam={"name": "db"})
        unowned = make_policy(session, "unowned")
        ours = escalations.create_policy(
            session, actor=lead, payload=_payload("ops", ownerTeam={"name": "ops"})
        )
        escalations.update_policy(session, actor=lead, policy=ours, payload=_update(description="ours"))
        assert escalations.get_policy(session, "OPS", "name").description == "ours"

        for change, what in (
            (
                lambda: escalations.update_policy(session, actor=lead, policy=theirs, payload=_update()),
                theirs,
            ),
            (
                lambda: escalations.update_policy(session, actor=lead, policy=unowned, payload=_update()),
                unowned,
            ),
            (lambda: escalations.delete_policy(session, actor=lead, policy=theirs), theirs),
        ):
            with raises(PermissionDenied, f"lead@example.com may not change escalation {what.name}"):
                change()
        for payload in (_payload("new", ownerTeam={"name": "db"}), _payload("new")):
            with raises(PermissionDenied, "lead@example.com may not change this escalation"):
                escalations.create_policy(session, actor=lead, payload=payload)
        with pytest.raises(PermissionDenied):
            escalations.update_policy(
                session, actor=lead, policy=ours, payload=_update(ownerTeam={"name": "db"})
            )
        escalations.delete_policy(session, actor=lead, policy=ours)
        assert [policy.name for policy in escalations.list_policies(session)] == [
            "db escalation",
            "unowned",
        ]


def test_a_plain_member_changes_no_escalation_not_even_their_teams(db, cast):
    with db.write_session() as session:
        ann = actor_of(session, "ann")
        ours = make_policy(session, "ops escalation", ownerTeam={"name": "ops"})
        with raises(PermissionDenied, "ann@example.com may not change this escalation"):
            escalations.create_policy(session, actor=ann, payload=_payload("x", ownerTeam={"name": "ops"}))
        with raises(PermissionDenied, "ann@example.com may not change escalation ops escalation"):
            escalations.update_policy(session, actor=ann, policy=ours, payload=_update(description="x"))
        with pytest.raises(PermissionDenied):
            escalations.delete_policy(session, actor=ann, policy=ours)
        # ann sees her team's escalation, not one without an owner team
        unowned = make_policy(session, "unowned")
        assert [policy.name for policy in escalations.list_policies(session, actor=ann)] == ["ops escalation"]
        with raises(PermissionDenied, "ann@example.com may not read escalation unowned"):
            escalations.require_to_see(ann, unowned)


def test_snapshot_names_the_recipients_and_stays_as_taken_when_the_policy_changes(db, cast, schedules):
    with db.write_session() as session:
        ops_id = teams.get_team(session, name="ops").id
        policy = make_policy(
            session,
            "ops escalation",
            to("ann", 5),
            rule("team", "admins", 1, unit="hours", condition="if-not-closed", name="ops"),
            rule("schedule", "next", 2, unit="days", name="ops_schedule"),
            repeat={"waitInterval": 15, "count": 3, "resetRecipientStates": True, "closeAlertAfterAll": True},
        )
        taken = escalations.snapshot(session, policy)
        expected = {
            "id": policy.id,
            "name": "ops escalation",
            "rules": [
                {
                    "condition": "if-not-acked",
                    "notifyType": "default",
                    "delayMinutes": 5,
                    "recipient": {"type": "user", "id": cast["ann"], "name": "ann@example.com"},
                },
                {
                    "condition": "if-not-closed",
                    "notifyType": "admins",
                    "delayMinutes": 60,
                    "recipient": {"type": "team", "id": ops_id, "name": "ops"},
                },
                {
                    "condition": "if-not-acked",
                    "notifyType": "next",
                    "delayMinutes": 2880,
                    "recipient": {
                        "type": "schedule",
                        "id": schedules["ops_schedule"],
                        "name": "ops_schedule",
                    },
                },
            ],
            "repeat": {
                "waitMinutes": 15,
                "count": 3,
                "resetRecipientStates": True,
                "closeAlertAfterAll": True,
            },
        }
        assert taken == expected
        assert json.loads(json.dumps(taken)) == taken  # stored as JSON with the alert
        kept = copy.deepcopy(taken)

        escalations.update_policy(
            session,
            actor=actor_of(session, "admin"),
            policy=policy,
            payload=_update(name="renamed", rules=[to("bob")], repeat=None),
        )
        assert taken == kept
        now = escalations.snapshot(session, policy)
        assert (now["name"], now["repeat"]["count"]) == ("renamed", 0)
        assert [r["recipient"]["name"] for r in now["rules"]] == ["bob@example.com"]


def test_making_a_default_clears_the_teams_other_default_and_moving_clears_the_flag(db, cast):
    with db.write_session() as session:
        admin = actor_of(session, "admin")
        ops_id, db_id = (teams.get_team(session, name=name).id for name in ("ops", "db"))
        first = make_policy(session, "first", ownerTeam={"name": "ops"}, teamDefault=True)
        second = make_policy(session, "second", ownerTeam={"name": "ops"})
        assert escalations.team_default(session, ops_id) is first

        escalations.update_policy(session, actor=admin, policy=second, payload=_update(teamDefault=True))
        session.refresh(first)
        assert escalations.team_default(session, ops_id) is second and not first.is_team_default

        escalations.update_policy(
            session, actor=admin, policy=second, payload=_update(ownerTeam={"id": db_id})
        )
        assert not second.is_team_default
        assert escalations.team_default(session, ops_id) is None
        assert escalations.team_default(session, db_id) is None

        escalations.update_policy(
            session, actor=admin, policy=first, payload=_update(ownerTeam={"id": db_id}, teamDefault=True)
        )
        assert escalations.team_default(session, db_id) is first


def test_a_refused_rule_list_keeps_the_old_rules_and_a_delete_takes_the_rules_along(db, cast):
    with db.write_session() as session:
        admin = actor_of(session, "admin")
        policy = make_policy(session, "steady", to("ann", 5), to("bob", 10))
        with pytest.raises(InvalidInput) as refused:
            escalations.update_policy(
                session,
                actor=admin,
                policy=policy,
                payload=_update(rules=[to("eve"), rule("team", name="nope")]),
            )
        assert refused.value.field == "rules[1].recipient"
        rules = escalations.rules_of(session, policy.id)
        assert [(r.recipient_id, r.delay_minutes) for r in rules] == [(cast["ann"], 5), (cast["bob"], 10)]

        escalations.delete_policy(session, actor=admin, policy=policy)
        assert escalations.rules_of(session, policy.id) == []
        assert escalations.find_policy(session, "steady", "name") is None
