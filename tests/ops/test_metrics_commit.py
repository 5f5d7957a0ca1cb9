"""Creates are counted once their transaction commits: never when it is undone, and once only
when a batch fails and its items run again alone (the write queue's savepoints)."""

from __future__ import annotations

import pytest
from prometheus_client import generate_latest

from tests.ops.metrics_scrape import Samples, grew, samples
from tests.support.factories import make_integration
from tocsin.alerts import api, ingest, requests
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.db import Database
from tocsin.ops.metrics_endpoint import scrape_registry

CREATED = "tocsin_alerts_created_total"


def scrape() -> Samples:
    return samples(generate_latest(scrape_registry(None)).decode())


def create(session, actor, message: str) -> None:
    ingest.create_alert(session, payload=CreateAlertPayload(message=message), actor=actor)


def test_a_create_whose_transaction_is_undone_is_not_counted(db: Database):
    actor, _ = make_integration(db, "Zabbix")
    before = scrape()
    with pytest.raises(RuntimeError), db.write_session() as session:
        create(session, actor, "Disk full")
        assert grew(before, scrape(), CREATED, integration="Zabbix") == 0  # not before the commit either
        raise RuntimeError("undo")
    assert grew(before, scrape(), CREATED, integration="Zabbix") == 0
    with db.write_session() as session:
        create(session, actor, "Disk full")
    assert grew(before, scrape(), CREATED, integration="Zabbix") == 1


def test_a_savepoint_rolled_back_forgets_its_creates_and_the_rest_count(db: Database):
    actor, _ = make_integration(db, "Zabbix")
    before = scrape()
    with db.write_session() as session:
        create(session, actor, "kept before")
        with pytest.raises(RuntimeError), session.begin_nested():
            create(session, actor, "undone")
            with session.begin_nested():
                create(session, actor, "undone with its parent")
            raise RuntimeError("undo the savepoint")
        with session.begin_nested():
            create(session, actor, "kept in a savepoint")
    assert grew(before, scrape(), CREATED, integration="Zabbix") == 2


def test_a_failed_batch_run_again_item_by_item_counts_each_create_once(db: Database, monkeypatch):
    """The write queue runs a batch's creates together; if that fails, each alone."""
    actor, _ = make_integration(db, "Zabbix")
    calls = {"n": 0}
    record_many = requests.record_many

    def fail_first_batch(session, records):
        calls["n"] += 1
        if calls["n"] == 1 and len(records) > 1:
            raise RuntimeError("the batch fails after its creates")
        return record_many(session, records)

    monkeypatch.setattr(requests, "record_many", fail_first_batch)
    before = scrape()
    items = [(ingest.NewAlert(CreateAlertPayload(message=f"m{n}"), actor), f"request-{n}") for n in range(3)]
    with db.write_session() as session:  # as the write queue's shared call does: all in one savepoint
        with pytest.raises(RuntimeError), session.begin_nested():
            api.CREATE_ALERTS.run(session, items)
        for item in items:  # then each alone, as the queue does
            with session.begin_nested():
                api.CREATE_ALERTS.run(session, [item])
    assert calls["n"] == 4
    assert grew(before, scrape(), CREATED, integration="Zabbix") == 3
