"""``GET /alerts/live`` over real HTTP: a signed-in browser hears, within a second, of changes to
the alerts it may see, made through the API; it is refused when not signed in, cut off when it
logs out, and the stream ends when the server stops."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource, ServerSentEvent

from tests.support.factories import make_integration, make_team, make_user
from tests.support.processes import Serve
from tests.support.server import LiveServer, live_settings
from tests.test_cli import tocsin_environment
from tocsin.db import Database
from tocsin.web import live_pages

PASSWORD = "correct horse"
WAIT = 5.0  # seconds before a missing event fails the test
WITHIN = 1.0  # seconds from the API's answer to the event: what the page promises


@pytest.fixture
def world(db: Database) -> str:
    """ada is in ops; bob in billing. Returns the key of a global API integration."""
    make_user(db, "ada@example.com", password=PASSWORD)
    make_user(db, "bob@example.com", password=PASSWORD)
    make_team(db, "ops", "ada@example.com")
    make_team(db, "billing", "bob@example.com")
    _, key = make_integration(db, "Prometheus")
    return key


@pytest.fixture
def server(database_url: str, tmp_path: Path, world: str) -> Iterator[LiveServer]:
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started


def log_in(client: httpx.Client, username: str = "ada@example.com") -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]})
    assert answer.status_code == 303, answer.text


def browser(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=httpx.Timeout(10, read=WAIT))


@contextmanager
def listening(client: httpx.Client) -> Iterator[Iterator[ServerSentEvent]]:
    """The browser's event stream, once the server listens for it (its first message)."""
    with client.stream("GET", "/alerts/live") as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        events = EventSource(response).iter_sse()
        hello = next(events)
        assert hello.retry == live_pages.RETRY_MILLISECONDS
        yield events


def alert_events(events: Iterator[ServerSentEvent]) -> Iterator[dict[str, Any]]:
    for message in events:
        assert message.event == "alert", message
        yield message.json()


def create_by_api(url: str, key: str, message: str, team: str) -> tuple[str, int, float]:
    """The alert's id and tinyId, and the moment the API answered."""
    headers = {"Authorization": f"GenieKey {key}"}
    answer = httpx.post(
        f"{url}/v2/alerts",
        json={"message": message, "responders": [{"type": "team", "name": team}]},
        headers=headers,
        timeout=10,
    )
    answered = time.monotonic()
    assert answer.status_code == 202, answer.text
    status = httpx.get(f"{url}/v2/alerts/requests/{answer.json()['requestId']}", headers=headers, timeout=10)
    alert_id = status.json()["data"]["alertId"]
    alert = httpx.get(f"{url}/v2/alerts/{alert_id}", headers=headers, timeout=10).json()["data"]
    return alert_id, alert["tinyId"], answered


def test_an_alert_created_then_acknowledged_through_the_api_reaches_the_browser_within_a_second(
    server: LiveServer, world: str
) -> None:
    with browser(server.url) as ada:
        log_in(ada)
        with listening(ada) as events:
            changes = alert_events(events)
            alert_id, tiny_id, answered = create_by_api(server.url, world, "api down", "ops")
            assert next(changes) == {"id": alert_id, "tiny_id": int(tiny_id), "change": "created"}
            assert time.monotonic() - answered < WITHIN

            acked = httpx.post(
                f"{server.url}/v2/alerts/{alert_id}/acknowledge",
                json={},
                headers={"Authorization": f"GenieKey {world}"},
                timeout=10,
            )
            answered = time.monotonic()
            assert acked.status_code == 202, acked.text
            assert next(changes) == {"id": alert_id, "tiny_id": int(tiny_id), "change": "updated"}
            assert time.monotonic() - answered < WITHIN


def test_another_teams_alert_is_not_told(server: LiveServer, world: str) -> None:
    with browser(server.url) as ada, browser(server.url) as bob:
        log_in(ada, "ada@example.com")
        log_in(bob, "bob@example.com")
        with listening(ada) as ada_events, listening(bob) as bob_events:
            billing_id, _, _ = create_by_api(server.url, world, "invoices stuck", "billing")
            ops_id, _, _ = create_by_api(server.url, world, "api down", "ops")
            # Each hears of its own team's alert first: the other one, made earlier, never came.
            assert next(alert_events(ada_events))["id"] == ops_id
            assert next(alert_events(bob_events))["id"] == billing_id


def test_a_browser_not_signed_in_is_refused_without_a_redirect(server: LiveServer) -> None:
    with browser(server.url) as stranger:
        answer = stranger.get("/alerts/live")
    assert answer.status_code == 401
    assert "location" not in answer.headers


def test_logging_out_ends_the_stream_and_the_retry_is_refused(
    server: LiveServer, world: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_pages, "SESSION_CHECK_SECONDS", 0.2)
    with browser(server.url) as ada:
        log_in(ada)
        with listening(ada) as events:
            page = ada.get("/alerts")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            assert ada.post("/logout", data={"csrf_token": token[1]}).status_code == 303
            assert list(events) == []  # the stream ends, with no further event
        assert ada.get("/alerts/live").status_code == 401


def test_stopping_the_server_ends_open_streams_at_once(database_url: str, tmp_path: Path, world: str) -> None:
    started = LiveServer(live_settings(database_url, str(tmp_path))).__enter__()
    with browser(started.url) as ada:
        log_in(ada)
        with listening(ada) as events:
            ended = threading.Event()

            def read_to_the_end() -> None:
                for _ in events:
                    pass
                ended.set()

            reader = threading.Thread(target=read_to_the_end)
            reader.start()
            stopping = time.monotonic()
            started.__exit__(None, None, None)
            assert ended.wait(WAIT)
            assert time.monotonic() - stopping < 2
            reader.join()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # how it stops is not the database's
def test_a_served_process_stopped_by_sigterm_ends_open_streams(
    serves: Any, database_url: str, db: Database, tmp_path: Path, world: str
) -> None:
    serve: Serve = serves(
        tocsin_environment(database_url=database_url, data_dir=tmp_path / "data", secret_key="test-secret")
    )
    with browser(serve.url) as ada:
        log_in(ada)
        with listening(ada) as events:
            stopping = time.monotonic()
            serve.process.send_signal(signal.SIGTERM)
            assert list(events) == []  # ends rather than hold up the stop until timeout
            serve.process.wait(timeout=WAIT)
            assert time.monotonic() - stopping < 3
    assert "Traceback" not in serve.stderr


def test_under_a_path_prefix(database_url: str, tmp_path: Path, world: str) -> None:
    settings = live_settings(database_url, str(tmp_path), root_path="/tocsin")
    with LiveServer(settings) as started, browser(started.url) as ada:
        log_in(ada)
        with listening(ada) as events:
            alert_id, _, _ = create_by_api(started.url, world, "api down", "ops")
            assert next(alert_events(events))["id"] == alert_id
        script = ada.get("/static/live.js")
        assert script.status_code == 200 and "EventSource" in script.text
