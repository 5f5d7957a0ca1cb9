"""Running Tocsin for a benchmark: its settings, its command line, a team to route alerts to,
and ``tocsin serve`` / ``tocsin engine`` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.support.load import Target
from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
TOCSIN = str(ROOT / ".venv" / "bin" / "tocsin")
ONCALL = "oncall@example.com"
TEAM = "bench-team"


def environment(database_url: str, data_dir: str, settings: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "TOCSIN_DATABASE_URL": database_url,
        "TOCSIN_DATA_DIR": data_dir,
        "TOCSIN_LOG_LEVEL": "warning",
        "TOCSIN_API_RATE_LIMIT": "1000000/second",  # measured here: the server, not its limit
        **(settings or {}),
    }


def tocsin(env: dict[str, str], *args: str) -> str:
    """Runs the command line; its output."""
    return subprocess.run([TOCSIN, *args], env=env, check=True, capture_output=True, text=True).stdout


def api_key(env: dict[str, str]) -> str:
    """A new global API integration's key."""
    created = tocsin(env, "integration", "create", "--type", "API", "--name", f"bench-{time.monotonic_ns()}")
    return created.strip().splitlines()[-1]


def setup_team(
    env: dict[str, str], *, mattermost_hook: str | None = None, chat_team: str | None = TEAM
) -> None:
    """Migrates, then makes a team with an on-call schedule and a default escalation that notifies
    whoever is on call (by e-mail: the rule every new user starts with); with ``mattermost_hook``
    also a Mattermost integration posting to that incoming webhook: owned by ``chat_team`` (it
    posts that team's alerts), or by no team (it posts every alert)."""
    tocsin(env, "migrate")
    tocsin(env, "user", "create", ONCALL)
    tocsin(env, "team", "create", TEAM, "--member", f"{ONCALL}:admin")
    from tocsin.actors import SYSTEM
    from tocsin.db import Database
    from tocsin.escalations import service as escalations
    from tocsin.escalations.schemas import EscalationPayload
    from tocsin.oncall import service as oncall
    from tocsin.oncall.lookup import NameRef, UserRef
    from tocsin.oncall.rotation_config import RotationInput

    db = Database(env["TOCSIN_DATABASE_URL"])
    try:
        with db.write_session() as session:
            start = datetime.now(UTC) - timedelta(days=1)
            rotation = RotationInput(type="weekly", start=start, participants=[UserRef(username=ONCALL)])
            oncall.create_schedule(
                session, actor=SYSTEM, name="bench-schedule", owner_team=NameRef(name=TEAM),
                rotations=[rotation],
            )  # fmt: skip
            escalations.create_policy(
                session, actor=SYSTEM, payload=EscalationPayload.model_validate({
                    "name": "bench-escalation", "ownerTeam": {"name": TEAM}, "teamDefault": True,
                    "rules": [{"recipient": {"type": "schedule", "name": "bench-schedule"}}],
                }),
            )  # fmt: skip
    finally:
        db.dispose()
    if mattermost_hook:
        tocsin(
            env, "integration", "create", "--type", "Mattermost", "--name", "bench-chat",
            "--webhook-url", mattermost_hook, *(["--team", chat_team] if chat_team else []),
        )  # fmt: skip


def serving(port: int, path: str = "/login") -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
        return True
    except OSError:
        return False


def wait_serving(
    port: int, process: subprocess.Popen[bytes], seconds: float = 60, path: str = "/login"
) -> None:
    deadline = time.monotonic() + seconds
    while not serving(port, path):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server on port {port} did not start")
        time.sleep(0.1)


def serve(
    env: dict[str, str], *, workers: int = 1, engine: bool = True
) -> tuple[subprocess.Popen[bytes], int]:
    """``tocsin serve`` on a free port, once it answers."""
    port = free_port()
    command = [TOCSIN, "serve", "--port", str(port), "--workers", str(workers)]
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(
        [*command, *([] if engine else ["--no-engine"])], env=env, stdout=quiet, stderr=quiet
    )
    wait_serving(port, process)
    return process, port


def stop(process: subprocess.Popen[bytes], seconds: float = 30) -> float | None:
    """SIGTERM, then the seconds until the process exits; None if it had not within ``seconds``
    (it is then killed)."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
    return time.monotonic() - started


def wait_until(ready: Callable[[], bool], seconds: float, step: float = 0.05) -> bool:
    """Whether ``ready()`` came true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


class Server:
    """A fresh Tocsin on ``database_url``: the bench team (see ``setup_team``), an API key, and
    ``tocsin serve`` with its engine inside, or with ``--no-engine`` when ``engine_inside`` is
    False (``add_engines`` then starts ``tocsin engine`` processes)."""

    def __init__(
        self,
        database_url: str,
        settings: dict[str, str],
        *,
        engine_inside: bool = True,
        mattermost_hook: str | None = None,
        chat_team: str | None = TEAM,
        workers: int = 1,
    ) -> None:
        self._data_dir = tempfile.TemporaryDirectory(prefix="tocsin-bench-")
        self.env = environment(database_url, self._data_dir.name, settings)
        self.engine_inside, self.workers = engine_inside, workers
        setup_team(self.env, mattermost_hook=mattermost_hook, chat_team=chat_team)
        self.key = api_key(self.env)
        self.engines: list[subprocess.Popen[bytes]] = []
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def target(self) -> Target:
        return Target(self.port, "/v2/alerts", {"Authorization": f"GenieKey {self.key}"}, 202)

    def serve(self) -> None:
        self.process, self.port = serve(self.env, workers=self.workers, engine=self.engine_inside)

    def add_engines(self, count: int) -> None:
        """Starts ``count`` ``tocsin engine`` processes and returns once each is running."""
        started = [
            subprocess.Popen(
                [TOCSIN, "engine"], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            for _ in range(count)
        ]
        for engine in started:
            assert engine.stdout is not None
            engine.stdout.readline()  # "Tocsin engine running …"
        self.engines += started

    def stop_serving(self, seconds: float = 30) -> float | None:
        """SIGTERM to ``tocsin serve``: the seconds it took to exit (None: not within ``seconds``)."""
        assert self.process is not None
        took = stop(self.process, seconds)
        self.process = None
        return took

    def __enter__(self) -> Server:
        self.serve()
        return self

    def __exit__(self, *exc: object) -> None:
        for engine in self.engines:
            stop(engine)
        if self.process is not None:
            stop(self.process)
        self._data_dir.cleanup()


def posts_waiting(database_url: str) -> tuple[int, int]:
    """Chat posts not yet delivered, and how many attempts to send them have failed so far."""
    from sqlalchemy import func, select

    from tocsin.db import Database
    from tocsin.notify.outbox import OutboxMessage as Message

    db = Database(database_url)
    try:
        with db.read_session() as session:
            waiting = select(func.count(), func.coalesce(func.sum(Message.attempts), 0)).where(
                Message.topic == "mattermost.post", Message.state != "delivered"
            )
            count, attempts = session.execute(waiting).one()
            return int(count), int(attempts)
    finally:
        db.dispose()
