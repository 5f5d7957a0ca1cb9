"""A maintenance window in Debian's Chromium, on a phone and a desktop, against a live Tocsin: an
admin silences an integration "for the next hour"; an alert sent with that integration's API key
is stored but nobody is told of it (its log says so, read through the API); the admin cancels
the window and the next alert goes through. Every state is checked with axe; the screenshots
``maintenance-*`` are taken for the docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tests.web.config_world import Site, admin_at, admin_site, fits_the_screen

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

SILENCED = "Not notified: integration prometheus is in a maintenance window"


@pytest.fixture
def site(database_url: str, tmp_path: Path, db) -> Iterator[Site]:
    with admin_site(database_url, str(tmp_path), db) as started:
        yield started


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_window_for_the_next_hour_silences_an_integration_until_cancelled(
    browser: Browser, site: Site, tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    admin, problems, api = admin_at(browser, site, size)

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
