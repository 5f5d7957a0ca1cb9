"""Sessions are for the pages: API-key routes, chat webhooks and calendar feeds skip the session
layer (they never use it), the pages and chat link pages keep it, with or without a path prefix."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_integration, make_user
from tests.web.pages import csrf_token_in, log_in, session_cookie_header
from tocsin.db import Database
from tocsin.web.page_sessions import PageSessions

ADA = "ada@example.com"


def _sees_a_session(path: str, root_path: str = "") -> bool:
    """Whether the application behind PageSessions gets a session for a request to ``path``."""
    seen: list[bool] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        seen.append("session" in scope)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message) -> None:  # type: ignore[no-untyped-def]
        pass

    sessions = PageSessions(
        app, secret_key="s", session_cookie="tocsin_session", path="/", same_site="lax", https_only=False
    )
    scope = {"type": "http", "method": "GET", "path": root_path + path, "root_path": root_path, "headers": []}
    asyncio.run(sessions(scope, receive, send))
    return seen == [True]


@pytest.mark.parametrize("root_path", ["", "/tocsin"])
@pytest.mark.parametrize(
    "path",
    [
        "/v2/alerts",
        "/v2/alerts/requests/abc",
        "/v1/maintenance",
        "/chat/mattermost/actions",
        "/chat/slack/commands",
        "/chat/hipchat/installed",
        "/calendar/abc.ics",
    ],
)
def test_api_key_routes_and_chat_webhooks_get_no_session(path: str, root_path: str) -> None:
    assert not _sees_a_session(path, root_path)


@pytest.mark.parametrize("root_path", ["", "/tocsin"])
@pytest.mark.parametrize(
    "path", ["/", "/login", "/alerts", "/alerts/abc", "/profile", "/chat/link/token", "/v2"]
)
def test_pages_and_chat_link_pages_keep_their_session(path: str, root_path: str) -> None:
    assert _sees_a_session(path, root_path)


def test_a_signed_in_browser_calling_the_api_gets_no_cookie_while_its_pages_keep_the_session(
    http: TestClient, db: Database
) -> None:
    make_user(db, ADA, role="user", password="correct horse")
    _, key = make_integration(db, "Prometheus")
    first_visit = http.get("/login")
    assert session_cookie_header(first_visit)  # an anonymous CSRF token lives in the session
    assert log_in(http, ADA).status_code == 303

    created = http.post(
        "/v2/alerts", json={"message": "disk full"}, headers={"Authorization": f"GenieKey {key}"}
    )

    assert created.status_code == 202
    assert session_cookie_header(created) == ""
    assert "cookie" not in created.headers.get("vary", "").lower()
    page = http.get("/profile")
    assert page.status_code == 200  # still signed in: the session cookie was left alone
    assert csrf_token_in(page.text)
