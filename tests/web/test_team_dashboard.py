"""A team's page as its dashboard: on call now and next per schedule, open alerts (counted, the
newest linked), its schedules, escalations, routing rules in words and heartbeats, for those the
API lets read them; members, integrations and management stay as they were."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.web.escalation_world import email, make_escalation, make_world, on_call_then_members
from tests.web.pages import log_in
from tocsin.actors import SYSTEM, Scope
from tocsin.alerts.list_filters import AlertFilter, count_up_to
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.schemas import HeartbeatPayload
from tocsin.routing import service as routing
from tocsin.teams import service as teams

ALERT_AT = datetime(2026, 12, 12, 3, 0, tzinfo=UTC)


@pytest.fixture
def world(db, frozen_clock) -> dict[str, str]:
    frozen_clock.set(ALERT_AT)
    found = make_world(db)
    found["escalation"] = make_escalation(
        db, "ops escalation", on_call_then_members(found), ownerTeam={"name": "ops"}, teamDefault=True
    )
    with db.write_session() as session:
        team = teams.get_team(session, name="ops")
        routing.create_rule(
            session,
            actor=SYSTEM,
            team=team,
            spec=routing.RuleSpec(
                name="database nights",
                criteria={
                    "type": "match-all-conditions",
                    "conditions": [{"field": "message", "operation": "contains", "expectedValue": "db"}],
                },
                timezone="Europe/Paris",
                time_restriction={
                    "type": "time-of-day",
                    "restriction": {"startHour": 22, "startMin": 0, "endHour": 6, "endMin": 0},
                },
                notify_type="escalation",
                notify_ref=found["escalation"],
            ),
        )
        heartbeats.create_heartbeat(
            session,
            actor=SYSTEM,
            payload=HeartbeatPayload.model_validate(
                {
                    "name": "backup job",
                    "interval": 1,
                    "intervalUnit": "hours",
                    "enabled": True,
                    "ownerTeam": {"name": "ops"},
                }
            ),
        )
    return found


def test_a_member_sees_who_is_on_call_the_open_alerts_and_the_teams_setup(http, world, add_alert):
    for number in range(7):
        add_alert(message=f"disk full {number}", responders=[{"type": "team", "name": "ops"}])
    add_alert(message="someone else's", responders=[{"type": "team", "name": "db"}])
    log_in(http, email("ann"))

    page = http.get(f"/teams/{world['ops']}").text

    on_call = page.split('id="on-call"')[1].split("</section>")[0]
    assert f'href="/schedules/{world["ops_schedule"]}"' in on_call
    assert "Now: <strong>Ann</strong> until" in on_call and "2026-12-12 03:05" in on_call
    assert "Next: Bob" in on_call
    alerts = page.split('id="open-alerts"')[1].split("</section>")[0]
    assert "<strong>7</strong> not acknowledged" in alerts and 'href="/alerts?team=ops"' in alerts
    assert alerts.count('<li><span class="badge') == 5 and "disk full 6" in alerts
    assert "someone else" not in alerts
    assert f'href="/escalations/{world["escalation"]}"' in page and "team default" in page
    routes = " ".join(page.split('id="routing"')[1].split("</section>")[0].split())
    assert "database nights</strong>:" in routes and "message contains &#39;db&#39;" in routes
    assert "every day 22:00 to 06:00 (Europe/Paris)" in routes
    assert (
        "Default Rule</strong>: All alerts → the team&#39;s default escalation "
        f'<a href="/escalations/{world["escalation"]}">ops escalation</a>'
    ) in routes
    assert routes.index("database nights") < routes.index("Default Rule")
    assert "backup job" in page and "Every 1 hour · no ping yet" in page
    assert "Members" in page and "Integrations" in page  # what was there stays
    assert "New escalation" not in page  # a member does not create escalations


def test_the_teams_admin_is_offered_a_new_escalation_for_the_team(http, world):
    log_in(http, email("lead"))

    page = http.get(f"/teams/{world['ops']}").text

    assert f'href="/escalations/new?team={world["ops"]}"' in page
    new = http.get(f"/escalations/new?team={world['ops']}").text
    assert f'<input type="hidden" name="owner_team" value="{world["ops"]}">' in new


def test_another_teams_member_sees_neither_the_setup_nor_the_alerts(http, world, add_alert):
    add_alert(message="ops only", responders=[{"type": "team", "name": "ops"}])
    log_in(http, email("bob"))

    page = http.get(f"/teams/{world['ops']}").text

    assert "Only the team's members see its schedules" in page
    assert "ops_schedule" not in page and "ops escalation" not in page and "backup job" not in page
    assert "<strong>0</strong> not acknowledged" in page and "ops only" not in page


def test_counting_stops_at_the_limit_and_counts_only_what_the_scope_sees(db, world, add_alert):
    for number in range(4):
        add_alert(message=f"a{number}", responders=[{"type": "team", "name": "ops"}])
    view = AlertFilter(state="open", team_ids=(world["ops"],))

    with db.read_session() as session:
        assert count_up_to(session, scope=Scope(everything=True), view=view, at_most=10) == 4
        assert count_up_to(session, scope=Scope(everything=True), view=view, at_most=3) == 3
        bob = Scope(everything=False, team_ids=frozenset({world["db"]}), user_ids=frozenset({world["bob"]}))
        assert count_up_to(session, scope=bob, view=view, at_most=10) == 0
