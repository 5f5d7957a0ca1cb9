"""A threaded HTTP server on a loopback port that records every request and lets a callback
answer it. Unlike tests/support/http_receiver.py it can stop listening (connections are then
refused) and listen again on the same port, so URLs handed to Tocsin stay valid."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer

from tests.support.http_receiver import Answer, Received, handler_class


class Listener:
    def __init__(self, respond: Callable[[Received], Answer]) -> None:
        self.respond = respond
        self.port = 0
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def forget(self) -> None:
        with self._lock:
            self._received.clear()

    @property
    def listening(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            return
        # HTTPServer sets SO_REUSEADDR, so the port can be bound again right after a stop.
        server = ThreadingHTTPServer(("127.0.0.1", self.port), handler_class(self._record))
        server.daemon_threads = True
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-mattermost", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    def _record(self, request: Received) -> Answer:
        with self._lock:
            self._received.append(request)
        return self.respond(request)
