"""Alert ingest benchmark: how many POST /v2/alerts per second Tocsin takes, and how fast it answers.

Starts a real server (``tocsin serve``) on SQLite and on PostgreSQL, drives N concurrent
keep-alive clients for a bounded time, and prints creates/s, p50 and p99 latency for three loads:
every request a new alias (inserts), every request the same alias (a dedup storm), and new
aliases for a team whose escalation the engine starts for each alert (ingest while the engine in
the same server routes every alert; how many were routed by the end is printed too).

    .venv/bin/python bench/ingest.py                      # both databases, defaults below
    .venv/bin/python bench/ingest.py --backend sqlite --clients 64 --seconds 20 --workers 2
    .venv/bin/python bench/ingest.py --compare-sqlite-synchronous --seconds 5 --rounds 2

``--compare-sqlite-synchronous`` measures what durable commits cost on SQLite: servers with
``synchronous=NORMAL`` and ``FULL`` (the default) take the new-alias and single-alias loads in
turn, alternating for ``--rounds``, and the FULL/NORMAL ratio of creates per second is printed.

PostgreSQL: a private server is started from Debian's binaries unless --postgres-url is given.
The client is a minimal asyncio HTTP/1.1 client so that it takes as little of the CPU as possible
from the server it measures (both share this machine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.postgres import PostgresServer, execute_admin, free_port  # noqa: E402

TOCSIN = str(ROOT / ".venv" / "bin" / "tocsin")


@dataclass
class Result:
    backend: str
    load: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    client_cpu: float = 0.0
    """CPU seconds the load generator itself used (it shares the machine with the server)."""
    routed: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


async def _client(port: int, key: str, bodies, deadline: float, result: Result) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /v2/alerts HTTP/1.1\r\nHost: bench\r\n"
        f"Authorization: GenieKey {key}\r\nContent-Type: application/json\r\n"
    )
    try:
        while time.perf_counter() < deadline:
            body = next(bodies)
            started = time.perf_counter()
            writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
            status_line = await reader.readuntil(b"\r\n")
            headers = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in headers.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            result.latencies.append(time.perf_counter() - started)
            result.requests += 1
            if b" 202 " not in status_line:
                result.errors += 1
    finally:
        writer.close()


def _bodies(load: str):
    number = 0
    while True:
        number += 1
        alias = "storm" if load == "single alias" else f"bench-{os.getpid()}-{number}-{time.monotonic_ns()}"
        body: dict[str, object] = {"message": f"bench alert {number}", "alias": alias, "tags": ["bench"]}
        if load == "team alerts":
            body["responders"] = [{"type": "team", "name": "bench-team"}]
        yield json.dumps(body).encode()


def _setup_team(env: dict[str, str]) -> None:
    """A team with an on-call schedule and a default escalation, for the routed load."""
    for args in (
        ["user", "create", "oncall@example.com"],
        ["team", "create", "bench-team", "--member", "oncall@example.com:admin"],
    ):
        subprocess.run([TOCSIN, *args], env=env, check=True, capture_output=True)
    database_url = env["TOCSIN_DATABASE_URL"]
    from tocsin.actors import SYSTEM
    from tocsin.db import Database
    from tocsin.escalations import service as escalations
    from tocsin.escalations.schemas import EscalationPayload
    from tocsin.oncall import service as oncall
    from tocsin.oncall.lookup import NameRef, UserRef
    from tocsin.oncall.rotation_config import RotationInput

    db = Database(database_url)
    try:
        with db.write_session() as session:
            start = datetime.now(UTC) - timedelta(days=1)
            rotation = RotationInput(
                type="weekly", start=start, participants=[UserRef(username="oncall@example.com")]
            )
            oncall.create_schedule(
                session,
                actor=SYSTEM,
                name="bench-schedule",
                owner_team=NameRef(name="bench-team"),
                rotations=[rotation],
            )
            escalations.create_policy(
                session, actor=SYSTEM, payload=EscalationPayload.model_validate({
                    "name": "bench-escalation", "ownerTeam": {"name": "bench-team"}, "teamDefault": True,
                    "rules": [{"recipient": {"type": "schedule", "name": "bench-schedule"}}],
                }),
            )  # fmt: skip
    finally:
        db.dispose()


def _routed(database_url: str) -> str:
    """How many alert.created events the engine has handled, of all written."""
    from sqlalchemy import func, select

    from tocsin.db import Database
    from tocsin.notify.outbox import OutboxMessage

    db = Database(database_url)
    try:
        with db.read_session() as session:
            counts = dict(
                session.execute(
                    select(OutboxMessage.state, func.count())
                    .where(OutboxMessage.topic == "alert.created")
                    .group_by(OutboxMessage.state)
                ).all()
            )
    finally:
        db.dispose()
    return f"{counts.get('delivered', 0)}/{sum(counts.values())}"


async def _drive(port: int, key: str, clients: int, seconds: float, backend: str, load: str) -> Result:
    result = Result(backend, load, 0, 0, seconds, [])
    bodies = _bodies(load)
    deadline = time.perf_counter() + seconds
    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(_client(port, key, bodies, deadline, result) for _ in range(clients)))
    result.seconds = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu_started
    return result


def _start_server(
    database_url: str, data_dir: str, workers: int, settings: dict[str, str]
) -> tuple[subprocess.Popen[bytes], int, str]:
    env = {
        **os.environ,
        **settings,
        "TOCSIN_DATABASE_URL": database_url,
        "TOCSIN_DATA_DIR": data_dir,
        "TOCSIN_LOG_LEVEL": "warning",
        "TOCSIN_API_RATE_LIMIT": "1000000/second",  # measured here: the server, not its limit
    }
    subprocess.run([TOCSIN, "migrate"], env=env, check=True, capture_output=True)
    _setup_team(env)
    created = subprocess.run(
        [TOCSIN, "integration", "create", "--type", "API", "--name", f"bench-{time.monotonic_ns()}"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    key = created.stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [TOCSIN, "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            import urllib.request

            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1)
            return server, port, key
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("server did not start")


LOADS = ("new aliases", "single alias", "team alerts")


def run_backend(
    backend: str,
    database_url: str,
    args: argparse.Namespace,
    loads: tuple[str, ...] = LOADS,
    settings: dict[str, str] | None = None,
) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-") as data_dir:
        server, port, key = _start_server(database_url, data_dir, args.workers, settings or {})
        try:
            asyncio.run(_drive(port, key, args.clients, 2, backend, "new aliases"))  # warm-up
            results = []
            for load in loads:
                results.append(asyncio.run(_drive(port, key, args.clients, args.seconds, backend, load)))
            if "team alerts" in loads:
                results[-1].routed = _routed(database_url)
            return results
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive connections")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each load")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--postgres-url", help="an existing PostgreSQL database to use (it gets migrated)")
    parser.add_argument(
        "--compare-sqlite-synchronous",
        action="store_true",
        help="SQLite only: synchronous=NORMAL against FULL, as a ratio",
    )
    parser.add_argument("--rounds", type=int, default=2, help="NORMAL/FULL alternations (with the above)")
    args = parser.parse_args()
    if args.compare_sqlite_synchronous:
        compare_sqlite_synchronous(args)
        return

    results: list[Result] = []
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="tocsin-bench-db-") as directory:
            results += run_backend("sqlite", f"sqlite:///{directory}/bench.db", args)
    if args.backend in ("postgresql", "both"):
        if args.postgres_url:
            results += run_backend("postgresql", args.postgres_url, args)
        else:
            pg = PostgresServer(durable=True)
            pg.start()
            try:
                execute_admin(pg.admin_url, "CREATE DATABASE bench")
                results += run_backend("postgresql", pg.url("bench"), args)
            finally:
                pg.stop()

    print(f"\nclients={args.clients} workers={args.workers} seconds={args.seconds} cpus={os.cpu_count()}")
    _print_table(results)


def _print_table(results: list[Result]) -> None:
    print(
        f"{'backend':<14} {'load':<13} {'requests':>9} {'errors':>6} "
        f"{'creates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'client CPU':>10} {'routed by the end':>18}"
    )
    for r in results:
        print(
            f"{r.backend:<14} {r.load:<13} {r.requests:>9} {r.errors:>6} {r.rate:>10.0f} "
            f"{r.percentile(0.5):>8.1f} {r.percentile(0.99):>8.1f} {r.client_cpu / r.seconds:>9.0%} "
            f"{r.routed:>18}"
        )


def compare_sqlite_synchronous(args: argparse.Namespace) -> None:
    """The same loads on servers with synchronous=NORMAL and FULL, alternating, so that whatever
    else the machine is doing falls on both alike; creates/s summed over the rounds."""
    loads = ("new aliases", "single alias")
    results: list[Result] = []
    for _ in range(args.rounds):
        for level in ("NORMAL", "FULL"):
            with tempfile.TemporaryDirectory(prefix="tocsin-bench-db-") as directory:
                measured = run_backend(
                    f"sqlite {level}",
                    f"sqlite:///{directory}/bench.db",
                    args,
                    loads,
                    {"TOCSIN_SQLITE_SYNCHRONOUS": level},
                )
            results += measured
    print(
        f"\nclients={args.clients} workers={args.workers} seconds={args.seconds} rounds={args.rounds} "
        f"cpus={os.cpu_count()}"
    )
    _print_table(results)
    for load in loads:
        rates = {
            level: sum(r.requests for r in results if r.load == load and r.backend == f"sqlite {level}")
            / sum(r.seconds for r in results if r.load == load and r.backend == f"sqlite {level}")
            for level in ("NORMAL", "FULL")
        }
        print(
            f"{load}: FULL {rates['FULL']:.0f}/s, NORMAL {rates['NORMAL']:.0f}/s, "
            f"FULL/NORMAL = {rates['FULL'] / rates['NORMAL']:.2f}"
        )


if __name__ == "__main__":
    main()
