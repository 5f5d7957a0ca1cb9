"""``tocsin serve`` believes X-Forwarded-For and X-Forwarded-Proto from the proxies named in
TOCSIN_FORWARDED_ALLOW_IPS (loopback by default), and from no one else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from tests.deploy.seen_by_tocsin import client_address, integration_key, scheme
from tests.support.processes import Serve
from tests.test_cli import tocsin_environment
from tocsin.cli.app import app as cli_app
from tocsin.config import Settings

PROXIED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def _seen(serves: Callable[..., Serve], data_dir: Path, **settings: str) -> tuple[str, str]:
    serve = serves(tocsin_environment(data_dir=data_dir, **settings), "--no-engine")
    key = integration_key(f"sqlite:///{data_dir / 'tocsin.db'}")
    with httpx.Client(base_url=serve.url, headers=PROXIED, timeout=10) as http:
        return client_address(http, key), scheme(http)


def test_a_request_from_a_trusted_proxy_is_seen_with_the_clients_address_and_scheme(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    # The default (loopback) is what tests/deploy/test_nginx.py's proxy relies on.
    assert _seen(serves, tmp_path, forwarded_allow_ips="10.0.0.9, 127.0.0.0/8") == ("203.0.113.7", "https")


def test_the_same_headers_from_an_address_not_named_are_ignored(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    assert _seen(serves, tmp_path, forwarded_allow_ips="10.0.0.9") == ("127.0.0.1", "http")


def test_a_malformed_proxy_list_stops_serve_with_a_message_that_says_what_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TOCSIN_FORWARDED_ALLOW_IPS", "10.0.0.9,proxy.internal")

    result = CliRunner().invoke(cli_app, ["serve"])

    assert result.exit_code == 1
    assert result.stderr.startswith("error: TOCSIN_FORWARDED_ALLOW_IPS takes the proxies' IP addresses")
    assert "'proxy.internal' is neither" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (" 10.0.0.5, 10.1.0.0/16 ,::1", "10.0.0.5,10.1.0.0/16,::1"),
        ("*", "*"),
        ("", ""),  # no proxy is believed
    ],
)
def test_the_proxy_list_is_kept_as_uvicorn_reads_it(given: str, kept: str) -> None:
    assert Settings(forwarded_allow_ips=given).forwarded_allow_ips == kept


@pytest.mark.parametrize("given", ["proxy.internal", "10.0.0.300", "*,10.0.0.5"])
def test_anything_but_addresses_networks_or_a_lone_star_is_refused(given: str) -> None:
    with pytest.raises(ValidationError, match="TOCSIN_FORWARDED_ALLOW_IPS takes"):
        Settings(forwarded_allow_ips=given)
