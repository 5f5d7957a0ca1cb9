"""Importing, from the fake Opsgenie account, what maintenance windows switch (alert and
notification policies, integrations with their keys) and the windows themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import frozen_at
from tests.fakes.opsgenie_account import FULL_KEY, NOW
from tests.fakes.opsgenie_config_api import FakeOpsgenie
from tests.importer import opsgenie_config
from tests.importer.opsgenie_config import of_kind
from tests.test_cli import Tocsin, tocsin_environment
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.importer import opsgenie_import
from tocsin.importer.changes import CANNOT, CREATE, SAME
from tocsin.importer.opsgenie_source import Source
from tocsin.integrations import service as integrations
from tocsin.maintenance import service as maintenance
from tocsin.outbound import OutboundPolicy
from tocsin.policies import service as policies
from tocsin.policies.schemas import PolicyPayload
from tocsin.teams import service as teams

fake_opsgenie = opsgenie_config.fake_opsgenie
read = opsgenie_config.read
source = opsgenie_config.source


def with_switched_things(db: Database) -> None:
    """Tocsin holds what the account's maintenance windows switch: the Payments API integration
    and the global alert policy Tag production."""
    with db.write_session() as session:
        teams.create_team(session, name="Payments")
        integrations.create_integration(session, type="API", name="payments api", team_name="Payments")
        policies.create_policy(
            session,
            actor=SYSTEM,
            payload=PolicyPayload.model_validate(
                {"type": "alert", "name": "Tag production", "tags": ["prod"]}
            ),
        )


def test_maintenance_windows_not_over_come_over_with_what_they_switch(db: Database, source: Source) -> None:
    with_switched_things(db)

    with frozen_at(NOW):
        plan = opsgenie_import.make_plan(db, source)
        applied = opsgenie_import.apply(db, plan)

    assert of_kind(plan, "integration")["Payments API"].action == SAME  # Tocsin's, kept as it is
    assert of_kind(plan, "alert policy")["Tag production"].action == SAME
    planned = of_kind(plan, "maintenance")
    assert sorted(planned) == ["Database upgrade", "Network work"]  # not the past and cancelled ones
    upgrade = planned["Database upgrade"]
    assert upgrade.action == CREATE and upgrade.details == [
        "2027-03-13T22:00:00Z to 2027-03-14T02:00:00Z",
        "integration 'Payments API' enabled",
        "policy 'Tag production' disabled",
    ]
    assert planned["Network work"].notes == [
        "its start (2027-03-08T10:00:00Z): it starts in Tocsin when imported"
    ]
    assert applied.failed == []
    with frozen_at(NOW), db.read_session() as session:
        windows = {w.description: w for w in maintenance.list_maintenance(session)}
        assert sorted(windows) == ["Database upgrade", "Network work"]
        window = windows["Database upgrade"]
        assert (window.start_at, window.end_at) == (
            datetime(2027, 3, 13, 22, tzinfo=UTC),
            datetime(2027, 3, 14, 2, tzinfo=UTC),
        )
        assert maintenance.status_of(windows["Network work"], NOW) == "active"
        assert windows["Network work"].end_at is None
        switched = {
            (entity.type, entity.name, state) for state, entity in maintenance.rules_of(session, window)
        }
        assert switched == {
            ("integration", "payments api", "enabled"),
            ("policy", "Tag production", "disabled"),
        }

    with frozen_at(NOW):
        again = opsgenie_import.make_plan(db, source)
    assert {change.action for change in of_kind(again, "maintenance").values()} == {SAME}


def test_a_window_that_would_switch_fewer_things_is_not_imported(db: Database, source: Source) -> None:
    with db.write_session() as session:
        teams.create_team(session, name="Payments")
        integrations.create_integration(session, type="API", name="Payments API", team_name="Payments")
    tagging = next(p for p in source.policies if p["name"] == "Tag production")
    tagging["ignoreOriginalTeams"] = True  # Tocsin's policies cannot: it does not come over

    with frozen_at(NOW):
        plan = opsgenie_import.make_plan(db, source)
        opsgenie_import.apply(db, plan)

    upgrade = of_kind(plan, "maintenance")["Database upgrade"]
    assert upgrade.action == CANNOT
    assert upgrade.details == [
        "it switches policy 'Tag production', which is neither in Tocsin nor in this import"
    ]
    with frozen_at(NOW), db.read_session() as session:
        assert maintenance.list_maintenance(session) == []


def test_the_plan_says_which_policies_come_over_and_why_others_cannot(db: Database, source: Source) -> None:
    plan = opsgenie_import.make_plan(db, source)

    alert, notification = of_kind(plan, "alert policy"), of_kind(plan, "notification policy")
    assert alert["Tag production"].action == CREATE
    assert alert["Tag production"].details == [
        "message: {{message}}",
        "tags: ['production']",
        "priority: P3",
        "continue: True",
    ]
    assert alert["Payments responders (team Payments)"].details[-1] == "responders: Payments"
    flapping = notification["Deduplicate flapping (team Payments)"]
    assert flapping.action == CANNOT and "no deduplication action" in flapping.details[0]
    overnight = notification["Hold overnight (team Support)"]
    assert overnight.action == CANNOT and "delays notifications until 'next-time'" in overnight.details[0]


def test_policies_come_over_in_their_scope_and_order(db: Database, source: Source) -> None:

    applied = opsgenie_import.apply(db, opsgenie_import.make_plan(db, source))

    assert applied.failed == []
    with db.read_session() as session:
        global_alert = policies.list_policies(session, actor=SYSTEM, type="alert", team_id=None)
        assert [(p.name, p.position) for p in global_alert] == [
            ("Tag production", 0),
            ("Raise database alerts", 1),
        ]
        tagging, database = global_alert
        assert tagging.body == {
            "message": "{{message}}",
            "tags": ["production"],
            "priority": "P3",
            "continue": True,
        }
        assert tagging.filter["conditions"][0]["expectedValue"] == "monitoring"
        assert database.time_restrictions is not None and tagging.time_restrictions is None
        payments = teams.get_team(session, name="Payments")
        (responders,) = policies.list_policies(session, actor=SYSTEM, type="alert", team_id=payments.id)
        assert responders.body["responders"] == [{"type": "team", "id": payments.id, "name": "Payments"}]
        notification = policies.list_policies(session, actor=SYSTEM, type="notification", team_id=payments.id)
        assert notification == []


def test_a_policy_tocsin_has_keeps_what_it_has(db: Database, source: Source) -> None:
    with db.write_session() as session:
        policies.create_policy(
            session,
            actor=SYSTEM,
            payload=PolicyPayload.model_validate(
                {"type": "alert", "name": "TAG PRODUCTION", "priority": "P1"}
            ),
        )

    plan = opsgenie_import.make_plan(db, source)
    opsgenie_import.apply(db, plan)
    again = opsgenie_import.make_plan(db, source)

    assert of_kind(plan, "alert policy")["Tag production"].action == SAME
    assert of_kind(again, "alert policy")["Tag production"].action == SAME
    assert {c.action for c in of_kind(again, "alert policy").values()} == {SAME}
    with db.read_session() as session:
        (kept,) = [
            p
            for p in policies.list_policies(session, actor=SYSTEM, type="alert", team_id=None)
            if p.name_key == "tag production"
        ]
        assert (kept.name, kept.body) == ("TAG PRODUCTION", {"priority": "P1"})


HOOKS = OutboundPolicy(allowed_hosts=frozenset({"hooks.acme.example"}))


def test_the_plan_says_which_integrations_come_over_and_why_others_cannot(
    db: Database, source: Source
) -> None:
    plan = opsgenie_import.make_plan(db, source, HOOKS)

    planned = of_kind(plan, "integration")
    assert {name: change.action for name, change in planned.items()} == {
        "Default API": CREATE,
        "Payments API": CREATE,
        "Alertmanager": CREATE,
        "Support mailbox": CANNOT,
        "Datadog": CANNOT,
        "Deploy webhook": CREATE,
    }
    assert planned["Default API"].details[-1] == "keeps its key: senders change only the host"
    assert planned["Payments API"].details == [
        "API",
        "team Payments",
        "enabled",
        "a new key, printed once as soon as it is made",
    ]
    assert planned["Alertmanager"].details[0] == "API (Opsgenie: Prometheus)"
    assert planned["Deploy webhook"].details[-1] == "posts to https://hooks.acme.example/opsgenie"
    assert "no alerts by e-mail" in planned["Support mailbox"].details[0]
    assert "Datadog endpoint" in planned["Datadog"].details[0]
    assert any("could configure Opsgenie" in note for note in planned["Default API"].notes)

    refused = of_kind(opsgenie_import.make_plan(db, source), "integration")["Deploy webhook"]
    assert refused.action == CANNOT and "TOCSIN_OUTBOUND_ALLOW" in refused.details[0]


def test_integrations_whose_meaning_tocsin_cannot_keep_are_not_imported(db: Database, source: Source) -> None:
    found = {integration["name"]: integration for integration in source.integrations}
    found["Payments API"]["suppressNotifications"] = True
    found["Alertmanager"]["responders"].append({"type": "team", "id": "t", "name": "Data"})
    found["Default API"]["actions"]["ignore"] = [{"type": "ignore", "name": "Drop tests", "filter": {}}]

    plan = opsgenie_import.make_plan(db, source, HOOKS)

    planned = of_kind(plan, "integration")
    assert (
        planned["Payments API"].action == CANNOT and "without notifying" in planned["Payments API"].details[0]
    )
    assert (
        planned["Alertmanager"].action == CANNOT
        and "it adds Data to every alert" in planned["Alertmanager"].details[0]
    )
    assert planned["Default API"].action == CANNOT and "incoming rules" in planned["Default API"].details[0]


def test_integrations_come_over_and_new_keys_are_listed_once(db: Database, source: Source) -> None:
    kept = next(i["apiKey"] for i in source.integrations if i["name"] == "Default API")

    plan = opsgenie_import.make_plan(db, source, HOOKS)
    applied = opsgenie_import.apply(db, plan)

    assert applied.failed == []
    reported = [line for change in applied.made for line in change.report]
    assert len(reported) == 2  # Payments API and Alertmanager; Default API keeps its key
    keys = {}
    for line in reported:  # "new key: integration NAME (TYPE): KEY (what to change)"
        named, key = line.removeprefix("new key: integration ").split(": ", 1)
        keys[named] = key.split()[0]
    assert "Alertmanager" in reported[1] and "set api_url to Tocsin's address" in reported[1]
    with db.read_session() as session:
        default = integrations.find_by_secret(session, kept)
        assert default is not None and (default.name, default.type, default.team_id) == (
            "Default API",
            "API",
            None,
        )
        payments = integrations.find_by_secret(session, keys["Payments API (API)"])
        team = teams.get_team(session, name="Payments")
        assert payments is not None and (payments.name, payments.type, payments.team_id) == (
            "Payments API",
            "API",
            team.id,
        )
        manager = integrations.find_by_secret(session, keys["Alertmanager (Prometheus)"])
        assert manager is not None and manager.type == "API"
        hook = integrations.find_integration(session, name="Deploy webhook")
        assert hook is not None and hook.type == "Webhook" and hook.key_hash is None
        assert hook.config["url"] == "https://hooks.acme.example/opsgenie" and hook.config["headers"] == {
            "X-Env": "prod"
        }
        assert integrations.find_integration(session, name="Datadog") is None

    again = opsgenie_import.make_plan(db, source, HOOKS)
    applied_again = opsgenie_import.apply(db, again)
    assert {change.action for change in of_kind(again, "integration").values()} == {SAME, CANNOT}
    assert [line for change in applied_again.made for line in change.report] == []


def test_the_command_lists_each_new_key_once_after_applying(
    db: Database, database_url: str, source: Source, fake_opsgenie: FakeOpsgenie, tmp_path: Path
) -> None:
    tocsin = Tocsin(
        tocsin_environment(
            database_url=database_url, data_dir=tmp_path / "data", outbound_allow="hooks.acme.example"
        )
    )
    command = ("import", "opsgenie", "--api-key", FULL_KEY, "--api-url", fake_opsgenie.base_url)

    first = tocsin.ok(*command)
    again = tocsin.ok(*command)

    new_keys = [line for line in first if line.startswith("new key: ")]
    assert [line.split(": ")[1] for line in new_keys] == [
        "integration Payments API (API)",
        "integration Alertmanager (Prometheus)",
    ]
    # Printed as each is made (a run cut short later still showed them), and only then.
    assert first.index(new_keys[-1]) < next(
        i for i, line in enumerate(first) if line.startswith("Imported: ")
    )
    assert len(set(new_keys)) == len(new_keys) == sum(line.startswith("new key: ") for line in first)
    key = new_keys[0].split(": ")[2].split()[0]
    with db.read_session() as session:
        found = integrations.find_by_secret(session, key)
        assert found is not None and found.name == "Payments API"
    assert not any(line.startswith("new key: ") for line in again)


def test_a_key_another_integration_has_is_not_taken_twice(db: Database, source: Source) -> None:
    kept = next(i["apiKey"] for i in source.integrations if i["name"] == "Default API")
    with db.write_session() as session:
        integrations.create_integration(session, type="API", name="Older door", api_key=kept)

    applied = opsgenie_import.apply(db, opsgenie_import.make_plan(db, source, HOOKS))

    assert [(change.name, problem) for change, problem in applied.failed] == [
        ("Default API", "another integration already has this key")
    ]
    with db.read_session() as session:
        assert integrations.find_integration(session, name="Default API") is None
        assert integrations.find_by_secret(session, kept).name == "Older door"  # type: ignore[union-attr]
