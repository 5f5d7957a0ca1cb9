"""Settings come from ``TOCSIN_*`` environment variables, with defaults for a single host."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tocsin.config import Settings

FIELDS = (
    "DATA_DIR",
    "DATABASE_URL",
    "PUBLIC_BASE_URL",
    "SECRET_KEY",
    "HOST",
    "PORT",
    "ROOT_PATH",
    "OWNER_EMAIL",
    "REQUEST_RECORD_DAYS",
    "LOG_LEVEL",
    "API_RATE_LIMIT",
    "LOGIN_FAILURES_PER_ADDRESS",
    "LOGIN_FAILURES_PER_ACCOUNT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No TOCSIN_* setting leaks in from the shell, and the default data dir lands in tmp_path."""
    for field in FIELDS:
        monkeypatch.delenv(f"TOCSIN_{field}", raising=False)
    monkeypatch.chdir(tmp_path)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TOCSIN_DATABASE_URL", "postgresql://tocsin@db/tocsin")
    monkeypatch.setenv("TOCSIN_HOST", "0.0.0.0")
    monkeypatch.setenv("TOCSIN_PORT", "9000")
    monkeypatch.setenv("TOCSIN_OWNER_EMAIL", "boss@example.com")
    monkeypatch.setenv("TOCSIN_REQUEST_RECORD_DAYS", "3")
    monkeypatch.setenv("TOCSIN_LOG_LEVEL", "debug")

    settings = Settings()

    assert settings.data_dir == tmp_path / "state"
    assert settings.effective_database_url == "postgresql://tocsin@db/tocsin"
    assert (settings.host, settings.port) == ("0.0.0.0", 9000)
    assert settings.owner_email == "boss@example.com"
    assert settings.request_record_days == 3
    assert settings.log_level == "debug"


def test_defaults_suit_a_single_host(tmp_path: Path) -> None:
    settings = Settings()

    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.root_path == ""
    assert settings.owner_email == "owner@example.com"
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'data' / 'tocsin.db'}"


def test_default_database_is_an_sqlite_file_inside_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOCSIN_DATA_DIR", "relative/state")

    settings = Settings()

    # Absolute, so it does not depend on the directory the server is started from later.
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'relative' / 'state' / 'tocsin.db'}"


def test_ensure_data_dir_creates_missing_directories(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data_dir = tmp_path / "a" / "b" / "data"
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(data_dir))
    settings = Settings()

    settings.ensure_data_dir()
    settings.ensure_data_dir()  # and again: an existing directory is fine

    assert data_dir.is_dir()


def test_secret_key_is_generated_once_kept_private_and_reused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data_dir = tmp_path / "fresh"
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(data_dir))

    key = Settings().effective_secret_key

    stored = data_dir / "secret_key"
    assert len(key) >= 32
    assert stored.read_text().strip() == key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert Settings().effective_secret_key == key


def test_secret_key_file_is_private_even_with_a_permissive_umask(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(tmp_path))
    previous = os.umask(0)
    try:
        Settings().effective_secret_key  # noqa: B018
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_an_empty_secret_key_file_is_replaced_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A file left empty (a crash while it was first written) must not make the key empty:
    sessions signed with an empty key could be forged by anyone."""
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(tmp_path))
    (tmp_path / "secret_key").write_text("\n")

    key = Settings().effective_secret_key

    assert len(key) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert Settings().effective_secret_key == key


def test_explicit_secret_key_wins_and_writes_no_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TOCSIN_SECRET_KEY", "shared-by-every-host")

    assert Settings().effective_secret_key == "shared-by-every-host"
    assert not (tmp_path / "data" / "secret_key").exists()


def test_public_base_url_defaults_to_host_port_and_root_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_HOST", "alerts.internal")
    monkeypatch.setenv("TOCSIN_PORT", "8443")
    monkeypatch.setenv("TOCSIN_ROOT_PATH", "/tocsin")

    assert Settings().base_url == "http://alerts.internal:8443/tocsin"


def test_public_base_url_default_puts_an_ipv6_host_in_brackets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_HOST", "::1")
    monkeypatch.setenv("TOCSIN_PORT", "9000")

    assert Settings().base_url == "http://[::1]:9000"


def test_given_public_base_url_wins_and_loses_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_PUBLIC_BASE_URL", "https://alerts.example.com/tocsin/")
    monkeypatch.setenv("TOCSIN_PORT", "9000")

    assert Settings().base_url == "https://alerts.example.com/tocsin"


@pytest.mark.parametrize(
    ("given", "normalised"),
    [("tocsin/", "/tocsin"), ("/tocsin", "/tocsin"), ("/tocsin/", "/tocsin"), ("/", ""), ("", "")],
)
def test_root_path_is_normalised(monkeypatch: pytest.MonkeyPatch, given: str, normalised: str) -> None:
    monkeypatch.setenv("TOCSIN_ROOT_PATH", given)

    assert Settings().root_path == normalised


def test_keyword_arguments_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``tocsin serve --host --port`` relies on."""
    monkeypatch.setenv("TOCSIN_PORT", "9000")

    assert Settings(port=9100).port == 9100  # type: ignore[call-arg]


def test_data_dir_may_start_with_a_tilde(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TOCSIN_DATA_DIR", "~/tocsin-data")
    assert Settings().data_dir == tmp_path / "tocsin-data"


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("api_rate_limit", "0/minute", "allows nothing"),
        ("api_rate_limit", "lots", "is not a rate limit"),
        ("login_failures_per_address", "", "is not a rate limit"),
        ("login_failures_per_account", "-1/minute", "is not a rate limit"),
    ],
)
def test_a_rate_limit_that_allows_nothing_or_cannot_be_read_is_refused_at_start(
    setting: str, value: str, says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        Settings(**{setting: value})


def test_rate_limits_are_read_as_limits_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_API_RATE_LIMIT", "100 per second")
    monkeypatch.setenv("TOCSIN_LOGIN_FAILURES_PER_ACCOUNT", "20/10 minutes")

    settings = Settings()

    assert (settings.api_rate_limit, settings.login_failures_per_account) == (
        "100 per second",
        "20/10 minutes",
    )
