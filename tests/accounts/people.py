"""Fixtures and helpers shared by the tests of users, teams, contact methods, notification rules
and mute: an API client per kind of key, and a cast of people with teams.

The cast: owner (owner), admin (admin), lead (user, admin of team ops), ann (user, member of
ops), bob (user, member of team db), eve (user, in no team)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.api import ApiClient
from tests.support.factories import make_integration
from tocsin.accounts import apikeys
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.db import Database
from tocsin.people import service as people
from tocsin.teams import service as teams

ALL_RIGHTS = ("read", "create-update", "delete", "configuration")
CAST = {
    "owner": "owner",
    "admin": "admin",
    "lead": "user",
    "ann": "user",
    "bob": "user",
    "eve": "user",
}


def email(name: str) -> str:
    return f"{name}@example.com"


class Client(ApiClient):
    """ApiClient with the other verbs, and a check that every answer is an Opsgenie envelope."""

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = super().request(method, path, **kwargs)
        assert {"took", "requestId"} <= set(response.json()), response.text
        return response

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def data(self, path: str, **kwargs: Any) -> Any:
        response = self.get(path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()["data"]


@pytest.fixture
def account_key(http: TestClient, db: Database) -> Callable[..., Client]:
    """An account-level API key with the given rights (all of them when none are given)."""
    numbers = itertools.count(1)

    def make(*rights: str) -> Client:
        with db.write_session() as session:
            _, secret = apikeys.create_api_key(
                session, name=f"key {next(numbers)}", rights=list(rights or ALL_RIGHTS)
            )
        return Client(http, secret)

    return make


@pytest.fixture
def integration_key(http: TestClient, db: Database) -> Callable[..., Client]:
    """The key of an API integration: global, or owned by ``team``."""

    def make(name: str, team: str | None = None) -> Client:
        return Client(http, make_integration(db, name, team=team)[1])

    return make


@pytest.fixture
def api(account_key: Callable[..., Client]) -> Client:
    """A client whose key has every right, configuration included (Terraform's, say)."""
    return account_key()


@pytest.fixture
def cast(db: Database) -> dict[str, str]:
    """The cast above, created as the CLI would; their user ids by short name."""
    ids = {}
    with db.write_session() as session:
        for name, role in CAST.items():
            ids[name] = people.create_user(session, username=email(name), role=role, password=None).id
        teams.create_team(session, name="ops", members=[(email("lead"), "admin"), (email("ann"), "user")])
        teams.create_team(session, name="db", members=[(email("bob"), "user")])
    return ids


def actor_of(session: Any, name: str, channel: str = "web") -> Actor:
    """The actor for a person of the cast, as the web pages and chat commands build it."""
    user = accounts.get_user(session, email(name))
    return teams.actor_for_user(session, user, channel=channel)


def user(session: Any, name: str) -> User:
    return accounts.get_user(session, email(name))


def raises(kind: type[Exception], message: str) -> Any:
    """``pytest.raises`` for an error whose message is exactly ``message``."""
    return pytest.raises(kind, match=f"^{re.escape(message)}$")
