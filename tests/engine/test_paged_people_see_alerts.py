"""Whoever Tocsin pages about an alert may see it and act on it (from the phone, chat, the web),
even when no responder names them, a team of theirs or a schedule they are in: here, on call for
a schedule of no team by an override, while the schedule's rotation is someone else's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM, Actor
from tocsin.alerts import actions
from tocsin.alerts.service import AlertNotVisible, AlertRef, find_alert
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import UserRef
from tocsin.oncall.rotation_config import RotationInput
from tocsin.teams import service as teams


def test_the_person_on_call_for_a_schedule_responder_may_acknowledge_once_paged(
    db, engine, smtp, make_user_and_alert, frozen_clock
) -> None:
    make_user_and_alert.user("eve@example.com")  # in no team
    make_user_and_alert.user("bob@example.com")
    with db.write_session() as session:
        night = oncall.create_schedule(session, actor=SYSTEM, name="night")
        rotation = RotationInput(
            type="weekly",
            start=datetime(2026, 2, 1, tzinfo=UTC),
            participants=[UserRef(username="bob@example.com")],
        )
        oncall.add_rotation(session, actor=SYSTEM, schedule_id=night.id, rotation=rotation)
        oncall.take_oncall(session, actor=SYSTEM, user="eve@example.com", schedule_id=night.id)
    alert_id = make_user_and_alert.alert(responders=[{"type": "schedule", "name": "night"}])

    def as_eve(session: Session) -> Actor:
        return teams.actor_for_user(session, accounts.get_user(session, "eve@example.com"), channel="SMS")

    with db.read_session() as session, pytest.raises(AlertNotVisible):
        find_alert(session, AlertRef(alert_id), as_eve(session))  # not paged yet

    engine.tick()

    assert [mail.recipients for mail in smtp.received] == [["eve@example.com"]]  # not bob: overridden
    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(alert_id), actor=as_eve(session))
    with db.read_session() as session:
        assert find_alert(session, AlertRef(alert_id), as_eve(session)).acknowledged
