from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.accounts.people import account_key, cast  # noqa: F401  (fixtures)
from tests.support.api import ApiClient
from tests.support.factories import make_integration


@pytest.fixture
def api(http: TestClient, db) -> ApiClient:
    """A client holding the key of a global API integration named Prometheus."""
    _, key = make_integration(db, "Prometheus")
    return ApiClient(http, key)
