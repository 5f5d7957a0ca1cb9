"""Alert policies change incoming alerts before they are stored (and de-duplicated), and the alert
log says which applied."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.policies.conftest import TAGGED_DB, alert_policy, create, log_of, raise_alert, when
from tests.support.factories import make_integration

OPS = [{"type": "team", "name": "ops"}]


def test_policy_raises_priority_of_db_alerts_to_p1(api, db, cast):
    create(api, alert_policy("raise db", TAGGED_DB, priority="P1"))
    monitoring = make_integration(db, "monitoring")[0]

    tagged = raise_alert(db, monitoring, message="Replication lag", tags=["db", "prod"], priority="P3")
    untagged = raise_alert(db, monitoring, message="Web slow", tags=["web"], priority="P3")
    lookalike = raise_alert(db, monitoring, message="Mongo slow", tags=["mongodb"], priority="P3")

    assert tagged.priority == "P1"
    assert "Alert policy 'raise db' applied: priority P3 → P1" in log_of(db, tagged.id)
    assert (untagged.priority, lookalike.priority) == ("P3", "P3")
    assert not any("policy" in line for line in log_of(db, untagged.id))


def test_placeholders_are_filled_from_the_incoming_alert(api, db, cast):
    create(
        api,
        alert_policy(
            "rewrite",
            message="[{{priority}}] {{message}} on {{details.host}}",
            description="{{description}}\nSource: {{source}}; tags: {{tags}}; dc {{extraProperties.dc}}",
            alias="{{entity}}-{{details.host}}",
            tags=["host:{{details.host}}"],
            details={"summary": "{{message}} ({{entity}})"},
        ),
    )
    monitoring = make_integration(db, "monitoring")[0]

    alert = raise_alert(
        db,
        monitoring,
        message="Disk full",
        description="/var is at 99%",
        source="prometheus",
        entity="disk",
        tags=["db", "prod"],
        details={"host": "db-1", "dc": "fra"},
        priority="P2",
    )

    assert alert.message == "[P2] Disk full on db-1"
    assert alert.description == "/var is at 99%\nSource: prometheus; tags: db, prod; dc fra"
    assert alert.alias == "disk-db-1"
    assert alert.tags == ["db", "prod", "host:db-1"]
    assert alert.details == {"host": "db-1", "dc": "fra", "summary": "Disk full (disk)"}


def test_a_policy_that_changes_the_alias_makes_repeats_count_on_one_alert(api, db, cast):
    create(
        api,
        alert_policy(
            "one alert per host", when("details", "contains-key", "host"), alias="host-{{details.host}}"
        ),
    )
    monitoring = make_integration(db, "monitoring")[0]

    first = raise_alert(db, monitoring, message="CPU high", alias="cpu-1", details={"host": "web-1"})
    second = raise_alert(db, monitoring, message="Memory high", alias="mem-1", details={"host": "web-1"})

    assert second.id == first.id
    assert (second.alias, second.count) == ("host-web-1", 2)
    assert sum("Alert policy" in line for line in log_of(db, first.id)) == 1  # logged once, when created


def test_first_matching_policy_wins_unless_it_says_continue(api, db, cast):
    create(api, alert_policy("tag it", TAGGED_DB, tags=["seen-by-first"]))
    create(api, alert_policy("never reached", TAGGED_DB, tags=["seen-by-second"]))
    monitoring = make_integration(db, "monitoring")[0]

    assert raise_alert(db, monitoring, tags=["db"]).tags == ["db", "seen-by-first"]

    first_id = api.data("/v2/policies/alert")[0]["id"]
    body = api.data(f"/v2/policies/{first_id}")
    body.update({"continue": True})
    for shown_only in ("id", "order", "teamId"):
        body.pop(shown_only)
    assert api.request("PUT", f"/v2/policies/{first_id}", json=body).status_code == 200

    alert = raise_alert(db, monitoring, message="again", tags=["db"])
    assert alert.tags == ["db", "seen-by-first", "seen-by-second"]
    assert [line for line in log_of(db, alert.id) if "policy" in line] == [
        "Alert policy 'tag it' applied: tags now db, seen-by-first",
        "Alert policy 'never reached' applied: tags now db, seen-by-first, seen-by-second",
    ]


def test_team_policies_apply_only_to_that_teams_alerts_after_global_ones(api, db, cast):
    ops_id = {team["name"]: team["id"] for team in api.data("/v2/teams")}["ops"]
    create(api, alert_policy("everyone", tags=["global"], **{"continue": True}))
    create(api, alert_policy("ops only", description="Runbook: wiki/ops ({{tags}})"), team=ops_id)
    monitoring = make_integration(db, "monitoring")[0]
    ops_integration = make_integration(db, "ops monitoring", team="ops")[0]

    routed_to_ops = raise_alert(db, monitoring, message="a", responders=OPS)
    from_ops_integration = raise_alert(db, ops_integration, message="b")
    for_db_team = raise_alert(db, monitoring, message="c", responders=[{"type": "team", "name": "db"}])

    assert routed_to_ops.description == "Runbook: wiki/ops (global)"  # global policy ran first
    assert from_ops_integration.description == "Runbook: wiki/ops (global)"
    assert for_db_team.description == ""
    assert for_db_team.tags == ["global"]


def test_policy_can_replace_the_responders_and_the_router_sees_them(api, db, cast):
    create(
        api,
        alert_policy(
            "db pages go to db",
            TAGGED_DB,
            responders=[{"type": "team", "name": "db"}],
            ignoreOriginalResponders=True,
        ),
    )
    monitoring = make_integration(db, "monitoring")[0]

    alert = raise_alert(db, monitoring, tags=["db"], responders=OPS)

    alert_json = api.data(f"/v2/alerts/{alert.id}")
    assert [responder["id"] for responder in alert_json["responders"]] == [
        {team["name"]: team["id"] for team in api.data("/v2/teams")}["db"]
    ]
    assert "Alert policy 'db pages go to db' applied: responders now team db" in log_of(db, alert.id)


def test_disabled_policy_does_nothing_until_enabled(api, db, cast):
    policy_id = create(api, {**alert_policy("raise db", TAGGED_DB, priority="P1"), "enabled": False})
    monitoring = make_integration(db, "monitoring")[0]

    assert raise_alert(db, monitoring, message="first", tags=["db"]).priority == "P3"
    assert api.post(f"/v2/policies/{policy_id}/enable").status_code == 200
    assert raise_alert(db, monitoring, message="second", tags=["db"]).priority == "P1"


def test_policy_applies_only_inside_its_time_restrictions(api, db, cast, frozen_clock):
    office_hours = {
        "type": "weekday-and-time-of-day",
        "timeZone": "Europe/Berlin",
        "restrictions": [
            {
                "startDay": "monday",
                "startHour": 9,
                "startMin": 0,
                "endDay": "friday",
                "endHour": 17,
                "endMin": 0,
            }
        ],
    }
    create(api, alert_policy("office hours", priority="P5", timeRestrictions=office_hours))
    monitoring = make_integration(db, "monitoring")[0]

    frozen_clock.set(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))  # a Sunday
    assert raise_alert(db, monitoring, message="sunday").priority == "P3"
    frozen_clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # Monday 10:00 in Berlin
    assert raise_alert(db, monitoring, message="monday").priority == "P5"
