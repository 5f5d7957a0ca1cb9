"""What Tocsin delivers to, inside the benchmark process: an SMTP server (aiosmtpd) for e-mail
notifications and an HTTP server for Mattermost incoming-webhook posts. Each notes when every
alert's first delivery arrived, by the alert's token (``bench.support.alerts``)."""

from __future__ import annotations

import time
from typing import Any

from aiosmtpd.controller import Controller
from bench.support.alerts import TOKEN
from tests.support.chat_posts import HOOK_PATH
from tests.support.http_receiver import Answer, Received
from tests.support.keep_alive_receiver import KeepAliveReceiver
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


class ChatListener(KeepAliveReceiver):
    """Mattermost's incoming webhook (HTTP/1.1, keep-alive) on a loopback port: answers 200 ``ok``,
    or 503 while refusing (``refuse`` until ``recover``)."""

    def __init__(self) -> None:
        super().__init__(self._answer_post)
        self.arrivals = Arrivals()
        self.answer = 200

    @property
    def hook(self) -> str:
        return self.url(HOOK_PATH)

    def _answer_post(self, request: Received) -> Answer:
        if self.answer != 200:
            return Answer(self.answer, b"unavailable", {})
        self.arrivals.note(request.body)
        return Answer(200, b"ok", {"Content-Type": "text/plain"})

    def refuse(self) -> None:
        self.answer = 503

    def recover(self) -> None:
        self.answer = 200

    def __enter__(self) -> ChatListener:
        super().__enter__()
        return self
