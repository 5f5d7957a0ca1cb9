"""What a scrape reads from the database: the outbox's backlog per kind, the engine's tick lag,
open alerts per priority and the watchdog's problems, as they are at that moment."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import generate_latest
from sqlalchemy import text, update

from tests.ops.metrics_scrape import Samples, samples, value
from tests.support.factories import make_integration
from tocsin.actors import SYSTEM
from tocsin.alerts import actions, ingest
from tocsin.alerts.ingest import COUNT_REPEATS
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import AlertRef
from tocsin.db import Database
from tocsin.engine import ticks
from tocsin.migrate import upgrade
from tocsin.notify import outbox
from tocsin.ops.metrics_collector import OPEN_BY_PRIORITY
from tocsin.ops.metrics_endpoint import scrape_registry


def scrape(db: Database) -> Samples:
    return samples(generate_latest(scrape_registry(db)).decode())


def test_outbox_depth_and_oldest_due_age_by_topic(db, frozen_clock):
    now = frozen_clock.now()
    with db.write_session() as session:
        outbox.enqueue_many(
            session,
            [
                outbox.row("notify.email", {}, deliver_at=now - timedelta(seconds=90)),
                outbox.row("notify.email", {}, deliver_at=now - timedelta(seconds=20)),
                outbox.row("notify.email", {}, deliver_at=now + timedelta(minutes=5)),
                outbox.row("webhook.send", {}, deliver_at=now + timedelta(minutes=1)),
                outbox.row("mattermost.post", {}, deliver_at=now - timedelta(hours=3)),
            ],
        )
        session.connection().execute(
            update(outbox.outbox).where(outbox.outbox.c.topic == "mattermost.post").values(state="delivered")
        )
    seen = scrape(db)
    assert value(seen, "tocsin_outbox_messages", topic="notify.email") == 3
    assert value(seen, "tocsin_outbox_due_messages", topic="notify.email") == 2
    assert value(seen, "tocsin_outbox_oldest_due_age_seconds", topic="notify.email") == 90
    assert value(seen, "tocsin_outbox_messages", topic="webhook.send") == 1
    assert value(seen, "tocsin_outbox_oldest_due_age_seconds", topic="webhook.send") == 0
    assert ("tocsin_outbox_messages", (("topic", "mattermost.post"),)) not in seen  # delivered: not waiting
    assert value(seen, "tocsin_watchdog_problem", problem="outbox_stuck") == 1
    frozen_clock.advance(timedelta(seconds=30))
    assert value(scrape(db), "tocsin_outbox_oldest_due_age_seconds", topic="notify.email") == 120


def test_tick_lag_and_a_silent_engine(db, frozen_clock):
    now = frozen_clock.now()
    seen = scrape(db)
    assert not [name for name, _ in seen if name == "tocsin_engine_tick_lag_seconds"]  # no engine ever ran
    assert value(seen, "tocsin_watchdog_problem", problem="engine_silent") == 1
    with db.write_session() as session:
        ticks.record(session, "engine-a", now - timedelta(seconds=7))
    seen = scrape(db)
    assert value(seen, "tocsin_engine_tick_lag_seconds") == 7
    assert value(seen, "tocsin_watchdog_problem", problem="engine_silent") == 0
    assert value(seen, "tocsin_watchdog_problem", problem="outbox_stuck") == 0
    frozen_clock.advance(timedelta(seconds=60))
    seen = scrape(db)
    assert value(seen, "tocsin_engine_tick_lag_seconds") == 67
    assert value(seen, "tocsin_watchdog_problem", problem="engine_silent") == 1


def test_open_alerts_by_priority(db):
    actor, _ = make_integration(db, "Prometheus")
    with db.write_session() as session:
        made = [
            ingest.create_alert(
                session, payload=CreateAlertPayload(message=f"m{n}", priority=priority), actor=actor
            )
            for n, priority in enumerate(("P1", "P1", "P2", "P5", "P5", "P5"))
        ]
    with db.write_session() as session:
        actions.close(session, ref=AlertRef(made[0].alert_id), actor=SYSTEM)
    seen = scrape(db)
    assert [value(seen, "tocsin_open_alerts", priority=p) for p in ("P1", "P2", "P3", "P4", "P5")] == [
        1,
        1,
        0,
        0,
        3,
    ]


def plan_of(connection, statement) -> str:
    if connection.dialect.name == "sqlite":
        return " ".join(str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {statement}")))
    connection.execute(text("SET LOCAL enable_seqscan = off"))  # a test database is tiny
    return " ".join(row[0] for row in connection.execute(text(f"EXPLAIN {statement}")))


def test_open_alerts_are_counted_on_the_index_alone(db):
    with db.read_session() as session:
        connection = session.connection()
        compiled = str(OPEN_BY_PRIORITY.compile(connection, compile_kwargs={"literal_binds": True}))
        plan = plan_of(connection, compiled)
        if db.dialect == "sqlite":
            assert "USING COVERING INDEX ix_alert_open_priority" in plan, plan
        else:
            assert "ix_alert_open_priority" in plan, plan


def test_the_metrics_index_does_not_lure_de_duplication_off_the_alias_index(tmp_path):
    """SQLite keeps no statistics: with an index starting with status it scanned every open alert
    for each batch's de-duplication (150 times slower with 20,000 open alerts). Bound parameters,
    as the write queue sends them: with literal values the planner chose well even then."""
    url = f"sqlite:///{tmp_path}/plans.db"
    upgrade(url)
    batch = 50
    database = Database(url)
    try:
        with database.read_session() as session:
            connection = session.connection()
            statement = str(COUNT_REPEATS.compile(connection))
            statement = statement.replace("(__[POSTCOMPILE_scopes])", "(?)")
            statement = statement.replace("(__[POSTCOMPILE_aliases])", "(" + ", ".join("?" * batch) + ")")
            statement = statement.replace(
                "(__[POSTCOMPILE_keys])", "(VALUES " + ", ".join(["(?, ?)"] * batch) + ")"
            )
            parameters = [1, "2027-01-01", "2027-01-01", "scope", *(f"a{n}" for n in range(batch))]
            parameters += [value for n in range(batch) for value in ("scope", f"a{n}")]
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", tuple(parameters))
            plan = " ".join(str(row[-1]) for row in rows)
    finally:
        database.dispose()
    assert "USING INDEX uq_alert_open_scope_alias" in plan, plan


def test_an_unreachable_database_is_a_gauge_not_a_failed_scrape(tmp_path):
    gone = Database(f"sqlite:///{tmp_path}/no/such/dir/tocsin.db")
    seen = scrape(gone)
    assert value(seen, "tocsin_database_up") == 0
    assert ("tocsin_database_up", ()) in seen
    assert not [name for name, _ in seen if name == "tocsin_open_alerts"]
    assert any(name.startswith("python_") for name, _ in seen)  # the rest of the scrape still answers
    gone.dispose()


def test_a_reachable_database_says_so(db):
    assert value(scrape(db), "tocsin_database_up") == 1
