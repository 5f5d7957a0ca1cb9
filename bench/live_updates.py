"""Live updates benchmark: how soon after an API change every listening browser hears of it, with
100,000 alerts stored, and what listening costs the server when nothing changes.

A real ``tocsin serve --no-engine`` (an API node: no notification work mixes in) on a fresh
database holding ``--stored`` alerts of a team. ``--listeners`` people (a fifth of them admins,
the rest members of the team: as many visibility rules as people) log in and hold
``GET /alerts/live`` open, as their alert lists would. Then, ``--rounds`` times, an alert of the
team is created through the API and then acknowledged; for each, the time from the API's answer
to the event's arrival at each listener is recorded. Printed: p50/p95/max of create and of
acknowledge (target: 1 s), events missing, and the server's CPU and database transactions
during ``--idle`` quiet seconds with every listener connected and with none.

    .venv/bin/python bench/live_updates.py                      # both databases
    .venv/bin/python bench/live_updates.py --backend sqlite --stored 100000 --listeners 50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx
from httpx_sse import EventSource

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.databases import BACKENDS, Databases, chosen
from bench.support.load import percentile
from bench.support.tocsin import Server

PASSWORD = "bench password"
TEAM = "listeners"
WAIT = 5.0  # seconds after which an event that has not arrived counts as missing
SETTLE_SECONDS = 12.0


def seed(database_url: str, stored: int, listeners: int) -> None:
    """``stored`` alerts of the team, and the people who listen (their passwords hashed as in
    production: this takes a few seconds)."""
    from tocsin.actors import Actor
    from tocsin.alerts import ingest
    from tocsin.alerts.schemas import CreateAlertPayload
    from tocsin.db import Database
    from tocsin.people import service as people
    from tocsin.teams import service as teams

    db = Database(database_url)
    try:
        with db.write_session() as session:
            admins = max(1, listeners // 5)
            for number in range(listeners):
                role = "admin" if number < admins else "user"
                people.create_user(
                    session, username=f"listener{number}@example.com", role=role, password=PASSWORD
                )
            members = [(f"listener{number}@example.com", "user") for number in range(admins, listeners)]
            teams.create_team(session, name=TEAM, members=members)
        seeder = Actor(name="seed", channel="API")
        for start in range(0, stored, 1000):
            batch = [
                ingest.NewAlert(
                    CreateAlertPayload.model_validate(
                        {"message": f"stored alert {n}", "responders": [{"type": "team", "name": TEAM}]}
                    ),
                    seeder,
                )
                for n in range(start, min(stored, start + 1000))
            ]
            with db.write_session() as session:
                ingest.create_alerts(session, batch)
    finally:
        db.dispose()


class Listeners:
    """Signed-in browsers holding the live stream open; when each event arrived, by (id, change)."""

    def __init__(self, url: str, count: int) -> None:
        self.url, self.count = url, count
        self.arrivals: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.listening = 0
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        clients = [await self._signed_in(number) for number in range(self.count)]
        self._tasks = [asyncio.create_task(self._listen(client)) for client in clients]
        if not await until(lambda: self.listening == self.count, 30):
            failed = [task.exception() for task in self._tasks if task.done()]
            raise RuntimeError(f"only {self.listening} of {self.count} listeners connected: {failed[:1]}")

    async def _signed_in(self, number: int) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.url, timeout=httpx.Timeout(30, read=None))
        form = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        answer = await client.post(
            "/login",
            data={"username": f"listener{number}@example.com", "password": PASSWORD, "csrf_token": token[1]},
        )
        assert answer.status_code == 303, answer.text
        return client

    async def _listen(self, client: httpx.AsyncClient) -> None:
        try:
            async with client.stream("GET", "/alerts/live") as response:
                assert response.status_code == 200
                self.listening += 1
                async for message in EventSource(response).aiter_sse():
                    if message.event == "alert":
                        change = message.json()
                        self.arrivals[(change["id"], change["change"])].append(time.monotonic())
        finally:
            await client.aclose()

    async def heard_of(self, alert_id: str, change: str) -> list[float]:
        """When each listener heard of this change (waiting up to WAIT seconds for all)."""
        arrived = self.arrivals[(alert_id, change)]
        await until(lambda: len(arrived) >= self.count, WAIT)
        return arrived

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


async def measure_rounds(
    api: httpx.AsyncClient, listeners: Listeners, rounds: int
) -> tuple[list[float], list[float], int]:
    """Latencies of creates and of acknowledgements (seconds, one per listener and change), and
    how many events never arrived."""
    created, acknowledged, missing = [], [], 0
    for number in range(rounds):
        body = {"message": f"live {number}", "responders": [{"type": "team", "name": TEAM}]}
        answer = await api.post("/v2/alerts", json=body)
        answered = time.monotonic()
        assert answer.status_code == 202, answer.text
        status = await api.get(f"/v2/alerts/requests/{answer.json()['requestId']}")
        alert_id = status.json()["data"]["alertId"]
        arrived = await listeners.heard_of(alert_id, "created")
        created += [moment - answered for moment in arrived]
        missing += listeners.count - len(arrived)

        answer = await api.post(f"/v2/alerts/{alert_id}/acknowledge", json={})
        answered = time.monotonic()
        assert answer.status_code == 202, answer.text
        arrived = await listeners.heard_of(alert_id, "updated")
        acknowledged += [moment - answered for moment in arrived]
        missing += listeners.count - len(arrived)
    return created, acknowledged, missing


def cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by the server process and its worker processes."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process has ended
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def transactions(database_url: str) -> int | None:
    """Transactions committed in the database so far (PostgreSQL only)."""
    if not database_url.startswith("postgresql"):
        return None
    from sqlalchemy import text

    from tocsin.db import Database

    db = Database(database_url)
    try:
        with db.read_session() as session:
            name = session.scalar(text("select current_database()"))
            return int(
                session.scalar(
                    text("select xact_commit from pg_stat_database where datname = :n"), {"n": name}
                )
            )
    finally:
        db.dispose()


async def quiet_cost(pid: int, database_url: str, seconds: float) -> str:
    # PostgreSQL counts a connection's transactions when it has been idle 10 s at the latest:
    # what came before must be counted before the window opens.
    await asyncio.sleep(SETTLE_SECONDS)
    cpu, xacts = cpu_seconds(pid), transactions(database_url)
    await asyncio.sleep(seconds)
    spent = cpu_seconds(pid) - cpu
    words = f"server CPU {spent / seconds * 100:.1f} %"
    after = transactions(database_url)
    if xacts is not None and after is not None:
        words += f", {(after - xacts - 2) / seconds:.1f} transactions/s"  # less this measurement's own
    return words


def ms(values: list[float], fraction: float) -> str:
    return f"{percentile(values, fraction) * 1000:.0f}"


async def run(server: Server, database_url: str, args: argparse.Namespace) -> str:
    assert server.process is not None
    url = f"http://127.0.0.1:{server.port}"
    listeners = Listeners(url, args.listeners)
    await listeners.start()
    headers = {"Authorization": f"GenieKey {server.key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as api:
        created, acked, missing = await measure_rounds(api, listeners, args.rounds)
    listening = await quiet_cost(server.process.pid, database_url, args.idle)
    await listeners.stop()
    alone = await quiet_cost(server.process.pid, database_url, args.idle)
    return (
        f"create → event at all {args.listeners} listeners: p50 {ms(created, 0.5)} ms, "
        f"p95 {ms(created, 0.95)} ms, max {ms(created, 1.0)} ms; "
        f"acknowledge: p50 {ms(acked, 0.5)} ms, p95 {ms(acked, 0.95)} ms, max {ms(acked, 1.0)} ms; "
        f"{missing} events missing; quiet with {args.listeners} listening: {listening}; "
        f"quiet with none: {alone}"
    )


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--backend", choices=BACKENDS, default="both")
    parser.add_argument("--stored", type=int, default=100_000, help="alerts stored before measuring")
    parser.add_argument("--listeners", type=int, default=50, help="browsers holding the stream open")
    parser.add_argument("--rounds", type=int, default=40, help="alerts created, then acknowledged")
    parser.add_argument("--idle", type=float, default=20, help="quiet seconds measured, each way")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (with more, most changes are made in another)",
    )
    args = parser.parse_args()
    with Databases() as dbs:
        for backend in chosen(args.backend):
            database_url = dbs.fresh(backend)
            server = Server(database_url, {}, engine_inside=False, workers=args.workers)
            started = time.monotonic()
            seed(database_url, args.stored, args.listeners)
            took = time.monotonic() - started
            print(
                f"{backend}, {args.workers} worker(s): {args.stored} alerts stored in {took:.0f} s",
                flush=True,
            )
            with server:
                print(
                    f"{backend}, {args.workers} worker(s): {asyncio.run(run(server, database_url, args))}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
