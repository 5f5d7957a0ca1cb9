"""``tocsin serve`` as a real process: it migrates, makes an owner who can log in, serves the API
and stops cleanly when asked to."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from alembic.migration import MigrationContext

from tests.support.postgres import free_port
from tests.support.processes import START_TIMEOUT, Serve
from tests.test_cli import TOCSIN, Tocsin, empty, tocsin_environment
from tocsin.db import Database


def _owner_credentials(stdout: str) -> tuple[str, str]:
    username = re.search(r"^\s*username: (\S+)$", stdout, re.MULTILINE)
    password = re.search(r"^\s*password: (\S+)$", stdout, re.MULTILINE)
    assert username and password, stdout
    return username[1], password[1]


def _log_in(url: str, username: str, password: str) -> httpx.Response:
    """The web login: the form's CSRF token belongs to the cookie session it was served in."""
    with httpx.Client(base_url=url, timeout=10) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        answer = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token[1]}
        )
        if answer.status_code == 303:  # signed in: the alert list shows instead of a redirect to /login
            assert client.get("/alerts").status_code == 200
        return answer


def _assert_stopped_cleanly(serve: Serve, status: int, how: signal.Signals) -> None:
    # uvicorn shuts down gracefully, then ends with the signal it received (so supervisors see it).
    assert status in (0, -how), serve.stderr
    assert "Application shutdown complete" in serve.stderr
    assert "Traceback" not in serve.stderr


def test_first_start_creates_the_owner_and_shows_the_password_once(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    environment = tocsin_environment(data_dir=tmp_path / "data")

    first = serves(environment)

    username, password = _owner_credentials(first.stdout)
    assert username == "owner@example.com"
    assert f"log in at {first.url}/login" in first.stdout
    assert _log_in(first.url, username, password).status_code == 303
    assert _log_in(first.url, username, "not the password").status_code == 401
    refused = httpx.get(f"{first.url}/v2/alerts", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/json")
    assert "GenieKey" in refused.json()["message"]
    _assert_stopped_cleanly(first, first.stop(signal.SIGTERM), signal.SIGTERM)

    second = serves(environment)

    assert "password" not in second.stdout
    assert f"log in at {second.url}/login" in second.stdout
    assert _log_in(second.url, username, password).status_code == 303
    _assert_stopped_cleanly(second, second.stop(signal.SIGINT), signal.SIGINT)


def test_worker_processes_use_the_port_given_on_the_command_line(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    environment = tocsin_environment(data_dir=tmp_path / "data")
    Tocsin(environment).ok("migrate")
    key = Tocsin(environment).ok("apikey", "create", "--name", "dashboards", "--rights", "read")[-1]

    serve = serves(environment, "--workers", "2")

    listing = httpx.get(f"{serve.url}/v2/alerts", headers={"Authorization": f"GenieKey {key}"}, timeout=10)
    assert listing.status_code == 200, listing.text
    assert listing.json()["paging"]["first"].startswith(f"{serve.url}/v2/alerts?")
    _assert_stopped_cleanly(serve, serve.stop(signal.SIGTERM), signal.SIGTERM)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_serve_migrates_an_empty_postgresql_database(
    serves: Callable[..., Serve], database_url: str, tmp_path: Path
) -> None:
    environment = tocsin_environment(
        database_url=empty(database_url), data_dir=tmp_path / "data", owner_email="boss@example.com"
    )

    serve = serves(environment)

    username, password = _owner_credentials(serve.stdout)
    assert username == "boss@example.com"
    assert _log_in(serve.url, username, password).status_code == 303
    _assert_stopped_cleanly(serve, serve.stop(signal.SIGTERM), signal.SIGTERM)
    database = Database(database_url)
    try:
        with database.write_engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() is not None
    finally:
        database.dispose()


def test_an_owner_email_that_is_not_an_e_mail_is_one_line_error(tmp_path: Path) -> None:
    environment = tocsin_environment(data_dir=tmp_path / "data", owner_email="root")

    result = subprocess.run(
        [str(TOCSIN), "serve", "--port", str(free_port())],
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        check=False,
    )

    assert result.returncode != 0
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ")
    assert "'root'" in line
    assert "TOCSIN_OWNER_EMAIL" in line
