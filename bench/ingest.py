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
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.databases import BACKENDS, Databases, chosen
from bench.support.load import Result, closed_loop
from bench.support.tocsin import TEAM, Server


@dataclass
class Measured:
    backend: str
    load: str
    result: Result
    routed: str = ""


def bodies(load: str) -> Iterator[bytes]:
    number = 0
    while True:
        number += 1
        alias = "storm" if load == "single alias" else f"bench-{os.getpid()}-{number}-{time.monotonic_ns()}"
        body: dict[str, object] = {"message": f"bench alert {number}", "alias": alias, "tags": ["bench"]}
        if load == "team alerts":
            body["responders"] = [{"type": "team", "name": TEAM}]
        yield json.dumps(body).encode()


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


def drive(server: Server, clients: int, seconds: float, load: str) -> Result:
    return asyncio.run(closed_loop(server.target, bodies(load), clients, seconds))


LOADS = ("new aliases", "single alias", "team alerts")


def run_backend(
    backend: str,
    database_url: str,
    args: argparse.Namespace,
    loads: tuple[str, ...] = LOADS,
    settings: dict[str, str] | None = None,
) -> list[Measured]:
    with Server(database_url, settings or {}, workers=args.workers) as server:
        drive(server, args.clients, 2, "new aliases")  # warm-up
        results = [Measured(backend, load, drive(server, args.clients, args.seconds, load)) for load in loads]
        if "team alerts" in loads:
            results[-1].routed = _routed(database_url)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=BACKENDS, default="both")
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

    results: list[Measured] = []
    with Databases() as dbs:
        for backend in chosen(args.backend):
            url = args.postgres_url if backend == "postgresql" and args.postgres_url else dbs.fresh(backend)
            results += run_backend(backend, url, args)

    print(f"\nclients={args.clients} workers={args.workers} seconds={args.seconds} cpus={os.cpu_count()}")
    _print_table(results)


def _print_table(results: list[Measured]) -> None:
    print(
        f"{'backend':<14} {'load':<13} {'requests':>9} {'errors':>6} "
        f"{'creates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'client CPU':>10} {'routed by the end':>18}"
    )
    for m in results:
        r = m.result
        print(
            f"{m.backend:<14} {m.load:<13} {r.requests:>9} {r.errors:>6} {r.rate:>10.0f} "
            f"{r.ms(0.5):>8.1f} {r.ms(0.99):>8.1f} {r.client_cpu / r.seconds:>9.0%} {m.routed:>18}"
        )


def compare_sqlite_synchronous(args: argparse.Namespace) -> None:
    """The same loads on servers with synchronous=NORMAL and FULL, alternating, so that whatever
    else the machine is doing falls on both alike; creates/s summed over the rounds."""
    loads = ("new aliases", "single alias")
    results: list[Measured] = []
    with Databases() as dbs:
        for _ in range(args.rounds):
            for level in ("NORMAL", "FULL"):
                settings = {"TOCSIN_SQLITE_SYNCHRONOUS": level}
                results += run_backend(f"sqlite {level}", dbs.fresh("sqlite"), args, loads, settings)
    print(
        f"\nclients={args.clients} workers={args.workers} seconds={args.seconds} rounds={args.rounds} "
        f"cpus={os.cpu_count()}"
    )
    _print_table(results)
    for load in loads:
        rates = {
            level: sum(
                m.result.requests for m in results if m.load == load and m.backend == f"sqlite {level}"
            )
            / sum(m.result.seconds for m in results if m.load == load and m.backend == f"sqlite {level}")
            for level in ("NORMAL", "FULL")
        }
        print(
            f"{load}: FULL {rates['FULL']:.0f}/s, NORMAL {rates['NORMAL']:.0f}/s, "
            f"FULL/NORMAL = {rates['FULL'] / rates['NORMAL']:.2f}"
        )


if __name__ == "__main__":
    main()
