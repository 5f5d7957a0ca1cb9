"""Policy tests use the cast of tests/accounts (team ops: lead admin, ann; team db: bob) and
helpers that write Opsgenie policy payloads and raise alerts the way integrations do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.accounts.people import (  # noqa: F401  (fixtures)
    account_key,
    api,
    cast,
    integration_key,
)
from tocsin.actors import Actor
from tocsin.alerts import ingest
from tocsin.alerts.models import Alert, AlertLog
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.db import Database
from tocsin.notify.outbox import OutboxMessage

TAGGED_DB = {
    "type": "match-all-conditions",
    "conditions": [{"field": "tags", "operation": "contains", "expectedValue": "db"}],
}


def when(field: str, operation: str, expected: str | None = None, **more: Any) -> dict[str, Any]:
    """A filter of one condition."""
    condition: dict[str, Any] = {"field": field, "operation": operation, **more}
    if expected is not None:
        condition["expectedValue"] = expected
    return {"type": "match-all-conditions", "conditions": [condition]}


def alert_policy(name: str, filter: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    return {
        "type": "alert",
        "name": name,
        "enabled": True,
        "filter": filter or {"type": "match-all"},
        **changes,
    }


def notification_policy(name: str, filter: dict[str, Any] | None = None, **actions: Any) -> dict[str, Any]:
    return {"type": "notification", "name": name, "filter": filter or {"type": "match-all"}, **actions}


def for_duration(amount: int, unit: str = "minutes") -> dict[str, Any]:
    return {"timeAmount": amount, "timeUnit": unit}


def create(client: Any, payload: dict[str, Any], team: str | None = None) -> str:
    """Create through the API; the new policy's id."""
    response = client.post("/v2/policies", json=payload, params={"teamId": team} if team else {})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def raise_alert(db: Database, actor: Actor, **payload: Any) -> Alert:
    """Create an alert as an integration would; the stored alert (new or de-duplicated)."""
    payload.setdefault("message", "Disk full")
    with db.write_session() as session:
        outcome = ingest.create_alert(
            session, payload=CreateAlertPayload.model_validate(payload), actor=actor
        )
    with db.read_session() as session:
        alert = session.get(Alert, outcome.alert_id)
        assert alert is not None
        session.expunge(alert)
        return alert


def log_of(db: Database, alert_id: str) -> list[str]:
    with db.read_session() as session:
        return list(
            session.scalars(select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id))
        )


def outbox_of(db: Database, alert_id: str, topic: str | None = None) -> list[OutboxMessage]:
    with db.read_session() as session:
        query = select(OutboxMessage).where(OutboxMessage.alert_id == alert_id).order_by(OutboxMessage.id)
        if topic:
            query = query.where(OutboxMessage.topic == topic)
        found = list(session.scalars(query))
        session.expunge_all()
        return found
