"""The accessibility check the page tests use finds what it should: a check that passed every page
because axe never ran would prove nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible, violations

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

browser, page = chromium.browser, chromium.page

PAGE = """<!doctype html><html lang="en"><head><title>Check</title></head><body><main>
<h1>Alerts</h1>{body}</main></body></html>"""


def test_grey_on_white_text_and_an_unlabelled_field_are_serious(page: Page) -> None:
    page.set_content(PAGE.format(body='<p style="color:#bbb;background:#fff">Faint</p><input type="text">'))

    found = {item["id"]: item["impact"] for item in violations(page)}

    assert found.get("color-contrast") == "serious"
    assert found.get("label") == "critical"
    with pytest.raises(AssertionError, match="color-contrast"):
        assert_accessible(page)


def test_a_plain_labelled_page_passes(page: Page) -> None:
    page.set_content(PAGE.format(body='<label>Search <input type="search"></label>'))

    assert_accessible(page)
