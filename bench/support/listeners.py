"""What Tocsin delivers to, inside the benchmark process: an SMTP server (aiosmtpd) for e-mail
notifications and an HTTP server for Mattermost incoming-webhook posts. Each notes when every
alert's first delivery arrived, by the alert's token (``bench.support.alerts``)."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from bench.support.alerts import TOKEN
from tests.support.postgres import free_port


class Arrivals:
    """First arrival (``time.perf_counter()``) of each token."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.deliveries = 0

    def note(self, content: bytes) -> None:
        now = time.perf_counter()
        self.deliveries += 1
        for found in set(TOKEN.findall(content)):
            self.first.setdefault(found.decode(), now)


class _MailHandler:
    def __init__(self, arrivals: Arrivals) -> None:
        self.arrivals = arrivals

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrivals.note(envelope.original_content or envelope.content)
        return "250 OK"


class MailListener:
    """An SMTP server on a free loopback port, in a thread of its own."""

    def __init__(self) -> None:
        self.arrivals = Arrivals()
        self.port = free_port()
        self._controller = Controller(_MailHandler(self.arrivals), hostname="127.0.0.1", port=self.port)

    def settings(self) -> dict[str, str]:
        return {"TOCSIN_SMTP_HOST": "127.0.0.1", "TOCSIN_SMTP_PORT": str(self.port)}

    def __enter__(self) -> MailListener:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


class ChatListener:
    """Mattermost's incoming webhook on a free loopback port: answers 200 ``ok``, or, while
    refusing, 503 (``refuse("503")``) or nothing at all, the port closed (``refuse("closed")``)."""

    def __init__(self) -> None:
        self.arrivals = Arrivals()
        self.refused = Arrivals()
        """Posts answered 503, by token."""
        self.port = free_port()
        self.answer = 200
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()

    @property
    def hook(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/benchhook0000000000000000"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Mattermost behind nginx

            def setup(self) -> None:
                super().setup()
                listener._connections.add(self.connection)

            def finish(self) -> None:
                listener._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = listener.answer
                (listener.arrivals if status == 200 else listener.refused).note(body)
                answer = b"ok" if status == 200 else b"unavailable"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def _open(self) -> None:
        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for connection in list(self._connections):  # kept-alive ones too: nothing answers now
            connection.shutdown(socket.SHUT_RDWR)

    def refuse(self, how: str) -> None:
        if how == "closed":
            self._close()
        else:
            self.answer = 503

    def recover(self) -> None:
        self.answer = 200
        if self._server is None:
            self._open()

    def __enter__(self) -> ChatListener:
        self._open()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()
