"""A real HTTP server on loopback that records every request it receives, for tests of what
Tocsin sends out (webhooks, chat servers).

By default it answers 200 with an empty JSON object. ``answer_with(500, 200)`` queues statuses
for the next requests; ``respond`` replaces the answering altogether (a fake chat server
answers as its platform does)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


Responder = Callable[[Received], Answer]


class HttpReceiver:
    def __init__(self, respond: Responder | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.respond = respond
        self.host = host
        self._received: list[Received] = []
        self._queued: list[int] = []
        self._lock = threading.Lock()
        self._server = _Server((host, port), handler_class(self._answer))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def answer_with(self, *statuses: int) -> None:
        """The statuses of the next requests, in order; 200 once they are used up."""
        with self._lock:
            self._queued.extend(statuses)

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} requests, got {len(self.received)}")
            time.sleep(0.02)
        return self.received

    def _answer(self, request: Received) -> Answer:
        with self._lock:
            self._received.append(request)
            if self._queued:
                return Answer(self._queued.pop(0))
        return self.respond(request) if self.respond else Answer()

    def start(self) -> HttpReceiver:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HttpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # as a real server's listen backlog (nginx: 511), not socketserver's 5


def handler_class(answer: Responder) -> type[BaseHTTPRequestHandler]:
    """A request handler that reads each request whole and sends what ``answer`` says."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = answer(Received(self.command, self.path, headers, body))
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler
