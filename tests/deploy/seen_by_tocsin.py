"""What Tocsin believes about a request: the client address (an alert created without a
``source`` takes it, as in Opsgenie) and the scheme (the absolute URL of a trailing-slash
redirect is built from it)."""

from __future__ import annotations

import httpx

from tests.support.api import ApiClient
from tests.support.factories import make_integration
from tocsin.db import Database


def integration_key(database_url: str) -> str:
    """A key to create alerts with, in the database a running ``tocsin serve`` has migrated."""
    database = Database(database_url)
    try:
        return make_integration(database, "behind-proxy")[1]
    finally:
        database.dispose()


def client_address(http: httpx.Client, key: str, **request: str) -> str:
    """The source of an alert created with no source of its own."""
    alert = ApiClient(http, key).create(message="Who sent this?", **request)
    return str(alert["source"])


def scheme(http: httpx.Client) -> str:
    answer = http.get("/api/docs/", follow_redirects=False)
    assert answer.status_code == 307, answer.text
    return answer.headers["location"].split("://", 1)[0]
