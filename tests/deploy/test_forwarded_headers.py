"""``tocsin serve`` believes X-Forwarded-For and X-Forwarded-Proto from the proxies named in
TOCSIN_FORWARDED_ALLOW_IPS (loopback by default), and from no one else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.deploy.seen_by_tocsin import client_address, integration_key, scheme
from tests.support.processes import Serve
from tests.test_cli import Tocsin, tocsin_environment

PROXIED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def _seen(serves: Callable[..., Serve], data_dir: Path, **settings: str) -> tuple[str, str]:
    environment = tocsin_environment(data_dir=data_dir, **settings)
    serve = serves(environment, "--no-engine")
    key = integration_key(Tocsin(environment))
    with httpx.Client(base_url=serve.url, headers=PROXIED, timeout=10) as http:
        return client_address(http, key), scheme(http)


def test_a_request_from_a_trusted_proxy_is_seen_with_the_clients_address_and_scheme(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    assert _seen(serves, tmp_path / "default") == ("203.0.113.7", "https")
    assert _seen(serves, tmp_path / "named", forwarded_allow_ips="10.0.0.9, 127.0.0.0/8") == (
        "203.0.113.7",
        "https",
    )


def test_the_same_headers_from_an_address_not_named_are_ignored(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    assert _seen(serves, tmp_path, forwarded_allow_ips="10.0.0.9") == ("127.0.0.1", "http")


def test_a_malformed_proxy_list_stops_serve_with_a_message_that_says_what_to_write(tmp_path: Path) -> None:
    tocsin = Tocsin(tocsin_environment(data_dir=tmp_path, forwarded_allow_ips="proxy.internal"))

    result = tocsin("serve")

    assert result.returncode != 0
    assert "TOCSIN_FORWARDED_ALLOW_IPS" in result.stderr and "'proxy.internal'" in result.stderr
    assert "Traceback" not in result.stderr
