"""Fixtures shared by the whole suite.

Every test that uses ``database_url`` (or fixtures built on it) runs twice: on SQLite and on
PostgreSQL. PostgreSQL is a private server started for the run (or ``TOCSIN_TEST_POSTGRES_URL``).
With ``CI=true`` a missing PostgreSQL fails the run instead of skipping those tests.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.dependencies import models as fastapi_dependency_models
from fastapi.testclient import TestClient

from tests.support.postgres import PostgresServer, PostgresUnavailable, execute_admin
from tests.support.processes import Serve
from tests.support.schemathesis_figures import Figures
from tocsin import clock
from tocsin.accounts import passwords
from tocsin.app import build
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.migrate import upgrade

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgresql"]
_database_numbers = itertools.count()
_schemathesis_figures = Figures()


def require_service(reason: str) -> None:
    """Skip locally when a service is missing, but fail in CI: there a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: missing services are failures)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest in this process: tests create people with passwords by the
    thousand, and at the real cost (64 MiB, about 0.1 s each) hashing was two fifths of a chat
    test's time. A hash names its parameters, so verifying works as in production; servers the
    tests start as processes hash at the real cost."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


# FastAPI remembers, in module-level caches of 4,096 entries, whether each endpoint function is
# a coroutine or a generator. Every app a test builds has its own endpoint closures, and each one
# holds its whole app alive: about 125 apps (3 million objects, near 1 GB) stayed reachable in a
# worker, and each full garbage collection paused the tests for seconds. One app per process in
# production never notices.
_FASTAPI_CALLABLE_CACHES = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    for name in _FASTAPI_CALLABLE_CACHES:
        cache = getattr(fastapi_dependency_models, name, None)
        if cache is not None:
            cache.cache_clear()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    given = os.environ.get("TOCSIN_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        server = PostgresServer()
        server.start()
    except (PostgresUnavailable, OSError, KeyError) as exc:
        require_service(f"PostgreSQL is not available: {exc}")
    try:
        yield server.admin_url
    finally:
        server.stop()


def _pg_url(admin_url: str, database: str) -> str:
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> str:
    name = f"tocsin_template_{os.getpid()}"
    execute_admin(postgres_admin_url, f"DROP DATABASE IF EXISTS {name}")
    execute_admin(postgres_admin_url, f"CREATE DATABASE {name}")
    upgrade(_pg_url(postgres_admin_url, name))
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tocsin.db"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def fresh_database(request: pytest.FixtureRequest, backend: str, directory: Path) -> Iterator[str]:
    """A freshly migrated, empty database of the given kind (SQLite: a file in ``directory``)."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = directory / "tocsin.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"tocsin_test_{os.getpid()}_{next(_database_numbers)}"
    execute_admin(admin_url, f"CREATE DATABASE {name} TEMPLATE {template_name}")
    try:
        yield _pg_url(admin_url, name)
    finally:
        execute_admin(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of each kind."""
    with fresh_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def frozen_at(start: datetime) -> Iterator[clock.FrozenClock]:
    """Tocsin's clock stopped at ``start`` (it moves only when told to), then put back."""
    frozen = clock.FrozenClock(start)
    previous = clock.use(frozen)
    try:
        yield frozen
    finally:
        clock.use(previous)


@pytest.fixture
def frozen_clock() -> Iterator[clock.FrozenClock]:
    with frozen_at(datetime(2026, 3, 1, 9, 0, tzinfo=UTC)) as frozen:
        yield frozen


@pytest.fixture
def serves(tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    """Start ``tocsin serve`` processes; any still running at the end are killed."""
    started: list[Serve] = []

    def start(environment: dict[str, str], *arguments: str) -> Serve:
        serve = Serve(environment, tmp_path / "logs", *arguments)
        started.append(serve)
        serve.wait_until_serving()
        return serve

    yield start
    for serve in started:
        serve.kill()


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
    """The application (without its engine) behind a test client."""
    with TestClient(build(settings, run_engine=False), base_url="http://tocsin.test") as client:
        yield client


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _schemathesis_figures.add(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _schemathesis_figures.lines():
        terminalreporter.write_line(line)
