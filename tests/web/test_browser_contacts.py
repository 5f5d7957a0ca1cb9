"""The profile's contact methods in Debian's Chromium, on a phone (360 px) and a laptop, against
a live Tocsin: an unverified number stands out, and its code is entered right there. Also takes
the screenshots the docs show (``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from tests.support.factories import make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.test_browser_sessions import LAPTOP, PHONE, signed_in_page
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.notify import contacts
from tocsin.notify.outbox import OutboxMessage

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture


@pytest.fixture
def server(database_url: str, tmp_path: Path, db: Database) -> Iterator[LiveServer]:
    make_user(db, "ada@example.com", password="correct horse")
    with db.write_session() as session:
        ada = accounts.get_user(session, "ada@example.com")
        contacts.add_contact(session, actor=SYSTEM, user=ada, method="ntfy", to="ada-pager-4f9c")
        contacts.add_contact(session, actor=SYSTEM, user=ada, method="sms", to="+44 7911 123456")
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started


def _code(db: Database) -> str:
    with db.read_session() as session:
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == contacts.VERIFICATION_TOPIC)
        ).one()
        return str(message.payload["code"])


def test_an_unverified_number_is_verified_from_the_profile_on_a_phone(
    browser: Browser, server: LiveServer, db: Database, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    laptop = signed_in_page(browser, server, LAPTOP, "Firefox on the laptop")
    laptop.goto(f"{server.url}/profile")
    expect(laptop.get_by_role("heading", name="Contact methods")).to_be_visible()
    chromium.screenshot(laptop, tmp_path, "profile-contacts", full_page=True)
    phone = signed_in_page(browser, server, PHONE, "Chromium on the phone")
    problems = chromium.Problems(phone)
    phone.goto(f"{server.url}/profile")
    rows = phone.locator("table.contacts tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="+447911123456")).to_contain_text("Not verified: not used for paging yet")
    chromium.screenshot(phone, tmp_path, "profile-contacts-phone", full_page=True)

    phone.get_by_label("Code sent to +447911123456").fill(_code(db))
    phone.get_by_role("button", name="Verify").click()

    expect(phone.get_by_role("status")).to_have_text("Verified +447911123456: it will be used for paging.")
    expect(rows.filter(has_text="+447911123456")).to_contain_text("Verified")
    expect(phone.get_by_role("button", name="Verify")).to_have_count(0)
    assert problems.seen == []
