"""A follow-the-sun schedule built in the rotation editor in Debian's Chromium, on a phone (360 px)
and a desktop: team sun's schedule in Europe/Berlin gets a rotation "Europe" (Berlin people,
weekdays 08:00-20:00 Berlin) and "Americas" (New York people, weekdays 20:00-08:00 Berlin, that
is 14:00-02:00 in New York), participants put in order with the buttons (and by dragging on the
desktop), each previewed before saving. Then the API says who is on call at moments on both sides
of the changes to summer time of 2027 (New York on 14 March, Berlin on 28 March), and it is who
the preview listed for those moments. Last, on the schedule's page, an override for a night just
before Berlin's change, and every stretch of the timeline's "who is on call" over those two weeks
is who the API names. Every state is checked with axe; the screenshots ``rotation-editor-*`` are
taken."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.factories import make_integration
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tocsin.actors import SYSTEM
from tocsin.oncall import service
from tocsin.oncall.lookup import NameRef
from tocsin.people import service as people
from tocsin.teams import service as teams

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"
LEAD = "lead@example.com"
BERLIN = ("berta@example.com", "jan@example.com")
NEW_YORK = ("nina@example.com", "ned@example.com")
MOMENTS = [
    datetime(2027, 3, 12, 12, 0, tzinfo=UTC),  # Friday 13:00 Berlin, before New York's change
    datetime(2027, 3, 12, 19, 30, tzinfo=UTC),  # Friday 20:30 Berlin, 14:30 New York (EST)
    datetime(2027, 3, 15, 12, 0, tzinfo=UTC),  # Monday 13:00 Berlin, after it
    datetime(2027, 3, 15, 19, 30, tzinfo=UTC),  # Monday 20:30 Berlin, 15:30 New York (EDT)
    datetime(2027, 3, 26, 6, 30, tzinfo=UTC),  # Friday 07:30 Berlin (CET): still the Americas
    datetime(2027, 3, 26, 18, 30, tzinfo=UTC),  # Friday 19:30 Berlin (CET): Europe
    datetime(2027, 3, 29, 6, 30, tzinfo=UTC),  # Monday 08:30 Berlin (CEST): now Europe
    datetime(2027, 3, 29, 18, 30, tzinfo=UTC),  # Monday 20:30 Berlin (CEST): now the Americas
]


@pytest.fixture
def world(database_url: str, tmp_path: Path, db) -> Iterator[tuple[LiveServer, str, str]]:
    """The live server, team sun's schedule (in Europe/Berlin, no rotations yet) and an API key."""
    with db.write_session() as session:
        people.create_user(session, username=LEAD, password=PASSWORD, time_zone="America/New_York")
        for name in BERLIN:
            people.create_user(session, username=name, password=None, time_zone="Europe/Berlin")
        for name in NEW_YORK:
            people.create_user(session, username=name, password=None, time_zone="America/New_York")
        members = [(LEAD, "admin")] + [(name, "user") for name in BERLIN + NEW_YORK]
        teams.create_team(session, name="sun", members=members)
        schedule = service.create_schedule(
            session,
            actor=SYSTEM,
            name="follow-the-sun",
            timezone="Europe/Berlin",
            owner_team=NameRef(name="sun"),
        ).id
    _, key = make_integration(db, "monitoring")
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started, schedule, key


def label(username: str) -> str:
    """How the editor names a person: their full name (here the e-mail's first part) and e-mail."""
    return f"{username.split('@')[0]} ({username})"


def add_people(page: Page, *names: str) -> None:
    for name in names:
        page.select_option("#new_participant", label=label(name))
        page.get_by_role("button", name="Add to the turns").click()


def order(page: Page) -> list[str]:
    texts = page.locator("li.participant .who").all_inner_texts()
    return [username for text in texts for username in re.findall(r"\(([^)]+)\)", text)]


def weekday_rows(page: Page, start_time: str, end_day: str, end_time: str) -> None:
    """Monday to Friday, each from ``start_time`` to ``end_time`` on ``end_day`` (of Monday's row)."""
    page.locator("#restriction-weekly").check()
    page.get_by_role("button", name="Add a row").click()
    page.locator("#window-1-start-time").fill(start_time)
    page.select_option("#window-1-end-day", end_day)
    page.locator("#window-1-end-time").fill(end_time)
    for _ in range(4):
        page.get_by_role("button", name="Add a row").click()
    assert page.locator("#window-5-start-day").input_value() == "friday"


def previewed_on_call(page: Page, since: str) -> list[tuple[datetime, datetime, str]]:
    """Preview two weeks from ``since``: who would be on call in the schedule, as (from, to, who)."""
    from playwright.sync_api import expect

    page.locator("#preview_from").fill(since)
    page.locator("#preview-button").click()
    expect(page.get_by_role("heading", name="Preview, not saved yet")).to_be_visible()
    rows = (
        page.locator("table.preview")
        .nth(1)
        .evaluate(
            """(table) => Array.from(table.tBodies[0].rows).map((row) => [
            row.cells[0].querySelector("time").getAttribute("datetime"),
            row.cells[1].querySelector("time").getAttribute("datetime"),
            row.cells[2].textContent.trim()])"""
        )
    )
    return [(_instant(start), _instant(end), who) for start, end, who in rows]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def listed_at(preview: list[tuple[datetime, datetime, str]], at: datetime) -> set[str]:
    who = next(who for start, end, who in preview if start <= at < end)
    return set(re.findall(r"\(([^)]+)\)", who))


def on_call_by_api(server: LiveServer, schedule: str, key: str, at: datetime) -> set[str]:
    answer = httpx.get(
        f"{server.url}/v2/schedules/{schedule}/on-calls",
        params={"date": at.isoformat().replace("+00:00", "Z"), "flat": "true"},
        headers={"Authorization": f"GenieKey {key}"},
    )
    assert answer.status_code == 200, answer.text
    return set(answer.json()["data"]["onCallRecipients"])


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_follow_the_sun_schedule_is_on_call_across_summer_time_as_previewed(
    browser: Browser, world: tuple[LiveServer, str, str], tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    server, schedule, key = world
    viewport = chromium.SIZES[size]
    page = chromium.signed_in(browser, server.url, LEAD, PASSWORD, viewport=viewport)
    problems = chromium.Problems(page)
    schedule_page = f"{server.url}/schedules/{schedule}"

    page.goto(f"{schedule_page}/rotations/new")
    expect(page.get_by_text("Europe/Berlin, the schedule's time zone")).to_be_visible()
    assert_accessible(page)
    page.locator("#name").fill("Europe")
    page.select_option("#type", "weekly")
    page.locator("#start_date").fill("2027-03-01")
    page.locator("#start_time").fill("08:00")
    add_people(page, BERLIN[1], BERLIN[0])
    assert order(page) == [BERLIN[1], BERLIN[0]]
    page.get_by_role("button", name=f"Move {label(BERLIN[0])} up").click()
    assert order(page) == list(BERLIN)
    weekday_rows(page, "08:00", "monday", "20:00")
    assert_accessible(page)
    europe = previewed_on_call(page, "2027-03-08")
    assert listed_at(europe, datetime(2027, 3, 8, 12, tzinfo=UTC)) == {BERLIN[1]}  # the second week
    assert listed_at(europe, datetime(2027, 3, 8, 20, tzinfo=UTC)) == set()  # 21:00 Berlin: no one yet
    page.get_by_role("button", name="Add the rotation").click()
    expect(page).to_have_url(schedule_page)

    page.goto(f"{schedule_page}/rotations/new")
    page.locator("#name").fill("Americas")
    page.select_option("#type", "daily")
    page.locator("#start_date").fill("2027-03-01")
    page.locator("#start_time").fill("20:00")
    add_people(page, *NEW_YORK)
    if size == "desktop":
        ned, nina = (page.locator("li.participant", has_text=name) for name in (NEW_YORK[1], NEW_YORK[0]))
        ned.drag_to(nina)
        assert order(page) == [NEW_YORK[1], NEW_YORK[0]]  # dragged: nothing sent yet
    else:
        page.get_by_role("button", name=f"Move {label(NEW_YORK[1])} up").click()
        assert order(page) == [NEW_YORK[1], NEW_YORK[0]]
    weekday_rows(page, "20:00", "tuesday", "08:00")
    assert order(page) == [NEW_YORK[1], NEW_YORK[0]]  # the dragged order was sent with the form
    before_us_change = previewed_on_call(page, "2027-03-08")
    assert_accessible(page)
    before_eu_change = previewed_on_call(page, "2027-03-22")
    expect(page.locator("table.preview").first).to_contain_text("CET")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(page)
    chromium.screenshot(page, tmp_path, f"rotation-editor-{size}", full_page=True)
    page.get_by_role("button", name="Add the rotation").click()
    expect(page).to_have_url(schedule_page)

    previewed = before_us_change + before_eu_change
    listed = {at: listed_at(previewed, at) for at in MOMENTS}
    assert listed[MOMENTS[1]] <= set(NEW_YORK) and listed[MOMENTS[0]] <= set(BERLIN)
    assert listed[MOMENTS[4]] <= set(NEW_YORK) and listed[MOMENTS[5]] <= set(BERLIN)  # CET
    assert listed[MOMENTS[6]] <= set(BERLIN) and listed[MOMENTS[7]] <= set(NEW_YORK)  # CEST
    assert all(listed.values())
    assert {at: on_call_by_api(server, schedule, key, at) for at in MOMENTS} == listed

    # On the schedule's page, Berta takes Thursday night before Berlin's change; then every
    # stretch of the timeline's "Who is on call" over those two weeks is who the API names.
    page.goto(f"{schedule_page}?view=2weeks&start=2027-03-22")
    page.select_option("#override-user", label=label(BERLIN[0]))
    page.locator("#override-start").fill("2027-03-25T20:00")
    page.locator("#override-end").fill("2027-03-26T08:00")
    page.get_by_role("button", name="Add override").click()
    expect(page.locator("ul.overrides")).to_contain_text("berta")
    page.goto(f"{schedule_page}?view=2weeks&start=2027-03-22")
    assert_accessible(page)
    shown = timeline_shifts(page)
    thursday_night = datetime(2027, 3, 25, 23, tzinfo=UTC)
    assert people_shown_at(shown, thursday_night) == {BERLIN[0]}
    for moment in middles(shown):
        assert on_call_by_api(server, schedule, key, moment) == people_shown_at(shown, moment), moment
    assert problems.seen == []


def timeline_shifts(page: Page) -> list[tuple[datetime, datetime, str]]:
    """The schedule page's list of who is on call: (from, to, username)."""
    rows = page.locator("ol.shifts li").evaluate_all(
        """(items) => items.map((item) => [
            item.querySelectorAll("time")[0].getAttribute("datetime"),
            item.querySelectorAll("time")[1].getAttribute("datetime"),
            item.querySelector("strong").textContent.trim()])"""
    )
    return [(_instant(start), _instant(end), f"{name}@example.com") for start, end, name in rows]


def people_shown_at(shown: list[tuple[datetime, datetime, str]], at: datetime) -> set[str]:
    return {who for start, end, who in shown if start <= at < end}


def middles(shown: list[tuple[datetime, datetime, str]]) -> list[datetime]:
    """The middle of every shift listed and of every stretch between them (no one on call)."""
    edges = sorted({edge for start, end, _ in shown for edge in (start, end)})
    return [start + (end - start) / 2 for start, end in itertools.pairwise(edges)]
