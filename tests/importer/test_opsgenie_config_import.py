"""Importing, from the fake Opsgenie account, the configuration that names people, teams and
schedules: escalations, team routing rules and heartbeats (the whole import runs, so what they
name is imported with them)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import frozen_at
from tests.fakes.opsgenie_config_api import FakeOpsgenie
from tests.importer import opsgenie_config
from tests.importer.opsgenie_config import counts, of_kind
from tocsin.actors import SYSTEM
from tocsin.conditions.facts import AlertFacts
from tocsin.db import Database
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.schemas import HeartbeatPayload
from tocsin.importer import opsgenie_import
from tocsin.importer.changes import CANNOT, CHANGE, CREATE, SAME, Change
from tocsin.importer.opsgenie_source import Source
from tocsin.oncall import lookup as schedules_lookup
from tocsin.routing import service as routing
from tocsin.routing.models import RoutingRule
from tocsin.teams import service as teams

fake_opsgenie = opsgenie_config.fake_opsgenie
read = opsgenie_config.read
source = opsgenie_config.source


def test_the_plan_changes_nothing_and_lists_the_escalations(db: Database, source: Source) -> None:
    before = counts(db)

    plan = opsgenie_import.make_plan(db, source)

    assert counts(db) == before
    planned = of_kind(plan, "escalation")
    assert sorted(planned) == sorted(e["name"] for e in source.escalations)
    assert {change.action for change in planned.values()} == {CREATE}  # schedules and teams: same import
    platform = planned["Platform escalation"]
    assert "4 rule(s)" in platform.details[0] and "20 min: team Platform (users)" in platform.details[0]
    assert "repeats 2 time(s) after 10 min" in platform.details


def test_what_cannot_come_over_is_not_half_imported(db: Database, source: Source) -> None:
    payments = next(e for e in source.escalations if e["name"] == "Payments escalation")
    payments["rules"][0]["notifyType"] = "users"  # of a schedule: Tocsin has no such thing
    data = next(e for e in source.escalations if e["name"] == "Data escalation")
    data["rules"][1]["recipient"] = {"type": "schedule", "id": "x", "name": "Nobody schedule"}
    source.escalations.append({"id": "e9", "name": "Hourly", "rules": [{**data["rules"][0]}]})
    source.escalations[-1]["rules"][0]["delay"] = {"timeAmount": 90, "timeUnit": "seconds"}

    plan = opsgenie_import.make_plan(db, source)
    applied = opsgenie_import.apply(db, plan)

    planned = of_kind(plan, "escalation")
    assert planned["Payments escalation"].action == CANNOT
    assert "rule 1 notifies 'users' of a schedule" in planned["Payments escalation"].details[0]
    assert planned["Data escalation"].action == CANNOT
    assert (
        "'Nobody schedule' is neither in Tocsin nor in this import" in planned["Data escalation"].details[0]
    )
    assert "waits in seconds" in planned["Hourly"].details[0]
    payments_routes = of_kind(plan, "routing rules")["Payments"]  # they name the escalation left out
    assert payments_routes.action == CANNOT
    assert "escalation 'Payments escalation' is neither in Tocsin" in payments_routes.details[0]
    assert applied.failed == []
    with db.read_session() as session:
        assert escalations.find_policy(session, "Payments escalation", "name") is None
        assert escalations.find_policy(session, "Data escalation", "name") is None
        assert escalations.find_policy(session, "Mobile escalation", "name") is not None


def test_applying_creates_the_escalations_opsgenie_has(db: Database, source: Source) -> None:

    applied = opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))

    assert applied.failed == []
    platform = next(e for e in source.escalations if e["name"] == "Platform escalation")
    with db.read_session() as session:
        policy = escalations.get_policy(session, "platform ESCALATION", "name")
        team = teams.get_team(session, name="Platform")
        assert policy.owner_team_id == team.id and policy.description == platform["description"]
        assert (policy.repeat_count, policy.repeat_wait_minutes, policy.repeat_reset_recipient_states) == (
            2,
            10,
            True,
        )
        rules = [
            (
                rule.delay_minutes,
                rule.recipient_type,
                escalations.recipient_label(session, rule.recipient_type, rule.recipient_id),
                rule.notify_type,
                rule.condition,
            )
            for rule in escalations.rules_of(session, policy.id)
        ]
        assert rules == [
            (0, "schedule", "Platform primary", "default", "if-not-acked"),
            (10, "schedule", "Platform primary", "next", "if-not-acked"),
            (20, "team", "Platform", "users", "if-not-acked"),
            (30, "user", platform["rules"][3]["recipient"]["username"], "default", "if-not-acked"),
        ]
        payments = escalations.get_policy(session, "Payments escalation", "name")
        last = escalations.rules_of(session, payments.id)[-1]
        assert (last.condition, last.delay_minutes) == ("if-not-closed", 45)
        assert payments.repeat_close_alert_after_all is True
    assert counts(db)["outbox"] == 0


def test_applying_again_changes_nothing(db: Database, source: Source) -> None:
    opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))
    after_first = counts(db)

    again = opsgenie_import.make_plan(db, source)
    applied = opsgenie_import.apply(db, again)

    assert {change.action for change in of_kind(again, "escalation").values()} == {SAME}
    assert applied.made == [] and counts(db) == after_first


def test_an_escalation_tocsin_has_keeps_what_it_has(db: Database, source: Source) -> None:
    with db.write_session() as session:
        teams.create_team(session, name="Mobile night shift")
        payload = EscalationPayload.model_validate(
            {
                "name": "mobile escalation",
                "rules": [
                    {"recipient": {"type": "team", "name": "Mobile night shift"}, "delay": {"timeAmount": 3}}
                ],
            }
        )
        escalations.create_policy(session, actor=SYSTEM, payload=payload)

    plan = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, plan)

    assert of_kind(plan, "escalation")["Mobile escalation"].action == SAME
    with db.read_session() as session:
        mobile = escalations.get_policy(session, "Mobile escalation", "name")
        assert mobile.name == "mobile escalation" and mobile.owner_team_id is None
        assert [rule.delay_minutes for rule in escalations.rules_of(session, mobile.id)] == [3]


def test_the_plan_lists_each_teams_routing_rules_in_order(db: Database, source: Source) -> None:
    plan = opsgenie_import.make_plan(db, source)

    planned = of_kind(plan, "routing rules")
    assert sorted(planned) == sorted(team["name"] for team in source.teams)
    payments = planned["Payments"]
    assert payments.action == CREATE
    assert payments.details == [
        "P1 straight to on-call → schedule Payments EU",
        "Ignore test alerts → none",
        "Office hours → escalation Payments escalation (at set times)",
        "default rule → escalation Payments escalation",
    ]


def test_routing_rules_that_cannot_all_come_over_come_over_not_at_all(db: Database, source: Source) -> None:
    platform = next(team["id"] for team in source.teams if team["name"] == "Platform")
    rules = source.routing_rules[platform]
    rules[0]["criteria"]["conditions"][0]["field"] = "weather"
    rules[1]["notify"] = {"type": "team", "id": "t", "name": "Platform"}

    plan = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, plan)

    change = of_kind(plan, "routing rules")["Platform"]
    assert change.action == CANNOT and len(change.details) == 2
    assert (
        change.details[0].startswith("rule 'P1 straight to on-call': unknown field")
        and "weather" in change.details[0]
    )
    assert "notifies a team target" in change.details[1]
    with db.read_session() as session:
        team = teams.get_team(session, name="Platform")
        assert session.scalars(select(RoutingRule).where(RoutingRule.team_id == team.id)).all() == []
        assert of_kind(plan, "routing rules")["Payments"].action == CREATE


def test_imported_routing_rules_send_alerts_where_opsgenie_did(db: Database, source: Source) -> None:

    applied = opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))

    assert applied.failed == []
    with db.read_session() as session:
        team = teams.get_team(session, name="Payments")
        rules = routing.rules_of(session, team)
        assert [(rule.name, rule.timezone) for rule in rules] == [
            ("P1 straight to on-call", "Europe/Berlin"),
            ("Ignore test alerts", "Europe/Berlin"),
            ("Office hours", "Europe/Berlin"),
            ("Default", "Europe/Berlin"),
        ]
        schedule = schedules_lookup.find_schedule(session, "Payments EU", "name")
        policy = escalations.get_policy(session, "Payments escalation", "name")
        monday_noon = datetime(2027, 3, 8, 12, tzinfo=UTC)  # 13:00 in Berlin
        saturday = datetime(2027, 3, 13, 12, tzinfo=UTC)
        late_monday = datetime(2027, 3, 8, 17, 30, tzinfo=UTC)  # 18:30 in Berlin, after office hours

        def to(facts: AlertFacts, at: datetime) -> tuple[str, str, str | None]:
            found = routing.route(rules, facts, at)
            return found.rule, found.notify_type, found.target_id

        assert to(AlertFacts(message="disk", priority="P1"), saturday) == (
            "P1 straight to on-call",
            "schedule",
            schedule.id if schedule else "",
        )
        test_alert = AlertFacts(message="[test] disk", details={"environment": "staging"})
        assert to(test_alert, monday_noon) == ("Ignore test alerts", "none", None)
        assert to(AlertFacts(message="disk"), monday_noon) == ("Office hours", "escalation", policy.id)
        assert to(AlertFacts(message="disk"), late_monday) == ("Default", "escalation", policy.id)
        assert to(AlertFacts(message="disk", tags=["critical"]), late_monday)[1] == "schedule"


def test_routing_rules_are_imported_once_and_a_teams_own_rules_are_kept(db: Database, source: Source) -> None:
    with db.write_session() as session:
        teams.create_team(session, name="data")
        team = teams.get_team(session, name="Data")
        routing.create_rule(
            session, actor=SYSTEM, team=team, spec=routing.RuleSpec(name="Everything", notify_type="none")
        )

    first = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, first)
    again = opsgenie_import.make_plan(db, source)
    after = counts(db)
    opsgenie_import.apply(db, again)

    assert of_kind(first, "routing rules")["Data"].action == SAME
    assert {change.action for change in of_kind(again, "routing rules").values()} == {SAME}
    assert counts(db) == after
    with db.read_session() as session:
        team = teams.get_team(session, name="Data")
        assert [rule.name for rule in routing.rules_of(session, team)] == ["Everything", "Default Rule"]


def test_heartbeats_come_over_disabled_until_their_senders_move_and_are_never_pinged(
    db: Database, source: Source, fake_opsgenie: FakeOpsgenie
) -> None:
    plan = opsgenie_import.make_plan(db, source)
    planned = of_kind(plan, "heartbeat")
    assert sorted(planned) == ["nightly-backup", "old-cron", "payments-gateway", "warehouse-load"]
    assert planned["payments-gateway"].details == [
        "every 5 minutes",
        "alert P1: payments-gateway stopped checking in",
        "disabled until its sender pings Tocsin: then `tocsin heartbeat enable payments-gateway` "
        "(enabled in Opsgenie, last ping 2027-03-08T11:58:31.000Z)",
    ]
    assert planned["old-cron"].details[-1] == "disabled, as in Opsgenie"

    with frozen_at(datetime(2027, 3, 8, 12, tzinfo=UTC)):
        opsgenie_import.apply(db, plan)

    with db.read_session() as session:
        gateway = heartbeats.get_heartbeat(session, "Payments-Gateway")
        payments = teams.get_team(session, name="Payments")
        assert (gateway.interval, gateway.interval_unit, gateway.owner_team_id) == (5, "minutes", payments.id)
        assert (gateway.alert_priority, gateway.alert_tags) == ("P1", ["heartbeat", "payments"])
        # Its sender still pings Opsgenie: enabled now, it would expire in 5 minutes and page someone.
        assert (gateway.enabled, gateway.expires_at, gateway.last_ping_at) == (False, None, None)
        old = heartbeats.get_heartbeat(session, "old-cron")
        assert (old.enabled, old.expires_at, old.interval, old.interval_unit) == (False, None, 30, "minutes")
    assert fake_opsgenie.requests_to("/v2/heartbeats") >= 1
    assert [name for name in planned if fake_opsgenie.requests_to(f"/v2/heartbeats/{name}/ping")] == []


def test_a_heartbeat_tocsin_has_keeps_what_it_has(db: Database, source: Source) -> None:
    with db.write_session() as session:
        heartbeats.create_heartbeat(
            session,
            actor=SYSTEM,
            payload=HeartbeatPayload.model_validate(
                {"name": "NIGHTLY-BACKUP", "interval": 2, "intervalUnit": "days", "enabled": False}
            ),
        )

    plan = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, plan)
    again = opsgenie_import.make_plan(db, source)

    assert of_kind(plan, "heartbeat")["nightly-backup"].action == SAME
    assert {change.action for change in of_kind(again, "heartbeat").values()} == {SAME}
    with db.read_session() as session:
        backup = heartbeats.get_heartbeat(session, "nightly-backup")
        assert (backup.name, backup.interval, backup.interval_unit, backup.enabled) == (
            "NIGHTLY-BACKUP",
            2,
            "days",
            False,
        )


def test_a_run_cut_short_in_the_configuration_is_finished_by_the_next(db: Database, source: Source) -> None:
    def stop_at_the_second_team_rules(change: Change, problem: str | None) -> None:
        seen.append(change)
        if [c.kind for c in seen].count("routing rules") == 2:
            raise KeyboardInterrupt

    seen: list[Change] = []
    with pytest.raises(KeyboardInterrupt):
        opsgenie_import.apply(db, opsgenie_import.make_plan(db, source), stop_at_the_second_team_rules)
    resumed = opsgenie_import.make_plan(db, source)
    applied = opsgenie_import.apply(db, resumed)

    routes = of_kind(resumed, "routing rules")
    assert sorted(change.action for change in routes.values()) == [CREATE, CREATE, CREATE, SAME, SAME]
    assert {change.action for change in of_kind(resumed, "escalation").values()} == {SAME}
    assert applied.failed == []
    finished = opsgenie_import.make_plan(db, source)
    assert CREATE not in finished.counts() and CHANGE not in finished.counts()
