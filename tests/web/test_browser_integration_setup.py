"""Setting integrations up in Debian's Chromium, on a phone (360 px) and a desktop, against a live
Tocsin whose webhook posts to a real HTTP receiver: a webhook's filter is edited in the condition
builder (only alerts whose message contains "db"), and of two alerts created through the API with
an API integration's key, only the matching one reaches the receiver; then that API integration
gets a heartbeat in place and a new key (shown once), the old key is refused and the new one
creates alerts and pings. axe checks every state; the screenshots are ``integration-*``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.factories import make_user
from tests.support.http_receiver import HttpReceiver
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tests.web.test_browser_chat_mapping import live
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"


@dataclass
class Site:
    url: str
    key: str
    """The key of the API integration "monitoring"."""
    receiver: HttpReceiver
    """Where the webhook "ops-hooks" posts."""

    def create_alert(self, message: str, key: str | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.url}/v2/alerts",
            json={"message": message},
            headers={"Authorization": f"GenieKey {key or self.key}"},
            timeout=10,
        )

    def forwarded(self) -> list[str]:
        return [request.json()["alert"]["message"] for request in self.receiver.received]


@pytest.fixture
def site(database_url: str, tmp_path: Path, db) -> Iterator[Site]:
    make_user(db, "ada@example.com", role="admin", password=PASSWORD)
    with HttpReceiver() as receiver:
        with db.write_session() as session:
            _, key = integrations.create_integration(session, type="API", name="monitoring")
            integrations.create_integration(
                session,
                type="Webhook",
                name="ops-hooks",
                changes=Changes(url=receiver.url("/hook")),
                outbound=OutboundPolicy.parse("127.0.0.0/8"),
            )
        with live(database_url, tmp_path) as server:
            yield Site(server.url, key, receiver)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_filtered_webhook_then_a_heartbeat_and_a_new_key_for_an_api_integration(
    browser: Browser, site: Site, tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    viewport = chromium.SIZES[size]
    ada = chromium.signed_in(browser, site.url, "ada@example.com", PASSWORD, viewport=viewport)
    problems = chromium.Problems(ada)
    ada.get_by_role("link", name="Settings").click()
    ada.get_by_role("link", name="Integrations").click()
    ada.get_by_role("link", name="ops-hooks").click()
    ada.get_by_role("link", name="Edit").click()
    ada.get_by_label("Send").select_option(label="Alerts that match all conditions")
    ada.get_by_label("Condition 1 field").select_option("message")
    ada.get_by_label("Condition 1 operation").select_option(label="contains")
    ada.get_by_label("Condition 1 value").fill("db")
    assert_accessible(ada)
    ada.get_by_role("button", name="Save changes").click()
    expect(ada.get_by_role("status")).to_have_text("Saved.")
    expect(ada.locator("ul.filter-lines li")).to_have_text(
        ["Alerts that match all conditions:", "message contains 'db'"]
    )

    assert site.create_alert("Disk full on web1").status_code == 202
    assert site.create_alert("Replication lag on db2").status_code == 202
    site.receiver.wait_for(1)
    time.sleep(0.5)  # time enough for a post of the first alert, created first, to arrive too
    assert site.forwarded() == ["Replication lag on db2"]

    ada.get_by_role("link", name="Integrations").first.click()
    ada.get_by_role("link", name="monitoring").click()
    expect(ada.get_by_role("heading", name="Heartbeats (global)")).to_be_visible()
    ada.get_by_label("Name").fill("web-cron")
    ada.get_by_label("Interval", exact=True).fill("15")
    ada.get_by_label("Alert message").fill("The web cron stopped")
    ada.get_by_role("button", name="Create heartbeat").click()
    expect(ada.get_by_role("status")).to_contain_text("Heartbeat web-cron created")
    expect(ada.locator("table.heartbeats")).to_contain_text("never")
    assert_accessible(ada)

    ada.get_by_role("link", name="New key…").click()
    expect(ada.get_by_text("The old key stops working now")).to_be_visible()
    assert_accessible(ada)
    ada.get_by_role("button", name="Make a new key").click()
    expect(ada.get_by_role("status").first).to_contain_text("The old key no longer works")
    new_key = ada.locator("#integration-key").inner_text().strip()
    assert new_key and new_key != site.key
    command = ada.locator("#ping-1").inner_text()
    assert command.endswith(f"-H 'Authorization: GenieKey {new_key}'")
    assert ada.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(ada)
    chromium.screenshot(ada, tmp_path, f"integration-{size}", full_page=True)

    refused = site.create_alert("with the old key")
    assert refused.status_code == 401, refused.text
    assert site.create_alert("with the new key on db3", key=new_key).status_code == 202
    pinged = httpx.post(
        command.split(" ")[3], headers={"Authorization": f"GenieKey {new_key}"}, timeout=10
    )  # what the command shown sends
    assert pinged.status_code == 202, pinged.text
    ada.reload()  # the page the form led to: reloading it makes no other key, and shows none
    expect(ada.locator("table.heartbeats")).to_contain_text("just now")
    expect(ada.locator("#integration-key")).to_have_count(0)  # shown once, never again
    site.receiver.wait_for(2)
    assert site.forwarded() == ["Replication lag on db2", "with the new key on db3"]
    assert problems.seen == []
