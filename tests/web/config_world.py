"""What the maintenance and policy browser tests share: a live Tocsin with an admin and an API
integration "prometheus", and the admin signed in at a size beside an API client with its key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from tests.support.api import ApiClient
from tests.support.factories import make_integration, make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tocsin.db import Database

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "correct horse"


@dataclass
class Site:
    server: LiveServer
    key: str
    """The API key of the integration prometheus."""


@contextmanager
def admin_site(database_url: str, data_dir: str, db: Database) -> Iterator[Site]:
    make_user(db, "admin@example.com", role="admin", password=PASSWORD)
    _, key = make_integration(db, "prometheus")
    with LiveServer(live_settings(database_url, data_dir)) as started:
        yield Site(started, key)


def admin_at(browser: Browser, site: Site, size: str) -> tuple[Page, chromium.Problems, ApiClient]:
    """The admin signed in at ``size``, what goes wrong on their page, and the API as prometheus."""
    page = chromium.signed_in(
        browser, site.server.url, "admin@example.com", PASSWORD, viewport=chromium.SIZES[size]
    )
    return (
        page,
        chromium.Problems(page),
        ApiClient(httpx.Client(base_url=site.server.url, timeout=10), site.key),
    )


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
