"""Policies in Debian's Chromium, on a phone and a desktop, against a live Tocsin: an admin
builds an alert policy with the condition builder (message contains "disk" → priority P1 and tag
"storage"), moves it above another, disables and enables it, and alerts sent through the API
afterwards show what each state did. Every state is checked with axe; the screenshots
``policies-*`` are taken for the docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tests.web.config_world import Site, admin_at, admin_site, fits_the_screen
from tocsin.actors import SYSTEM
from tocsin.policies import service
from tocsin.policies.schemas import PolicyPayload

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture


@pytest.fixture
def site(database_url: str, tmp_path: Path, db) -> Iterator[Site]:
    with db.write_session() as session:
        payload = PolicyPayload.model_validate({"type": "alert", "name": "Mark as seen", "tags": ["seen"]})
        service.create_policy(session, actor=SYSTEM, payload=payload)
    with admin_site(database_url, str(tmp_path), db) as started:
        yield started


def listed(page: Page) -> list[str]:
    return page.locator("#alert-policies ~ ol.policies a.name").all_inner_texts()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_alert_policy_built_in_the_condition_builder_changes_the_next_alerts(
    browser: Browser, site: Site, tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    admin, problems, api = admin_at(browser, site, size)

    admin.get_by_role("link", name="Settings").click()
    admin.get_by_role("link", name="Policies").click()
    expect(admin.get_by_role("heading", name="Policies", exact=True)).to_be_visible()
    admin.get_by_role("link", name="New alert policy").click()
    admin.get_by_label("Name", exact=True).fill("Disk is storage")
    admin.get_by_label("Applies to").select_option("match-all-conditions")
    admin.get_by_label("Condition 1 field").select_option("message")
    admin.get_by_label("Condition 1 operation").select_option("contains")
    admin.get_by_label("Condition 1 value").fill("disk")
    admin.get_by_label("Priority", exact=True).select_option("P1")
    admin.get_by_label("Tags to add").fill("storage")
    assert fits_the_screen(admin)
    assert_accessible(admin)
    chromium.screenshot(admin, tmp_path, f"policy-edit-{size}", full_page=True)
    admin.get_by_role("button", name="Create policy").click()

    expect(admin.get_by_role("status")).to_contain_text("Disk is storage is saved.")
    assert listed(admin) == ["Mark as seen", "Disk is storage"]
    admin.get_by_role("button", name="Move up: Disk is storage").click()
    expect(admin.get_by_role("status")).to_contain_text("it is number 1 now")
    assert listed(admin) == ["Disk is storage", "Mark as seen"]
    assert fits_the_screen(admin)
    assert_accessible(admin)
    chromium.screenshot(admin, tmp_path, f"policies-{size}", full_page=True)

    admin.get_by_role("button", name="Disable: Disk is storage").click()
    expect(admin.locator("li.policy.disabled")).to_contain_text("Disk is storage")
    assert_accessible(admin)
    while_off = api.create(message="Disk full on db1")
    assert (while_off["priority"], while_off["tags"]) == ("P3", ["seen"])

    admin.get_by_role("button", name="Enable: Disk is storage").click()
    expect(admin.locator("li.policy.disabled")).to_have_count(0)
    changed = api.create(message="Disk full on db2")
    assert (changed["priority"], changed["tags"]) == ("P1", ["storage"])  # the first match only
    other = api.create(message="CPU hot on db2")
    assert (other["priority"], other["tags"]) == ("P3", ["seen"])
    assert problems.seen == []
