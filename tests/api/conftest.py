from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alerts.conftest import api  # noqa: F401  (a client with a global integration key)
from tests.support.schemathesis_figures import PROPERTY, CaseTally


@pytest.fixture
def schemathesis_tally(request: pytest.FixtureRequest) -> Iterator[CaseTally]:
    """Counts the cases of one operation; the count goes to the terminal summary after the test."""
    tally = CaseTally()
    yield tally
    request.node.user_properties.append((PROPERTY, tally.cases))
