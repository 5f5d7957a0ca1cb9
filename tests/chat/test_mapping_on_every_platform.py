"""Chat user mapping as people do it on each platform: ``/genie connect`` in the chat, follow
the link, log in to Tocsin and approve; then commands act as that Tocsin user. One chat user per
chat team per Tocsin user; ``/genie connect`` again offers the disconnect link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.chat.conftest import log_of, raise_alert
from tests.chat.genie_world import JOHN, Genie, Platform
from tests.web.pages import csrf_token_in, log_in
from tocsin.app import build
from tocsin.chat import linking
from tocsin.config import Settings

ANN = "ann@example.com"
LINK = re.compile(r"/chat/link/([A-Za-z0-9_\-]+)")


@pytest.fixture
def browser(settings: Settings) -> Iterator[TestClient]:
    """Someone's web browser on Tocsin (its own cookies, apart from the chat server's requests)."""
    with TestClient(build(settings, run_engine=False), base_url="http://tocsin.test") as client:
        yield client


def link_in(result: Any) -> str:
    """The token of the link a reply carries, wherever the platform put it."""
    found = LINK.search(str(result.raw))
    assert found, f"no link in {result.raw!r}"
    return found.group(1)


def follow(browser: TestClient, token: str) -> Any:
    """Open the link and press its button."""
    page = browser.get(f"/chat/link/{token}")
    assert page.status_code == 200, page.text
    return browser.post(f"/chat/link/{token}", data={"csrf_token": csrf_token_in(page.text)})


def connected_user(genie: Genie, chat_user: str) -> str | None:
    identity = genie.fake.identity(chat_user)
    with genie.db.read_session() as session:
        found = linking.user_for_chat_user(
            session, platform=identity.platform, team_id=identity.team_id, chat_user_id=identity.user_id
        )
        return found.username if found else None


def test_connect_act_as_the_user_then_disconnect(
    genie: Genie, platform: Platform, browser: TestClient
) -> None:
    tiny_id = raise_alert(genie.db, "Cache cold", team="myTeam")
    offered = genie("connect", user="bob")

    assert offered.ephemeral
    assert genie.said_in_channel() == []  # the link is shown to bob alone
    log_in(browser, ANN)
    approved = follow(browser, link_in(offered))
    acted = genie(f"ack {tiny_id}", user="bob")
    again = genie("connect", user="bob")
    disconnected = follow(browser, link_in(again))
    after = genie(f"close {tiny_id}", user="bob")

    assert approved.status_code == 200
    assert f"Alert acknowledged by {ANN} via {platform.name}" in log_of(genie.db, tiny_id)
    assert acted.text == f"@bob acknowledged #{tiny_id} Cache cold"
    assert f"connected to Tocsin user {ANN}" in again.text
    assert disconnected.status_code == 200
    assert connected_user(genie, "bob") is None
    assert f"Alert closed by @bob ({platform.name})" in log_of(genie.db, tiny_id)
    assert after.text == f"@bob closed #{tiny_id} Cache cold"


def test_one_chat_user_per_chat_team_for_a_tocsin_user(genie: Genie, browser: TestClient) -> None:
    offered = genie("connect", user="bob")
    log_in(browser, JOHN)  # john.smith is connected to the chat user john already

    refused = follow(browser, link_in(offered))

    assert refused.status_code == 409
    assert "@john" in refused.text
    assert connected_user(genie, "bob") is None
    assert connected_user(genie, "john") == JOHN
