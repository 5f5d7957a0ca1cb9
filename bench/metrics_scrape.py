"""Metrics scrape benchmark: how long ``GET /metrics`` takes with many alerts stored.

Fills a fresh SQLite database with ``--alerts`` alerts (through the ingest service, in batches;
a quarter of them closed), then times whole scrapes (the counters, and the database's state:
outbox per topic, last engine tick, open alerts per priority) and prints the median and worst of
``--rounds``; then the same without the partial index of open alerts' priorities, for the ratio.

    .venv/bin/python bench/metrics_scrape.py --alerts 100000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prometheus_client import generate_latest
from sqlalchemy import text, update

from tocsin.alerts import ingest
from tocsin.alerts.ingest import alerts
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.db import Database
from tocsin.integrations import service as integrations
from tocsin.migrate import upgrade
from tocsin.ops.metrics_endpoint import scrape_registry

BATCH = 1000


def fill(db: Database, count: int) -> None:
    with db.write_session() as session:
        integration, _ = integrations.create_integration(session, type="API", name="bench")
        actor = integrations.actor_for(integration)
    priorities = ("P1", "P2", "P3", "P4", "P5")
    for start in range(0, count, BATCH):
        batch = [
            ingest.NewAlert(
                CreateAlertPayload(message=f"alert {n}", alias=f"a{n}", priority=priorities[n % 5]), actor
            )
            for n in range(start, min(count, start + BATCH))
        ]
        with db.write_session() as session:
            ingest.create_alerts(session, batch)
    with db.write_session() as session:
        session.connection().execute(update(alerts).where(alerts.c.tiny_id % 4 == 0).values(status="closed"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        upgrade(url)
        db = Database(url)
        started = time.perf_counter()
        fill(db, arguments.alerts)
        print(f"{arguments.alerts} alerts stored in {time.perf_counter() - started:.1f} s")
        with_index = timed(db, arguments.rounds, "with the index")
        with db.write_session() as session:
            session.connection().execute(text("DROP INDEX ix_alert_open_priority"))
        without = timed(db, arguments.rounds, "without it")
        print(f"without the index / with it: {without / with_index:.1f}x")
        db.dispose()


def timed(db: Database, rounds: int, what: str) -> float:
    registry = scrape_registry(db)
    took = []
    for _ in range(rounds):
        started = time.perf_counter()
        generate_latest(registry)
        took.append(time.perf_counter() - started)
    median = statistics.median(took)
    print(f"scrape {what}: median {median * 1000:.1f} ms, worst {max(took) * 1000:.1f} ms over {rounds}")
    return median


if __name__ == "__main__":
    main()
