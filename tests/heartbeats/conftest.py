"""Fixtures for heartbeats: the cast of tests/accounts (team ops: lead admin, ann member; team
db: bob), API clients per kind of key, a frozen clock, and an engine ticked by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.accounts.people import (  # noqa: F401  (fixtures)
    account_key,
    api,
    cast,
    integration_key,
)
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.engine.runner import EngineRunner
from tocsin.writer import WriteQueue


def heartbeat(name: str = "nightly-backup", **fields: Any) -> dict[str, Any]:
    """A create payload in Opsgenie's shape: every 10 minutes, enabled, unless told otherwise."""
    return {"name": name, "interval": 10, "intervalUnit": "minutes", "enabled": True, **fields}


def create(client: Any, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v2/heartbeats", json=payload)
    assert response.status_code == 201, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


class Engine:
    """The engine as ``tocsin serve`` builds it, ticked by the test after it moves the clock."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.writer = WriteQueue(db)
        self.runner: EngineRunner = build_engine(settings, self.writer)

    def tick(self) -> None:
        asyncio.run(self.runner.tick(every_job=True))


@pytest.fixture
def engine(db: Database, settings: Settings, frozen_clock: Any) -> Iterator[Engine]:
    driver = Engine(db, settings)
    driver.writer.start()
    try:
        yield driver
    finally:
        driver.writer.stop()
