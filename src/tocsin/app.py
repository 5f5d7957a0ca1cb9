"""The ASGI application: API, web pages and, while it runs, the write queue and engine loops."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, routing
from starlette.types import ASGIApp

from tocsin import __version__
from tocsin.accounts import info_api as account_info_api
from tocsin.accounts import passwords
from tocsin.alerts import api as alerts_api
from tocsin.alerts import api_actions as alerts_api_actions
from tocsin.alerts import saved_searches_api
from tocsin.alerts.create_lane import CreateLane
from tocsin.api import docs_page as api_docs
from tocsin.api import errors as api_errors
from tocsin.api import openapi as api_openapi
from tocsin.api.auth import KeyCache
from tocsin.api.envelope import RequestContext
from tocsin.api.nul_guard import RejectNul
from tocsin.api.trailing_slash import TrailingSlash
from tocsin.chat.platforms import hipchat, mattermost, slack
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.escalations import api as escalations_api
from tocsin.heartbeats import api as heartbeats_api
from tocsin.integrations import api as integrations_api
from tocsin.maintenance import api as maintenance_api
from tocsin.notify import api as notify_api
from tocsin.notify import availability_api, forwarding_api, ntfy_actions, twilio_webhooks
from tocsin.oncall import api as schedules_api
from tocsin.oncall import feeds_api
from tocsin.ops import health_api, metrics_http
from tocsin.ops.access_log import AccessLog
from tocsin.ops.logs import access_log_on
from tocsin.ops.watchdog import Watchdog
from tocsin.people import api as users_api
from tocsin.people import belongings_api as user_belongings_api
from tocsin.policies import api as policies_api
from tocsin.prefix import PathPrefix
from tocsin.routing import api as routing_api
from tocsin.teams import api as teams_api
from tocsin.throttling.guards import Throttles
from tocsin.web import routes as web_routes
from tocsin.web.page_sessions import PageSessions
from tocsin.writer import WriteQueue

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, run_engine: bool | None = None, freeze_heap: bool = False) -> FastAPI:
    """Build the application. The database must already be migrated (``tocsin serve`` does it).
    The engine runs inside unless ``run_engine`` (default: ``settings.run_engine``) is False.
    ``freeze_heap`` is for a process that serves this one app (``tocsin serve``): see lifespan."""
    if run_engine is None:
        run_engine = settings.run_engine
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    writer = WriteQueue(db)
    engine_writer = WriteQueue(db, name="tocsin-engine-writer")
    engine = build_engine(settings, engine_writer) if run_engine else None
    if engine is not None:
        engine.wake_on_commits_of(writer)
    watchdog = Watchdog(settings, db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _prepare_routes(app)
        if freeze_heap:
            # What was made while starting (modules, routes, templates: some 280,000 objects) lives
            # as long as the process; full collections then skip it. A busy page (a month of a big
            # schedule) set off a full collection every 15 requests, each 150 ms long without this.
            gc.freeze()
        writer.start()
        if engine is not None:
            engine_writer.start()
            engine.start()
        watchdog.start()
        try:
            yield
        finally:
            watchdog.stop()
            if engine is not None:
                engine.stop()
                engine_writer.stop()
            writer.stop()
            db.dispose()

    app = FastAPI(
        title="Tocsin",
        version=__version__,
        description="On-call alerting with an Opsgenie-compatible API",
        lifespan=lifespan,
        docs_url=None,  # served by api_docs, without a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
        telemetry=None if settings.opentelemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.writer = writer
    app.state.engine = engine
    app.state.watchdog = watchdog
    app.state.key_cache = KeyCache()
    app.state.throttles = Throttles(settings)
    passwords.limit_hashing(settings.password_hash_concurrency, settings.password_hash_wait_seconds)
    api_errors.install(app)
    api_openapi.install(app)
    api_docs.install(app)
    app.include_router(saved_searches_api.router)  # before /v2/alerts/{identifier}
    app.include_router(alerts_api.router, tags=["alerts"])
    app.include_router(account_info_api.router, tags=["account"])
    app.include_router(alerts_api_actions.router, tags=["alerts"])
    app.include_router(users_api.router, tags=["users"])
    app.include_router(user_belongings_api.router, tags=["users"])
    app.include_router(notify_api.router, tags=["users"])
    app.include_router(availability_api.router, tags=["users"])
    app.include_router(forwarding_api.router, tags=["forwarding rules"])
    app.include_router(teams_api.router, tags=["teams"])
    app.include_router(routing_api.router, tags=["teams"])
    app.include_router(schedules_api.router, tags=["schedules"])
    app.include_router(escalations_api.router, tags=["escalations"])
    app.include_router(heartbeats_api.router, tags=["heartbeats"])
    app.include_router(integrations_api.router, tags=["integrations"])
    app.include_router(feeds_api.router, tags=["calendar feeds"])
    app.include_router(maintenance_api.router, tags=["maintenance"])
    app.include_router(policies_api.router, tags=["policies"])
    app.include_router(mattermost.router)
    app.include_router(hipchat.router)
    app.include_router(slack.router)
    app.include_router(twilio_webhooks.router)
    app.include_router(ntfy_actions.router)
    health_api.install(app, health_api.ReadinessProbe(db, engine, lambda: watchdog.current))
    web_routes.install(app, settings)
    app.add_middleware(  # sessions for the pages; API-key and chat webhook routes skip them
        PageSessions,
        secret_key=settings.effective_secret_key,
        session_cookie="tocsin_session",
        path=settings.root_path or "/",
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    app.add_middleware(RejectNul)  # outermost: no handler or session sees a NUL
    return app


def _prepare_routes(app: FastAPI) -> None:
    """FastAPI prepares an included router's routes (their parameters' validators) on the first
    request that reaches it: up to a second of CPU, seconds on a busy machine, which a chat
    command's answer cannot afford (Slack gives up after 3 s). Prepared here, before serving."""
    for _ in routing.iter_route_contexts(app.router.routes):
        pass


def wrap(app: FastAPI, settings: Settings) -> ASGIApp:
    """The outermost layers: the create lane (left out when FastAPI's telemetry is on, so that
    every request is traced), request metrics, the access log, API paths without their trailing
    slash, request ids and timing, then the path prefix."""
    inner: ASGIApp = app if settings.opentelemetry else CreateLane(app, app)
    counted = metrics_http.layer(inner, settings, app.state.db)  # inside the rewrites: it sees the route
    logged = AccessLog(
        counted, write=access_log_on(settings), trust_forwarded_for=settings.trust_forwarded_for
    )
    wrapped: ASGIApp = RequestContext(TrailingSlash(logged))
    if settings.root_path:
        wrapped = PathPrefix(wrapped, settings.root_path)
    return wrapped


def build(settings: Settings, *, run_engine: bool | None = None, freeze_heap: bool = False) -> ASGIApp:
    return wrap(create_app(settings, run_engine=run_engine, freeze_heap=freeze_heap), settings)
