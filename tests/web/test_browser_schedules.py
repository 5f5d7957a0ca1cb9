"""Schedules in Debian's Chromium, on a phone (360 px) and a desktop, against a live Tocsin: an
admin creates a schedule, opens a team's follow-the-sun schedule, views its week and month,
switches to their own zone, adds an override, takes on-call for an hour and deletes an override.
Every state is checked with axe, the page is never wider than the screen, and the screenshots
the docs show are taken (``schedules-*``, ``schedule-*``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tocsin.actors import SYSTEM
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationInput
from tocsin.people import service as people
from tocsin.teams import service as teams

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"
CREW = {"ada": "Ada Lovelace", "bob": "Bob Jones", "cy": "Cy Young", "dee": "Dee Okafor"}


def hours(start: int, end: int) -> dict:
    restriction = {"startHour": start, "startMin": 0, "endHour": end, "endMin": 0}
    return {"type": "time-of-day", "restriction": restriction}


@pytest.fixture
def server(database_url: str, tmp_path: Path, db) -> Iterator[LiveServer]:
    """Ada (admin) and team ops's "ops primary" (Europe/Berlin): Ada and Bob by day (08-20),
    Cy and Dee by night, and an override for Bob tomorrow."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with db.write_session() as session:
        for name, full_name in CREW.items():
            role = "admin" if name == "ada" else "user"
            people.create_user(
                session, username=f"{name}@example.com", role=role, password=PASSWORD, full_name=full_name
            )
        teams.create_team(session, name="ops", members=[(f"{name}@example.com", "user") for name in CREW])
        schedule = oncall.create_schedule(
            session,
            actor=SYSTEM,
            name="ops primary",
            timezone="Europe/Berlin",
            owner_team=NameRef(name="ops"),
            rotations=[
                RotationInput(
                    name="Days",
                    type="daily",
                    start=today - timedelta(days=14, hours=-7),
                    participants=[UserRef(username="ada@example.com"), UserRef(username="bob@example.com")],
                    time_restriction=hours(8, 20),
                ),
                RotationInput(
                    name="Nights",
                    type="weekly",
                    start=today - timedelta(days=14, hours=-19),
                    participants=[UserRef(username="cy@example.com"), UserRef(username="dee@example.com")],
                    time_restriction=hours(20, 8),
                ),
            ],
        )
        oncall.create_override(
            session,
            actor=SYSTEM,
            schedule_id=schedule.id,
            user=UserRef(username="bob@example.com"),
            start=today + timedelta(days=1, hours=10),
            end=today + timedelta(days=1, hours=16),
        )
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_create_a_schedule_then_view_switch_zone_override_take_on_call_and_delete(
    browser, server: LiveServer, tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    viewport = chromium.SIZES[size]
    ada = chromium.signed_in(browser, server.url, "ada@example.com", PASSWORD, viewport=viewport)
    problems = chromium.Problems(ada)

    ada.get_by_role("link", name="Schedules").first.click()
    expect(ada.get_by_role("heading", name="Schedules", exact=True)).to_be_visible()
    expect(ada.locator(".schedule-cards")).to_contain_text("On call now:")
    fits(ada, viewport["width"])
    chromium.screenshot(ada, tmp_path, f"schedules-{size}", full_page=True)

    ada.get_by_label("Name").fill("night shift")
    ada.get_by_label("Team").select_option(label="ops")
    ada.get_by_label("Time zone").select_option("America/New_York")
    ada.get_by_role("button", name="Create schedule").click()
    expect(ada.get_by_role("heading", name="night shift")).to_be_visible()
    expect(ada.get_by_role("status")).to_contain_text("Schedule night shift is made")
    expect(ada.locator(".zone-note")).to_contain_text("America/New_York")
    fits(ada, viewport["width"])

    ada.get_by_role("link", name="Schedules").first.click()
    ada.get_by_role("link", name="ops primary").click()
    expect(ada.get_by_role("heading", name="ops primary")).to_be_visible()
    expect(ada.locator("svg.row.final svg.bar").first).to_be_visible()
    fits(ada, viewport["width"])

    ada.get_by_role("navigation", name="View").get_by_role("link", name="Month").click()
    expect(ada.get_by_role("navigation", name="View").get_by_role("link", name="Month")).to_have_attribute(
        "aria-current", "page"
    )
    fits(ada, viewport["width"])
    ada.get_by_role("link", name="Next \u203a").click()
    ada.get_by_role("link", name="Today").click()
    ada.get_by_role("navigation", name="View").get_by_role("link", name="Week", exact=True).click()
    ada.get_by_role("link", name="Show in your zone (UTC)").click()
    expect(ada.locator(".zone-note")).to_contain_text("Times in UTC (your zone)")
    assert "(UTC)" in (ada.locator("svg.row.final svg.bar title").first.text_content() or "")
    fits(ada, viewport["width"])
    ada.get_by_role("link", name="Show in the schedule's zone (Europe/Berlin)").click()

    ada.get_by_label("Person on call").select_option(label="Dee Okafor (dee@example.com)")
    ada.get_by_role("button", name="Add override").click()
    expect(ada.get_by_role("status")).to_contain_text("Dee Okafor is on call from")
    expect(ada.locator("ul.overrides")).to_contain_text("Dee Okafor")
    fits(ada, viewport["width"])

    ada.get_by_role("button", name="Take on-call for 1 h").click()
    expect(ada.get_by_role("status")).to_contain_text("You are on call until")
    expect(ada.locator("ul.overrides")).to_contain_text("Ada Lovelace")
    fits(ada, viewport["width"])
    chromium.screenshot(ada, tmp_path, f"schedule-{size}", full_page=True)

    ada.get_by_role("button", name="Delete override for Dee Okafor").click()
    expect(ada.get_by_role("status")).to_contain_text("The override for Dee Okafor is deleted.")
    expect(ada.locator("ul.overrides")).not_to_contain_text("Dee Okafor")
    fits(ada, viewport["width"])

    ada.get_by_role("button", name="Make a calendar link").click()
    expect(ada.locator("#feed-link")).to_contain_text(f"{server.url}/calendar/")
    expect(ada.get_by_role("button", name="Copy link")).to_be_visible()
    fits(ada, viewport["width"])

    assert problems.seen == []
