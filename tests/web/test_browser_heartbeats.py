"""Heartbeats in Debian's Chromium, on a phone (360 px) and a desktop, against a live Tocsin: an
admin creates a heartbeat, disables and enables it, a job pings it over HTTP with an integration
key (as curl would), and the page shows the ping. Every state is checked with axe, and the
screenshots the docs show are taken (``heartbeats-*``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.factories import make_team, make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tocsin.actors import SYSTEM
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.schemas import HeartbeatPayload
from tocsin.integrations import service as integrations

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"


@pytest.fixture
def site(database_url: str, tmp_path: Path, db) -> Iterator[tuple[LiveServer, str]]:
    """An admin; team ops with an API integration (its key returned) and two heartbeats, one
    expired and one disabled, so the list shows every state."""
    make_user(db, "admin@example.com", role="admin", password=PASSWORD)
    ops = make_team(db, "ops", "admin@example.com")
    with db.write_session() as session:
        _, key = integrations.create_integration(session, type="API", name="ops-api", team_name="ops")
        for name, enabled in (("db-dump", True), ("report-mailer", False)):
            payload = {"name": name, "interval": 1, "intervalUnit": "days", "enabled": enabled}
            heartbeats.create_heartbeat(
                session,
                actor=SYSTEM,
                payload=HeartbeatPayload.model_validate(payload | {"ownerTeam": {"id": ops}}),
            )
        heartbeats.find_heartbeat(session, "db-dump").expired = True
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started, key


def fits(page: Page, width: int) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= width)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_create_disable_enable_and_ping_a_heartbeat(
    browser: Browser, site: tuple[LiveServer, str], tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    server, key = site
    viewport = chromium.SIZES[size]
    admin = chromium.signed_in(browser, server.url, "admin@example.com", PASSWORD, viewport=viewport)
    problems = chromium.Problems(admin)
    problems.expect_status(422, f"{server.url}/heartbeats")  # the refused form, on purpose

    admin.get_by_role("link", name="Settings").click()
    admin.get_by_role("link", name="Heartbeats").click()
    expect(admin.get_by_role("heading", name="Heartbeats", exact=True)).to_be_visible()
    expect(admin.locator("table.heartbeats")).to_contain_text("expired")
    assert_accessible(admin)
    admin.get_by_label("Name").fill("nightly backup")
    admin.get_by_label("Interval", exact=True).fill("abc")
    admin.get_by_role("button", name="Create heartbeat").click()
    expect(admin.locator("#hb-interval-error")).to_have_text("Enter the interval as a whole number, like 10.")
    expect(admin.get_by_label("Name")).to_have_value("nightly backup")
    assert_accessible(admin)
    admin.get_by_label("Interval", exact=True).fill("2")
    admin.get_by_label("Interval unit").select_option("hours")
    admin.get_by_label("Owner team").select_option(label="ops")
    admin.get_by_label("Alert message").fill("The nightly backup did not run")
    admin.get_by_label("Alert priority").select_option("P2")
    admin.get_by_role("button", name="Create heartbeat").click()

    expect(admin.get_by_role("heading", name="nightly backup")).to_be_visible()
    expect(admin.get_by_role("status")).to_contain_text("Heartbeat nightly backup created")
    expect(admin.locator(".last-ping")).to_have_text("never")
    command = admin.locator("#ping-command").inner_text()
    assert command == (
        f"curl -X POST {server.url}/v2/heartbeats/nightly%20backup/ping -H 'Authorization: GenieKey <key>'"
    )
    assert fits(admin, viewport["width"])
    assert_accessible(admin)

    admin.get_by_role("button", name="Disable").click()
    expect(admin.get_by_role("status")).to_contain_text("is disabled")
    expect(admin.locator("dl.settings .hb-state")).to_have_text("disabled")
    assert_accessible(admin)
    admin.get_by_role("button", name="Enable").click()
    expect(admin.locator("dl.settings .hb-state")).to_have_text("active")

    pinged = httpx.post(
        command.split(" ")[3], headers={"Authorization": f"GenieKey {key}"}, timeout=10
    )  # what the curl command sends, with the team's key
    assert pinged.status_code == 202, pinged.text
    admin.reload()
    expect(admin.locator(".last-ping")).to_contain_text("just now")
    assert_accessible(admin)

    admin.get_by_role("link", name="Heartbeats").last.click()
    row = admin.locator("table.heartbeats tr", has_text="nightly backup")
    expect(row).to_contain_text("just now")
    expect(row).to_contain_text("active")
    assert fits(admin, viewport["width"])
    chromium.screenshot(admin, tmp_path, f"heartbeats-{size}", full_page=True)

    admin.get_by_role("link", name="report-mailer").click()
    admin.get_by_role("link", name="Delete…").click()
    expect(admin.get_by_text("Delete heartbeat report-mailer?")).to_be_visible()
    assert_accessible(admin)
    admin.get_by_role("button", name="Delete heartbeat").click()
    expect(admin.get_by_role("status")).to_contain_text("Heartbeat report-mailer is deleted.")
    expect(admin.locator("table.heartbeats")).not_to_contain_text("report-mailer")
    assert problems.seen == []
