"""Alert list benchmark: how long ``GET /alerts`` takes with many alerts stored.

Fills a fresh database with ``--alerts`` alerts through the ingest service (in batches, a minute
apart, for three teams, every priority, a tag on a third of them), then closes 80% of them and
acknowledges a further 10%, as a long-running installation looks. It then times whole page views
of the alert list through the app (in the process, as a browser's requests would reach it, with
a signed-in admin's cookie) for each view the list offers, and a bare FastAPI app's trivial page
the same way in the same run as the floor: p50 and p95 of ``--rounds`` views each.

    .venv/bin/python bench/web_alerts.py --alerts 100000
    .venv/bin/python bench/web_alerts.py --alerts 100000 --backend postgresql
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.databases import Databases
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.support.factories import make_team, make_user
from tests.web.pages import log_in

from tocsin import clock
from tocsin.alerts import ingest
from tocsin.alerts.ingest import alerts
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.app import build
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import service as integrations
from tocsin.migrate import upgrade

BATCH = 1000
TEAMS = ("ops", "db", "web")
VIEWS: dict[str, dict[str, str | list[str]]] = {
    "Open tab (the default)": {},
    "Acknowledged tab": {"tab": "acknowledged"},
    "Closed tab": {"tab": "closed"},
    "All tab": {"tab": "all"},
    "search message:disk": {"query": "message:disk"},
    "search free text disk": {"query": "disk"},
    "team filter (db)": {"team": "db"},
    "priority filter (P1, P2)": {"priority": ["P1", "P2"]},
    "sort by priority": {"sort": "priority"},
    "All tab sorted by priority": {"tab": "all", "sort": "priority"},
    "page 20 (Open tab)": {"page": "20", "size": "50"},
    "page 20 (All tab)": {"tab": "all", "page": "20", "size": "50"},
}


MEMBER_VIEWS = (
    "Open tab (the default)",
    "All tab",
    "search message:disk",
    "team filter (db)",
    "page 20 (Open tab)",
)


def fill(db: Database, count: int) -> None:
    make_user(db, "root@example.com", role="admin")
    make_user(db, "ada@example.com")
    for name in TEAMS:
        make_team(db, name, *(["ada@example.com"] if name == "db" else []))
    with db.write_session() as session:
        integration, _ = integrations.create_integration(session, type="API", name="bench")
        actor = integrations.actor_for(integration)
    frozen = clock.FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    previous = clock.use(frozen)
    try:
        for start in range(0, count, BATCH):
            batch = [
                ingest.NewAlert(
                    CreateAlertPayload(
                        message=f"{('Disk full', 'CPU hot', 'Queue stuck')[n % 3]} on host{n % 997}",
                        alias=f"a{n}",
                        priority=f"P{n % 5 + 1}",
                        tags=["db"] if n % 3 == 0 else [],
                        responders=[{"type": "team", "name": TEAMS[n % len(TEAMS)]}],
                    ),
                    actor,
                )
                for n in range(start, min(count, start + BATCH))
            ]
            with db.write_session() as session:
                ingest.create_alerts(session, batch)
            frozen.advance(timedelta(minutes=1))
    finally:
        clock.use(previous)
    with db.write_session() as session:
        connection = session.connection()
        connection.execute(update(alerts).where(alerts.c.tiny_id % 10 < 8).values(status="closed"))
        connection.execute(update(alerts).where(alerts.c.tiny_id % 10 == 8).values(acknowledged=True))
    if db.dialect == "postgresql":
        # Statistics, as autovacuum gathers them on a live database; a fresh fill has none yet.
        with db.write_session() as session:
            session.connection().exec_driver_sql("ANALYZE")


def timed(
    client: TestClient, path: str, params: dict[str, str | list[str]], rounds: int
) -> tuple[float, float]:
    """p50 and p95 of ``rounds`` views, in milliseconds, after a few to warm up."""
    took = []
    for round_ in range(rounds + 3):
        started = time.perf_counter()
        response = client.get(path, params=params)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text[:500]
        if round_ >= 3:
            took.append(elapsed * 1000)
    took.sort()
    return statistics.median(took), took[max(0, round(len(took) * 0.95) - 1)]


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/page")
    def page() -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>x</title><p>Hello</p>")

    return app


def run(url: str, count: int, rounds: int) -> None:
    upgrade(url)
    db = Database(url)
    started = time.perf_counter()
    fill(db, count)
    print(f"{count} alerts stored in {time.perf_counter() - started:.1f} s")
    db.dispose()
    with tempfile.TemporaryDirectory() as data_dir, TestClient(bare_app()) as bare:
        settings = Settings(database_url=url, data_dir=Path(data_dir), secret_key="bench-secret")
        app = build(settings, run_engine=False)
        with (
            TestClient(app, base_url="http://tocsin.test", follow_redirects=False) as admin,
            TestClient(app, base_url="http://tocsin.test", follow_redirects=False) as member,
        ):
            assert log_in(admin, "root@example.com").status_code == 303
            assert log_in(member, "ada@example.com").status_code == 303
            floor = timed(bare, "/page", {}, rounds)
            print(f"| bare FastAPI page | | {floor[0]:.1f} ms | {floor[1]:.1f} ms | 1.0 |")
            for who, client, names in (("admin", admin, list(VIEWS)), ("member of db", member, MEMBER_VIEWS)):
                for name in names:
                    p50, p95 = timed(client, "/alerts", VIEWS[name], rounds)
                    print(f"| {name} | {who} | {p50:.1f} ms | {p95:.1f} ms | {p95 / floor[1]:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    arguments = parser.parse_args()
    print("| view | as | p50 | p95 | p95 ÷ bare page p95 |\n|---|---|---|---|---|")
    with Databases() as databases:
        run(databases.fresh(arguments.backend), arguments.alerts, arguments.rounds)


if __name__ == "__main__":
    main()
