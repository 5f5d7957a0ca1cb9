"""Apps under test clients with settings of the test's choosing, and their state at hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tocsin.app import create_app, wrap
from tocsin.config import Settings


@pytest.fixture
def client_of() -> Iterator[Callable[..., TestClient]]:
    """Opens a test client of an app with the given settings (its lifespan running: writer,
    watchdog, engine if asked); ``client.state`` is the app's state. Closed at the end: ask for
    this fixture after the database and the clock, so it is closed before they go."""
    opened: list[TestClient] = []

    def open_client(settings: Settings, *, run_engine: bool = False) -> TestClient:
        app = create_app(settings, run_engine=run_engine)
        client = TestClient(wrap(app, settings), base_url="http://tocsin.test")
        client.state = app.state  # type: ignore[attr-defined]
        opened.append(client.__enter__())
        return client

    yield open_client
    for client in reversed(opened):
        client.__exit__(None, None, None)
