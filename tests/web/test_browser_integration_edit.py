"""Editing a saved integration's filter in Debian's Chromium, on a phone (360 px) and a laptop,
against a live Tocsin posting to a fake Mattermost: the conditions are rows of a form, filled in
by keyboard as well, and from then on only the alerts they match are posted. Also takes the
screenshots the docs show (``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.fakes.mattermost import FakeMattermost
from tests.support.factories import make_user
from tests.support.server import LiveServer
from tests.web import browser as chromium
from tests.web.test_browser_chat_mapping import PASSWORD, live
from tests.web.test_browser_sessions import LAPTOP, PHONE
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.db import Database
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture


@pytest.fixture
def fake() -> Iterator[FakeMattermost]:
    with FakeMattermost() as mattermost:
        yield mattermost


@pytest.fixture
def server(database_url: str, tmp_path: Path, db: Database, fake: FakeMattermost) -> Iterator[LiveServer]:
    """An administrator, ada, and the Mattermost integration ops-chat posting every alert."""
    make_user(db, "ada@example.com", role="admin", password=PASSWORD)
    with db.write_session() as session:
        integrations.create_integration(
            session,
            type="Mattermost",
            name="ops-chat",
            changes=Changes(url=fake.new_hook()),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )
    with live(database_url, tmp_path) as started:
        yield started


def signed_in(browser: Browser, server: LiveServer, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{server.url}/settings/integrations")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="ops-chat").click()
    page.get_by_role("link", name="Edit").click()
    return page


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def raise_alert(db: Database, message: str, priority: str) -> None:
    payload = CreateAlertPayload.model_validate({"message": message, "priority": priority})
    with db.write_session() as session:
        ingest.create_alert(session, payload=payload, actor=SYSTEM)


def posted(fake: FakeMattermost) -> str:
    return "\n".join(f"{post.text} {post.props}" for post in fake.posts())


def test_a_filter_edited_in_the_condition_builder_decides_which_alerts_are_posted(
    browser: Browser, server: LiveServer, db: Database, fake: FakeMattermost, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    phone = signed_in(browser, server, PHONE)
    problems = chromium.Problems(phone)
    expect(phone.get_by_role("heading", name="Edit ops-chat")).to_be_visible()
    phone.get_by_label("Send").select_option(label="Alerts that match all conditions")
    phone.get_by_label("Condition 1 field").select_option("priority")
    phone.get_by_label("Condition 1 operation").select_option(label="equals")
    phone.get_by_label("Condition 1 value").fill("P1")

    sent: list[str] = []
    phone.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    phone.get_by_role("button", name="Add a condition").focus()
    phone.keyboard.press("Enter")  # a row to fill in, nothing saved yet
    expect(phone.get_by_label("Condition 2 field")).to_be_focused()
    phone.keyboard.press("End")  # the last field: extra-properties
    phone.get_by_label("Condition 2 value").fill("tmp")
    phone.get_by_role("button", name="Remove condition 2").focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_label("Condition 2 field")).to_have_count(0)
    expect(phone.get_by_label("Condition 1 field")).to_be_focused()
    phone.get_by_role("button", name="Add a condition").click()
    expect(phone.get_by_label("Condition 2 value")).to_have_value("")
    expect(phone.get_by_label("Condition 1 value")).to_have_value("P1")
    assert sent == []  # rows were added and removed in the page (conditions.js)
    assert fits_the_screen(phone)
    chromium.screenshot(phone, tmp_path, "integration-edit-phone", full_page=True)

    phone.get_by_label("Condition 1 value").press("Enter")  # Enter in a field saves (row 2 is blank)

    expect(phone.get_by_role("status")).to_have_text("Saved.")
    expect(phone.locator("ul.filter-lines li")).to_have_text(
        ["Alerts that match all conditions:", "priority equals 'P1'"]
    )
    assert fits_the_screen(phone)
    raise_alert(db, "Disk full on host1", "P3")
    raise_alert(db, "Database down on db2", "P1")
    deadline = time.monotonic() + 10
    while "Database down on db2" not in posted(fake) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # time enough for a post of the P3 alert, raised first, to arrive too
    assert "Database down on db2" in posted(fake)
    assert "Disk full on host1" not in posted(fake)
    assert problems.seen == []

    laptop = signed_in(browser, server, LAPTOP)
    expect(laptop.get_by_label("Condition 1 value")).to_have_value("P1")
    assert fits_the_screen(laptop)
    chromium.screenshot(laptop, tmp_path, "integration-edit", full_page=True)
