"""Web sessions live on the server: logging out, a new password (from the profile or the CLI), a
new role and deleting the user end them at once, and they end by themselves when idle or old."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.api import ApiClient
from tests.support.factories import make_team, make_user
from tests.test_cli import Tocsin, tocsin_environment
from tests.web.conftest import web_client
from tests.web.pages import csrf_token_in, log_in, log_out
from tocsin.accounts import apikeys
from tocsin.accounts import service as accounts
from tocsin.accounts.models import WebSession
from tocsin.actors import SYSTEM
from tocsin.clock import FrozenClock
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.teams import service as teams

ADA = "ada@example.com"
COOKIE = "tocsin_session"


@pytest.fixture
def ada(db: Database) -> str:
    return make_user(db, ADA, role="user", password="correct horse")


@pytest.fixture
def configuration_api(http: TestClient, db: Database) -> ApiClient:
    """An account API key with every right, as an administrator's script would use."""
    with db.write_session() as session:
        _, key = apikeys.create_api_key(
            session, name="admin script", rights=["read", "create-update", "delete", "configuration"]
        )
    return ApiClient(http, key)


@pytest.fixture
def browser(settings: Settings) -> Iterator[Callable[[], TestClient]]:
    """Open more browsers (each with its own cookies) on the same server."""
    opened: list[TestClient] = []

    def open_one() -> TestClient:
        client = web_client(settings).__enter__()
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.__exit__(None, None, None)


def settle(http: TestClient) -> None:
    """Wait until what the pages queued for writing (a session's "last seen") is written."""
    app = http.app
    while not hasattr(app, "state"):  # through the outer ASGI layers to the FastAPI app
        app = app.app  # type: ignore[attr-defined]
    assert app.state.writer.wait_idle()


def signed_in(http: TestClient) -> bool:
    response = http.get("/alerts")
    assert response.status_code in (200, 303), response.text
    settle(http)
    return response.status_code == 200


def change_password(http: TestClient, current: str, new: str) -> httpx.Response:
    """Fill in and send the profile's "Change password" form."""
    token = csrf_token_in(http.get("/profile").text)
    return http.post(
        "/profile/password", data={"current_password": current, "new_password": new, "csrf_token": token}
    )


def cookie_replayed(browser: Callable[[], TestClient], cookie: str) -> TestClient:
    """A fresh browser that sends a copy of an earlier cookie, as a thief would."""
    thief = browser()
    thief.cookies.set(COOKIE, cookie)
    return thief


def test_the_cookie_carries_only_a_session_id_and_the_database_only_its_hash(
    http: TestClient, db: Database, ada: str
) -> None:
    log_in(http, ADA)

    cookie = http.cookies[COOKIE]
    with db.read_session() as session:
        stored = session.scalars(select(WebSession)).all()
    assert [row.user_id for row in stored] == [ada]
    assert ada not in cookie
    assert stored[0].id_hash not in cookie


def test_a_copy_of_the_cookie_is_refused_after_logging_out(
    http: TestClient, ada: str, browser: Callable[[], TestClient]
) -> None:
    log_in(http, ADA)
    cookie = http.cookies[COOKIE]
    assert signed_in(cookie_replayed(browser, cookie))

    log_out(http)

    assert not signed_in(http)
    assert not signed_in(cookie_replayed(browser, cookie))


def test_changing_the_password_on_the_profile_ends_every_other_session(
    http: TestClient, ada: str, browser: Callable[[], TestClient]
) -> None:
    laptop = browser()
    log_in(laptop, ADA)
    log_in(http, ADA)
    old_cookie = http.cookies[COOKIE]

    changed = change_password(http, "correct horse", "a new battery staple")

    assert changed.status_code == 303
    assert "Password changed." in http.get("/profile").text
    assert signed_in(http)  # this browser got a new session
    assert not signed_in(laptop)
    assert not signed_in(cookie_replayed(browser, old_cookie))
    assert log_in(browser(), ADA, "a new battery staple").status_code == 303


def test_the_password_is_not_changed_without_the_current_one(
    http: TestClient, ada: str, browser: Callable[[], TestClient]
) -> None:
    laptop = browser()
    log_in(laptop, ADA)
    log_in(http, ADA)

    refused = change_password(http, "a guess", "a new battery staple")

    assert refused.status_code == 422
    assert "The current password is not right." in refused.text
    assert signed_in(laptop)
    assert log_in(browser(), ADA, "correct horse").status_code == 303


def test_a_new_password_that_is_too_short_is_refused_and_says_why(http: TestClient, ada: str) -> None:
    log_in(http, ADA)

    refused = change_password(http, "correct horse", "short")

    assert refused.status_code == 422
    assert "The new password must be at least 8 characters long." in refused.text
    assert signed_in(http)


def test_setting_a_password_with_the_cli_ends_the_users_sessions(
    http: TestClient, ada: str, database_url: str, tmp_path
) -> None:
    log_in(http, ADA)
    tocsin = Tocsin(tocsin_environment(database_url=database_url, data_dir=tmp_path / "cli"))

    tocsin.ok("user", "set-password", ADA)

    assert not signed_in(http)


def test_a_new_role_through_the_api_ends_the_users_sessions(
    http: TestClient, ada: str, configuration_api: ApiClient
) -> None:
    log_in(http, ADA)

    changed = configuration_api.request("PATCH", f"/v2/users/{ADA}", json={"role": {"name": "Admin"}})

    assert changed.status_code == 200, changed.text
    assert not signed_in(http)


def test_changing_only_the_name_keeps_the_session(http: TestClient, db: Database, ada: str) -> None:
    log_in(http, ADA)

    with db.write_session() as session:
        user = accounts.get_user(session, ADA)
        accounts.update_user(session, actor=SYSTEM, user=user, full_name="Ada L.", role="user")

    assert signed_in(http)


def test_a_new_role_in_a_team_ends_the_users_sessions(http: TestClient, db: Database, ada: str) -> None:
    team_id = make_team(db, "ops", ADA)
    log_in(http, ADA)

    with db.write_session() as session:
        teams.add_member(session, team=teams.get_team(session, team_id=team_id), user=ADA, role="admin")

    assert not signed_in(http)


def test_deleting_the_user_through_the_api_ends_their_sessions(
    http: TestClient, db: Database, ada: str, configuration_api: ApiClient, browser: Callable[[], TestClient]
) -> None:
    log_in(http, ADA)
    cookie = http.cookies[COOKIE]

    deleted = configuration_api.request("DELETE", f"/v2/users/{ADA}")

    assert deleted.status_code == 200, deleted.text
    assert not signed_in(cookie_replayed(browser, cookie))
    with db.read_session() as session:
        assert session.scalars(select(WebSession)).all() == []


def test_log_out_everywhere_ends_the_other_browsers_session(
    http: TestClient, ada: str, browser: Callable[[], TestClient]
) -> None:
    laptop = browser()
    laptop.headers["user-agent"] = "Firefox on the laptop"
    log_in(laptop, ADA)
    log_in(http, ADA)
    profile = http.get("/profile").text
    assert "Firefox on the laptop" in profile
    assert profile.count("(this browser)") == 1

    done = http.post("/profile/sessions/end", data={"csrf_token": csrf_token_in(profile)})

    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert not signed_in(laptop)
    assert not signed_in(http)
    assert log_in(laptop, ADA).status_code == 303  # its stale cookie does not stand in the way
    assert signed_in(laptop)


def test_a_session_unused_for_the_idle_lifetime_ends(
    http: TestClient, ada: str, settings: Settings, frozen_clock: FrozenClock
) -> None:
    log_in(http, ADA)
    idle = timedelta(minutes=settings.session_idle_minutes)

    frozen_clock.advance(idle - timedelta(minutes=1))
    assert signed_in(http)  # and this use counts: the idle time starts again
    frozen_clock.advance(idle - timedelta(minutes=1))
    assert signed_in(http)
    frozen_clock.advance(idle)

    assert not signed_in(http)


def test_a_session_ends_after_its_absolute_lifetime_however_much_it_is_used(
    http: TestClient, ada: str, settings: Settings, frozen_clock: FrozenClock
) -> None:
    log_in(http, ADA)
    step = timedelta(minutes=settings.session_idle_minutes) / 2
    used_for = timedelta()
    while used_for + step < timedelta(days=settings.session_max_days):
        frozen_clock.advance(step)
        used_for += step
        assert signed_in(http)

    frozen_clock.advance(step)

    assert not signed_in(http)


def test_last_seen_is_written_at_most_once_a_minute(
    http: TestClient, db: Database, ada: str, frozen_clock: FrozenClock
) -> None:
    log_in(http, ADA)
    signed_in_at = frozen_clock.now()

    def last_seen() -> object:
        http.get("/alerts")
        settle(http)
        with db.read_session() as session:
            return session.scalars(select(WebSession.last_seen_at)).one()

    frozen_clock.advance(timedelta(seconds=59))
    assert last_seen() == signed_in_at
    frozen_clock.advance(timedelta(seconds=1))
    assert last_seen() == frozen_clock.now()
