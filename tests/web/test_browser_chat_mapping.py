"""Chat user mapping in Debian's Chromium, against a live Tocsin and a fake Mattermost over real
HTTP: chat user @bob types ``/genie connect``, follows the link, logs in as ada and approves;
from then on his commands run as ada, until he disconnects or she revokes the account on her
profile. Links work once, for 15 minutes. Also takes the screenshots the docs show
(``TOCSIN_SCREENSHOTS_DIR=docs/screenshots`` writes them there too)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.fakes.mattermost import FakeMattermost
from tests.support.factories import make_team, make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.db import Database
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

pytestmark = pytest.mark.browser

browser, page = chromium.browser, chromium.page  # the shared fixtures

VIEWPORT: ViewportSize = {"width": 1100, "height": 800}
PASSWORD = "correct horse"
APPROVE_CONNECT = "Connect your Tocsin account ada@example.com to the Mattermost account @bob of team acme?"
APPROVE_DISCONNECT = "Disconnect the Mattermost account @bob of team acme from ada@example.com?"
PUBLIC = "https://tocsin.example.com"


@dataclass
class Chat:
    """A live Tocsin with a global Mattermost integration, and the fake Mattermost it talks to."""

    server: LiveServer
    fake: FakeMattermost
    request_url: str

    def bob_types(self, text: str) -> str:
        """``/genie <text>`` typed by chat user bob of team acme: what Mattermost shows him."""
        result = self.fake.slash(self.request_url, text, user="bob", team="acme")
        assert result.error is None, result.error
        return result.text

    def link_from(self, text: str, label: str) -> str:
        found = re.search(rf"\[{label}\]\(([^)\s]+)\)", text)
        assert found, f"no {label!r} link in {text!r}"
        assert found.group(1).startswith(f"{self.server.url}/chat/link/")
        return found.group(1)

    def connect_link(self) -> str:
        return self.link_from(self.bob_types("connect"), "Authenticate in Tocsin")


@pytest.fixture
def fake() -> Iterator[FakeMattermost]:
    with FakeMattermost() as mattermost:
        yield mattermost


def live(database_url: str, tmp_path: Path, public_base_url: str = "") -> LiveServer:
    """Tocsin on a loopback port, reached at ``public_base_url`` (by default, where it listens)."""
    settings = live_settings(database_url, str(tmp_path))
    public = public_base_url or f"http://127.0.0.1:{settings.port}"
    return LiveServer(
        settings.model_copy(update={"outbound_allow": "127.0.0.0/8", "public_base_url": public})
    )


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with live(database_url, tmp_path) as started:
        yield started


@pytest.fixture
def published(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server whose public address is https://tocsin.example.com, as the docs show it."""
    with live(database_url, tmp_path, public_base_url=PUBLIC) as started:
        yield started


@pytest.fixture
def chat(db: Database, server: LiveServer, fake: FakeMattermost) -> Chat:
    """ada (a member of team ops, password known) and the Mattermost integration "ChatOps"."""
    make_user(db, "ada@example.com", password=PASSWORD)
    make_team(db, "ops", "ada@example.com")
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session,
            type="Mattermost",
            name="ChatOps",
            changes=Changes(url=fake.new_hook()),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )
        settings = server.settings
        request_url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
    return Chat(server, fake, request_url)


@pytest.fixture
def watched(page: Page) -> chromium.Problems:
    page.set_viewport_size(VIEWPORT)
    return chromium.Problems(page)


def raise_alert(db: Database, message: str) -> tuple[str, int]:
    """An alert for team ops, as monitoring raises it: its id and tinyId."""
    payload = CreateAlertPayload.model_validate(
        {"message": message, "responders": [{"type": "team", "name": "ops"}]}
    )
    with db.write_session() as session:
        created = ingest.create_alert(session, payload=payload, actor=SYSTEM)
        return created.alert_id, created.tiny_id


def approve(page: Page, link: str, question: str) -> None:
    """Open a link already logged in, check what it asks, and approve."""
    from playwright.sync_api import expect

    page.goto(link)
    expect(page.locator("main")).to_contain_text(question)
    page.get_by_role("button", name="Approve").click()


def expect_token_expired(page: Page, watched: chromium.Problems, link: str) -> None:
    from playwright.sync_api import expect

    watched.expect_status(410, link)
    page.goto(link)
    expect(page.get_by_role("heading", name="Token expired")).to_be_visible()
    expect(page.locator("main")).to_contain_text("a link can be used once, within 15 minutes")


def test_bob_connects_acts_as_ada_disconnects_and_ada_revokes_him(
    page: Page, watched: chromium.Problems, chat: Chat, db: Database, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    first_id, first_tiny = raise_alert(db, "Disk full on host1")
    second_id, second_tiny = raise_alert(db, "Replication lag on db2")
    url = chat.server.url
    chat_accounts = page.get_by_role("heading", name="Chat Accounts")

    link = chat.connect_link()
    page.goto(link)
    expect(page).to_have_url(re.compile(re.escape(f"{url}/login?next=")))
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(link)
    expect(page.get_by_role("heading", name="Connect a Mattermost account")).to_be_visible()
    expect(page.locator("main")).to_contain_text(APPROVE_CONNECT)
    chromium.screenshot(page, tmp_path, "chat-connect-approve")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="Connected")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "Connected: your actions in Mattermost now run as ada@example.com"
    )

    page.get_by_role("link", name="Profile").first.click()
    expect(chat_accounts).to_be_visible()
    rows = page.locator("table.chat-accounts tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(["Mattermost", "acme", "@bob", "\N{MULTIPLICATION SIGN}"])
    chromium.screenshot(page, tmp_path, "profile-chat-accounts")

    assert f"#{first_tiny}" in chat.bob_types(f"ack {first_tiny}")
    page.goto(f"{url}/alerts/{first_id}")
    expect(page.locator("ol.log")).to_contain_text("Alert acknowledged by ada@example.com via Mattermost")

    answer = chat.bob_types("connect")
    assert "Your Mattermost account is connected to Tocsin user ada@example.com." in answer
    approve(page, chat.link_from(answer, "Disconnect"), APPROVE_DISCONNECT)
    expect(page.get_by_role("heading", name="Disconnected")).to_be_visible()
    page.goto(f"{url}/profile")
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    expect(chat_accounts).to_have_count(0)

    approve(page, chat.connect_link(), APPROVE_CONNECT)
    expect(page.get_by_role("heading", name="Connected")).to_be_visible()
    page.goto(f"{url}/profile")
    page.get_by_role("button", name="Revoke Mattermost account @bob").click()
    expect(page.get_by_role("status")).to_have_text("Revoked the Mattermost account @bob of team acme.")
    expect(chat_accounts).to_have_count(0)

    chat.bob_types(f"ack {second_tiny}")
    page.goto(f"{url}/alerts/{second_id}")
    expect(page.locator("ol.log")).to_contain_text("Alert acknowledged by @bob (Mattermost)")
    expect(page.locator("ol.log")).not_to_contain_text("via Mattermost")

    expect_token_expired(page, watched, link)  # approved once already
    assert watched.seen == []


def test_a_link_is_no_use_after_15_minutes_even_with_its_page_open(
    page: Page, watched: chromium.Problems, chat: Chat, db: Database
) -> None:
    from playwright.sync_api import expect

    url = chat.server.url
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{url}/alerts")
    issued = clock.now()
    link = chat.connect_link()
    page.goto(link)
    expect(page.locator("main")).to_contain_text(APPROVE_CONNECT)

    later = clock.FrozenClock(issued + timedelta(minutes=14, seconds=50))
    previous = clock.use(later)
    try:
        page.reload()
        expect(page.locator("main")).to_contain_text(APPROVE_CONNECT)
        later.advance(timedelta(seconds=20))
        watched.expect_status(410, link)
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_role("heading", name="Token expired")).to_be_visible()
        expect_token_expired(page, watched, link)
    finally:
        clock.use(previous)

    page.goto(f"{url}/profile")
    expect(page.get_by_role("heading", name="Chat Accounts")).to_have_count(0)
    assert "connected to Tocsin user" not in chat.bob_types("connect")
    assert watched.seen == []


def test_the_mattermost_set_up_page_shows_the_request_url_to_copy(
    page: Page, watched: chromium.Problems, published: LiveServer, db: Database, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    make_user(db, "admin@example.com", role="admin", password=PASSWORD)
    page.goto(f"{published.url}/settings/integrations")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Search integrations").fill("Mattermost")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", name="Add Mattermost integration")).to_be_visible()
    page.get_by_label("Mattermost URL").fill("https://chat.example.com/hooks/xgk5b9pzxtfbfm3p8eyq8dq7ch")

    request_url = page.locator("#request-url")
    expect(request_url).to_have_text(re.compile(re.escape(f"{PUBLIC}/chat/mattermost/") + r"[^/]+/[\w-]{32}"))
    expect(request_url).to_be_in_viewport()
    chromium.screenshot(page, tmp_path, "mattermost-setup")
    assert watched.seen == []
