"""Single sign-on in Debian's Chromium: Tocsin served by uvicorn and the fake OpenID provider,
each on its own loopback port. A person presses "Sign in with …", fills in the provider's form
and comes back to Tocsin signed in, or to a page that says why not. Also takes the login page's
screenshots (``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.fakes.oidc_authlib import Person
from tests.fakes.oidc_provider import OidcProvider
from tests.support.factories import make_team, make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.sso_world import ADA, NEW, PEOPLE, STRANGER, UNVERIFIED, sso_settings
from tocsin.accounts import service as accounts
from tocsin.teams import service as teams

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1100, "height": 800}
Start = Callable[..., tuple[LiveServer, OidcProvider]]


@pytest.fixture
def start(database_url: str, tmp_path: Path) -> Iterator[Start]:
    """Starts Tocsin (with the given settings changes) and a provider that knows it."""
    with ExitStack() as stack:

        def started(*, provider_up: bool = True, **changes: Any) -> tuple[LiveServer, OidcProvider]:
            provider = OidcProvider()
            stack.callback(provider.stop)
            settings = sso_settings(live_settings(database_url, str(tmp_path)), provider.issuer, **changes)
            for person in PEOPLE:
                provider.add_person(person)
            provider.add_client(f"{settings.base_url}/login/oidc/callback")
            if provider_up:
                provider.start()
            else:
                provider.stop()
            return stack.enter_context(LiveServer(settings)), provider

        yield started


def new_page(browser: Browser, viewport: dict[str, int] = LAPTOP) -> Page:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in_with_sso(page: Page, server: LiveServer, person: Person) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_role("link", name="Sign in with Example SSO").click()
    page.get_by_label("Login").fill(person.login)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()


def test_sso_button_to_the_providers_form_and_back_signed_in(
    browser: Browser, start: Start, db, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    make_user(db, ADA.email)
    server, provider = start()
    page = new_page(browser)
    problems = chromium.Problems(page)

    sign_in_with_sso(page, server, ADA)

    expect(page).to_have_url(f"{server.url}/alerts")
    expect(page.locator(".who")).to_have_text(ADA.email)
    assert provider.authorize_requests[0]["code_challenge_method"] == "S256"
    assert problems.seen == []


def test_first_sign_in_creates_the_user_with_the_default_role_and_mapped_teams(
    browser: Browser, start: Start, db
) -> None:
    from playwright.sync_api import expect

    make_team(db, "SRE")
    make_team(db, "Database")
    server, _ = start(oidc_create_users=True, oidc_group_teams="sre=SRE,dba=Database")
    page = new_page(browser, PHONE)

    sign_in_with_sso(page, server, NEW)

    expect(page).to_have_url(f"{server.url}/alerts")
    expect(page.locator(".who")).to_have_text("grace@example.com")
    page.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("link", name="SRE")).to_be_visible()
    with db.read_session() as session:
        grace = accounts.get_user(session, "grace@example.com")
        assert grace.role == "user"
        assert len(teams.team_ids_of_user(session, grace.id)) == 2


@pytest.mark.parametrize(
    ("person", "said"),
    [
        (STRANGER, "There is no Tocsin account for eve@example.com."),
        (UNVERIFIED, "says your e-mail address mallory@example.com is not verified"),
    ],
    ids=["unknown-user", "unverified-email"],
)
def test_a_refused_sign_in_says_why_and_leads_back_to_the_login_page(
    browser: Browser, start: Start, db, tmp_path: Path, person: Person, said: str
) -> None:
    from playwright.sync_api import expect

    make_user(db, UNVERIFIED.email)
    server, _ = start()
    page = new_page(browser)

    sign_in_with_sso(page, server, person)

    expect(page.get_by_role("heading", name="Sign-in failed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(said)
    if person is STRANGER:
        chromium.screenshot(page, tmp_path, "sso-refused")
    page.get_by_role("link", name="Back to the login page").click()
    expect(page).to_have_url(f"{server.url}/login")
    page.goto(f"{server.url}/alerts")
    expect(page).to_have_url(re.compile(re.escape(f"{server.url}/login")))


def test_a_provider_that_is_down_gets_a_page_that_says_so(browser: Browser, start: Start) -> None:
    from playwright.sync_api import expect

    server, _ = start(provider_up=False)
    page = new_page(browser)

    page.goto(f"{server.url}/login")
    page.get_by_role("link", name="Sign in with Example SSO").click()

    expect(page.get_by_role("alert")).to_have_text("Tocsin could not reach the identity provider.")
    expect(page.get_by_text("an owner can still log in with a password")).to_be_visible()


def test_password_login_still_works_and_the_login_page_is_drawn_on_phone_and_laptop(
    browser: Browser, start: Start, db, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    make_user(db, ADA.email, password="correct horse")
    server, _ = start()
    for name, viewport in (("login-sso-phone", PHONE), ("login-sso", LAPTOP)):
        page = new_page(browser, viewport)
        problems = chromium.Problems(page)
        page.goto(f"{server.url}/login")
        expect(page.get_by_role("link", name="Sign in with Example SSO")).to_be_visible()
        expect(page.get_by_text("or with a password")).to_be_visible()
        chromium.screenshot(page, tmp_path, name)
        assert problems.seen == []

    page.get_by_label("E-mail").fill(ADA.email)
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.url}/alerts")
    expect(page.locator(".who")).to_have_text(ADA.email)


def test_with_password_login_off_an_owner_still_logs_in_with_a_password(
    browser: Browser, start: Start, db, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    make_user(db, "owner@example.com", role="owner", password="correct horse")
    server, _ = start(password_login=False)
    page = new_page(browser, PHONE)
    problems = chromium.Problems(page)

    page.goto(f"{server.url}/login")
    expect(page.get_by_label("E-mail")).to_be_hidden()
    chromium.screenshot(page, tmp_path, "login-sso-only-phone")
    page.get_by_text("Owner? Log in with a password").click()
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{server.url}/alerts")
    expect(page.locator(".who")).to_have_text("owner@example.com")
    assert problems.seen == []
