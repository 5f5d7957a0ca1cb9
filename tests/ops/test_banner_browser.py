"""The watchdog's banner in Debian's Chromium, on a phone (360 px) and a laptop: it fits the
screen, reads at WCAG AA contrast, and says what is wrong and what to do. Also takes the
screenshots the docs show (``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.factories import make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.test_browser_sessions import LAPTOP, PHONE
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.clock import FrozenClock
from tocsin.db import Database

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture
PASSWORD = "correct horse battery"


@pytest.fixture
def server(
    database_url: str, db: Database, frozen_clock: FrozenClock, tmp_path: Path
) -> Iterator[LiveServer]:
    """An owner, olga; an alert; no engine anywhere, for over a minute."""
    make_user(db, "olga@example.com", role="owner", password=PASSWORD)
    payload = CreateAlertPayload.model_validate({"message": "Disk full on db-2", "priority": "P2"})
    with db.write_session() as session:
        ingest.create_alert(session, payload=payload, actor=SYSTEM)
    with LiveServer(
        live_settings(database_url, str(tmp_path)).model_copy(update={"run_engine": False})
    ) as live:
        frozen_clock.advance(timedelta(seconds=61))
        deadline = time.monotonic() + 10
        while not httpx.get(f"{live.url}/health/ready", timeout=5).json()["problems"]:
            assert time.monotonic() < deadline, "the watchdog found nothing"
            time.sleep(0.05)
        yield live


def signed_in(browser: Browser, server: LiveServer, viewport: dict[str, int]) -> Page:
    page = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/alerts")
    page.get_by_label("E-mail").fill("olga@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def contrast(page: Page, selector: str) -> float:
    """WCAG's contrast ratio of the element's text colour on its background colour."""
    return float(
        page.evaluate(
            """selector => {
                const style = getComputedStyle(document.querySelector(selector));
                const luminance = css => {
                    const [r, g, b] = css.match(/\\d+/g).slice(0, 3).map(Number).map(value => {
                        const c = value / 255;
                        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
                    });
                    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                };
                const both = [luminance(style.backgroundColor), luminance(style.color)];
                const [light, dark] = [Math.max(...both), Math.min(...both)];
                return (light + 0.05) / (dark + 0.05);
            }""",
            selector,
        )
    )


def fits_the_screen(page: Page, selector: str) -> bool:
    """Neither the element nor anything in it reaches past the screen's right edge."""
    return bool(
        page.evaluate(
            """selector => [document.querySelector(selector), ...document.querySelectorAll(selector + ' *')]
                .every(element => element.getBoundingClientRect().right <= window.innerWidth)""",
            selector,
        )
    )


SCREENS = [(PHONE, "watchdog-banner-phone"), (LAPTOP, "watchdog-banner")]


@pytest.mark.parametrize(("viewport", "name"), SCREENS)
def test_the_banner_reads_well_on_a_phone_and_a_laptop(
    browser: Browser, server: LiveServer, tmp_path: Path, viewport: dict[str, int], name: str
) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, server, viewport)
    problems = chromium.Problems(page)
    banner = page.get_by_role("alert")

    expect(banner).to_contain_text("Tocsin is not doing its work.")
    expect(banner).to_contain_text("No engine has ticked for over a minute")
    expect(banner).to_contain_text("Start one (tocsin engine, or tocsin serve without --no-engine)")
    expect(page.get_by_text("Disk full on db-2")).to_be_visible()
    assert contrast(page, ".watchdog") >= 4.5
    assert fits_the_screen(page, ".watchdog")
    chromium.screenshot(page, tmp_path, name)
    assert problems.seen == []
