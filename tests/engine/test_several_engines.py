"""Several engines on one database: each message is delivered once."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from tests.engine.conftest import EngineDriver
from tocsin.db import Database
from tocsin.notify import outbox
from tocsin.notify.email import TOPIC
from tocsin.notify.outbox import OutboxMessage

MESSAGES = 120


def test_two_engines_deliver_each_message_once(db, database_url, engine_settings, smtp, alert_for):
    alert_id, ada = alert_for()
    with db.write_session() as session:
        outbox.enqueue_many(
            session,
            [
                outbox.row(TOPIC, {"alertId": alert_id, "userId": ada, "kind": "closed-alert", "n": n},
                           destination=f"person{n}@example.com", alert_id=alert_id)
                for n in range(MESSAGES)
            ],
        )  # fmt: skip
    # Two engines as two processes would be: their own connections and write queues.
    databases = [Database(database_url), Database(database_url)]
    # Claims smaller than the backlog, so both engines find work.
    settings = engine_settings.model_copy(update={"delivery_batch": 20})
    drivers = [EngineDriver(database, settings) for database in databases]

    def run(index: int) -> None:
        for _ in range(40):
            with db.read_session() as session:
                left = session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.topic == TOPIC, OutboxMessage.state != "delivered")
                )
            if not left:
                return
            drivers[index].tick()

    try:
        for driver in drivers:
            driver.start()
        threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for driver in drivers:
            driver.stop()
        for database in databases:
            database.dispose()
    addresses = Counter(address for mail in smtp.received for address in mail.recipients)
    assert len(addresses) == MESSAGES and set(addresses.values()) == {1}
    claimed = [driver.engine.deliveries.claimed_total for driver in drivers]
    assert sum(claimed) == MESSAGES
    if db.dialect == "postgresql":
        assert all(claimed), claimed  # both engines delivered, side by side


def test_on_sqlite_a_second_engine_waits_for_the_lease(db, make_engine):
    first, second = make_engine(), make_engine()
    assert first.tick() is True
    assert second.tick() is (db.dialect != "sqlite")
