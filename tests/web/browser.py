"""Debian's Chromium driven by Playwright: the ``browser`` and ``page`` fixtures browser tests share,
and a watch on a page for what a person would notice went wrong (script errors, failed loads).

A test module takes the fixtures by naming them at its top level::

    from tests.web import browser as chromium

    browser, page = chromium.browser, chromium.page
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import require_service

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as chromium:
        yield chromium


@contextmanager
def launched() -> Iterator[Browser]:
    """Chromium, for a test that cannot hold it all along (its fixtures run event loops)."""
    if not shutil.which(CHROMIUM):
        require_service(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def signed_in(
    browser: Browser, base_url: str, username: str, password: str, *, viewport: dict[str, int] = DESKTOP
) -> Page:
    """A new browser context at ``viewport`` size, logged in through the login form."""
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


class Problems:
    """Console errors, uncaught script errors and answers of status 400 or more seen by ``page``.
    ``expect_status`` excuses the answers a test asks for on purpose (a "Token expired" page is
    410 Gone), with the console line Chromium writes about each."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        self._expected: set[tuple[int, str]] = set()
        self._refusals_expected: set[str] = set()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"script error: {error}"))
        page.on("response", self._response)

    def expect_status(self, status: int, url: str) -> None:
        self._expected.add((status, url))

    def expect_refused(self, url: str) -> None:
        """Excuses the browser's tries at ``url`` while the server is down on purpose (a restart)."""
        self._refusals_expected.add(url)

    def _response(self, response: Response) -> None:
        if response.status >= 400 and (response.status, response.url) not in self._expected:
            self.seen.append(f"{response.status} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        failed_load = "Failed to load resource: the server responded with a status of"
        if any(
            message.text.startswith(f"{failed_load} {status}") and where == url
            for status, url in self._expected
        ):
            return
        if message.text.endswith("net::ERR_CONNECTION_REFUSED") and where in self._refusals_expected:
            return
        self.seen.append(f"console: {message.text} at {where}")


def screenshot(page: Page, tmp_path: Path, name: str, *, full_page: bool = False) -> None:
    """The visible part of the page (or all of it), into tmp_path and TOCSIN_SCREENSHOTS_DIR if set."""
    png = page.screenshot(path=tmp_path / f"{name}.png", full_page=full_page)
    viewport = page.viewport_size
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and viewport is not None
    width, height = struct.unpack(">II", png[16:24])
    assert width == viewport["width"], f"the page is wider than the screen ({width} px)"
    assert height >= viewport["height"] if full_page else height == viewport["height"]
    wanted = os.environ.get("TOCSIN_SCREENSHOTS_DIR")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        (Path(wanted) / f"{name}.png").write_bytes(png)
