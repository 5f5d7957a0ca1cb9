"""Every operation of /api/openapi.json, fed generated valid and invalid input by schemathesis, on
SQLite and PostgreSQL: no answer is a server error, and every answer (status, headers, body) is the
one the schema documents. The figures are printed at the end of the run (see tests/conftest.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.python import asgi
from starlette.types import ASGIApp

from tests.accounts.people import ALL_RIGHTS
from tests.conftest import BACKENDS, fresh_database
from tests.support.factories import make_integration
from tests.support.schemathesis_figures import CaseTally
from tocsin.accounts import apikeys
from tocsin.app import build, create_app
from tocsin.config import Settings
from tocsin.db import Database

SEED = 20261206
MAX_EXAMPLES = 5
"""Per operation and generation mode, on top of the coverage phase's boundary cases; keeps the 119
operations on two databases within a couple of minutes on two cores."""

CONFIGURATION = {
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        # A schema-valid request may still break a rule no JSON schema can state (an end in the
        # future, a user that exists, an id or else a name): those are 422s that say what to fix.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}
    },
}


def _openapi_document() -> dict[str, Any]:
    """The document /api/openapi.json serves (building it opens no database connection)."""
    unused = Path(tempfile.gettempdir()) / "tocsin-openapi-document.db"
    settings = Settings(database_url=f"sqlite:///{unused}", secret_key="schema-only")
    return create_app(settings, run_engine=False).openapi()


schema = schemathesis.openapi.from_dict(
    _openapi_document(), config=schemathesis.Config.from_dict(CONFIGURATION)
)


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """One database of each kind for all the operations, which fill it as clients would."""
    directory = tmp_path_factory.mktemp("fuzzed")
    with fresh_database(request, request.param, directory) as url:
        yield Settings(
            database_url=url,
            data_dir=directory,
            secret_key="test-secret",
            public_base_url="http://tocsin.test",
            # Every case reaches the operation under test, not the key's rate limit.
            api_rate_limit="1000000/minute",
        )


@pytest.fixture(scope="module")
def api_keys(fuzzed_settings: Settings) -> Iterator[dict[str, str]]:
    """An integration key (it acts on alerts) and an account key with every right, configuration
    included (it manages users, teams, schedules...), so authenticated operations are exercised."""
    db = Database(fuzzed_settings.effective_database_url)
    try:
        _, integration_key = make_integration(db, "Fuzzer")
        with db.write_session() as session:
            _, account_key = apikeys.create_api_key(session, name="fuzzer", rights=list(ALL_RIGHTS))
    finally:
        db.dispose()
    yield {"integration": integration_key, "account": account_key}


@pytest.fixture(scope="module")
def api_app(fuzzed_settings: Settings) -> Iterator[ASGIApp]:
    """The application as served; schemathesis runs its lifespan on the first call."""
    try:
        yield build(fuzzed_settings, run_engine=False)
    finally:
        asgi.shutdown_lifespans()


def key_for(path: str, keys: dict[str, str]) -> str:
    return keys["integration"] if path.startswith("/v2/alerts") else keys["account"]


@schema.parametrize()
@hypothesis.settings(
    # One application and database serve all the cases of an operation, as a server would.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow],
    deadline=None,
)
def test_no_input_gives_a_server_error_or_an_undocumented_answer(
    case: schemathesis.Case, api_app: ASGIApp, api_keys: dict[str, str], schemathesis_tally: CaseTally
) -> None:
    headers = {"Authorization": f"GenieKey {key_for(case.path, api_keys)}"}
    schemathesis_tally.cases += 1
    case.call_and_validate(app=api_app, headers=headers)
