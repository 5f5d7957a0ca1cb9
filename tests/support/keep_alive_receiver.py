"""A real HTTP/1.1 server on loopback that keeps connections alive, as chat servers do, and counts
the connections made to it: what tests of pooled outbound clients measure. ``respond`` answers
each request and may be changed while it runs (a chat server going down and coming back)."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from typing import Any

from tests.support.http_receiver import Answer, Received, Responder, handler_class


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 resets connections made all at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client closing its kept-alive connections (the engine stopping) is no error here."""


class KeepAliveReceiver:
    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.connections = 0
        self._received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(handler_class(self._answer)):  # type: ignore[misc]
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes

            def setup(self) -> None:
                with receiver._lock:
                    receiver.connections += 1
                super().setup()

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def _answer(self, request: Received) -> Answer:
        with self._lock:
            self._received.append(request)
        return self.respond(request)

    def __enter__(self) -> KeepAliveReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
