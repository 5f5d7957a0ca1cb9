"""/genie answer times: how long Tocsin takes to answer Mattermost slash commands while Mattermost is down.

Starts a real server (``tocsin serve``, engine included; on SQLite and on a private, durable
PostgreSQL as bench/ingest.py does) with a Mattermost integration whose incoming webhook is a
loopback port where nothing listens, so every post fails and the engine retries it throughout.
Seeds open alerts through the API, then sends slash commands as Mattermost does (form POST,
``Authorization: Token``) and times each answer: every command ``--repeat`` times one after
another, as many again from 8 concurrent clients in mixed order, then ``ackall`` (over
``--alerts`` alerts) and ``closeall`` once. Acks take alerts seeded for them on top of ``--alerts``.

    .venv/bin/python bench/chat_commands.py                 # both databases, defaults below
    .venv/bin/python bench/chat_commands.py --backend sqlite --alerts 200 --repeat 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support.databases import BACKENDS, Databases, chosen  # noqa: E402
from bench.support.tocsin import TOCSIN  # noqa: E402
from bench.support.tocsin import tocsin as run_tocsin  # noqa: E402
from tests.support.postgres import free_port  # noqa: E402

COMMAND_TOKEN = "benchcommandtoken000000000"  # 26 characters, as Mattermost's
CLIENTS = 8
ONCALL = "oncall@example.com"


@dataclass
class Timing:
    command: str
    mode: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


@dataclass
class Command:
    text: str
    expect: str
    """A piece of the answer's text that shows the command did its job."""


class Commands:
    """The commands measured: acks take alerts from ``fresh`` and use each once; notes and gets
    go to the first of ``others`` (the alerts left for ackall: notes do not acknowledge)."""

    def __init__(self, fresh: list[int], others: list[int]) -> None:
        self.fresh, self.others, self.total = fresh, others, len(fresh) + len(others)
        self.some = " ".join(str(tiny_id) for tiny_id in others[:10])

    def _take(self, count: int) -> str:
        taken, self.fresh = self.fresh[:count], self.fresh[count:]
        return " ".join(str(tiny_id) for tiny_id in taken)

    def make(self, name: str) -> Command:
        if name.startswith("ack "):
            return Command(f"ack {self._take(1 if name == 'ack 1 id' else 10)}", "acknowledged #")
        return {
            "note to 10 ids": Command(f"note disk cleaned up to {self.some}", "added a note"),
            "get": Command(f"get {self.others[0]}", f"#{self.others[0]}"),
            "list": Command("list", "Open alerts"),
            "whoisoncall": Command("whoisoncall", ONCALL),
            "help": Command("help", "/genie ack"),
            "connect": Command("connect", "Authenticate"),
            "ackall": Command("ackall", f"acknowledged {len(self.others)} open alerts"),
            "closeall": Command("closeall", f"closed {self.total} open alerts"),
        }[name]


REPEATED = ["ack 1 id", "ack 10 ids", "note to 10 ids", "get", "list", "whoisoncall", "help", "connect"]
ACKS_PER_ROUND = 11  # "ack 1 id" and "ack 10 ids"


class Slash:
    """Mattermost's side: the form it posts to the Request URL for ``/genie <text>``."""

    def __init__(self, client: httpx.AsyncClient, path: str) -> None:
        self.client, self.path = client, path

    async def send(self, command: Command, timing: Timing, user: int) -> None:
        fields = {
            "token": COMMAND_TOKEN, "team_id": "benchteamid000000000000000", "team_domain": "acme",
            "channel_id": "benchchannel00000000000000", "channel_name": "ops-alerts",
            "user_id": f"benchuser{user:017d}", "user_name": f"bench{user}", "command": "/genie",
            "text": command.text, "trigger_id": "", "root_id": "",
            "response_url": "http://mattermost.test/hooks/commands/benchresponse0000000000000",
        }  # fmt: skip
        headers = {"Authorization": f"Token {COMMAND_TOKEN}", "User-Agent": "Mattermost-Bot/1.1"}
        started = time.perf_counter()
        answer = await self.client.post(self.path, data=fields, headers=headers)
        timing.latencies.append(time.perf_counter() - started)
        problem = _problem(answer, command)
        if problem:
            timing.errors += 1
            timing.first_error = timing.first_error or f"{command.text[:40]}: {problem}"


def _problem(answer: httpx.Response, command: Command) -> str:
    """Why Mattermost would not show this answer as the command's result ("" if it would)."""
    if answer.status_code != 200 or not answer.headers.get("content-type", "").startswith("application/json"):
        return f"{answer.status_code} {answer.text[:200]}"
    body = answer.json()
    if body.get("response_type") not in ("in_channel", "ephemeral"):
        return f"response_type {body.get('response_type')!r}"
    text = str(body.get("text", ""))
    return "" if command.expect in text else f"unexpected answer {text[:200]!r}"


def _setup(env: dict[str, str], dead_port: int) -> tuple[str, str]:
    """An on-call schedule, an API integration and the Mattermost one; its key and Request URL."""

    def tocsin(*args: str) -> str:
        return run_tocsin(env, *args)

    tocsin("migrate")
    tocsin("user", "create", ONCALL)
    tocsin("team", "create", "ops", "--member", f"{ONCALL}:admin")
    from tocsin.actors import SYSTEM
    from tocsin.db import Database
    from tocsin.oncall import service as oncall
    from tocsin.oncall.lookup import NameRef, UserRef
    from tocsin.oncall.rotation_config import RotationInput

    db = Database(env["TOCSIN_DATABASE_URL"])
    try:
        with db.write_session() as session:
            start = datetime.now(UTC) - timedelta(days=1)
            rotation = RotationInput(type="weekly", start=start, participants=[UserRef(username=ONCALL)])
            team = NameRef(name="ops")
            oncall.create_schedule(
                session, actor=SYSTEM, name="ops-schedule", owner_team=team, rotations=[rotation]
            )
    finally:
        db.dispose()
    key = tocsin("integration", "create", "--type", "API", "--name", "monitoring").splitlines()[-1]
    hook = f"http://127.0.0.1:{dead_port}/hooks/benchhook0000000000000000"  # nothing listens there
    created = tocsin(
        "integration", "create", "--type", "Mattermost", "--name", "ops-chat",
        "--webhook-url", hook, "--command-token", COMMAND_TOKEN,
    )  # fmt: skip
    return key, created.splitlines()[-1]


async def _seed(url: str, key: str, count: int) -> None:
    numbers = iter(range(count))
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def raise_alerts() -> None:
            for number in numbers:
                body = {"message": f"Disk full on db{number}", "alias": f"bench-{number}", "priority": "P2"}
                headers = {"Authorization": f"GenieKey {key}"}
                (await client.post("/v2/alerts", json=body, headers=headers)).raise_for_status()

        await asyncio.gather(*(raise_alerts() for _ in range(CLIENTS)))


def _database_state(database_url: str) -> tuple[list[int], int, int, int]:
    """Open alerts' tinyIds; alert events not yet forwarded; Mattermost posts waiting, and their
    failed attempts so far."""
    from sqlalchemy import func, select

    from tocsin.alerts.models import Alert
    from tocsin.db import Database
    from tocsin.notify.outbox import OutboxMessage as Message

    db = Database(database_url)
    try:
        with db.read_session() as session:
            open_ids = select(Alert.tiny_id).where(Alert.status == "open").order_by(Alert.tiny_id)
            waits = Message.state != "delivered"
            unsent = select(func.count()).where(Message.topic == "alert.activity", waits)
            posts = select(func.count(), func.coalesce(func.sum(Message.attempts), 0))
            posts = posts.where(Message.topic == "mattermost.post", waits)
            waiting, attempts = session.execute(posts).one()
            return list(session.scalars(open_ids)), int(session.scalar(unsent) or 0), waiting, int(attempts)
    finally:
        db.dispose()


async def _measure(slash: Slash, commands: Commands, repeat: int) -> list[Timing]:
    timings: list[Timing] = []
    for name in REPEATED:
        timing = Timing(name, "one at a time")
        for _ in range(repeat):
            await slash.send(commands.make(name), timing, user=0)
        timings.append(timing)
    mixed = {name: Timing(name, f"{CLIENTS} concurrent") for name in REPEATED}
    queue = [name for name in REPEATED for _ in range(repeat)]
    random.Random(7).shuffle(queue)

    async def client(user: int) -> None:
        while queue:
            name = queue.pop()
            await slash.send(commands.make(name), mixed[name], user=user)

    await asyncio.gather(*(client(user) for user in range(1, CLIENTS + 1)))
    timings += mixed.values()
    for name in ("ackall", "closeall"):
        timing = Timing(name, "once")
        await slash.send(commands.make(name), timing, user=0)
        timings.append(timing)
    return timings


def _serving(url: str) -> bool:
    try:
        return httpx.get(f"{url}/login", timeout=1).status_code < 500
    except httpx.HTTPError:
        return False


def _wait_until(ready: Callable[[], bool], seconds: float, what: str) -> float:
    started = time.monotonic()
    while not ready():
        if time.monotonic() - started > seconds:
            raise RuntimeError(f"{what} took more than {seconds:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - started


def run_backend(backend: str, database_url: str, args: argparse.Namespace) -> list[Timing]:
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-") as data_dir:
        port = free_port()
        env = {
            **os.environ, "TOCSIN_DATABASE_URL": database_url, "TOCSIN_DATA_DIR": data_dir,
            "TOCSIN_LOG_LEVEL": "error", "TOCSIN_OUTBOUND_ALLOW": "127.0.0.0/8",
            "TOCSIN_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "TOCSIN_API_RATE_LIMIT": "1000000/second",  # measured here: the server, not its limit
        }  # fmt: skip
        key, request_url = _setup(env, free_port())
        quiet = subprocess.DEVNULL
        server = subprocess.Popen([TOCSIN, "serve", "--port", str(port)], env=env, stdout=quiet, stderr=quiet)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until(lambda: _serving(url), 30, "starting the server")
            fresh_needed = 2 * ACKS_PER_ROUND * args.repeat
            asyncio.run(_seed(url, key, fresh_needed + args.alerts))
            seeded = fresh_needed + args.alerts
            waited = _wait_until(lambda: _database_state(database_url)[1:3] == (0, seeded), 600, "forwarding")
            tiny_ids = _database_state(database_url)[0]
            print(f"{backend}: {seeded} alerts seeded, forwarded to Mattermost in {waited:.1f} s", flush=True)
            commands = Commands(tiny_ids[:fresh_needed], tiny_ids[fresh_needed:])

            async def measure() -> list[Timing]:
                async with httpx.AsyncClient(base_url=url, timeout=120) as client:
                    slash = Slash(client, urlsplit(request_url).path)
                    for _ in range(5):  # warm-up
                        await slash.send(Command("help", "/genie"), Timing("help", "warm-up"), user=0)
                    return await _measure(slash, commands, args.repeat)

            timings = asyncio.run(measure())
            waited = _wait_until(lambda: _database_state(database_url)[1] == 0, 600, "forwarding")
            _, _, waiting, attempts = _database_state(database_url)
            print(
                f"{backend}: the commands' events forwarded {waited:.1f} s after the last answer", flush=True
            )
            print(f"{backend}: {waiting} posts wait for Mattermost, {attempts} attempts failed", flush=True)
            return timings
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--backend", choices=BACKENDS, default="both")
    parser.add_argument("--alerts", type=int, default=1000, help="open alerts for ackall (and closeall)")
    parser.add_argument("--repeat", type=int, default=50, help="times each command is sent, per mode")
    args = parser.parse_args()

    results: list[tuple[str, Timing]] = []
    with Databases() as dbs:
        for backend in chosen(args.backend):
            results += [(backend, t) for t in run_backend(backend, dbs.fresh(backend), args)]

    print(f"\nalerts={args.alerts} repeat={args.repeat} cpus={os.cpu_count()} (answer times in ms)")
    print(f"{'backend':<11} {'mode':<13} {'command':<15} {'n':>4} {'errors':>6}   p50 ms  p99 ms  max ms")
    for backend, t in results:
        print(
            f"{backend:<11} {t.mode:<13} {t.command:<15} {len(t.latencies):>4} {t.errors:>6} "
            f"{t.ms(0.5):>8.0f} {t.ms(0.99):>7.0f} {max(t.latencies) * 1000:>7.0f}"
        )
    for backend, t in results:
        if t.first_error:
            print(f"{backend} {t.mode} {t.command}: {t.errors} errors, first: {t.first_error}")


if __name__ == "__main__":
    main()
