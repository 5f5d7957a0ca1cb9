"""Alerta 9 (PyPI ``alerta-server``) on gunicorn, for comparison: a virtualenv of its own under
the benchmark's work directory, made on first use (never one of Tocsin's dependencies)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.support.tocsin import stop
from tests.support.postgres import free_port

PACKAGES = ("alerta-server>=9,<10", "psycopg2-binary", "gunicorn")
"""The wheel's ``postgres`` extra wants psycopg2 from source; the binary build is the same driver."""


def virtualenv(work_dir: Path) -> Path:
    """The Alerta virtualenv, made with ``python3 -m venv`` and pip if it is not there yet."""
    venv = work_dir / "alerta-venv"
    if not (venv / ".installed").exists():
        python = shutil.which("python3.11") or "python3"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *PACKAGES], check=True)
        (venv / ".installed").touch()
    return venv


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/management/healthcheck", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def start(venv: Path, database_url: str, workers: int, stack: contextlib.ExitStack) -> int:
    """gunicorn with ``workers`` processes on a free port, authentication off, once it answers
    (stopped when ``stack`` closes): its port.
    ``--preload`` makes the schema once, before the workers start (they would race for it)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AUTH_REQUIRED": "False",
        "SECRET_KEY": "bench-only-secret",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(venv / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--preload", "--log-level", "warning", "alerta:create_app()",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    stack.callback(stop, process)
    deadline = time.monotonic() + 60
    while not _healthy(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("Alerta did not start (its output is above)")
        time.sleep(0.2)
    return port
