"""Creates handled many at a time: the same results as one by one, in fewer statements."""

from __future__ import annotations

from sqlalchemy import event, select

from tests.support.factories import make_integration, make_team, make_user
from tocsin.alerts import ingest
from tocsin.alerts.ingest import CreateOutcome, NewAlert
from tocsin.alerts.models import Alert, AlertLog, AlertNote, AlertResponder
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.errors import InvalidInput
from tocsin.notify.outbox import OutboxMessage


def batch(db, actor, *payloads):
    with db.write_session() as session:
        return ingest.create_alerts(
            session, [NewAlert(CreateAlertPayload.model_validate(fields), actor) for fields in payloads]
        )


def test_a_batch_mixing_new_repeated_and_alias_less_alerts(db):
    actor, _ = make_integration(db, "Prometheus")
    (existing,) = batch(db, actor, {"message": "old", "alias": "disk"})
    results = batch(
        db,
        actor,
        {"message": "disk again", "alias": "disk"},
        {"message": "cpu", "alias": "cpu"},
        {"message": "no alias"},
        {"message": "cpu again", "alias": "cpu"},
        {"message": "disk once more", "alias": "disk"},
    )
    assert all(isinstance(result, CreateOutcome) for result in results)
    disk1, cpu1, plain, cpu2, disk2 = results
    assert (disk1.alert_id, disk1.count, disk1.deduplicated) == (existing.alert_id, 2, True)
    assert (disk2.alert_id, disk2.count, disk2.deduplicated) == (existing.alert_id, 3, True)
    assert (cpu1.deduplicated, cpu1.count, cpu2.alert_id, cpu2.count, cpu2.deduplicated) == (
        False, 1, cpu1.alert_id, 2, True,
    )  # fmt: skip
    assert plain.alias == plain.alert_id and not plain.deduplicated
    assert sorted([cpu1.tiny_id, plain.tiny_id]) == [2, 3]
    with db.read_session() as session:
        counts = dict(session.execute(select(Alert.alias, Alert.count)).all())
        cpu_logs = session.scalars(select(AlertLog.log).where(AlertLog.alert_id == cpu1.alert_id)).all()
    assert counts == {"disk": 3, "cpu": 2, plain.alias: 1}
    assert cpu_logs == [
        "Alert created by Prometheus (API)",
        'Alert is received with same alias. Message: "cpu again". Count is increased to 2',
    ]


def test_open_alerts_repeated_a_different_number_of_times_in_one_batch_each_count_theirs(db):
    make_user(db, "ada@example.com")
    make_team(db, "ops", "ada@example.com")
    account, _ = make_integration(db, "Prometheus")
    team, _ = make_integration(db, "Ops Zabbix", team="ops")
    disk, cpu = batch(db, account, {"message": "disk", "alias": "disk"}, {"message": "cpu", "alias": "cpu"})
    (team_disk,) = batch(db, team, {"message": "team disk", "alias": "disk"})

    results = batch(
        db,
        account,
        *[{"message": "disk", "alias": "disk"}] * 3,
        {"message": "cpu", "alias": "cpu"},
    ) + batch(db, team, *[{"message": "team disk", "alias": "disk"}] * 2)

    assert [(result.alert_id, result.count) for result in results] == [
        (disk.alert_id, 2), (disk.alert_id, 3), (disk.alert_id, 4), (cpu.alert_id, 2),
        (team_disk.alert_id, 2), (team_disk.alert_id, 3),
    ]  # fmt: skip
    with db.read_session() as session:
        counts = dict(session.execute(select(Alert.id, Alert.count)).all())
    assert counts == {disk.alert_id: 4, cpu.alert_id: 2, team_disk.alert_id: 3}


def test_a_bad_request_in_a_batch_gets_its_error_and_the_others_go_ahead(db):
    actor, _ = make_integration(db, "Prometheus")
    results = batch(
        db,
        actor,
        {"message": "fine", "alias": "a"},
        {"message": "bad", "alias": "b", "responders": [{"type": "team", "name": "ghosts"}]},
        {"message": "fine too", "alias": "c"},
    )
    assert isinstance(results[1], InvalidInput) and "ghosts" in results[1].message
    assert [result.alias for result in (results[0], results[2])] == ["a", "c"]
    with db.read_session() as session:
        assert sorted(session.scalars(select(Alert.alias))) == ["a", "c"]


def test_responders_notes_and_engine_events_of_a_batch(db):
    make_user(db, "ada@example.com")
    bob = make_user(db, "bob@example.com")
    ops = make_team(db, "ops", "bob@example.com", "ada@example.com")
    actor, _ = make_integration(db, "Prometheus")
    first, second = batch(
        db,
        actor,
        {"message": "one", "responders": [{"name": "ops"}], "note": "look at this"},
        {"message": "two", "responders": [{"type": "user", "username": "bob@example.com"}]},
    )
    with db.read_session() as session:
        responders = session.execute(select(AlertResponder.alert_id, AlertResponder.ref_id)).all()
        notes = session.scalars(select(AlertNote.note).where(AlertNote.alert_id == first.alert_id)).all()
        events = session.execute(select(OutboxMessage.topic, OutboxMessage.alert_id)).all()
    assert sorted(tuple(row) for row in responders) == sorted([(first.alert_id, ops), (second.alert_id, bob)])
    assert notes == ["look at this"]
    assert sorted(tuple(row) for row in events) == sorted(
        [("alert.created", first.alert_id), ("alert.created", second.alert_id)]
    )


def test_a_batch_costs_the_same_few_statements_whatever_its_size(db):
    actor, _ = make_integration(db, "Prometheus")

    def statements_for(size: int, start: int) -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.write_engine, "before_cursor_execute", listener)
        try:
            batch(db, actor, *[{"message": "m", "alias": f"a{start + n}"} for n in range(size)])
        finally:
            event.remove(db.write_engine, "before_cursor_execute", listener)
        return len(seen)

    statements_for(1, 5000)  # the first batch also loads policies and maintenance windows, kept since
    assert statements_for(50, 0) == statements_for(2, 1000)
