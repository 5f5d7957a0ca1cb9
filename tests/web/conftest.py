from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_integration
from tocsin.actors import Actor
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.app import build
from tocsin.config import Settings


def web_settings(database_url: str, data_dir: Path, root_path: str = "") -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key="test-secret",
        public_base_url=f"http://tocsin.test{root_path}",
        root_path=root_path,
    )


def web_client(settings: Settings) -> TestClient:
    """A client that, like a browser, keeps cookies; redirects are left for the test to see."""
    return TestClient(
        build(settings, run_engine=False), base_url="http://tocsin.test", follow_redirects=False
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return web_settings(database_url, tmp_path)


@pytest.fixture
def http(settings: Settings) -> Iterator[TestClient]:
    with web_client(settings) as client:
        yield client


@pytest.fixture
def prometheus(db) -> Actor:
    actor, _ = make_integration(db, "Prometheus")
    return actor


@pytest.fixture
def add_alert(db, prometheus: Actor) -> Callable[..., str]:
    """Create an alert as the Prometheus integration would; returns its id."""

    def add(**fields: Any) -> str:
        with db.write_session() as session:
            payload = CreateAlertPayload.model_validate(fields)
            return ingest.create_alert(session, payload=payload, actor=prometheus).alert_id

    return add
