"""An alias de-duplicates only among alerts its sender may see: a team-owned key's within its team,
a global key's account-wide among alerts of global senders (docs/decisions/0010)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.alerts.test_ingest_batches import batch
from tests.support.api import ApiClient
from tests.support.factories import make_integration, make_team
from tocsin.alerts import ingest
from tocsin.alerts.ingest import NewAlert
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.notify.outbox import OutboxMessage


@pytest.fixture
def team_keys(http, db) -> tuple[ApiClient, ApiClient]:
    """Clients holding the keys of two team-owned integrations, of teams ops and db."""
    make_team(db, "ops")
    make_team(db, "db")
    _, ops_key = make_integration(db, "ops-prometheus", team="ops")
    _, db_key = make_integration(db, "db-prometheus", team="db")
    return ApiClient(http, ops_key), ApiClient(http, db_key)


def _created_events(db) -> list[str | None]:
    with db.read_session() as session:
        return list(
            session.scalars(select(OutboxMessage.alert_id).where(OutboxMessage.topic == "alert.created"))
        )


def test_two_team_keys_sending_one_alias_get_an_alert_each_and_both_teams_are_paged(db, team_keys):
    ops, dbteam = team_keys
    ops_status = ops.status_of(ops.post("/v2/alerts", json={"message": "disk full (ops)", "alias": "disk"}))
    db_status = dbteam.status_of(
        dbteam.post("/v2/alerts", json={"message": "disk full (db)", "alias": "disk"})
    )
    dbteam.status_of(dbteam.post("/v2/alerts", json={"message": "disk full again", "alias": "disk"}))

    assert ops_status["alertId"] != db_status["alertId"]
    ops_alert, db_alert = ops.alert(ops_status["alertId"]), dbteam.alert(db_status["alertId"])
    assert [(a["message"], a["count"], a["responders"][0]["type"]) for a in (ops_alert, db_alert)] == [
        ("disk full (ops)", 1, "team"),
        ("disk full (db)", 2, "team"),
    ]
    assert sorted(_created_events(db)) == sorted([ops_alert["id"], db_alert["id"]])
    assert not any("disk full (db)" in line or "again" in line for line in ops.logs(ops_alert["id"]))


def test_a_team_key_never_sees_or_counts_on_another_teams_alert_of_its_alias(db, team_keys):
    ops, dbteam = team_keys
    ops_alert = ops.create(message="disk full", alias="disk")

    assert dbteam.get("/v2/alerts/disk", params={"identifierType": "alias"}).status_code == 404
    db_status = dbteam.status_of(dbteam.post("/v2/alerts", json={"message": "db disk", "alias": "disk"}))

    assert db_status["alertId"] != ops_alert["id"]
    assert dbteam.alert("disk", "alias")["id"] == db_status["alertId"]
    assert ops.alert("disk", "alias")["id"] == ops_alert["id"]
    assert ops.alert(ops_alert["id"])["count"] == 1


def test_closing_by_alias_through_a_team_key_closes_only_its_teams_alert(db, team_keys):
    ops, dbteam = team_keys
    ops_alert = ops.create(message="disk full", alias="disk")
    db_alert = dbteam.create(message="db disk full", alias="disk")

    closed = dbteam.act("POST", "/v2/alerts/disk/close", params={"identifierType": "alias"}, json={})

    assert closed["isSuccess"] and closed["alertId"] == db_alert["id"]
    assert (ops.alert(ops_alert["id"])["status"], dbteam.alert(db_alert["id"])["status"]) == (
        "open",
        "closed",
    )


def test_a_global_key_deduplicates_account_wide_but_never_into_a_team_alert(db, api, team_keys):
    ops, _ = team_keys
    ops_alert = ops.create(message="ops disk", alias="disk")

    first = api.status_of(api.post("/v2/alerts", json={"message": "disk full", "alias": "disk"}))
    again = api.status_of(api.post("/v2/alerts", json={"message": "disk full again", "alias": "disk"}))

    assert first["alertId"] == again["alertId"] != ops_alert["id"]
    assert api.alert("disk", "alias")["id"] == first["alertId"]
    assert (api.alert(first["alertId"])["count"], ops.alert(ops_alert["id"])["count"]) == (2, 1)


def test_an_account_key_finds_a_team_alert_by_alias_unless_two_teams_share_it(db, account_key, team_keys):
    """People and account keys create nothing by alias; they reach a team's alert by it, and
    are told to name the alert otherwise when the alias is open for several teams."""
    ops, dbteam = team_keys
    admin = account_key()
    ops_alert = ops.create(message="ops disk", alias="disk")

    assert admin.alert("disk", "alias")["id"] == ops_alert["id"]

    dbteam.create(message="db disk", alias="disk")
    ambiguous = admin.get("/v2/alerts/disk", params={"identifierType": "alias"})
    assert ambiguous.status_code == 409
    assert (
        ambiguous.json()["message"]
        == "Alias disk is open on alerts of 2 teams; name the alert by id or tinyId"
    )


def test_one_batch_with_the_same_alias_from_two_teams_counts_each_on_its_own_alert(db):
    make_team(db, "ops")
    make_team(db, "db")
    ops_actor, _ = make_integration(db, "ops-prometheus", team="ops")
    db_actor, _ = make_integration(db, "db-prometheus", team="db")
    (ops_first,) = batch(db, ops_actor, {"message": "ops", "alias": "disk"})

    with db.write_session() as session:
        results = ingest.create_alerts(
            session,
            [
                NewAlert(CreateAlertPayload(message=message, alias="disk"), actor)
                for message, actor in (("db", db_actor), ("ops 2", ops_actor), ("db 2", db_actor))
            ],
        )

    db_first, ops_again, db_again = results
    assert [(r.alert_id, r.count, r.deduplicated) for r in (ops_again, db_again)] == [
        (ops_first.alert_id, 2, True),
        (db_first.alert_id, 2, True),
    ]
    assert not db_first.deduplicated and db_first.alert_id != ops_first.alert_id
    with db.read_session() as session:
        assert sorted(session.scalars(select(Alert.count).where(Alert.alias == "disk"))) == [2, 2]
