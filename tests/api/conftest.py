from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alerts.conftest import api  # noqa: F401  (a client with a global integration key)
from tests.support.schemathesis_figures import PROPERTY, CaseTally


@pytest.fixture
def schemathesis_tally(request: pytest.FixtureRequest, database_url: str) -> Iterator[CaseTally]:
    """Counts the cases of one run; the counts go to the terminal summary after the test."""
    tally = CaseTally()
    yield tally
    database = database_url.split(":", 1)[0].split("+", 1)[0]
    request.node.user_properties.append((PROPERTY, (database, tally.cases, tally.failures)))
