"""In Chromium, an administrator adds a Slack and a HipChat integration from Settings > Integrations:
the Request URL (HipChat: the Capabilities URL) is on the form before saving, to copy into the chat
platform, and the saved integration's page shows the same one. Also takes the screenshots the docs
show (``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.factories import make_user
from tests.web import browser as chromium
from tests.web.browser import screenshot
from tests.web.test_browser_chat_mapping import PASSWORD, PUBLIC, published, watched
from tocsin.db import Database

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.server import LiveServer

browser, page = chromium.browser, chromium.page  # the shared fixtures
_ = published, watched  # fixtures: a server published at PUBLIC, and the page watched for errors
LOOPBACK = "http://127.0.0.1:9/"
"""Where the saved integrations post: the docs' example hosts do not resolve in tests."""


def add_form(page: Page, server: LiveServer, db: Database, search: str) -> None:
    """Log in as an administrator, search the kinds to add, and open the one found."""
    from playwright.sync_api import expect

    make_user(db, "admin@example.com", role="admin", password=PASSWORD)
    page.goto(f"{server.url}/settings/integrations")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Search integrations").fill(search)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", name=f"Add {search} integration")).to_be_visible()


def shown_before_saving(page: Page, path: str) -> str:
    from playwright.sync_api import expect

    request_url = page.locator("#request-url")
    expect(request_url).to_have_text(re.compile(re.escape(f"{PUBLIC}/chat/{path}/") + r"[^/]+/[\w-]{32}"))
    expect(request_url).to_be_in_viewport()
    return request_url.inner_text()


def save_and_see(page: Page, url_label: str, name: str, shown: str) -> None:
    """Save the form (posting to loopback) and see the same Request URL on the integration's page."""
    from playwright.sync_api import expect

    page.get_by_label(url_label).fill(LOOPBACK)
    page.get_by_role("button", name="Save Integration").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert page.locator("#request-url").inner_text() == shown


def test_a_slack_integration_is_set_up_with_the_request_url_shown_before_saving(
    page: Page, watched: chromium.Problems, published: LiveServer, db: Database, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    add_form(page, published, db, "Slack")
    page.get_by_label("Name").fill("ops-slack")
    page.get_by_label("Slack URL").fill(
        "https://hooks.slack.com/services/T0001/B0001/xgk5b9pzxtfbfm3p8eyq8dq7"
    )
    page.get_by_label("Signing Secret").fill("8f742231b10e8888abcd99yyyzzz85a5")
    shown = shown_before_saving(page, "slack")
    screenshot(page, tmp_path, "slack-setup")

    save_and_see(page, "Slack URL", "ops-slack", shown)
    expect(page.locator("dt", has_text="Signing Secret").locator("+ dd")).to_have_text("set")
    assert "8f742231b10e8888abcd99yyyzzz85a5" not in page.content()
    assert watched.seen == []


def test_a_hipchat_integration_is_set_up_with_the_capabilities_url_shown_before_saving(
    page: Page, watched: chromium.Problems, published: LiveServer, db: Database, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    add_form(page, published, db, "HipChat")
    expect(page.get_by_label("HipChat URL")).to_have_value("https://api.hipchat.com")
    page.get_by_label("Name").fill("ops-rooms")
    shown = shown_before_saving(page, "hipchat")
    expect(page.locator(".request-url .label")).to_have_text("Capabilities URL")
    screenshot(page, tmp_path, "hipchat-setup")

    save_and_see(page, "HipChat URL", "ops-rooms", shown)
    expect(page.locator("dt", has_text="Installation").locator("+ dd")).to_have_text("Not installed yet")
    assert watched.seen == []
