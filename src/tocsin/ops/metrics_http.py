"""Counting HTTP requests by route template, method and status, with their duration, and
answering ``/metrics`` on the main port: the layer just inside the path prefix, so it sees
every request, those the create lane answers too.

The route label is the template the router matched (``/v2/alerts/{identifier}``), never the
raw path; a path no route matches is ``(unmatched)``."""

from __future__ import annotations

import functools
import time
from datetime import timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.config import Settings
from tocsin.db import Database
from tocsin.ops import metrics
from tocsin.ops.metrics_endpoint import PATH, MetricsEndpoint, scrape_registry

UNMATCHED = "(unmatched)"
ROUTE_KEY = "tocsin.route"
"""Where a layer that answers without the router (the create lane) leaves the template it served."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path or "/"
    return str(scope.get(ROUTE_KEY, UNMATCHED))


class RequestMetrics:
    def __init__(self, app: ASGIApp, endpoint: MetricsEndpoint | None) -> None:
        self.app = app
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an error no handler answered

        async def send_and_see(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if self.endpoint is not None and scope["path"] == scope.get("root_path", "") + PATH:
                scope[ROUTE_KEY] = PATH
                await self.endpoint(scope, receive, send_and_see)
            else:
                await self.app(scope, receive, send_and_see)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            count, duration = _series(route_template(scope), method, status)
            count.inc()
            duration.observe(time.perf_counter() - started)


@functools.cache
def _series(route: str, method: str, status: int) -> tuple[Any, Any]:
    """The counter and histogram of one (route, method, status), looked up once (the labels are
    bounded): half of what counting a request costs otherwise."""
    return metrics.HTTP_REQUESTS.labels(route, method, str(status)), metrics.HTTP_DURATION.labels(
        route, method
    )


def layer(app: ASGIApp, settings: Settings, db: Database) -> ASGIApp:
    """``app`` with its requests counted and /metrics answered (unless metrics are off, or
    served on their own port)."""
    if not settings.metrics:
        return app
    on_main_port = settings.metrics_port is None
    registry = scrape_registry(db, timedelta(seconds=settings.watchdog_stale_seconds))
    endpoint = MetricsEndpoint(registry, settings.metrics_token) if on_main_port else None
    return RequestMetrics(app, endpoint)
