"""The alert list in Debian's Chromium against a live Tocsin, on a phone (360 px) and a desktop:
filter, select two alerts, acknowledge them and read the notice; the live-update handler with
dispatched ``tocsin:alert-changed`` events; axe on each state; the screenshots the docs show."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.factories import make_integration, make_team, make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tocsin.actors import SYSTEM
from tocsin.alerts import actions, ingest
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import AlertRef

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"
OPS = [{"type": "team", "name": "ops"}]


@pytest.fixture
def add_alert(db) -> Callable[..., str]:
    actor, _ = make_integration(db, "Prometheus")

    def add(**fields: Any) -> str:
        with db.write_session() as session:
            payload = CreateAlertPayload.model_validate({"responders": OPS, **fields})
            return ingest.create_alert(session, payload=payload, actor=actor).alert_id

    return add


@pytest.fixture
def server(database_url: str, tmp_path: Path, db) -> Iterator[LiveServer]:
    make_user(db, "ada@example.com", password=PASSWORD)
    make_team(db, "ops", "ada@example.com")
    make_team(db, "db")
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started


def watched(page: Page, server: LiveServer) -> chromium.Problems:
    return chromium.Problems(page)


def acknowledged(db, alert_id: str) -> bool:
    with db.read_session() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert.acknowledged


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_filter_select_two_and_acknowledge_them(
    browser: Browser, server: LiveServer, db, add_alert: Callable[..., str], tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    urgent = add_alert(message="Database primary down", priority="P1", tags=["db"], source="pgwatch")
    high = add_alert(message="Replication lag over 5 minutes on replica-2", priority="P2", tags=["db"])
    add_alert(message="Disk 80% full on build-7", priority="P3")
    add_alert(message="Certificate expires in 20 days", priority="P5")
    page = chromium.signed_in(browser, server.url, "ada@example.com", PASSWORD, viewport=chromium.SIZES[size])
    problems = watched(page, server)
    expect(page.locator("#alert-rows tr")).to_have_count(4)

    page.get_by_text("Filters and sorting").click()
    page.get_by_label("P1", exact=True).check()
    page.get_by_label("P2", exact=True).check()
    page.get_by_role("button", name="Apply").click()

    rows = page.locator("#alert-rows tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name="Open", exact=True)).to_have_attribute("aria-current", "page")
    page.get_by_label(re.compile(r"^Select alert \d+$")).first.check()
    page.get_by_label(re.compile(r"^Select alert \d+$")).nth(1).check()
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    assert_accessible(page)
    chromium.screenshot(page, tmp_path, f"alerts-{size}", full_page=True)

    page.get_by_role("button", name="Acknowledge").click()

    expect(page.get_by_role("status").filter(has_text="acknowledged")).to_have_text("2 acknowledged.")
    expect(rows).to_have_count(0)
    assert acknowledged(db, urgent) and acknowledged(db, high)
    page.get_by_role("link", name="Acknowledged", exact=True).click()
    expect(page.locator("#alert-rows tr")).to_have_count(2)
    assert_accessible(page)
    assert problems.seen == []


def dispatch(page: Page, alert_id: str, tiny_id: int, change: str) -> None:
    page.evaluate(
        """([id, tinyId, change]) => document.dispatchEvent(
            new CustomEvent("tocsin:alert-changed", {detail: {id: id, tiny_id: tinyId, change: change}}))""",
        [alert_id, tiny_id, change],
    )


def tiny_id_of(db, alert_id: str) -> int:
    with db.read_session() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert.tiny_id


def test_live_changes_count_new_alerts_and_refresh_shown_rows_keeping_the_selection(
    browser: Browser, server: LiveServer, db, add_alert: Callable[..., str]
) -> None:
    from playwright.sync_api import expect

    kept = add_alert(message="Kept and ticked")
    changing = add_alert(message="Acknowledged elsewhere")
    page = chromium.signed_in(browser, server.url, "ada@example.com", PASSWORD, viewport=chromium.DESKTOP)
    problems = watched(page, server)
    page.get_by_label(f"Select alert {tiny_id_of(db, kept)}").check()

    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(changing), actor=SYSTEM)
    dispatch(page, changing, tiny_id_of(db, changing), "updated")

    expect(page.locator("#alert-rows tr")).to_have_count(1)
    expect(page.get_by_label(f"Select alert {tiny_id_of(db, kept)}")).to_be_checked()
    expect(page.locator("#selected-count")).to_have_text("1 selected")

    # live.js hears of these from the server too: an alert named again still counts once.
    first, second = add_alert(message="Brand new one"), add_alert(message="Brand new two")
    dispatch(page, first, tiny_id_of(db, first), "created")
    status = page.locator("#new-alerts")
    expect(status).to_contain_text("2 new alerts")
    dispatch(page, second, tiny_id_of(db, second), "created")
    dispatch(page, "not-shown", 999, "updated")  # an alert not on this page changes: nothing to do
    expect(status).to_contain_text("2 new alerts")
    assert_accessible(page)

    status.get_by_role("button", name="Show").click()

    expect(page.locator("#alert-rows tr")).to_have_count(3)
    page.get_by_role("link", name="Select all on this page").click()  # the script ticks, no reload
    expect(page.locator("#selected-count")).to_have_text("3 selected")
    page.get_by_label("Tag to add").fill("seen-live")
    page.get_by_label("Tag to add").press("Enter")  # Enter in the tag field adds the tag

    expect(page.get_by_role("status").filter(has_text="tagged")).to_have_text("3 tagged 'seen-live'.")
    expect(page.locator("#selected-count")).to_have_text("")
    expect(page.locator("#new-alerts")).to_be_empty()
    assert problems.seen == []


def test_after_live_updates_resume_the_rows_are_fetched_anew(
    browser: Browser, server: LiveServer, db, add_alert: Callable[..., str]
) -> None:
    """Changes made while the page was not listening (a server restart) are not replayed, so the
    page reads its rows again when live.js says it listens again."""
    from playwright.sync_api import expect

    missed = add_alert(message="Acknowledged while the server restarted")
    page = chromium.signed_in(browser, server.url, "ada@example.com", PASSWORD, viewport=chromium.DESKTOP)
    problems = watched(page, server)
    expect(page.locator("#alert-rows tr")).to_have_count(1)

    with db.write_session() as session:
        actions.acknowledge(session, ref=AlertRef(missed), actor=SYSTEM)
    page.evaluate("() => document.dispatchEvent(new CustomEvent('tocsin:live-resumed'))")

    expect(page.locator("#alert-rows tr")).to_have_count(0)
    assert problems.seen == []
