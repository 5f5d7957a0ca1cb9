"""Every page a browser can open, checked by axe-core (WCAG 2 A and AA, colour contrast among them)
at a phone's size and a desktop's: the pages the flow tests do not visit included (logging in,
teams, integrations, an expired link)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
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
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.schemas import HeartbeatPayload
from tocsin.integrations import service as integrations
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationInput
from tocsin.policies import service as policies
from tocsin.policies.schemas import PolicyPayload

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
        policy = policies.create_policy(
            session,
            actor=SYSTEM,
            payload=PolicyPayload.model_validate({"type": "notification", "name": "quiet", "suppress": True}),
        )
        escalation = escalations.create_policy(
            session,
            actor=SYSTEM,
            payload=EscalationPayload.model_validate(
                {
                    "name": "ops escalation",
                    "ownerTeam": {"name": "ops"},
                    "rules": [{"recipient": {"type": "team", "name": "ops"}}],
                }
            ),
        )
        ids = {
            "alert": alert,
            "team": team,
            "person": owner,
            "integration": integration.id,
            "policy": policy.id,
            "escalation": escalation.id,
        }
        ids |= _schedule_with_a_rotation(session)
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


def _schedule_with_a_rotation(session) -> dict[str, str]:
    schedule = oncall.create_schedule(
        session, actor=SYSTEM, name="ops-week", timezone="Europe/Berlin", owner_team=NameRef(name="ops")
    )
    rotation = oncall.add_rotation(
        session,
        actor=SYSTEM,
        schedule_id=schedule.id,
        rotation=RotationInput(
            type="weekly",
            start=datetime(2027, 3, 1, 7, tzinfo=UTC),
            participants=[UserRef(username="ada@example.com"), UserRef(username="bob@example.com")],
            time_restriction={"type": "time-of-day", "restriction": {"startHour": 8, "endHour": 20}},
        ),
    )
    return {"schedule": schedule.id, "rotation": rotation.id}


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
    "/schedules/{schedule}/rotations/new",
    "/schedules/{schedule}/rotations/{rotation}",
    "/schedules/{schedule}/rotations/{rotation}/delete",
    "/maintenance",
    "/maintenance?tab=past",
    "/policies",
    "/policies/new?type=notification",
    "/policies/{policy}",
    "/policies/{policy}/delete",
    "/schedules",
    "/schedules/{schedule}",
    "/schedules/{schedule}?view=month",
    "/schedules/{schedule}/delete",
    "/escalations",
    "/escalations/new",
    "/escalations/{escalation}",
    "/escalations/{escalation}/delete",
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
