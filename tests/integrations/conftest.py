"""Integration tests use the cast of tests/accounts (team ops: lead admin, ann; team db: bob), a
real HTTP server on loopback as the webhook receiver, and the engine ticked by hand. Loopback is
allowed as an outbound destination here, as an administrator would allow an internal server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.people import (  # noqa: F401  (fixtures)
    Client,
    account_key,
    api,
    cast,
    integration_key,
)
from tests.engine.conftest import EngineDriver
from tests.support.http_receiver import HttpReceiver
from tests.test_cli import tocsin  # noqa: F401  (fixture)
from tocsin.config import Settings
from tocsin.db import Database


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret",
        public_base_url="http://tocsin.test",
        outbound_allow="127.0.0.0/8",
    )


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as server:
        yield server


@pytest.fixture
def engine(db: Database, settings: Settings) -> Iterator[EngineDriver]:
    driver = EngineDriver(db, settings)
    driver.start()
    yield driver
    driver.stop()


def webhook(name: str, url: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "type": "Webhook", "url": url, **fields}


@pytest.fixture
def create_integration(request: pytest.FixtureRequest) -> Callable[..., dict[str, Any]]:
    """Create through the API as a configuration key; the answer's data."""
    configurer: Client = request.getfixturevalue("api")

    def create(payload: dict[str, Any], client: Client | None = None) -> dict[str, Any]:
        response = (client or configurer).post("/v2/integrations", json=payload)
        assert response.status_code == 201, response.text
        return response.json()["data"]  # type: ignore[no-any-return]

    return create


def alert_payloads(receiver: HttpReceiver) -> list[dict[str, Any]]:
    return [request.json() for request in receiver.received]
