"""The profile's signed-in browsers and "Log out everywhere" in Debian's Chromium, on a phone
(360 px) and a laptop, against a live Tocsin. Also takes the screenshots the docs show
(``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.factories import make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1100, "height": 800}


@pytest.fixture
def server(database_url: str, tmp_path: Path, db) -> Iterator[LiveServer]:
    make_user(db, "ada@example.com", password=PASSWORD)
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started


def signed_in_page(browser: Browser, server: LiveServer, viewport: dict[str, int], agent: str) -> Page:
    context = browser.new_context(viewport=viewport, user_agent=agent)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/alerts")
    return page


def test_the_profile_lists_both_browsers_and_log_out_everywhere_ends_both(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    laptop = signed_in_page(browser, server, LAPTOP, "Firefox on the laptop")
    phone = signed_in_page(browser, server, PHONE, "Chromium on the phone")
    problems = chromium.Problems(phone)

    phone.get_by_role("link", name="Profile").first.click()
    rows = phone.locator("table.sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Chromium on the phone (this browser)")
    expect(rows.nth(1)).to_contain_text("Firefox on the laptop")
    chromium.screenshot(phone, tmp_path, "profile-sessions-phone", full_page=True)
    laptop.goto(f"{server.url}/profile")
    expect(laptop.get_by_role("heading", name="Signed-in browsers")).to_be_visible()
    chromium.screenshot(laptop, tmp_path, "profile-sessions", full_page=True)

    phone.get_by_role("button", name="Log out everywhere").click()

    expect(phone).to_have_url(f"{server.url}/login")
    laptop.goto(f"{server.url}/alerts")
    expect(laptop).to_have_url(re.compile(re.escape(f"{server.url}/login")))
    assert problems.seen == []
