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
