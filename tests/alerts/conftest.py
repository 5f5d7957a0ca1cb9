from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.api import ApiClient
from tests.support.factories import make_integration
from tocsin.app import build
from tocsin.config import Settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret",
        public_base_url="http://tocsin.test",
    )


@pytest.fixture
def http(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build(settings, run_engine=False), base_url="http://tocsin.test") as client:
        yield client


@pytest.fixture
def api(http: TestClient, db) -> ApiClient:
    """A client holding the key of a global API integration named Prometheus."""
    _, key = make_integration(db, "Prometheus")
    return ApiClient(http, key)
