"""Starting the server: migrate, make sure someone can log in, then run uvicorn."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta

import uvicorn
from starlette.types import ASGIApp

from tocsin import migrate
from tocsin.accounts import service as accounts
from tocsin.accounts.passwords import random_password
from tocsin.app import build
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.ops import logs, metrics_server
from tocsin.ops.metrics_endpoint import MULTIPROCESS_DIR
from tocsin.people import service as people


def prepare(settings: Settings) -> None:
    settings.ensure_data_dir()
    settings.effective_secret_key  # noqa: B018 - created now, before any worker process starts
    migrate.upgrade(settings.effective_database_url)
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    created: tuple[str, str] | None = None
    try:
        with db.write_session() as session:
            if accounts.count_users(session) == 0:
                password = random_password()
                owner = people.create_user(
                    session, username=settings.owner_email, role="owner", password=password, full_name="Owner"
                )
                created = (owner.username, password)
    finally:
        db.dispose()
    if created is not None:  # only once it is committed
        _say("No users yet: created the owner account (this password is shown only once).")
        _say(f"  username: {created[0]}")
        _say(f"  password: {created[1]}")
    _say(f"Tocsin is starting on {settings.base_url}/ : log in at {settings.base_url}/login")


def _say(line: str) -> None:
    # Flushed at once: under systemd or Docker stdout is a pipe, and a buffered line would show up
    # late, or never (uvicorn ends the process with the SIGTERM it was stopped by).
    print(line, flush=True)


def from_environment() -> ASGIApp:
    """Application factory for multi-process serving (each process reads the same settings)."""
    settings = Settings()
    logs.configure(settings)
    return build(settings, freeze_heap=True)


def run(settings: Settings, *, workers: int = 1) -> None:
    """Serve (logging set up by ``logs.configure`` first: uvicorn leaves it as it is)."""
    common = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        **logs.uvicorn_options(),
    }
    own_dir = _share_metrics(workers) if settings.metrics else None
    own_port = _serve_metrics_port(settings)
    try:
        if workers > 1:
            uvicorn.run("tocsin.server:from_environment", factory=True, workers=workers, **common)  # type: ignore[arg-type]
        else:
            uvicorn.run(build(settings, freeze_heap=True), **common)  # type: ignore[arg-type]
    finally:
        if own_port is not None:
            own_port.stop()
        if own_dir is not None:
            shutil.rmtree(own_dir, ignore_errors=True)


def _share_metrics(workers: int) -> str | None:
    """With several worker processes, each counts into files of one directory and a scrape
    (answered by any of them) adds them all up: prometheus-client's multiprocess mode. A
    directory given in PROMETHEUS_MULTIPROC_DIR is used as it is; otherwise a fresh one is made
    for this run (returned, to be removed at the end)."""
    if workers <= 1 or os.environ.get(MULTIPROCESS_DIR):
        return None
    made = tempfile.mkdtemp(prefix="tocsin-metrics-")
    os.environ[MULTIPROCESS_DIR] = made  # read by the worker processes as they start
    return made


def _serve_metrics_port(settings: Settings) -> metrics_server.MetricsServer | None:
    if not settings.metrics or settings.metrics_port is None:
        return None
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    server = metrics_server.start(
        settings.metrics_host,
        settings.metrics_port,
        db=db,
        token=settings.metrics_token,
        stale=timedelta(seconds=settings.watchdog_stale_seconds),
    )
    _say(f"Metrics on http://{settings.metrics_host}:{server.port}/metrics")
    return server
