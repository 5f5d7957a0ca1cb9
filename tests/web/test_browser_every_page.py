"""Every page a browser can open, checked by axe-core (WCAG 2 A and AA, colour contrast among them)
at a phone's size and a desktop's: the pages the flow tests do not visit included (logging in,
teams, integrations, an expired link)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.factories import make_team, make_user
from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.schemas import HeartbeatPayload
from tocsin.integrations import service as integrations

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"


@pytest.fixture
def site(database_url: str, tmp_path: Path, db) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    owner = make_user(db, "ada@example.com", role="owner", password=PASSWORD)
    make_user(db, "bob@example.com")
    team = make_team(db, "ops", "ada@example.com", "bob@example.com")
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session, type="API", name="monitoring", team_name="ops"
        )
        payload = CreateAlertPayload.model_validate(
            {"message": "Disk full on db1", "priority": "P1", "responders": [{"type": "team", "name": "ops"}]}
        )
        alert = ingest.create_alert(
            session, payload=payload, actor=integrations.actor_for(integration)
        ).alert_id
        ids = {"alert": alert, "team": team, "person": owner, "integration": integration.id}
        heartbeats.create_heartbeat(
            session,
            actor=SYSTEM,
            payload=HeartbeatPayload.model_validate(
                {
                    "name": "db-dump",
                    "interval": 1,
                    "intervalUnit": "days",
                    "enabled": True,
                    "ownerTeam": {"name": "ops"},
                }
            ),
        )
        ids["heartbeat"] = "db-dump"
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started, ids


SIGNED_IN_PAGES = [
    "/",
    "/alerts",
    "/alerts?tab=all&priority=P1",
    "/alerts/{alert}",
    "/teams",
    "/teams/{team}",
    "/teams/{team}/delete",
    "/teams/{team}/integrations/new?type=Mattermost",
    "/people",
    "/people/{person}",
    "/profile",
    "/settings",
    "/settings/integrations",
    "/settings/integrations/new?type=Webhook",
    "/settings/integrations/{integration}",
    "/settings/integrations/{integration}/edit",
    "/settings/integrations/{integration}/delete",
    "/settings/integrations/{integration}/new-key",
    "/heartbeats",
    "/heartbeats/{heartbeat}",
    "/heartbeats/{heartbeat}/delete",
]
SIGNED_OUT_PAGES = ["/login", "/password/no-such-link", "/chat/link/no-such-link"]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_page_passes_axe(browser: Browser, site: tuple[LiveServer, dict[str, str]], size: str) -> None:
    server, ids = site
    viewport = chromium.SIZES[size]
    visitor = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    try:
        page = visitor.new_page()
        for path in SIGNED_OUT_PAGES:
            page.goto(f"{server.url}{path}")
            assert_accessible(page)
    finally:
        visitor.close()
    page = chromium.signed_in(browser, server.url, "ada@example.com", PASSWORD, viewport=viewport)
    for path in SIGNED_IN_PAGES:
        answer = page.goto(f"{server.url}{path.format(**ids)}")
        assert answer is not None and answer.status == 200, path
        page.locator("details").evaluate_all("(all) => all.forEach((d) => { d.open = true; })")
        assert_accessible(page)
