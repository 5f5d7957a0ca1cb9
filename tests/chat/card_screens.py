"""Pages of a fake chat channel shown in Debian's Chromium, checked as a person would read them
and saved as screenshots (``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too).
Chromium is launched only once the pages are drawn: the engine's fixtures run event loops that
Playwright's would block."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tests.web import browser as chromium

if TYPE_CHECKING:
    from playwright.sync_api import Page

CARD_VIEW = {"width": 800, "height": 400}


def show(screens: list[tuple[str, str, Callable[[Page], None]]], tmp_path: Path) -> None:
    """Each (name, page's HTML, check) shown, checked, and saved as ``<name>.png``."""
    with chromium.launched() as browser:
        page = browser.new_page(viewport=CARD_VIEW)  # type: ignore[arg-type]
        for name, markup, check in screens:
            page.set_content(markup)
            check(page)
            chromium.screenshot(page, tmp_path, name)


def an_open_card(page: Page) -> None:
    """Alert #1's card as raised: its title and the three buttons."""
    from playwright.sync_api import expect

    card = page.locator(".attachment")
    expect(card.locator(".title")).to_have_text("#1 Disk full on db-1")
    expect(card.get_by_role("button")).to_have_text(["Acknowledge", "Close", "Take ownership"])


def acknowledged_by_ann(via: str) -> Callable[[Page], None]:
    """The same card once ann acknowledged through ``via``: still one card, edited; the status
    names her, Acknowledge is gone, and who acted is in its thread."""

    def check(page: Page) -> None:
        from playwright.sync_api import expect

        card = page.locator(".attachment")
        expect(card).to_have_count(1)
        expect(card.get_by_role("button")).to_have_text(["Close", "Take ownership"])
        expect(card.locator(".field", has_text="Status")).to_contain_text("Acknowledged by ann@example.com")
        expect(page.locator(".thread")).to_contain_text(f"acknowledged by ann@example.com via {via}")
        expect(page.locator(".edited")).to_have_count(1)

    return check
