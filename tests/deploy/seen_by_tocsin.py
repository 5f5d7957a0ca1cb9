"""What Tocsin believes about a request: the client address (an alert created without a
``source`` takes it, as in Opsgenie) and the scheme (the absolute URL of a trailing-slash
redirect is built from it)."""

from __future__ import annotations

import httpx

from tests.support.api import ApiClient
from tests.test_cli import Tocsin


def integration_key(tocsin: Tocsin) -> str:
    return tocsin.ok("integration", "create", "--type", "API", "--name", "behind-proxy")[-1]


def client_address(http: httpx.Client, key: str, **request: str) -> str:
    """The source of an alert created with no source of its own."""
    alert = ApiClient(http, key).create(message="Who sent this?", **request)
    return str(alert["source"])


def scheme(http: httpx.Client) -> str:
    answer = http.get("/api/docs/", follow_redirects=False)
    assert answer.status_code == 307, answer.text
    return answer.headers["location"].split("://", 1)[0]
