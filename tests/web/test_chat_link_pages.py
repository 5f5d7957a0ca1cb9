"""The pages behind the links ``/genie connect`` gives: log in, approve once within 15 minutes,
and read what happened (or why not)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_user
from tests.web.pages import csrf_token_in, log_in
from tocsin import clock
from tocsin.chat import linking
from tocsin.chat.requests import ChatIdentity
from tocsin.db import Database

BOB = ChatIdentity("Mattermost", "t-acme", "acme", "u-bob", "bob")


@pytest.fixture
def people(db: Database) -> None:
    make_user(db, "ada@example.com")
    make_user(db, "max@example.com")


def issue(db: Database, purpose: str = "connect") -> str:
    with db.write_session() as session:
        return linking.issue_link(session, identity=BOB, purpose=purpose)


def connected_to(db: Database) -> str | None:
    with db.read_session() as session:
        found = linking.user_for_chat_user(
            session, platform="Mattermost", team_id="t-acme", chat_user_id="u-bob"
        )
        return found.username if found else None


def is_pending(db: Database, token: str) -> bool:
    with db.read_session() as session:
        return linking.pending_link(session, token) is not None


def text_of(html: str) -> str:
    """What a reader sees of the page's main part: tags dropped, spaces collapsed."""
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split()).replace(" ?", "?")


def approve(http: TestClient, token: str):
    page = http.get(f"/chat/link/{token}")
    assert page.status_code == 200, page.text
    return http.post(f"/chat/link/{token}", data={"csrf_token": csrf_token_in(page.text)})


def test_someone_not_logged_in_logs_in_first_and_comes_back_to_approve(http: TestClient, db, people):
    token = issue(db)

    first = http.get(f"/chat/link/{token}")

    assert first.status_code == 303
    assert first.headers["location"] == f"/login?next={quote(f'/chat/link/{token}', safe='')}"
    login_page = http.get(first.headers["location"])
    assert f'name="next" value="/chat/link/{token}"' in login_page.text
    logged_in = http.post(
        "/login",
        data={
            "username": "ada@example.com",
            "password": "correct horse",
            "csrf_token": csrf_token_in(login_page.text),
            "next": f"/chat/link/{token}",
        },
    )
    assert logged_in.headers["location"] == f"/chat/link/{token}"
    page = http.get(logged_in.headers["location"])
    assert page.status_code == 200
    assert (
        "Connect your Tocsin account ada@example.com to the Mattermost account @bob of team acme?"
        in text_of(page.text)
    )
    assert f'<form method="post" action="/chat/link/{token}"' in page.text
    assert '<a href="/alerts">Cancel</a>' in page.text
    assert connected_to(db) is None  # looking is not approving


def test_approving_connects_the_chat_account(http: TestClient, db, people):
    token = issue(db)
    log_in(http, "ada@example.com")

    done = approve(http, token)

    assert done.status_code == 200
    assert "Connected: your actions in Mattermost now run as ada@example.com" in text_of(done.text)
    assert connected_to(db) == "ada@example.com"


def test_approving_without_the_form_token_is_refused_and_the_link_stays_usable(http: TestClient, db, people):
    token = issue(db)
    log_in(http, "ada@example.com")

    for sent in ({}, {"csrf_token": "forged"}):
        refused = http.post(f"/chat/link/{token}", data=sent)

        assert refused.status_code == 400
        assert "Your session expired; please try again." in refused.text
        assert is_pending(db, token)
        assert connected_to(db) is None
    assert approve(http, token).status_code == 200  # the page it showed has a working form


def test_a_link_used_once_or_after_15_minutes_says_token_expired(
    http: TestClient, db, people, frozen_clock: clock.FrozenClock
):
    used, late = issue(db), issue(db)
    log_in(http, "ada@example.com")
    approve(http, used)
    form_token = csrf_token_in(http.get(f"/chat/link/{late}").text)
    frozen_clock.advance(linking.LINK_LIFETIME)

    for response in (
        http.get(f"/chat/link/{used}"),
        http.post(f"/chat/link/{used}", data={"csrf_token": form_token}),
        http.get(f"/chat/link/{late}"),
        http.post(f"/chat/link/{late}", data={"csrf_token": form_token}),
        http.get("/chat/link/made-up"),
    ):
        assert response.status_code == 410
        page = text_of(response.text)
        assert page.startswith("Token expired")
        assert "a link can be used once, within 15 minutes" in page
        assert "Run /genie connect in your chat again" in page


def test_a_chat_account_connected_to_someone_else_is_refused_on_the_page(http: TestClient, db, people):
    log_in(http, "max@example.com")
    approve(http, issue(db))
    http.cookies.clear()
    log_in(http, "ada@example.com")
    token = issue(db)

    refused = approve(http, token)

    assert refused.status_code == 409
    assert (
        "The Mattermost account @bob of team acme is already connected to another Tocsin user; "
        "that user must disconnect it first" in text_of(refused.text)
    )
    assert connected_to(db) == "max@example.com"
    assert is_pending(db, token)


def test_a_disconnect_link_disconnects_for_the_connected_user_only(http: TestClient, db, people):
    log_in(http, "ada@example.com")
    approve(http, issue(db))
    token = issue(db, "disconnect")
    http.cookies.clear()
    log_in(http, "max@example.com")

    refused = approve(http, token)

    assert refused.status_code == 403
    assert "only that user can disconnect it" in text_of(refused.text)
    assert connected_to(db) == "ada@example.com"
    http.cookies.clear()
    log_in(http, "ada@example.com")
    page = http.get(f"/chat/link/{token}")
    assert "Disconnect the Mattermost account @bob of team acme from ada@example.com?" in text_of(page.text)
    done = http.post(f"/chat/link/{token}", data={"csrf_token": csrf_token_in(page.text)})
    assert done.status_code == 200
    assert text_of(done.text).startswith("Disconnected")
    assert connected_to(db) is None


def test_the_link_pages_keep_the_security_headers(http: TestClient, db, people):
    log_in(http, "ada@example.com")
    response = http.get(f"/chat/link/{issue(db)}")

    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"  # the token stays on this site
