"""An alert's page in Debian's Chromium, on a phone (360 px) and a desktop, against a live Tocsin:
take ownership, acknowledge, snooze with a preset and add a note, each seen by the service
afterwards; the page follows a change announced by the live updates without losing what is
being typed; axe finds nothing serious on the open and the acknowledged page. Also takes the
screenshots the docs show (``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.factories import make_integration
from tests.support.server import LiveServer, live_settings
from tests.web import alert_world as world
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tests.web.alert_world import as_user
from tocsin.actors import SYSTEM
from tocsin.alerts import actions, ingest, reads
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.db import Database

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

browser, people = chromium.browser, world.people  # the shared fixtures


@pytest.fixture
def server(database_url: str, tmp_path: Path, db: Database, people) -> Iterator[LiveServer]:
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started


@pytest.fixture
def alert_id(db: Database, people) -> str:
    actor, _ = make_integration(db, "Prometheus")
    payload = CreateAlertPayload.model_validate(
        {
            "message": "Disk full on db1",
            "description": "Only 2% left on /var",
            "priority": "P2",
            "tags": ["disk", "db"],
            "details": {"host": "db1", "mount": "/var"},
            "responders": [{"type": "team", "name": "ops"}],
        }
    )
    with db.write_session() as session:
        return ingest.create_alert(session, payload=payload, actor=actor).alert_id


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_work_an_alert_from_its_page(
    browser: Browser, server: LiveServer, db: Database, alert_id: str, tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    page = chromium.signed_in(
        browser, server.url, "ada@example.com", "correct horse", viewport=chromium.SIZES[size]
    )
    problems = chromium.Problems(page)
    page.goto(f"{server.url}/alerts/{alert_id}")
    assert_accessible(page)

    page.get_by_role("button", name="Take ownership").focus()  # by keyboard
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Assigned.")).to_be_visible()
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Acknowledged.")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge", exact=True)).to_have_count(0)
    page.evaluate("document.querySelectorAll('details').forEach((folded) => { folded.open = true; })")
    assert_accessible(page)  # with every folded form shown
    page.reload()
    page.get_by_role("button", name="Snooze 1 h").click()
    expect(page.locator("dl.facts")).to_contain_text("snoozed until 20")
    page.get_by_label("Add a note").fill("Cleaning /var/log")
    page.keyboard.press("Tab")  # from the note to its button
    page.keyboard.press("Enter")
    expect(page.locator("ul.notes")).to_contain_text("ada@example.com Cleaning /var/log")
    chromium.screenshot(page, tmp_path, f"alert-{size}", full_page=True)

    with db.read_session() as session:
        alert = find_alert(session, AlertRef(alert_id), SYSTEM)
        notes = reads.notes(session, AlertRef(alert_id), SYSTEM, reads.Page(None, "next", 10, "asc"))
        assert (alert.owner, alert.acknowledged, alert.snoozed) == ("ada@example.com", True, True)
        assert [note.note for note in notes] == ["Cleaning /var/log"]
    assert problems.seen == []


def test_the_page_follows_a_change_and_keeps_what_is_being_typed(
    browser: Browser, server: LiveServer, db: Database, alert_id: str
) -> None:
    from playwright.sync_api import expect

    page = chromium.signed_in(
        browser, server.url, "ada@example.com", "correct horse", viewport=chromium.PHONE
    )
    problems = chromium.Problems(page)
    page.goto(f"{server.url}/alerts/{alert_id}")
    page.evaluate("window.stillThisPage = true")
    page.locator("summary", has_text="Tags").click()
    page.get_by_label("Add tags (separate with commas)").fill("urgent")

    as_user(db, "root@example.com", actions.update_priority, alert_id, priority="P1")
    page.evaluate(
        """(detail) => document.dispatchEvent(new CustomEvent("tocsin:alert-changed", {detail}))""",
        {"id": "some-other-alert", "tiny_id": 99, "change": "priority"},
    )
    expect(page.locator("dl.facts")).to_contain_text("P2")
    page.evaluate(
        """(detail) => document.dispatchEvent(new CustomEvent("tocsin:alert-changed", {detail}))""",
        {"id": alert_id, "tiny_id": 1, "change": "priority"},
    )

    expect(page.locator("dl.facts")).to_contain_text("P1")
    expect(page.locator("ol.log")).to_contain_text(
        "Priority changed from P2 to P1 by root@example.com via web"
    )
    expect(page.get_by_label("Add tags (separate with commas)")).to_have_value("urgent")
    expect(page.get_by_role("button", name="This alert changed — reload")).to_be_visible()
    assert page.evaluate("window.stillThisPage") is True
    page.get_by_role("button", name="This alert changed — reload").click()
    expect(page.get_by_label("Add tags (separate with commas)")).to_be_hidden()
    assert re.search(r"P1", page.locator("dl.facts").inner_text())
    assert problems.seen == []
