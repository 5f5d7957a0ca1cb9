"""``GET /metrics``: the Prometheus exposition of what this process (or, with several worker
processes, all of them) counted, and what the database holds now.

One process: prometheus-client's default registry (Tocsin's counters, and the process, platform
and garbage-collector metrics it gives for free). Several (``PROMETHEUS_MULTIPROC_DIR`` set,
as ``tocsin serve --workers N`` does): the sum over every process's files; process metrics are
then left out, as prometheus-client cannot add them up."""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable
from datetime import timedelta

from prometheus_client import REGISTRY, CollectorRegistry, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from tocsin.db import Database
from tocsin.ops.liveness import STALE
from tocsin.ops.metrics_collector import DatabaseCollector

PATH = "/metrics"
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class _ThisProcess(Collector):
    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape_registry(db: Database | None, stale: timedelta = STALE) -> CollectorRegistry:
    """What a scrape shows: the counters (this process's, or every process's), and the
    database's state when ``db`` is given (``stale``: the watchdog's threshold)."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    if db is not None:
        registry.register(DatabaseCollector(db, stale))
    return registry


class MetricsEndpoint:
    """An ASGI app answering every request with the exposition (after the token, if one is set)."""

    def __init__(self, registry: CollectorRegistry, token: str) -> None:
        self.registry = registry
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            response: Response = JSONResponse(
                {"message": "Metrics are read with GET."}, status_code=405, headers={"Allow": "GET, HEAD"}
            )
        else:
            response = await self.answer(Headers(scope=scope))
        await response(scope, receive, send)

    async def answer(self, headers: Headers) -> Response:
        if self.token and not self._authorised(headers.get("authorization", "")):
            return JSONResponse(
                {"message": "Metrics need a token: send Authorization: Bearer <TOCSIN_METRICS_TOKEN>."},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="tocsin metrics"'},
            )
        encoder, content_type = choose_encoder(headers.get("accept", ""))
        body = await run_in_threadpool(encoder, self.registry)
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})

    def _authorised(self, authorization: str) -> bool:
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token)
