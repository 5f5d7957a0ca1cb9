"""A maintenance window in Debian's Chromium, on a phone and a desktop, against a live Tocsin: an
admin silences an integration "for the next hour"; an alert sent with that integration's API key
is stored but nobody is told of it (its log says so, read through the API); the admin cancels
the window and the next alert goes through. Every state is checked with axe; the screenshots
``maintenance-*`` are taken for the docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.api import ApiClient
from tests.support.factories import make_integration, make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"
SILENCED = "Not notified: integration prometheus is in a maintenance window"


@pytest.fixture
def server(database_url: str, tmp_path: Path, db) -> Iterator[tuple[LiveServer, str]]:
    make_user(db, "admin@example.com", role="admin", password=PASSWORD)
    _, key = make_integration(db, "prometheus")
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started, key


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_window_for_the_next_hour_silences_an_integration_until_cancelled(
    browser: Browser, server: tuple[LiveServer, str], tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    live, key = server
    admin = chromium.signed_in(
        browser, live.url, "admin@example.com", PASSWORD, viewport=chromium.SIZES[size]
    )
    problems = chromium.Problems(admin)
    api = ApiClient(httpx.Client(base_url=live.url, timeout=10), key)

    admin.get_by_role("link", name="Settings").click()
    admin.get_by_role("link", name="Maintenance windows").click()
    expect(admin.get_by_role("heading", name="Maintenance windows")).to_be_visible()
    expect(admin.get_by_text("No maintenance window is on or planned.")).to_be_visible()
    assert_accessible(admin)
    admin.get_by_label("Description").fill("Disk swap on db1")
    expect(admin.get_by_label("For the next hour")).to_be_checked()
    admin.get_by_label("prometheus").check()
    admin.get_by_role("button", name="Plan window").click()

    expect(admin.get_by_role("status")).to_contain_text("Disk swap on db1 is planned.")
    window = admin.locator("li.window")
    expect(window).to_contain_text("On now")
    expect(window.get_by_role("link", name="prometheus")).to_be_visible()
    assert fits_the_screen(admin)
    assert_accessible(admin)
    chromium.screenshot(admin, tmp_path, f"maintenance-{size}", full_page=True)

    during = api.create(message="db1 disk slow", alias="db1-disk")
    assert SILENCED in api.logs(during["id"])

    admin.get_by_role("button", name="Cancel now: Disk swap on db1").click()
    expect(admin.get_by_role("status")).to_contain_text("Disk swap on db1 is cancelled")
    expect(admin.get_by_text("No maintenance window is on or planned.")).to_be_visible()
    admin.get_by_role("link", name="Past and cancelled").click()
    expect(admin.locator("li.window")).to_contain_text("Cancelled")
    assert_accessible(admin)

    after = api.create(message="db1 disk slow again", alias="db1-disk-2")
    assert not any("maintenance" in line for line in api.logs(after["id"]))
    assert problems.seen == []
