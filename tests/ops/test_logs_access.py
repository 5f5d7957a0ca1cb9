"""The access-log layer on its own: what its line says when the app fails, when no route took the
request, and who acted when that was noted in a worker thread."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import structlog
from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from tocsin.actors import Actor
from tocsin.ops import request_context
from tocsin.ops.access_log import AccessLog
from tocsin.ops.metrics_http import UNMATCHED


class _Route:
    path = "/v2/alerts/{identifier}"


def _scope(**extra: Any) -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": "/v2/alerts/8d5e-secret-looking-id",
        "query_string": b"apiKey=abc",
        "headers": [(b"x-forwarded-for", b"198.51.100.7")],
        "client": ("127.0.0.1", 50000),
        "state": {"request_id": "req-1"},
        **extra,
    }


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _call(app: Any, scope: Scope) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, _receive, send))
    return sent


async def _answer(send: Send, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_a_request_acted_on_in_a_worker_thread_names_its_actor_and_route() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = _Route()
        actor = Actor(name="Prometheus", channel="API")
        await run_in_threadpool(request_context.note_actor, actor)  # as a sync handler would
        await _answer(send, 404)

    with structlog.testing.capture_logs() as lines:
        _call(AccessLog(app, write=True, trust_forwarded_for=False), _scope())

    [line] = lines
    assert line["route"] == "/v2/alerts/{identifier}"
    assert (line["status"], line["log_level"]) == (404, "info")
    assert (line["actor"], line["via"]) == ("Prometheus", "API")
    assert line["client"] == "127.0.0.1"  # X-Forwarded-For is not trusted unless set
    assert "apiKey" not in str(line) and "8d5e" not in str(line)


def test_a_request_whose_app_fails_is_logged_as_a_500_error_and_the_failure_goes_on() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("broken")

    with structlog.testing.capture_logs() as lines, pytest.raises(RuntimeError):
        _call(AccessLog(app, write=True, trust_forwarded_for=True), _scope())

    [line] = lines
    assert (line["status"], line["log_level"], line["route"]) == (500, "error", UNMATCHED)
    assert line["client"] == "198.51.100.7"
    assert line["actor"] is None


def test_with_the_access_log_off_no_line_is_written_but_lines_still_get_the_request_id() -> None:
    seen: list[str | None] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        record = request_context.current()
        seen.append(record.request_id if record else None)
        await _answer(send, 200)

    with structlog.testing.capture_logs() as lines:
        _call(AccessLog(app, write=False, trust_forwarded_for=False), _scope())

    assert lines == []
    assert seen == ["req-1"]
    assert request_context.current() is None  # nothing left behind after the request
