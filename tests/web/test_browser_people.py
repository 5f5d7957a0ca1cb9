"""People and teams in Debian's Chromium, on a phone (360 px) and a desktop, against a live
Tocsin: an admin invites a person, the person opens the one-time link in their own browser, sets
a password and lands signed in; the admin makes a team and adds them. Every page state is
checked with axe, and the screenshots the docs show are taken (``people-*``, ``team-*``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.factories import make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"


@pytest.fixture
def server(database_url: str, tmp_path: Path, db) -> Iterator[LiveServer]:
    make_user(db, "admin@example.com", role="admin", password=PASSWORD)
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_invite_a_person_who_sets_a_password_then_put_them_in_a_new_team(
    browser: Browser, server: LiveServer, tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    viewport = chromium.SIZES[size]
    admin = chromium.signed_in(browser, server.url, "admin@example.com", PASSWORD, viewport=viewport)
    problems = chromium.Problems(admin)

    admin.get_by_role("link", name="People").click()
    expect(admin.get_by_role("heading", name="People", exact=True)).to_be_visible()
    assert_accessible(admin)
    admin.get_by_label("E-mail (their username)").fill("zoe@example.com")
    admin.get_by_label("Full name").fill("Zoe Quinn")
    admin.get_by_role("button", name="Invite").click()

    expect(admin.get_by_role("heading", name="Zoe Quinn")).to_be_visible()
    expect(admin.get_by_role("status")).to_contain_text("Invited zoe@example.com.")
    link = admin.locator("#password-link").inner_text().strip()
    assert link.startswith(f"{server.url}/password/")
    expect(admin.get_by_role("button", name="Copy link")).to_be_visible()
    assert admin.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # the long link wraps
    assert_accessible(admin)
    admin.get_by_role("link", name="People").first.click()
    expect(admin.locator("table.people")).to_contain_text("Invited: link open")
    chromium.screenshot(admin, tmp_path, f"people-{size}", full_page=True)

    zoe_context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    zoe_context.set_default_timeout(10_000)
    zoe = zoe_context.new_page()
    zoe_problems = chromium.Problems(zoe)
    zoe.goto(link)
    expect(zoe.get_by_role("heading", name="Set your password")).to_be_visible()
    assert zoe.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(zoe)
    zoe.get_by_label("New password").fill("a long new secret")
    zoe.get_by_label("The same again").fill("a long new secret")
    zoe.get_by_role("button", name="Set password and sign in").click()
    expect(zoe).to_have_url(f"{server.url}/profile")
    expect(zoe.get_by_role("status")).to_contain_text("Your password is set and you are signed in.")
    zoe_context.close()

    admin.get_by_role("link", name="Teams").first.click()
    admin.get_by_label("Name").fill("night shift")
    admin.get_by_role("button", name="Create team").click()
    expect(admin.get_by_role("heading", name="night shift")).to_be_visible()
    admin.get_by_label("Add a person (e-mail)").fill("zoe@example.com")
    admin.get_by_label("Role in the team").select_option("admin")
    admin.get_by_role("button", name="Add member").click()
    expect(admin.get_by_role("status")).to_contain_text("zoe@example.com is a member of team night shift")
    expect(admin.locator("table.members")).to_contain_text("Zoe Quinn")
    assert_accessible(admin)
    chromium.screenshot(admin, tmp_path, f"team-{size}", full_page=True)
    admin.get_by_role("link", name="Delete team…").click()
    expect(admin.get_by_role("heading", name="Delete team night shift?")).to_be_visible()
    expect(admin.locator("ul.goes")).to_contain_text("1 membership(s) end")
    assert_accessible(admin)
    admin.get_by_role("link", name="Cancel").click()
    expect(admin.get_by_role("heading", name="night shift")).to_be_visible()

    assert problems.seen == [] and zoe_problems.seen == []
