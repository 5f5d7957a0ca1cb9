"""Set-password links: made when an administrator invites someone (or for someone who lost
theirs), e-mailed where SMTP is set up, usable once within 15 minutes; the link's page sets the
password with the usual rules and signs the person in. An expired or used link says so, and
whom to ask."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.smtp import SmtpServer
from tests.web.conftest import web_client
from tests.web.pages import csrf_token_in, log_in
from tests.web.people_world import email, make_crew, person, submit
from tocsin.accounts import password_links
from tocsin.db import Database

LINK = re.compile(r'id="password-link">http://tocsin\.test(/password/[^<]+)</code>')


@pytest.fixture
def crew(db: Database) -> dict[str, str]:
    return make_crew(db)


def invite(http: TestClient, username: str = "zoe@example.com") -> str:
    """Invite ``username`` as the signed-in admin; the link's path, as the page shows it once."""
    response = submit(http, "/people", "/people", username=username, full_name="Zoe Quinn", role="user")
    assert response.status_code == 303, response.text
    match = LINK.search(http.get(response.headers["location"]).text)
    assert match, "the person's page shows no link"
    return match.group(1)


def set_password(
    browser: TestClient, link: str, password: str, repeat: str | None = None, token: str | None = None
):
    page = browser.get(link)
    return browser.post(
        link,
        data={
            "new_password": password,
            "repeat_password": password if repeat is None else repeat,
            "csrf_token": csrf_token_in(page.text) if token is None else token,
        },
    )


@pytest.fixture
def admin(http: TestClient, crew) -> TestClient:
    log_in(http, email("admin"))
    return http


def test_the_link_sets_the_password_and_signs_the_person_in(admin, settings, db):
    link = invite(admin)
    with web_client(settings) as zoes_browser:
        form = zoes_browser.get(link)
        assert form.status_code == 200
        assert "Set your password" in form.text and "zoe@example.com" in form.text

        response = set_password(zoes_browser, link, "a long new secret")

        assert response.status_code == 303 and response.headers["location"] == "/profile"
        profile = zoes_browser.get("/profile").text
        assert "Your password is set and you are signed in." in profile and "zoe@example.com" in profile
    with web_client(settings) as elsewhere:
        assert log_in(elsewhere, "zoe@example.com", "a long new secret").status_code == 303
    assert "Active" in admin.get("/people", params={"q": "zoe"}).text


def test_a_used_link_says_so_and_who_to_ask(admin, settings):
    link = invite(admin)
    with web_client(settings) as browser:
        assert set_password(browser, link, "a long new secret").status_code == 303
    with web_client(settings) as browser:
        again = browser.get(link)
        assert again.status_code == 410
        assert (
            "expired or was used already" in again.text
            and "Ask admin@example.com for a new one." in again.text
        )
        token = csrf_token_in(browser.get("/login").text)
        posted = browser.post(
            link, data={"new_password": "x" * 12, "repeat_password": "x" * 12, "csrf_token": token}
        )
        assert posted.status_code == 410
    with web_client(settings) as browser:
        assert log_in(browser, "zoe@example.com", "x" * 12).status_code == 401


def test_a_link_expires_after_15_minutes(frozen_clock, admin, settings):
    link = invite(admin)
    frozen_clock.advance(password_links.LINK_LIFETIME - timedelta(seconds=1))
    with web_client(settings) as browser:
        assert browser.get(link).status_code == 200
        frozen_clock.advance(timedelta(seconds=1))
        expired = browser.get(link)
        assert expired.status_code == 410 and "Ask admin@example.com" in expired.text
    assert "No password yet" in admin.get("/people", params={"q": "zoe"}).text


def test_an_unknown_link_asks_an_administrator(http):
    response = http.get("/password/not-a-token")
    assert response.status_code == 410 and "Ask a Tocsin administrator for a new one." in response.text


@pytest.mark.parametrize(
    ("password", "repeat", "status", "error"),
    [
        ("short", None, 422, "Password must be at least 8 characters long."),
        ("a long new secret", "a long new secreT", 422, "The two passwords are not the same"),
    ],
)
def test_a_refused_password_leaves_the_link_usable(admin, settings, password, repeat, status, error):
    link = invite(admin)
    with web_client(settings) as browser:
        response = set_password(browser, link, password, repeat)
        assert response.status_code == status and error in response.text
        assert set_password(browser, link, "a long new secret").status_code == 303


def test_a_form_without_the_right_token_sets_nothing(admin, settings, db):
    link = invite(admin)
    with web_client(settings) as browser:
        for token in ("", "forged"):
            response = set_password(browser, link, "a long new secret", token=token)
            assert response.status_code == 400 and "Your session expired" in response.text
    assert person(db, "zoe@example.com").password_hash is None  # type: ignore[union-attr]


def test_a_new_link_voids_the_old_one(admin, settings, crew):
    old = invite(admin)
    page = admin.get("/people", params={"q": "zoe"}).text
    zoe_id = re.search(r'href="/people/([^"]+)">Zoe Quinn', page).group(1)  # type: ignore[union-attr]
    response = submit(admin, f"/people/{zoe_id}", f"/people/{zoe_id}/password-link")
    assert response.status_code == 303
    shown = admin.get(f"/people/{zoe_id}").text
    assert "A new set-password link for zoe@example.com is ready." in shown
    new = LINK.search(shown).group(1)  # type: ignore[union-attr]
    with web_client(settings) as browser:
        assert browser.get(old).status_code == 410
        assert set_password(browser, new, "a long new secret").status_code == 303


def test_a_deactivated_persons_link_no_longer_works(admin, settings, db):
    link = invite(admin)
    zoe = person(db, "zoe@example.com")
    assert zoe is not None
    assert submit(admin, f"/people/{zoe.id}", f"/people/{zoe.id}/deactivate").status_code == 303
    assert "Make a new set-password link" not in admin.get(f"/people/{zoe.id}").text
    with web_client(settings) as browser:
        assert browser.get(link).status_code == 410


def test_only_an_owner_makes_a_link_for_an_owner(admin, crew, db):
    assert "Make a new set-password link" not in admin.get(f"/people/{crew['owner']}").text
    forged = submit(admin, "/people", f"/people/{crew['owner']}/password-link")
    assert forged.status_code == 403 and "Only an owner may make a password link for an owner." in forged.text


def test_the_link_is_emailed_where_smtp_is_set_up(database_url, tmp_path, crew):
    with SmtpServer() as smtp:
        from tests.web.conftest import web_settings

        settings = web_settings(database_url, tmp_path).model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_from": "tocsin@example.com"}
        )
        with web_client(settings) as http:
            log_in(http, email("admin"))
            response = submit(http, "/people", "/people", username="zoe@example.com", role="user")
            page = http.get(response.headers["location"]).text
            assert "An e-mail with it is on its way to zoe@example.com." in page
            link = LINK.search(page).group(1)  # type: ignore[union-attr]

            (mail,) = smtp.wait_for(1)

        assert mail.recipients == ["zoe@example.com"]
        assert mail.subject == "[Tocsin] You are invited: set your password"
        assert f"http://tocsin.test{link}" in mail.body and "admin@example.com" in mail.body


def test_with_password_login_off_people_are_invited_without_a_link_but_owners_get_one(settings, db):
    from tests.web.sso_world import sso_settings

    make_crew(db)
    sso_only = sso_settings(settings, "http://127.0.0.1:9", password_login=False)
    with web_client(sso_only) as http:
        log_in(http, email("owner"))
        response = submit(http, "/people", "/people", username="zoe@example.com", role="user")
        page = http.get(response.headers["location"]).text
        assert "Invited zoe@example.com: they sign in with single sign-on." in page
        assert 'id="password-link"' not in page and "Make a new set-password link" not in page
        assert "<dd>Active</dd>" in page

        zoe = person(db, "zoe@example.com")
        assert zoe is not None
        forged = submit(http, "/people", f"/people/{zoe.id}/password-link")
        assert forged.status_code == 409 and "Password sign-in is off on this server" in forged.text

        response = submit(http, "/people", "/people", username="second-owner@example.com", role="owner")
        assert LINK.search(http.get(response.headers["location"]).text)
