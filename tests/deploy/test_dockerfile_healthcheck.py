"""The Dockerfile's HEALTHCHECK command, run as Docker would (``/bin/sh -c``, the image's
settings in its environment): healthy against a real ``tocsin serve``, and only when
``/health/live`` answers 200 (a small server stands in for the answers Tocsin never gives),
asked at Tocsin's port and path prefix."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.artifacts import dockerfile_instructions
from tests.support.postgres import free_port
from tests.support.processes import Serve
from tests.test_cli import tocsin_environment


def _healthcheck_command() -> str:
    options = next(rest for keyword, rest in dockerfile_instructions() if keyword == "HEALTHCHECK")
    flags, _, command = options.partition(" CMD ")
    assert all(flag.startswith("--") for flag in flags.split()), flags
    return command.strip()


class _Answers(BaseHTTPRequestHandler):
    status = 200
    asked: list[str] = []

    def do_GET(self) -> None:
        self.asked.append(self.path)
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    _Answers.asked = []
    _Answers.status = 200
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _run(port: int, **settings: str) -> int:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("TOCSIN_")}
    environment["PATH"] = f"{Path(sys.executable).parent}:{environment.get('PATH', '')}"  # the image's python
    environment.update(TOCSIN_PORT=str(port), **settings)
    return subprocess.run(
        ["/bin/sh", "-c", _healthcheck_command()],
        env=environment,
        capture_output=True,
        timeout=30,
        check=False,
    ).returncode


def test_healthy_against_tocsin_serve_under_a_prefix(serves: Callable[..., Serve], tmp_path: Path) -> None:
    serve = serves(tocsin_environment(data_dir=tmp_path, root_path="/tocsin"), "--no-engine")

    assert _run(serve.port, TOCSIN_ROOT_PATH="/tocsin") == 0


def test_healthy_when_health_live_answers_200(server: ThreadingHTTPServer) -> None:
    assert _run(server.server_address[1]) == 0
    assert _Answers.asked == ["/health/live"]


def test_the_path_prefix_is_asked_for(server: ThreadingHTTPServer) -> None:
    assert _run(server.server_address[1], TOCSIN_ROOT_PATH="/tocsin") == 0
    assert _Answers.asked == ["/tocsin/health/live"]


def test_unhealthy_when_it_answers_otherwise_or_not_at_all(server: ThreadingHTTPServer) -> None:
    _Answers.status = 503

    assert _run(server.server_address[1]) == 1
    assert _run(free_port()) == 1
