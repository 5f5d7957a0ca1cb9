"""Tocsin against a floor and a peer, with one load generator in one run: creates per second of
new alerts from the same number of closed-loop clients (each sends its next request when the last
is answered) against

- Tocsin (``tocsin serve``, new-alias creates with no responders), on SQLite and on PostgreSQL;
- a bare FastAPI app on uvicorn that only parses the same JSON into Tocsin's pydantic model and
  answers 202 (``bench/bare_app.py``): what any server of this kind costs, storing nothing;
- Alerta 9 (PyPI ``alerta-server``) on gunicorn with the same private PostgreSQL, authentication
  off, sent Alerta's own create-alert JSON at ``POST /alert`` (every request a new resource).
  It lives in a virtualenv of its own under ``--work-dir``, made on first use (pip, needs the
  package index); ``--no-alerta`` leaves it out.

Printed: creates/s, p50/p99 for each, and the ratios Tocsin/bare and Tocsin/Alerta per
database. ``--rounds`` runs the loads in turn that many times (the servers stay up) and sums
them, so that whatever else the machine does falls on all alike.

    .venv/bin/python bench/compare.py                           # 32 clients, 10 s each
    .venv/bin/python bench/compare.py --seconds 5 --rounds 3 --alerta-workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import alerta
from bench.support.databases import Databases
from bench.support.load import Result, Target, closed_loop
from bench.support.tocsin import ROOT, Server, stop, wait_serving
from tests.support.postgres import free_port


def tocsin_bodies() -> Iterator[bytes]:
    for number in itertools.count(1):
        alias = f"compare-{os.getpid()}-{number}"
        yield json.dumps({"message": f"bench alert {number}", "alias": alias, "tags": ["bench"]}).encode()


def alerta_bodies() -> Iterator[bytes]:
    for number in itertools.count(1):
        body = {
            "resource": f"host-{os.getpid()}-{number}", "event": "HttpError", "environment": "Production",
            "service": ["Web"], "severity": "major", "text": f"bench alert {number}", "tags": ["bench"],
            "origin": "bench",
        }  # fmt: skip
        yield json.dumps(body).encode()


ALERTA = "Alerta 9, PostgreSQL"


@dataclass
class Contender:
    name: str
    target: Target
    bodies: Callable[[], Iterator[bytes]]
    results: list[Result] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return sum(r.requests for r in self.results) / sum(r.seconds for r in self.results)

    def ms(self, fraction: float) -> float:
        merged = Result(latencies=[latency for r in self.results for latency in r.latencies])
        return merged.ms(fraction)


def start_bare(stack: contextlib.ExitStack) -> Target:
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "python"), "-m", "uvicorn", "--app-dir", str(ROOT / "bench"),
        "bare_app:app", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    stack.callback(stop, process)
    wait_serving(port, process, path="/docs")
    return Target(port, "/v2/alerts", {}, 202)


def start_contenders(
    dbs: Databases, args: argparse.Namespace, stack: contextlib.ExitStack
) -> list[Contender]:
    contenders = []
    for backend in ("SQLite", "PostgreSQL"):
        server = stack.enter_context(Server(dbs.fresh(backend.lower()), {}, workers=args.workers))
        contenders.append(Contender(f"Tocsin, {backend}", server.target, tocsin_bodies))
    contenders.append(Contender("bare FastAPI", start_bare(stack), tocsin_bodies))
    if not args.no_alerta:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        venv = alerta.virtualenv(args.work_dir)
        database = dbs.fresh("postgresql").replace("postgresql+psycopg://", "postgresql://")
        port = alerta.start(venv, database, args.alerta_workers, stack)
        contenders.append(Contender(ALERTA, Target(port, "/alert", {}, 201), alerta_bodies))
    return contenders


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive connections, for all")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each load")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="tocsin serve processes")
    parser.add_argument("--alerta-workers", type=int, default=2, help="gunicorn processes for Alerta")
    parser.add_argument("--no-alerta", action="store_true", help="leave Alerta out")
    parser.add_argument("--work-dir", type=Path, default=ROOT / ".bench-work", help="for Alerta's virtualenv")
    args = parser.parse_args()

    with Databases() as dbs, contextlib.ExitStack() as stack:
        contenders = start_contenders(dbs, args, stack)
        for contender in contenders:  # warm-up
            asyncio.run(closed_loop(contender.target, contender.bodies(), args.clients, 2))
        for _ in range(args.rounds):
            for c in contenders:
                result = asyncio.run(closed_loop(c.target, c.bodies(), args.clients, args.seconds))
                c.results.append(result)
                print(f"{c.name}: {result.rate:.0f} creates/s, {result.errors} errors", flush=True)
                if result.first_error:
                    print(f"  first error: {result.first_error}", flush=True)
    _print(contenders, args)


def _print(contenders: list[Contender], args: argparse.Namespace) -> None:
    print(
        f"\nclients={args.clients} seconds={args.seconds} rounds={args.rounds} tocsin workers={args.workers} "
        f"alerta workers={args.alerta_workers} cpus={os.cpu_count()}"
    )
    print(f"{'server':<22} {'requests':>9} {'errors':>6} {'creates/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for c in contenders:
        requests, errors = sum(r.requests for r in c.results), sum(r.errors for r in c.results)
        print(f"{c.name:<22} {requests:>9} {errors:>6} {c.rate:>10.0f} {c.ms(0.5):>8.1f} {c.ms(0.99):>8.1f}")
    by_name = {c.name: c.rate for c in contenders}
    alerta_rate = by_name.get(ALERTA)
    for backend in ("SQLite", "PostgreSQL"):
        tocsin = by_name[f"Tocsin, {backend}"]
        line = f"Tocsin on {backend}: {tocsin / by_name['bare FastAPI']:.3f} of bare FastAPI"
        if alerta_rate:
            line += f", {tocsin / alerta_rate:.1f} times Alerta 9 on PostgreSQL"
        print(line)


if __name__ == "__main__":
    main()
