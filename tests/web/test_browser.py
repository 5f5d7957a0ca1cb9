"""A person in Debian's Chromium: log in, see the open alerts, log out; at the root and under a prefix."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.support.factories import make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

browser, page = chromium.browser, chromium.page  # the shared fixtures


@pytest.fixture(params=["", "/tocsin"], ids=["at the root", "under /tocsin"])
def server(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(live_settings(database_url, str(tmp_path), root_path=request.param)) as live:
        yield live


def test_log_in_see_the_open_alerts_and_log_out(
    page: Page, server: LiveServer, db, add_alert: Callable[..., str]
) -> None:
    from playwright.sync_api import expect

    make_user(db, "ada@example.com", role="admin", password="correct horse")
    add_alert(message="Disk full on host1", priority="P1")
    prefix = urlsplit(server.url).path
    requests: list[str] = []
    stylesheets: list[int] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(urlsplit(request.url).path))
    page.on(
        "response",
        lambda response: stylesheets.append(response.status) if response.url.endswith(".css") else None,
    )
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.text} {message.location}") if message.type == "error" else None
        ),
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(server.url + "/")
    expect(page).to_have_url(f"{server.url}/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{server.url}/alerts")
    expect(page.get_by_role("heading", name="Open alerts")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Disk full on host1")
    expect(row).to_contain_text("P1")
    expect(row).to_contain_text("open")
    # The stylesheet loaded and applies: the header is white, the brand in the accent colour.
    assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == (
        "rgb(255, 255, 255)"
    )
    assert page.evaluate("getComputedStyle(document.querySelector('.brand')).color") == "rgb(180, 35, 26)"

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{server.url}/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.goto(f"{server.url}/alerts")
    expect(page).to_have_url(f"{server.url}/login")

    assert stylesheets and set(stylesheets) <= {200}, stylesheets
    assert all(path.startswith(f"{prefix}/") for path in requests), requests
    assert problems == []
