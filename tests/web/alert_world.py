"""The people, alerts and helpers the alert page's tests share: a form pressed as a browser would
(with the page's CSRF token), and the alert as the API shows it afterwards.

A test module takes the fixtures by importing them (``from tests.web.alert_world import ...``)."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_integration, make_team, make_user
from tests.web.pages import csrf_token_in
from tocsin.accounts import service as accounts
from tocsin.alerts.service import AlertRef
from tocsin.teams import service as teams

AddAlert = Callable[..., str]


@pytest.fixture
def people(db) -> None:
    """ada (in team ops), bob (in no team), root (admin)."""
    make_user(db, "ada@example.com")
    make_user(db, "bob@example.com")
    make_user(db, "root@example.com", role="admin")
    make_team(db, "ops", "ada@example.com")


@pytest.fixture
def reader_key(db) -> str:
    """An API integration's key, to read alerts as the API shows them."""
    return make_integration(db, "Dashboard")[1]


def as_user(db, username: str, action: Callable[..., object], alert_id: str, **fields: object) -> None:
    with db.write_session() as session:
        actor = teams.actor_for_user(session, accounts.get_user(session, username), channel="web")
        action(session, ref=AlertRef(alert_id), actor=actor, **fields)


def press(http: TestClient, alert_id: str, form: str, **fields: str) -> httpx.Response:
    """Submit the page's ``form`` (its action's name) with ``fields``, with the page's CSRF token."""
    token = csrf_token_in(http.get(f"/alerts/{alert_id}").text)
    return http.post(f"/alerts/{alert_id}/{form}", data={"csrf_token": token, **fields})


def offered(html: str) -> set[str]:
    """The actions the page's forms post to (``/alerts/<id>/<action>``, formaction included)."""
    return set(re.findall(r'(?:action|formaction)="/alerts/[^/"]+/([a-z-]+)"', html))


def api_alert(http: TestClient, key: str, alert_id: str) -> dict[str, Any]:
    answer = http.get(f"/v2/alerts/{alert_id}", headers={"Authorization": f"GenieKey {key}"})
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def api_list(http: TestClient, key: str, alert_id: str, what: str) -> list[str]:
    """The alert's notes or log lines, oldest first, as the API lists them."""
    answer = http.get(
        f"/v2/alerts/{alert_id}/{what}", params={"order": "asc"}, headers={"Authorization": f"GenieKey {key}"}
    )
    assert answer.status_code == 200, answer.text
    field = "note" if what == "notes" else "log"
    return [entry[field] for entry in answer.json()["data"]]


def error_at(html: str, action: str) -> str:
    """The problem the page shows at the form of ``action``, or at the top when the page has no
    such form ("" if none)."""
    found = re.search(rf'<p class="error" role="alert" id="problem(?:-{action})?">(.*?)</p>', html, re.S)
    return markup.unescape(found.group(1)) if found else ""
