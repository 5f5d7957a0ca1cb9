"""The profile page: who the signed-in user is, and a Chat Accounts section, only when they have
connected chat accounts, with a button to revoke each."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.pages import alert_rows, csrf_token_in, log_in
from tocsin.accounts import service as accounts
from tocsin.chat import linking
from tocsin.chat.requests import ChatIdentity
from tocsin.db import Database
from tocsin.people import service as people_service
from tocsin.teams import service as teams

BOB = ChatIdentity("Mattermost", "t-acme", "acme", "u-bob", "bob")
ROBERT = ChatIdentity("Mattermost", "t-night", "night shift", "u-rob", "robert")
BOB_ON_HIPCHAT = ChatIdentity("HipChat", "h-1", "acme", "h-bob", "bob")


@pytest.fixture
def people(db: Database) -> None:
    with db.write_session() as session:
        for username, full_name, time_zone in (
            ("ada@example.com", "Ada Lovelace", "Europe/London"),
            ("max@example.com", "", "UTC"),
        ):
            people_service.create_user(
                session,
                username=username,
                role="user",
                password="correct horse",
                full_name=full_name,
                time_zone=time_zone,
            )
        teams.create_team(session, name="ops", members=[("ada@example.com", "admin")])
        teams.create_team(session, name="db", members=[("ada@example.com", "user")])
        teams.create_team(session, name="web")


def connect(db: Database, identity: ChatIdentity, username: str) -> None:
    with db.write_session() as session:
        token = linking.issue_link(session, identity=identity, purpose="connect")
        linking.approve(session, token=token, user=accounts.get_user(session, username))


def profile(http: TestClient) -> str:
    response = http.get("/profile")
    assert response.status_code == 200, response.text
    return response.text


def account_id(db: Database, identity: ChatIdentity) -> str:
    with db.read_session() as session:
        account = linking.account_for(session, identity)
        assert account is not None
        return account.id


def chat_account_rows(html: str) -> list[dict[str, str]]:
    """The rows of the Chat Accounts table."""
    section = html.split('<section aria-labelledby="chat-accounts">')
    return alert_rows(section[1].split("</section>")[0]) if len(section) > 1 else []


def test_the_profile_shows_who_you_are_and_no_chat_accounts_section_without_any(http: TestClient, people):
    log_in(http, "ada@example.com")

    html = profile(http)

    for shown in ("ada@example.com", "Ada Lovelace", "Europe/London", "db, ops (admin)", "<dd>user</dd>"):
        assert shown in html
    assert "web" not in html.split("<main>")[1]
    assert "Chat Accounts" not in html
    assert "chat-accounts" not in html


def test_the_chat_accounts_section_lists_type_team_and_user_of_each(http: TestClient, db, people):
    for identity in (BOB, ROBERT, BOB_ON_HIPCHAT):
        connect(db, identity, "ada@example.com")
    connect(db, ChatIdentity("Mattermost", "t-acme", "acme", "u-max", "max"), "max@example.com")
    log_in(http, "ada@example.com")

    html = profile(http)

    assert '<h2 id="chat-accounts">Chat Accounts</h2>' in html
    assert [(row["Type"], row["Chat team"], row["Chat user"]) for row in chat_account_rows(html)] == [
        ("HipChat", "acme", "@bob"),
        ("Mattermost", "acme", "@bob"),
        ("Mattermost", "night shift", "@robert"),
    ]
    assert 'aria-label="Revoke Mattermost account @bob"' in html
    assert f'action="/profile/chat-accounts/{account_id(db, ROBERT)}/revoke"' in html


def test_the_cross_revokes_the_chat_account_and_says_so_once(http: TestClient, db, people):
    connect(db, BOB, "ada@example.com")
    connect(db, ROBERT, "ada@example.com")
    log_in(http, "ada@example.com")

    done = http.post(
        f"/profile/chat-accounts/{account_id(db, BOB)}/revoke",
        data={"csrf_token": csrf_token_in(profile(http))},
    )

    assert done.status_code == 303
    assert done.headers["location"] == "/profile"
    html = profile(http)
    assert "Revoked the Mattermost account @bob of team acme." in html
    assert [row["Chat user"] for row in chat_account_rows(html)] == ["@robert"]
    assert "Revoked" not in profile(http)
    with db.read_session() as session:
        assert linking.account_for(session, BOB) is None


def test_the_section_goes_away_with_the_last_account(http: TestClient, db, people):
    connect(db, BOB, "ada@example.com")
    log_in(http, "ada@example.com")

    http.post(
        f"/profile/chat-accounts/{account_id(db, BOB)}/revoke",
        data={"csrf_token": csrf_token_in(profile(http))},
    )

    assert "Chat Accounts" not in profile(http)


def test_revoking_without_the_form_token_is_refused(http: TestClient, db, people):
    connect(db, BOB, "ada@example.com")
    log_in(http, "ada@example.com")

    refused = http.post(f"/profile/chat-accounts/{account_id(db, BOB)}/revoke", data={"csrf_token": "forged"})

    assert refused.status_code == 400
    assert "Your session expired; please try again." in refused.text
    assert [row["Chat user"] for row in chat_account_rows(refused.text)] == ["@bob"]
    with db.read_session() as session:
        assert linking.account_for(session, BOB) is not None


def test_nobody_revokes_someone_elses_chat_account(http: TestClient, db, people):
    connect(db, BOB, "max@example.com")
    log_in(http, "ada@example.com")

    refused = http.post(
        f"/profile/chat-accounts/{account_id(db, BOB)}/revoke",
        data={"csrf_token": csrf_token_in(profile(http))},
    )

    assert refused.status_code == 404
    assert "That chat account is not connected to your Tocsin account" in refused.text
    with db.read_session() as session:
        assert (
            linking.user_for_chat_user(session, platform="Mattermost", team_id="t-acme", chat_user_id="u-bob")
            is not None
        )


def test_the_profile_needs_a_login(http: TestClient, db, people):
    connect(db, BOB, "ada@example.com")

    assert http.get("/profile").headers["location"] == "/login?next=%2Fprofile"
    refused = http.post(f"/profile/chat-accounts/{account_id(db, BOB)}/revoke", data={"csrf_token": "x"})
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login")
    with db.read_session() as session:
        assert linking.account_for(session, BOB) is not None


def test_accounts_of_every_chat_platform_are_listed_with_their_type_and_each_can_be_revoked(
    http: TestClient, db, people
):
    on_slack = ChatIdentity("Slack", "T1", "acme", "U1", "john")
    on_hipchat = ChatIdentity("HipChat", "1", "Acme", "4979430", "JohnH")
    for identity in (on_slack, BOB, on_hipchat):
        connect(db, identity, "ada@example.com")
    log_in(http, "ada@example.com")

    html = profile(http)
    assert [(row["Type"], row["Chat team"], row["Chat user"]) for row in chat_account_rows(html)] == [
        ("HipChat", "Acme", "@JohnH"),
        ("Mattermost", "acme", "@bob"),
        ("Slack", "acme", "@john"),
    ]
    assert 'aria-label="Revoke Slack account @john"' in html

    done = http.post(
        f"/profile/chat-accounts/{account_id(db, on_slack)}/revoke", data={"csrf_token": csrf_token_in(html)}
    )

    assert done.status_code == 303
    after = profile(http)
    assert "Revoked the Slack account @john of team acme." in after
    assert [row["Type"] for row in chat_account_rows(after)] == ["HipChat", "Mattermost"]
    with db.read_session() as session:
        assert linking.account_for(session, on_slack) is None
        assert linking.account_for(session, on_hipchat) is not None
