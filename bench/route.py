"""Routing and delivery benchmark: how soon the on-call person is notified, and the team's chat
posted to, while alerts come at a given rate; and how many alerts a second the engine can route.

Every alert is a new alert for a team whose default escalation notifies the on-call person of its
schedule (by e-mail, to an SMTP server in this process) and whose team-owned Mattermost
integration posts it to an incoming webhook (an HTTP server in this process). Each run starts a
real ``tocsin serve`` on a fresh database (SQLite, or a private durable PostgreSQL), with
``TOCSIN_OUTBOUND_ALLOW=127.0.0.0/8`` and ``TOCSIN_SMTP_HOST/PORT`` pointing at the listener.

- **Offered rates** (``--rates``): requests sent open-loop, on schedule whether or not earlier
  ones were answered, for ``--seconds`` each. Every alert is timed from its request being sent
  to its e-mail arriving and to its post arriving (found by a word of its message). Printed per
  rate and database: offered, answered/s, create→notification and create→post p50/p99 (">" with
  the time waited when some never arrived within ``--drain`` seconds).
- **Routing capacity**: ``--burst`` alerts stored by ``tocsin serve --no-engine``, then engines
  started; alerts notified per second from the engines' start until all are. **Chat posts
  per second** likewise, with alerts for no team and a Mattermost integration of no team (it
  posts every alert), so that only posting is measured. ``--burst 0`` leaves both out.
- ``--engines N[,M…]`` (PostgreSQL): ``tocsin serve --no-engine`` plus N ``tocsin engine``
  processes, for each count given, instead of the engine inside the server (SQLite always runs
  the engine inside; its capacity is measured with one ``tocsin engine``).
- ``--outage SECONDS``: the outage drill instead: the webhook answers 503 for SECONDS (180)
  while alerts come at ``--outage-rate``, then answers; prints how long
  after it answers the backlog is fully delivered and the latest post's lateness.

    .venv/bin/python bench/route.py                                   # both databases, 50-400/s
    .venv/bin/python bench/route.py --backend postgresql --engines 1,2
    .venv/bin/python bench/route.py --backend sqlite --rates 50,200 --seconds 5 --burst 300
    .venv/bin/python bench/route.py --outage                          # the outage drill, 180 s
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.alerts import new_alerts, recorded
from bench.support.databases import BACKENDS, Databases, chosen
from bench.support.listeners import Arrivals, ChatListener, MailListener
from bench.support.load import closed_loop, open_loop, percentile
from bench.support.tocsin import Server, wait_until


@dataclass
class Delays:
    """Seconds from each alert's request to its delivery; ``missing`` never arrived."""

    seconds: list[float]
    missing: int
    waited: float

    @classmethod
    def of(cls, sent: dict[str, float], arrivals: Arrivals, waited: float) -> Delays:
        found = [arrivals.first[word] - at for word, at in sent.items() if word in arrivals.first]
        return cls(found, len(sent) - len(found), waited)

    def shown(self, fraction: float) -> str:
        if self.missing > len(self.seconds) * (1 - fraction) or not self.seconds:
            return f">{self.waited:.0f} s"
        return f"{percentile(self.seconds, fraction):.2f} s"


@dataclass
class RateRun:
    label: str
    offered: int
    answered_rate: float
    errors: int
    notified: Delays
    posted: Delays


def _label(backend: str, engines: int) -> str:
    return backend if engines == 0 else f"{backend}, {engines} engine{'s' if engines > 1 else ''}"


class Bench:
    def __init__(
        self, dbs: Databases, mail: MailListener, chat: ChatListener, args: argparse.Namespace
    ) -> None:
        self.dbs, self.mail, self.chat, self.args = dbs, mail, chat, args
        self.settings = {"TOCSIN_OUTBOUND_ALLOW": "127.0.0.0/8", **mail.settings()}

    def server(self, backend: str, engines: int) -> Server:
        url = self.dbs.fresh(backend)
        return Server(url, self.settings, engine_inside=engines == 0, mattermost_hook=self.chat.hook)

    def delivered(self, sent: dict[str, float]) -> bool:
        mails, posts = self.mail.arrivals.first, self.chat.arrivals.first
        return all(word in mails and word in posts for word in sent)

    def rate(self, backend: str, engines: int, rate: int) -> RateRun:
        sent: dict[str, float] = {}
        with self.server(backend, engines) as server:
            server.add_engines(engines)
            result = asyncio.run(
                open_loop(server.target, new_alerts(), rate, self.args.seconds, sent.__setitem__)
            )
            wait_until(lambda: self.delivered(sent), self.args.drain, step=0.2)
        return RateRun(
            _label(backend, engines), rate, result.rate, result.errors,
            Delays.of(sent, self.mail.arrivals, self.args.drain),
            Delays.of(sent, self.chat.arrivals, self.args.drain),
        )  # fmt: skip

    def capacity(self, backend: str, engines: int, what: str) -> tuple[str, str, float, int]:
        """A burst of alerts stored by ``tocsin serve --no-engine``, then engines started: alerts
        ``notified`` per second (team alerts, no chat) or ``posted`` per second (alerts for
        nobody, a global Mattermost integration), from the moment the engines are running until all
        are; how many of the burst."""
        words: list[str] = []
        bodies = recorded(new_alerts(team=what == "notified"), words)

        engines = max(engines, 1)
        hook = self.chat.hook if what == "posted" else None
        with Server(
            self.dbs.fresh(backend), self.settings, engine_inside=False, mattermost_hook=hook, chat_team=None
        ) as server:
            burst = asyncio.run(closed_loop(server.target, bodies, 32, 600, self.args.burst))
            if burst.errors:
                raise RuntimeError(f"the burst was refused: {burst.first_error}")
            server.add_engines(engines)
            started = time.perf_counter()
            arrivals = (self.mail if what == "notified" else self.chat).arrivals.first
            wait_until(lambda: all(word in arrivals for word in words), self.args.drain * 4, 0.2)
        times = sorted(arrivals[word] for word in words if word in arrivals)
        seconds = times[-1] - started if times else float("nan")
        return _label(backend, engines), what, len(times) / seconds, len(times)

    def outage(self, backend: str) -> str:
        args, sent = self.args, dict[str, float]()
        with self.server(backend, 0) as server:
            self.chat.refuse()
            try:
                result = asyncio.run(
                    open_loop(server.target, new_alerts(), args.outage_rate, args.outage, sent.__setitem__)
                )
            finally:
                self.chat.recover()
            back = time.perf_counter()
            posts = self.chat.arrivals.first
            wait_until(lambda: all(word in posts for word in sent), 3 * args.outage + 60, 0.2)
        late = Delays.of(sent, self.chat.arrivals, 3 * args.outage + 60)
        drained = max((posts[word] for word in sent if word in posts), default=float("nan")) - back
        return (
            f"{backend}: {len(sent)} alerts in {args.outage:.0f} s while the webhook answered "
            f"503, {result.errors} requests failed; {len(late.seconds)} posts delivered, "
            f"{late.missing} missing; backlog delivered {drained:.1f} s after it answered again; "
            f"latest post {max(late.seconds, default=float('nan')):.1f} s late"
        )


def _engine_counts(backend: str, args: argparse.Namespace) -> list[int]:
    return args.engines if backend == "postgresql" else [0]


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--backend", choices=BACKENDS, default="both")
    parser.add_argument(
        "--rates", default="50,100,200,400", help="offered alerts per second, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=20, help="duration of each offered rate")
    parser.add_argument("--drain", type=float, default=60, help="seconds to wait for the last deliveries")
    parser.add_argument(
        "--burst", type=int, default=1000, help="alerts stored before the engine starts (0: no capacity runs)"
    )
    parser.add_argument(
        "--engines", default="0", help="PostgreSQL: tocsin engine processes (0: inside serve)"
    )
    parser.add_argument(
        "--outage",
        type=float,
        nargs="?",
        const=180,
        help="run the outage drill: seconds the webhook refuses (180)",
    )
    parser.add_argument("--outage-rate", type=float, default=5, help="alerts per second during the outage")
    args = parser.parse_args()
    args.engines = [int(count) for count in args.engines.split(",")]
    rates = [int(rate) for rate in args.rates.split(",") if rate]  # --rates "": capacity only

    with Databases() as dbs, MailListener() as mail, ChatListener() as chat:
        bench = Bench(dbs, mail, chat, args)
        if args.outage is not None:
            for backend in chosen(args.backend):
                print(bench.outage(backend), flush=True)
            return
        runs, capacities = [], []
        for backend in chosen(args.backend):
            for engines in _engine_counts(backend, args):
                for rate in rates:
                    runs.append(bench.rate(backend, engines, rate))
                    _print_runs(runs[-1:])
                for what in ("notified", "posted") if args.burst else ():
                    capacities.append(bench.capacity(backend, engines, what))
                    label, _, per_second, count = capacities[-1]
                    print(f"{label}: {per_second:.0f} alerts {what}/s ({count} of the burst)", flush=True)

    print(f"\nseconds={args.seconds} burst={args.burst} drain={args.drain} cpus={os.cpu_count()}")
    _print_runs(runs, header=True)
    print(f"\n{'database':<24} {'capacity':<22} {'of burst':>9}")
    for label, what, per_second, count in capacities:
        print(f"{label:<24} {f'{per_second:.0f} alerts {what}/s':<22} {count:>9}")


def _print_runs(runs: list[RateRun], header: bool = False) -> None:
    if header:
        print(
            f"{'database':<24} {'offered/s':>9} {'answered/s':>10} {'errors':>6} "
            f"{'notify p50':>10} {'notify p99':>10} {'post p50':>10} {'post p99':>10} {'missing':>13}"
        )
    for r in runs:
        print(
            f"{r.label:<24} {r.offered:>9} {r.answered_rate:>10.0f} {r.errors:>6} "
            f"{r.notified.shown(0.5):>10} {r.notified.shown(0.99):>10} "
            f"{r.posted.shown(0.5):>10} {r.posted.shown(0.99):>10} "
            f"{r.notified.missing:>6}/{r.posted.missing:<6}",
            flush=True,
        )


if __name__ == "__main__":
    main()
