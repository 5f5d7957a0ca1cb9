"""``GET /alerts/live``: server-sent events telling a signed-in browser which alerts it may see were
created or changed, within a second, whoever changed them (``tocsin.alerts.changes``).

Each event is ``event: alert`` with ``{"id", "tiny_id", "change": "created"|"updated"}``; pages
fetch what they show themselves. A comment keeps the connection open through proxies. The stream
ends when the server stops (so a restart is not held up by open pages), when the browser's
session ends (looked at every ``SESSION_CHECK_SECONDS``) and when the browser falls behind."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import anyio
from fastapi import FastAPI
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from tocsin.actors import Scope
from tocsin.alerts.changes import AlertChange, ChangeFeed, Subscription
from tocsin.config import Settings
from tocsin.teams import service as teams
from tocsin.web.pages import db, signed_in_user

HEARTBEAT_SECONDS = 15
SESSION_CHECK_SECONDS = 10.0
RETRY_MILLISECONDS = 2000
STOP_GRACE_SECONDS = 1.0
"""When the server stops, how long a stream may take to end before it is cut off."""
SEND_TIMEOUT_SECONDS = 30.0
"""A browser that takes longer than this to take one event is cut off."""


def install(app: FastAPI, settings: Settings) -> None:
    """Installed before the alert page, whose ``/alerts/{alert_id}`` would take "live" for an id."""
    feed = ChangeFeed(app.state.db, interval=settings.live_poll_seconds)
    app.state.alert_changes = feed
    app.state.writer.after_commit(lambda _written: feed.wake())

    @app.get("/alerts/live", include_in_schema=False)
    async def live_alert_changes(request: Request) -> Response:
        scope = await run_in_threadpool(_viewer_scope, request)
        if scope is None:
            return PlainTextResponse("Log in to follow alert changes.", status_code=401)
        # Subscribed before the answer starts: a browser that has the headers misses nothing.
        subscription = await feed.subscribe(scope)
        stopping = anyio.Event()  # set by sse-starlette when the server is told to stop
        return EventSourceResponse(
            _events(request, feed, subscription, stopping),
            background=BackgroundTask(feed.unsubscribe, subscription),  # even if never streamed
            ping=HEARTBEAT_SECONDS,
            headers={"Cache-Control": "no-cache"},
            send_timeout=SEND_TIMEOUT_SECONDS,
            shutdown_event=stopping,
            shutdown_grace_period=STOP_GRACE_SECONDS,
        )


def _viewer_scope(request: Request) -> Scope | None:
    """The alerts the signed-in browser's user may see now (the alert list's rule), or None."""
    user = signed_in_user(request)
    if user is None:
        return None
    with db(request).read_session() as session:
        return teams.actor_for_user(session, user, channel="web").scope


async def _events(
    request: Request, feed: ChangeFeed, subscription: Subscription, stopping: anyio.Event
) -> AsyncIterator[ServerSentEvent]:
    async def end_when_stopping() -> None:
        await stopping.wait()
        subscription.close()

    # Ended, not cut off: a browser sees a cut stream as a failed load (a console error).
    watcher = asyncio.get_running_loop().create_task(end_when_stopping())
    try:
        yield ServerSentEvent(comment="listening", retry=RETRY_MILLISECONDS)
        check_at = time.monotonic() + SESSION_CHECK_SECONDS
        while not subscription.closed:
            change = await subscription.next(timeout=max(0.0, check_at - time.monotonic()))
            if change is not None:
                yield _event(change)
            if time.monotonic() >= check_at:
                current = await run_in_threadpool(_viewer_scope, request)
                if current is None:  # logged out or expired: the browser's retry is then refused
                    return
                subscription.scope = current  # joined or left a team meanwhile
                check_at = time.monotonic() + SESSION_CHECK_SECONDS
    finally:
        watcher.cancel()
        feed.unsubscribe(subscription)


def _event(change: AlertChange) -> ServerSentEvent:
    data = json.dumps({"id": change.alert_id, "tiny_id": change.tiny_id, "change": change.change})
    return ServerSentEvent(data=data, event="alert")
