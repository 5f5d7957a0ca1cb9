"""Escalations and a team's dashboard in Debian's Chromium, on a phone (360 px) and a desktop,
against a live Tocsin: a team admin creates an escalation with two rules (the schedule's on-call
at once, all the team's members after 10 minutes if nobody acknowledged), reorders them, sets
repeats and reads the preview; the API then returns those rules. The team's page shows its
on-call, open alerts, schedule, escalation and integration. Every state is checked with axe,
and the screenshots the docs show are taken (``escalation-*``, ``team-dashboard-*``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.server import LiveServer, live_settings
from tests.web import browser as chromium
from tests.web.accessibility import assert_accessible
from tests.web.escalation_world import email, make_world
from tocsin.accounts import apikeys
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.integrations import service as integrations

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

browser = chromium.browser  # the shared fixture

PASSWORD = "correct horse"


@pytest.fixture
def site(database_url: str, tmp_path: Path, db) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    world = make_world(db)
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session, type="API", name="Prometheus", team_name="ops"
        )
        for message, priority in (("Disk full on db1", "P1"), ("Backups late", "P3")):
            payload = CreateAlertPayload.model_validate(
                {"message": message, "priority": priority, "responders": [{"type": "team", "name": "ops"}]}
            )
            ingest.create_alert(session, payload=payload, actor=integrations.actor_for(integration))
        _, world["api_key"] = apikeys.create_api_key(
            session, name="terraform", rights=["read", "configuration"]
        )
    with LiveServer(live_settings(database_url, str(tmp_path))) as started:
        yield started, world


def rule_order(page: Page) -> list[str]:
    return [
        page.get_by_label(f"Rule {n}: recipient").evaluate("select => select.selectedOptions[0].text")
        for n in (1, 2)
    ]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_team_admin_builds_an_escalation_and_reads_whom_it_would_page(
    browser: Browser, site: tuple[LiveServer, dict[str, str]], tmp_path: Path, size: str
) -> None:
    from playwright.sync_api import expect

    server, world = site
    viewport = chromium.SIZES[size]
    lead = chromium.signed_in(browser, server.url, email("lead"), PASSWORD, viewport=viewport)
    problems = chromium.Problems(lead)

    lead.get_by_role("link", name="Settings").click()
    lead.get_by_role("link", name="Escalations").click()
    expect(lead.get_by_role("heading", name="Escalations", exact=True)).to_be_visible()
    assert_accessible(lead)
    lead.get_by_role("link", name="New escalation").click()
    lead.get_by_label("Name").fill("ops escalation")
    lead.get_by_label("Rule 1: recipient").select_option(label="ops_schedule")
    lead.get_by_role("button", name="Add a rule").click()
    lead.get_by_label("Rule 2: after (minutes)").fill("10")
    lead.get_by_label("Rule 2: recipient").select_option(label="ops")
    # A team's rule is not offered a schedule's "next on-call" (escalations.js).
    expect(lead.get_by_label("Rule 2: notify").locator("option[value=next]")).to_be_disabled()
    lead.get_by_label("Rule 2: notify").select_option("users")
    assert_accessible(lead)

    lead.get_by_role("button", name="Move up rule 2").click()
    assert rule_order(lead) == ["ops", "ops_schedule"]
    lead.get_by_role("button", name="Move down rule 1").click()
    assert rule_order(lead) == ["ops_schedule", "ops"]
    expect(lead.get_by_label("Rule 2: after (minutes)")).to_have_value("10")
    expect(lead.get_by_label("Rule 2: condition")).to_have_value("if-not-acked")
    lead.get_by_label("Repeat the rules").fill("2")
    lead.get_by_label("Wait before each repeat").fill("20")
    assert lead.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    lead.get_by_role("button", name="Create escalation").click()

    expect(lead.get_by_role("status")).to_contain_text("Escalation ops escalation created.")
    rules = lead.locator("ol.rule-words")
    expect(rules).to_contain_text("0 min: on-call of ops_schedule")
    expect(rules).to_contain_text("10 min: all members of team ops")
    expect(lead.locator(".repeat-words")).to_contain_text("repeat twice every 20 min")
    lead.get_by_label("Alert date").fill("2026-12-12")
    lead.get_by_label("Alert time").fill("03:00")
    lead.get_by_role("button", name="Show").click()
    steps = lead.locator("ol.preview-steps > li")
    expect(steps).to_have_count(6)  # two rules, three rounds
    expect(steps.nth(0)).to_contain_text("2026-12-12 03:00")
    expect(steps.nth(0)).to_contain_text("Ann")
    expect(steps.nth(1)).to_contain_text("2026-12-12 03:10")
    expect(steps.nth(1)).to_contain_text("Lead")
    expect(steps.nth(2)).to_contain_text("Bob")  # 03:30: after the 03:05 hand-off
    assert lead.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(lead)
    chromium.screenshot(lead, tmp_path, f"escalation-{size}", full_page=True)

    policy_id = lead.url.split("/escalations/")[1].split("?")[0]
    answer = httpx.get(
        f"{server.url}/v2/escalations/{policy_id}", headers={"Authorization": f"GenieKey {world['api_key']}"}
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert [
        (rule["delay"]["timeAmount"], rule["condition"], rule["notifyType"], rule["recipient"]["type"])
        for rule in data["rules"]
    ] == [(0, "if-not-acked", "default", "schedule"), (10, "if-not-acked", "users", "team")]
    assert data["rules"][0]["recipient"]["id"] == world["ops_schedule"]
    assert data["repeat"]["count"] == 2 and data["repeat"]["waitInterval"] == 20

    lead.get_by_role("link", name="Teams").first.click()
    lead.get_by_role("link", name="ops", exact=True).click()
    expect(lead.get_by_role("heading", name="On call")).to_be_visible()
    expect(lead.locator("ul.on-call")).to_contain_text("Now:")
    expect(lead.locator("#open-alerts + p")).to_contain_text("2 not acknowledged")
    expect(lead.locator("ul.newest-alerts")).to_contain_text("Disk full on db1")
    expect(lead.locator("ol.routes")).to_contain_text("Default Rule")
    expect(lead.get_by_role("link", name="ops escalation")).to_be_visible()
    expect(lead.get_by_role("link", name="Prometheus")).to_be_visible()
    assert lead.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(lead)
    chromium.screenshot(lead, tmp_path, f"team-dashboard-{size}", full_page=True)

    assert problems.seen == []
