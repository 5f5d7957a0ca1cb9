"""The profile and the home page in Debian's Chromium, on a phone (360 px) and a desktop, against
a live Tocsin: the home page says who is on call and what waits; on the profile, a new time zone
moves the times shown, a rule gets a step and is limited to P1 and P2 alerts, and muting for an
hour puts the banner on top. Axe checks each page; the screenshots the docs show are taken here
(``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tests.web.profile_people import ADA, people_fixture  # noqa: F401
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationInput

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture


@pytest.fixture
def server(
    database_url: str, tmp_path: Path, db: Database, people, add_alert: Callable[..., str]
) -> Iterator[LiveServer]:
    with db.write_session() as session:
        oncall.create_schedule(
            session,
            actor=SYSTEM,
            name="ops primary",
            owner_team=NameRef(name="ops"),
            rotations=[
                RotationInput(
                    type="weekly",
                    start=datetime(2026, 1, 5, tzinfo=UTC),
                    participants=[UserRef(username=ADA)],
                )
            ],
        )
    add_alert(message="Disk full on db1", priority="P1", responders=[{"type": "team", "name": "ops"}])
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_home_and_profile_zone_rule_step_and_mute(
    browser: Browser, server: LiveServer, tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    page = chromium.signed_in(browser, server.url, ADA, "correct horse", viewport=chromium.SIZES[size])
    problems = chromium.Problems(page)

    page.goto(f"{server.url}/")
    on_call = page.locator("ul.schedules li", has_text="ops primary")
    expect(on_call).to_contain_text("Ada Lovelace")
    expect(page.locator("section.you")).to_contain_text("On call now for ops primary")
    expect(page.get_by_role("link", name="Disk full on db1")).to_be_visible()
    assert_accessible(page)
    chromium.screenshot(page, tmp_path, f"home-{size}", full_page=True)

    page.goto(f"{server.url}/profile")
    signed_in_at = page.locator("table.sessions tbody tr").first.locator("time").first
    expect(signed_in_at).to_contain_text(" GMT")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_label("2026-12-07 10:30 PM").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved your name, time zone and date format.")
    expect(signed_in_at).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d [AP]M JST$"))

    rule = page.locator("article.rule", has_text="New alert")
    rule.get_by_label("Add a step to New alert").select_option(label="E-mail ada@example.com")
    rule.get_by_label("after minutes").fill("5")
    rule.get_by_role("button", name="Add step").click()
    expect(rule.locator("ol.steps li")).to_have_count(2)
    expect(rule.locator("ol.steps li").nth(1)).to_contain_text("E-mail ada@example.com, after 5 min")

    expect(rule.locator(".meta")).to_contain_text("for every alert")
    for priority in ("P3", "P4", "P5"):
        rule.get_by_label(priority, exact=True).uncheck()
    rule.get_by_role("button", name="Set priorities").click()
    expect(page.get_by_role("status")).to_contain_text("The rule New alert is now for P1, P2 alerts.")
    expect(rule.locator(".meta")).to_contain_text("for P1, P2 alerts")

    shift_only = page.get_by_label("For a shift: notify")
    alert_only = page.locator(".new-rule .alert-only")
    expect(shift_only).to_be_hidden()  # a new-alert rule has no shift to be before
    expect(alert_only).to_be_visible()
    page.get_by_label("When").select_option(label="Your on-call shift starts")
    expect(shift_only).to_be_visible()
    expect(alert_only).to_be_hidden()  # a shift has no priority

    page.get_by_role("button", name="for 1 hour").click()
    banner = page.locator(".muted-banner")
    expect(banner).to_contain_text("You are muted until")
    expect(banner).to_contain_text("you will not be paged")
    assert_accessible(page)
    chromium.screenshot(page, tmp_path, f"profile-{size}", full_page=True)

    banner.get_by_role("button", name="Unmute").click()
    expect(page.locator(".muted-banner")).to_have_count(0)
    assert problems.seen == []
