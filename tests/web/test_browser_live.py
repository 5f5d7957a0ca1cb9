"""Live updates in Debian's Chromium, at a phone and a desktop size: a page that includes live.js
(the alerts list) hears of an alert created through the API as a "tocsin:alert-changed" event,
and after the server restarts it listens again, with no error in the console."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.support.factories import make_integration, make_team, make_user
from tests.support.server import LiveServer
from tests.support.server import live_settings as settings_for
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tocsin.config import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"
COLLECT = """() => {
  window.changes = [];
  document.addEventListener("tocsin:alert-changed", (event) => window.changes.push(event.detail));
  window.resumed = 0;
  document.addEventListener("tocsin:live-resumed", () => { window.resumed += 1; });
}"""


@pytest.fixture
def live_settings(database_url: str, tmp_path: Path, db: Any) -> Settings:
    make_user(db, "ada@example.com", password=PASSWORD)
    make_team(db, "ops", "ada@example.com")
    return settings_for(database_url, str(tmp_path), root_path="/tocsin")


@pytest.fixture
def key(db: Any) -> str:
    return make_integration(db, "Prometheus")[1]


@pytest.fixture
def server(live_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(live_settings) as started:
        yield started


def create_by_api(url: str, key: str, message: str) -> str:
    headers = {"Authorization": f"GenieKey {key}"}
    body = {"message": message, "responders": [{"type": "team", "name": "ops"}]}
    answer = httpx.post(f"{url}/v2/alerts", json=body, headers=headers, timeout=10)
    assert answer.status_code == 202, answer.text
    status = httpx.get(f"{url}/v2/alerts/requests/{answer.json()['requestId']}", headers=headers, timeout=10)
    return str(status.json()["data"]["alertId"])


def httpx_tiny_id(url: str, key: str, alert_id: str) -> int:
    answer = httpx.get(
        f"{url}/v2/alerts/{alert_id}", headers={"Authorization": f"GenieKey {key}"}, timeout=10
    )
    return int(answer.json()["data"]["tinyId"])


def listening_page(browser: Browser, server: LiveServer, viewport: dict[str, int]) -> Page:
    """The alerts list, signed in, once its live connection is open (the server subscribes it
    before it answers)."""
    page = chromium.signed_in(browser, server.url, "ada@example.com", PASSWORD, viewport=viewport)
    with page.expect_response(lambda response: response.url.endswith("/tocsin/alerts/live")):
        page.goto(f"{server.url}/alerts")
    page.evaluate(COLLECT)
    return page


def test_a_page_that_includes_live_js_twice_listens_once(
    browser: Browser, server: LiveServer, key: str
) -> None:
    page = listening_page(browser, server, chromium.DESKTOP)
    page.evaluate(
        """() => new Promise((loaded) => {
          const again = document.createElement("script");
          again.src = document.querySelector('script[src$="/static/live.js"]').src;
          again.onload = loaded;
          document.head.append(again);
        })"""
    )
    first = create_by_api(server.url, key, "api down")
    second = create_by_api(server.url, key, "db down")
    page.wait_for_function("(id) => window.changes.some((change) => change.id === id)", arg=second)
    created = [
        change["id"] for change in page.evaluate("() => window.changes") if change["change"] == "created"
    ]
    assert created == [first, second]  # each once


@pytest.mark.parametrize(("viewport", "size"), [(chromium.PHONE, "phone"), (chromium.DESKTOP, "desktop")])
def test_an_alert_created_through_the_api_reaches_the_page_and_a_restart_is_weathered(
    browser: Browser,
    server: LiveServer,
    live_settings: Settings,
    key: str,
    tmp_path: Path,
    viewport: dict[str, int],
    size: str,
) -> None:
    page = listening_page(browser, server, viewport)
    problems = chromium.Problems(page)

    alert_id = create_by_api(server.url, key, "api down")

    page.wait_for_function("() => window.changes.length > 0")
    first = page.evaluate("() => window.changes[0]")
    assert first == {"id": alert_id, "tiny_id": httpx_tiny_id(server.url, key, alert_id), "change": "created"}
    assert_accessible(page)
    chromium.screenshot(page, tmp_path, f"live-updates-{size}", full_page=True)

    # The stream ends; the page reconnects to the new server. A try that falls between the two
    # servers is refused, as it would be in a real restart.
    problems.expect_refused(f"{server.url}/alerts/live")
    server.__exit__(None, None, None)
    with LiveServer(live_settings) as restarted:
        page.wait_for_function("() => window.resumed > 0")
        again = create_by_api(restarted.url, key, "api down again")
        # (The first alert's notifications, logged meanwhile, come as "updated" changes of it.)
        page.wait_for_function("(id) => window.changes.some((change) => change.id === id)", arg=again)
    assert problems.seen == []
