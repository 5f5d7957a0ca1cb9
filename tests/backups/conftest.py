"""A Tocsin installation per test (database, data directory, the console script) and a second,
empty one to restore into."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import fresh_database
from tests.test_cli import Tocsin, tocsin_environment
from tocsin.cli.app import app


def backend_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def installation(database_url: str, tmp_path: Path) -> Tocsin:
    return Tocsin(tocsin_environment(database_url=database_url, data_dir=tmp_path / "data"))


@pytest.fixture
def another_installation(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[Tocsin]:
    """A second installation, freshly migrated and empty, of the same database kind."""
    directory = tmp_path / "elsewhere"
    directory.mkdir()
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(request, backend_of(database_url), directory))
        yield Tocsin(tocsin_environment(database_url=url, data_dir=directory / "data"))


class InProcess:
    """The ``tocsin`` command run in this process (faster than the console script), with the
    settings of an installation and nothing else from the environment."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment

    def __call__(self, *args: str, **more_environment: str) -> Result:
        environment: dict[str, str | None] = {name: None for name in os.environ if name.startswith("TOCSIN_")}
        environment.update(
            {name: value for name, value in self.environment.items() if name.startswith("TOCSIN_")}
        )
        environment.update(more_environment)
        return CliRunner().invoke(app, list(args), env=environment)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout

    def error(self, *args: str, **more_environment: str) -> str:
        """The one line of a command that must fail."""
        result = self(*args, **more_environment)
        assert result.exit_code == 1, (result.output, result.exception)
        [line] = result.stderr.splitlines()
        assert line.startswith("error: ")
        return line


@pytest.fixture
def tocsin(installation: Tocsin) -> InProcess:
    return InProcess(installation.environment)
