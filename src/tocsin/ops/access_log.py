"""One line per HTTP request: method, route template, status, duration, client, actor.

The route is the template the request matched (``/v2/alerts/{identifier}``), never the path as
sent: paths carry alert ids, and some carry secrets (chat request URLs, calendar feed and link
tokens). The query string and headers are never logged."""

from __future__ import annotations

import logging
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.ops import request_context
from tocsin.ops.metrics_http import route_template  # the same route as the request metrics
from tocsin.throttling.addresses import client_address

access_log = structlog.stdlib.get_logger("tocsin.access")


class AccessLog:
    """Sets the request's log context (its id from ``RequestContext``, outside this layer) for
    every line written while it is served, and writes its access line when ``write`` is set."""

    def __init__(self, app: ASGIApp, *, write: bool, trust_forwarded_for: bool) -> None:
        self.app = app
        self.write = write
        self.trust_forwarded_for = trust_forwarded_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = request_context.begin(str(scope.get("state", {}).get("request_id", "")))
        if not self.write:
            try:
                await self.app(scope, receive, send)
            finally:
                request_context.end(token)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception the server will answer 500 to

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self._write(scope, status, time.perf_counter() - started)
            request_context.end(token)

    def _write(self, scope: Scope, status: int, seconds: float) -> None:
        record = request_context.current()
        level = logging.ERROR if status >= 500 else logging.INFO
        access_log.log(
            level,
            "request",
            method=scope["method"],
            route=route_template(scope),
            status=status,
            duration_ms=round(seconds * 1000, 2),
            client=self._client(scope),
            actor=record.actor if record else None,
            via=record.via if record else None,
        )

    def _client(self, scope: Scope) -> str:
        peer = scope.get("client")
        forwarded = None
        if self.trust_forwarded_for:
            values = [value for name, value in scope.get("headers", []) if name == b"x-forwarded-for"]
            forwarded = values[-1].decode("latin-1") if values else None
        host = peer[0] if peer else None
        return client_address(host, forwarded, trust_forwarded_for=self.trust_forwarded_for)
