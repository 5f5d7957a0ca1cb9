"""``/api/docs`` in Debian's Chromium with every request to another host refused, as on a network
without internet: Swagger UI still draws every operation of the API, at the root and under a prefix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.postgres import free_port
from tests.support.server import LiveServer
from tests.web import browser as chromium
from tocsin.config import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser

browser, page = chromium.browser, chromium.page  # the shared fixtures

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(params=["", "/tocsin"], ids=["at the root", "under /tocsin"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    # The page reads nothing stored, so no database (and no engine) is needed behind it.
    settings = Settings(
        data_dir=tmp_path,
        secret_key="test-secret",
        port=free_port(),
        root_path=request.param,
        run_engine=False,
    )
    with LiveServer(settings) as live:
        yield live


def test_every_operation_is_listed_with_no_internet(page: Page, server: LiveServer) -> None:
    from playwright.sync_api import expect

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(server.url))
    refused: list[str] = []
    served: list[str] = []

    def only_tocsin(route: Route) -> None:
        url = route.request.url
        if url == origin or url.startswith(origin + "/"):
            served.append(urlsplit(url).path)
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    page.context.route("**/*", only_tocsin)
    problems = chromium.Problems(page)
    document = httpx.get(f"{server.url}/api/openapi.json", timeout=10).json()
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    ]
    assert len(operations) > 50

    page.goto(f"{server.url}/api/docs")

    blocks = page.locator(".opblock")
    expect(blocks).to_have_count(len(operations))
    create = page.locator(".opblock-post").filter(
        has=page.locator(".opblock-summary-path[data-path='/v2/alerts']")
    )
    expect(create).to_be_visible()
    expect(page.locator(".opblock-tag", has_text="alerts").first).to_be_visible()
    shown = {
        (method.upper(), path)
        for method, path in zip(
            blocks.locator(".opblock-summary-method").all_inner_texts(),
            blocks.locator(".opblock-summary-path").evaluate_all("nodes => nodes.map(n => n.dataset.path)"),
            strict=True,
        )
    }
    assert shown == set(operations)
    assert refused == []
    assert problems.seen == []
    prefix = urlsplit(server.url).path
    assert f"{prefix}/api/docs/assets/swagger-ui-bundle.js" in served
    assert f"{prefix}/api/docs/assets/swagger-ui.css" in served
