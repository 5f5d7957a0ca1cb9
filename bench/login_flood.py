"""Login flood benchmark: what a flood of wrong passwords costs the server's memory and its alert
creates, with password hashing bounded (the default) and, for comparison in the same run, with as
many hashes at once as the server has worker threads (how it was before the bound).

For each setting a real server (``tocsin serve``, SQLite) first takes alert creates alone, then the
same alert load while ``--flooders`` clients post wrong passwords as fast as they are answered.
The login limits are lifted for those runs, so that every wrong password reaches the hashing, as
a flood from many addresses against many accounts would; a last run keeps the default limits,
which stop a flood from one address after 10 tries. The server's resident memory is sampled from
/proc every 50 ms; the peak is printed with creates/s during the flood as a ratio of creates/s
alone.

    .venv/bin/python bench/login_flood.py
    .venv/bin/python bench/login_flood.py --seconds 10 --flooders 20 --clients 4
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import drive
from bench.support.databases import Databases
from bench.support.tocsin import Server

UNBOUNDED = "40"
"""As many hashes at once as the server has worker threads: no bound, as before."""


@dataclass
class Run:
    concurrency: str
    login_limits: bool
    passwords: bool
    """Whether the flood posts wrong passwords, or only fetches the login page (any request)."""
    alone_rate: float = 0.0
    flood_rate: float = 0.0
    idle_rss_mib: float = 0.0
    peak_rss_mib: float = 0.0
    logins: Counter[int] = field(default_factory=Counter)


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def _watch_memory(pid: int, stop: threading.Event, run: Run) -> None:
    while not stop.is_set():
        run.peak_rss_mib = max(run.peak_rss_mib, _rss_mib(pid))
        time.sleep(0.05)


def _flood(
    port: int, stop: threading.Event, answers: Counter[int], lock: threading.Lock, passwords: bool
) -> None:
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=30) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        form = {"username": "owner@example.com", "password": "wrong", "csrf_token": token}
        while not stop.is_set():
            status = (client.post("/login", data=form) if passwords else client.get("/login")).status_code
            with lock:
                answers[status] += 1


NO_LOGIN_LIMITS = {
    "TOCSIN_LOGIN_FAILURES_PER_ADDRESS": "1000000/minute",
    "TOCSIN_LOGIN_FAILURES_PER_ACCOUNT": "1000000/minute",
}


def measure(concurrency: str, login_limits: bool, passwords: bool, args: argparse.Namespace) -> Run:
    run = Run(concurrency, login_limits, passwords)
    settings = {"TOCSIN_PASSWORD_HASH_CONCURRENCY": concurrency, **({} if login_limits else NO_LOGIN_LIMITS)}
    with Databases() as dbs, Server(dbs.fresh("sqlite"), settings) as server:
        assert server.process is not None
        pid = server.process.pid
        drive(server, args.clients, 2, "new aliases")  # warm-up
        run.idle_rss_mib = _rss_mib(pid)
        run.alone_rate = drive(server, args.clients, args.seconds, "new aliases").rate
        stop, lock = threading.Event(), threading.Lock()
        threads = [threading.Thread(target=_watch_memory, args=(pid, stop, run))] + [
            threading.Thread(target=_flood, args=(server.port, stop, run.logins, lock, passwords))
            for _ in range(args.flooders)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1)  # the flood is under way before the creates are timed
        run.flood_rate = drive(server, args.clients, args.seconds, "new aliases").rate
        stop.set()
        for thread in threads:
            thread.join()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4, help="clients creating alerts")
    parser.add_argument("--flooders", type=int, default=20, help="clients posting wrong passwords")
    args = parser.parse_args()
    cases = (
        (UNBOUNDED, False, True),
        ("2", False, True),
        ("1", False, True),
        ("2", True, True),
        ("2", True, False),
    )
    runs = [measure(*case, args) for case in cases]
    print(
        f"{'flood':>16} {'hashes at once':>14} {'login limits':>12} {'creates/s alone':>16} "
        f"{'during flood':>13} {'ratio':>6} {'RSS idle MiB':>13} {'RSS peak MiB':>13}  answers"
    )
    for run in runs:
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(run.logins.items()))
        print(
            f"{'wrong passwords' if run.passwords else 'GET /login':>16} {run.concurrency:>14} "
            f"{'on' if run.login_limits else 'lifted':>12} {run.alone_rate:>16.0f} "
            f"{run.flood_rate:>13.0f} {run.flood_rate / run.alone_rate:>6.2f} "
            f"{run.idle_rss_mib:>13.0f} {run.peak_rss_mib:>13.0f}  {answers}"
        )


if __name__ == "__main__":
    main()
