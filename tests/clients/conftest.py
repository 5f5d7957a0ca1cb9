from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.factories import make_integration
from tests.support.server import LiveServer, live_settings


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(live_settings(database_url, str(tmp_path))) as server:
        yield server


@pytest.fixture
def integration_key(db) -> str:
    _, key = make_integration(db, "Prometheus")
    return key
