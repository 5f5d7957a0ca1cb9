"""Chat posts per second: how fast the engine empties a backlog of Mattermost posts into a local
incoming webhook (uvicorn in its own process, answering "ok" as Mattermost does, HTTP/1.1).

Queues ``--alerts`` times ``--per-alert`` posts (ordered per alert, as the forwarder writes them) on
SQLite, then ticks the engine back to back until every post is delivered, and prints posts per
second and the engine process's CPU time per post. Measures the code on ``sys.path``: run it
with ``PYTHONPATH=<another checkout>/src`` to measure that checkout.

    .venv/bin/python bench/posts.py
    .venv/bin/python bench/posts.py --alerts 200 --per-alert 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.migrate import upgrade
from tocsin.notify import outbox
from tocsin.notify.outbox import OutboxMessage
from tocsin.writer import WriteQueue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.chat_posts import add_hook, queue_posts  # noqa: E402

HOOK = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_hook(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    (directory / "hook.py").write_text(HOOK)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "hook:app", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=directory)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the hook did not start")


def left(db: Database) -> int:
    with db.read_session() as session:
        query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != "delivered")
        return int(session.scalar(query) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--per-alert", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        hook, port = start_hook(Path(directory))
        try:
            url = f"sqlite:///{directory}/bench.db"
            upgrade(url)
            settings = Settings(
                database_url=url,
                data_dir=Path(directory),
                secret_key="bench",
                outbound_allow="127.0.0.0/8",
                sqlite_synchronous="NORMAL",
            )
            db = Database(url, sqlite_synchronous="NORMAL")
            hook_url = f"http://127.0.0.1:{port}/hooks/bench"
            wanted = [(f"alert-{a}", n) for n in range(arguments.per_alert) for a in range(arguments.alerts)]
            queue_posts(db, add_hook(db, hook_url, "bench-chat"), wanted)
            posts = len(wanted)
            writer = WriteQueue(db)
            writer.start()
            engine = build_engine(settings, writer)

            async def drain() -> None:
                while left(db):
                    await engine.tick()

            started, cpu = time.monotonic(), time.process_time()
            asyncio.run(drain())
            seconds, cpu = time.monotonic() - started, time.process_time() - cpu
            writer.stop()
            db.dispose()
        finally:
            hook.terminate()
            hook.wait()
    rate, cost = posts / seconds, cpu / posts * 1000
    print(f"{posts} posts in {seconds:.2f} s: {rate:.0f} posts/s, {cost:.1f} ms CPU each")
    print(f"(code from {Path(outbox.__file__).parents[2]}, pid {os.getpid()})")


if __name__ == "__main__":
    main()
