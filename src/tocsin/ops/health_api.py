"""``GET /health/live`` and ``GET /health/ready`` for load balancers, orchestrators and monitoring:
no authentication, no session, no rate limit, JSON answers, never a server error. Left out of the
API document: that describes the Opsgenie-compatible API, which clients generate code from."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from tocsin import clock
from tocsin.db import Database
from tocsin.ops import health
from tocsin.ops.health import Check, EngineLoop, Readiness
from tocsin.ops.liveness import Problem

log = logging.getLogger(__name__)

ANSWER_WITHIN_SECONDS = 2.0
"""A database that hangs must not hang the probe: after this long the answer is 503."""
REUSE_FOR = timedelta(seconds=1)
"""Probes every second from several balancers share one look at the database."""
NOT_CACHED = {"Cache-Control": "no-store"}

router = APIRouter(include_in_schema=False)


class ReadinessProbe:
    """Answers readiness from at most one look at the database at a time: while one is under
    way (a hung database: a thread waits for it) later probes wait for the same one, so a hung
    database ties up one thread, not one per probe."""

    def __init__(
        self, db: Database, own_engine: EngineLoop | None, problems: Callable[[], list[Problem]]
    ) -> None:
        self.db = db
        self.own_engine = own_engine
        self.problems = problems
        """The watchdog's current problems, listed in every answer."""
        self._looking: asyncio.Future[Readiness] | None = None
        self._last: tuple[float, datetime, Readiness] | None = None
        self._looking_since = 0.0

    async def answer(self) -> Readiness:
        now, moment = clock.now(), time.monotonic()
        if self._last is not None:
            looked, at, readiness = self._last
            if moment - looked < REUSE_FOR.total_seconds() and timedelta(0) <= now - at < REUSE_FOR:
                return readiness
        problems = self.problems()
        looking = self._looking
        if looking is None or looking.done() or looking.get_loop() is not asyncio.get_running_loop():
            looking = self._looking = asyncio.ensure_future(
                asyncio.to_thread(health.readiness, self.db, self.own_engine, problems, now)
            )
            self._looking_since = moment
        # A look under way for long already (a hung database) is answered at once, not waited for again.
        left = max(0.0, self._looking_since + ANSWER_WITHIN_SECONDS - moment)
        try:
            readiness = await asyncio.wait_for(asyncio.shield(looking), left)
        except TimeoutError:
            hung = Check(
                "database", False, f"The database did not answer within {ANSWER_WITHIN_SECONDS:g} s."
            )
            return Readiness([hung], problems)
        self._last = (time.monotonic(), now, readiness)
        return readiness


@router.api_route("/health/live", methods=["GET", "HEAD"])
async def live() -> JSONResponse:
    """The process answers. It asks nothing of the database."""
    return JSONResponse({"status": "ok"}, headers=NOT_CACHED)


@router.api_route("/health/ready", methods=["GET", "HEAD"])
async def ready(request: Request) -> JSONResponse:
    probe: ReadinessProbe = request.app.state.readiness
    try:
        readiness = await probe.answer()
    except Exception:  # a fault of the probe itself: still an answer a balancer understands
        log.exception("readiness probe failed")
        failed = Check("probe", False, "The readiness check failed; Tocsin's log has the details.")
        readiness = Readiness([failed], [])
    return JSONResponse(readiness.as_json(), status_code=200 if readiness.ready else 503, headers=NOT_CACHED)


def install(app: FastAPI, probe: ReadinessProbe) -> None:
    app.state.readiness = probe
    app.include_router(router)
