"""The whole path a person on call takes, in Debian's Chromium against Tocsin served with its
engine beside a fake Mattermost: an alert sent in through the API appears on the open alerts
page by itself, is acknowledged from its page, and then the API, another open browser and the
Mattermost channel all see the acknowledgement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.chat.live import CHANNEL, LiveChat, live_chat
from tests.fakes.mattermost import FakeMattermost
from tests.web import browser as chromium
from tocsin.integrations.configuration import Changes

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

Setup = LiveChat[FakeMattermost]


@pytest.fixture
def setup(database_url: str, tmp_path: Path) -> Iterator[Setup]:
    with live_chat(database_url, tmp_path, FakeMattermost()) as chat:
        fake = chat.fake
        chat.add_integration(
            "Mattermost", Changes(url=fake.new_hook(channel=CHANNEL), command_token=fake.command_token)
        )
        yield chat


def alert_by_api(setup: Setup, tiny_id: int) -> dict[str, object]:
    answer = httpx.get(
        f"{setup.server.url}/v2/alerts/{tiny_id}",
        params={"identifierType": "tiny"},
        headers={"Authorization": f"GenieKey {setup.api_key}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()["data"]
    return data


def test_an_alert_from_the_api_appears_live_is_acknowledged_in_the_browser_and_everyone_sees_it(
    browser: Browser, setup: Setup
) -> None:
    from playwright.sync_api import expect

    desktop = chromium.signed_in(browser, setup.server.url, "ada@example.com", "correct horse")
    phone = chromium.signed_in(
        browser, setup.server.url, "ada@example.com", "correct horse", viewport=chromium.PHONE
    )
    problems = [chromium.Problems(desktop), chromium.Problems(phone)]
    expect(desktop.get_by_role("heading", name="Open alerts")).to_be_visible()
    expect(desktop.locator("#alert-rows tr")).to_have_count(0)

    tiny_id = setup.raise_alert("Disk full on db1")

    # Nobody reloads: the page hears of the alert and offers to show it.
    expect(desktop.locator("#new-alerts")).to_contain_text("1 new alert")
    desktop.locator("#new-alerts").get_by_role("button", name="Show").click()
    expect(desktop.locator("#alert-rows tr")).to_have_count(1)
    card = setup.fake.wait_for_posts(1, channel=CHANNEL)[0]
    assert card.attachments[0]["title"] == f"#{tiny_id} Disk full on db1"

    desktop.get_by_role("link", name="Disk full on db1").first.click()
    alert_page = desktop.url
    phone.goto(alert_page)
    expect(phone.locator(".state").first).to_have_text("open")
    desktop.get_by_role("button", name="Acknowledge", exact=True).click()

    expect(desktop.locator(".state").first).to_have_text("acknowledged")
    expect(phone.locator(".state").first).to_have_text("acknowledged")  # the other browser, live
    seen = alert_by_api(setup, tiny_id)
    assert seen["acknowledged"] is True
    assert seen["report"]["acknowledgedBy"] == "ada@example.com"  # type: ignore[index]
    follow_ups = setup.fake.wait_for_posts(2, channel=CHANNEL)[1:]
    assert any("acknowledged" in post.text and "ada" in post.text for post in follow_ups), [
        post.text for post in follow_ups
    ]
    assert [watch.seen for watch in problems] == [[], []]
