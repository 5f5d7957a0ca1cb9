"""People for the profile and home page tests: Ada (member of team ops, in Europe/London) and
Max (in no team), both with the password "correct horse"; an account API key to see what the
API shows of them; and the profile's forms, as a browser would send them. Test modules import
``people_fixture`` and ``api_fixture`` to use the fixtures ``people`` and ``api``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.accounts.people import Client
from tests.web.pages import csrf_token_in, log_in
from tocsin.accounts import apikeys
from tocsin.db import Database
from tocsin.people import service as people_service
from tocsin.teams import service as teams

ADA = "ada@example.com"
MAX = "max@example.com"


@pytest.fixture(name="people")
def people_fixture(db: Database) -> None:
    with db.write_session() as session:
        for username, full_name, time_zone in ((ADA, "Ada Lovelace", "Europe/London"), (MAX, "", "UTC")):
            people_service.create_user(
                session,
                username=username,
                role="user",
                password="correct horse",
                full_name=full_name,
                time_zone=time_zone,
            )
        teams.create_team(session, name="ops", members=[(ADA, "user")])


@pytest.fixture(name="api")
def api_fixture(http: TestClient, db: Database) -> Client:
    with db.write_session() as session:
        _, secret = apikeys.create_api_key(session, name="reader", rights=["read", "configuration"])
    return Client(http, secret)


def signed_in_as(http: TestClient, username: str) -> TestClient:
    assert log_in(http, username).status_code == 303
    return http


def submit(http: TestClient, action: str, **fields: Any) -> httpx.Response:
    """Post one of the profile's forms with the token the profile page carries."""
    token = csrf_token_in(http.get("/profile").text)
    return http.post(action, data={**fields, "csrf_token": token})


def notice_after(http: TestClient, response: httpx.Response) -> str:
    """The page a redirect after a form leads to."""
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/profile")
    return http.get(response.headers["location"]).text
