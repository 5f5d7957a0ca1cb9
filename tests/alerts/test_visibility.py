"""Who sees an alert, by Opsgenie's rule: a person sees it when they, their team, a schedule they
are in or an escalation naming any of these is a responder, or ``visibleTo`` names them or their
team; and, in Tocsin, when they were paged about it. The same condition serves finding one alert
and listing them. The account setting "everyone sees every alert" lets every person see all.

The cast (tests/accounts/people.py): team ops (lead, ann), team db (bob), eve in no team."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.people import actor_of, raises
from tests.chat.conftest import make_schedule
from tocsin.accounts import account_settings
from tocsin.actors import SYSTEM, may_read_team_config
from tocsin.alerts import ingest, listing
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.db import Database
from tocsin.errors import AlertNotVisible, InvalidInput, PermissionDenied
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams


def _alert(db: Database, message: str, **fields: Any) -> str:
    payload = CreateAlertPayload.model_validate({"message": message, **fields})
    with db.write_session() as session:
        return ingest.create_alert(session, payload=payload, actor=SYSTEM).alert_id


def _escalation(db: Database, name: str, recipient: dict[str, str]) -> None:
    with db.write_session() as session:
        escalations.create_policy(
            session,
            actor=SYSTEM,
            payload=EscalationPayload.model_validate({"name": name, "rules": [{"recipient": recipient}]}),
        )


def _listed(db: Database, person: str) -> set[str]:
    """The messages of the alerts ``person`` finds in their alert list."""
    with db.read_session() as session:
        alerts, _ = listing.list_alerts(session, scope=actor_of(session, person).scope, limit=100)
        return {alert.message for alert in alerts}


def _may_open(db: Database, person: str, alert_id: str) -> bool:
    with db.read_session() as session:
        try:
            find_alert(session, AlertRef(alert_id), actor_of(session, person))
        except AlertNotVisible:
            return False
        return True


@pytest.fixture
def world(db: Database, cast: dict[str, str]) -> dict[str, str]:
    """One alert per way of seeing it, each reaching ann (or her team) that way and no one else
    of the cast but the admins; and one alert for team db only. Their ids by message."""
    make_schedule(db, "ann_schedule", None, ["ann"])
    make_schedule(db, "bob_schedule", None, ["bob"])
    _escalation(db, "names_ann", {"type": "user", "username": "ann@example.com"})
    _escalation(db, "names_ops", {"type": "team", "name": "ops"})
    _escalation(db, "names_ann_schedule", {"type": "schedule", "name": "ann_schedule"})
    _escalation(db, "names_bob_schedule", {"type": "schedule", "name": "bob_schedule"})
    ways = {
        "user responder": {"responders": [{"type": "user", "username": "ann@example.com"}]},
        "team responder": {"responders": [{"type": "team", "name": "ops"}]},
        "schedule responder": {"responders": [{"type": "schedule", "name": "ann_schedule"}]},
        "escalation naming her": {"responders": [{"type": "escalation", "name": "names_ann"}]},
        "escalation naming her team": {"responders": [{"type": "escalation", "name": "names_ops"}]},
        "escalation naming her schedule": {
            "responders": [{"type": "escalation", "name": "names_ann_schedule"}]
        },
        "visibleTo her": {"visibleTo": [{"type": "user", "username": "ann@example.com"}]},
        "visibleTo her team": {"visibleTo": [{"type": "team", "name": "ops"}]},
    }
    ids = {message: _alert(db, message, **fields) for message, fields in ways.items()}
    ids["db only"] = _alert(
        db,
        "db only",
        responders=[
            {"type": "team", "name": "db"},
            {"type": "schedule", "name": "bob_schedule"},
            {"type": "escalation", "name": "names_bob_schedule"},
        ],
    )
    return ids


def test_a_person_sees_an_alert_by_each_way_opsgenie_names_and_no_other(db, world):
    reaching_ann = set(world) - {"db only"}

    assert _listed(db, "ann") == reaching_ann
    for message, alert_id in world.items():
        assert _may_open(db, "ann", alert_id) is (message in reaching_ann), message


def test_a_schedule_or_escalation_responder_shows_the_alert_only_to_those_it_reaches(db, world):
    assert _listed(db, "bob") == {"db only"}  # his team, his schedule, an escalation to it
    assert _listed(db, "lead") == {  # in team ops, on no schedule, named by no escalation
        "team responder",
        "escalation naming her team",
        "visibleTo her team",
    }
    assert _listed(db, "eve") == set()
    assert _listed(db, "admin") == set(world)


def test_leaving_the_schedule_takes_its_alerts_away(db, world):
    with db.write_session() as session:
        schedule = oncall.schedule_named(session, "ann_schedule", "name")
        [rotation] = oncall.rotations_of(session, schedule.id)
        oncall.delete_rotation(session, actor=SYSTEM, schedule_id=schedule.id, rotation_id=rotation.id)

    assert not _may_open(db, "ann", world["schedule responder"])
    assert not _may_open(db, "ann", world["escalation naming her schedule"])
    assert _may_open(db, "ann", world["escalation naming her"])


def _set(db: Database, value: str, by: str = "admin") -> bool:
    with db.write_session() as session:
        return account_settings.set_setting(
            session, actor=actor_of(session, by), name=account_settings.EVERYONE_SEES_EVERY_ALERT, value=value
        )


def test_with_everyone_sees_every_alert_on_every_person_sees_every_alert(db, world):
    assert _set(db, "on") is True

    assert _listed(db, "eve") == set(world)
    assert _may_open(db, "bob", world["user responder"])
    with db.read_session() as session:
        eve = actor_of(session, "eve")
        ops = teams.get_team(session, name="ops").id
        assert eve.scope.sees_every_alert
        assert not may_read_team_config(eve, ops) and not eve.manages.covers_team(ops)  # no more config

    assert _set(db, "OFF") is False
    assert _listed(db, "eve") == set()


def test_only_owners_and_admins_change_account_settings_and_mistakes_say_what_to_type(db, cast):
    with pytest.raises(PermissionDenied, match=r"lead@example\.com may not change account settings"):
        _set(db, "on", by="lead")  # an admin of team ops only
    with db.write_session() as session:
        owner = actor_of(session, "owner")
        with raises(
            InvalidInput,
            "there is no account setting 'everyone'; the settings are: everyone-sees-every-alert",
        ):
            account_settings.set_setting(session, actor=owner, name="everyone", value="on")
        with raises(InvalidInput, "everyone-sees-every-alert is turned on or off, not 'yes'"):
            account_settings.set_setting(
                session, actor=owner, name=account_settings.EVERYONE_SEES_EVERY_ALERT, value="yes"
            )
        assert account_settings.all_settings(session) == {"everyone-sees-every-alert": False}
