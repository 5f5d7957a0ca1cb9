from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.factories import make_integration, make_team, make_user
from tocsin.alerts import ingest, service
from tocsin.alerts.models import Alert, AlertLog, AlertResponder
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.errors import InvalidInput
from tocsin.notify.outbox import OutboxMessage


def create(db, actor, **fields):
    with db.write_session() as session:
        return ingest.create_alert(session, payload=CreateAlertPayload.model_validate(fields), actor=actor)


def test_create_assigns_increasing_tiny_ids_and_logs_the_integration(db):
    actor, _ = make_integration(db, "Prometheus")
    first = create(db, actor, message="disk full")
    second = create(db, actor, message="cpu hot")
    assert (first.tiny_id, second.tiny_id) == (1, 2)
    with db.read_session() as session:
        alert = session.get(Alert, first.alert_id)
        assert alert.alias == alert.id  # Opsgenie gives an alias-less alert its id as alias
        assert alert.integration_name == "Prometheus" and alert.priority == "P3"
        logs = session.scalars(select(AlertLog.log).where(AlertLog.alert_id == first.alert_id)).all()
    assert logs == ["Alert created by Prometheus (API)"]


def test_same_alias_counts_instead_of_creating_while_open(db):
    actor, _ = make_integration(db, "Prometheus")
    first = create(db, actor, message="disk full", alias="disk")
    again = create(db, actor, message="disk still full", alias="disk")
    assert again.deduplicated and again.alert_id == first.alert_id and again.count == 2
    with db.read_session() as session:
        alert = session.get(Alert, first.alert_id)
        assert alert.count == 2 and alert.message == "disk full"
        assert alert.last_occurred_at >= alert.created_at
        logs = session.scalars(select(AlertLog.log).where(AlertLog.alert_id == first.alert_id)).all()
    assert (
        logs[-1] == 'Alert is received with same alias. Message: "disk still full". Count is increased to 2'
    )


def test_closed_alert_does_not_deduplicate(db):
    from tocsin.alerts import actions

    actor, _ = make_integration(db, "Prometheus")
    first = create(db, actor, message="disk full", alias="disk")
    with db.write_session() as session:
        actions.close(session, ref=service.AlertRef("disk", "alias"), actor=actor)
    second = create(db, actor, message="disk full", alias="disk")
    assert not second.deduplicated and second.alert_id != first.alert_id and second.tiny_id == 2


def test_responders_by_name_are_stored_by_id_and_the_engine_is_told(db):
    ada = make_user(db, "ada@example.com")
    make_user(db, "bob@example.com")
    ops = make_team(db, "ops", "bob@example.com")
    actor, _ = make_integration(db, "Prometheus")
    outcome = create(
        db,
        actor,
        message="disk full",
        responders=[{"type": "team", "name": "OPS"}, {"username": "ada@example.com"}],
    )
    with db.read_session() as session:
        stored = session.execute(
            select(AlertResponder.type, AlertResponder.ref_id).where(
                AlertResponder.alert_id == outcome.alert_id
            )
        ).all()
        events = session.execute(
            select(OutboxMessage.topic, OutboxMessage.payload).where(
                OutboxMessage.alert_id == outcome.alert_id
            )
        ).all()
    assert [tuple(row) for row in stored] == [("team", ops), ("user", ada)]
    assert [tuple(event) for event in events] == [("alert.created", {"alertId": outcome.alert_id})]


def test_unknown_responder_is_rejected_naming_it_and_nothing_is_written(db):
    actor, _ = make_integration(db, "Prometheus")
    with pytest.raises(InvalidInput) as error:
        create(db, actor, message="disk full", responders=[{"type": "team", "name": "nobody"}])
    assert error.value.field == "responders" and "'nobody'" in error.value.message
    with db.read_session() as session:
        assert session.scalars(select(Alert)).all() == []


def test_team_integration_alerts_go_to_its_team_whatever_the_request_says(db):
    ops = make_team(db, "ops")
    make_team(db, "db")
    actor, _ = make_integration(db, "ops-prometheus", team="ops")
    outcome = create(db, actor, message="disk full", responders=[{"type": "team", "name": "db"}])
    with db.read_session() as session:
        stored = session.execute(
            select(AlertResponder.type, AlertResponder.ref_id).where(
                AlertResponder.alert_id == outcome.alert_id
            )
        ).all()
        assert session.get(Alert, outcome.alert_id).owner_team_id == ops
    assert [tuple(row) for row in stored] == [("team", ops)]


def test_many_creates_on_one_connection_keep_deduplicating(db):
    """psycopg prepares a statement after a few runs and PostgreSQL then plans it generically;
    the upsert must still name the partial index's predicate in a way the planner can match."""
    actor, _ = make_integration(db, "Prometheus")
    with db.write_session() as session:
        for number in range(40):
            payload = CreateAlertPayload(message="m", alias=f"alias-{number % 20}")
            ingest.create_alert(session, payload=payload, actor=actor)
    with db.read_session() as session:
        assert sorted(session.scalars(select(Alert.count))) == [2] * 20


def test_an_alert_without_responders_gives_the_engine_nothing_to_route(db):
    actor, _ = make_integration(db, "Prometheus")
    create(db, actor, message="disk full")
    with db.read_session() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
