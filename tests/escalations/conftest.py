"""Fixtures for escalation policies: the cast of tests/accounts (ops: lead admin, ann member;
db: bob), two schedules to name as recipients, and helpers that write Opsgenie payloads."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.people import (  # noqa: F401  (fixtures)
    account_key,
    api,
    cast,
    integration_key,
)
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.escalations import service as escalations
from tocsin.escalations.models import EscalationPolicy
from tocsin.escalations.schemas import EscalationPayload
from tocsin.oncall import service as oncall


@pytest.fixture
def schedules(db: Database, request: pytest.FixtureRequest) -> dict[str, str]:
    """Two schedules by name -> id: ops_schedule (owned by team ops) and night watch (no team)."""
    request.getfixturevalue("cast")  # team ops must exist
    with db.write_session() as session:
        return {
            name: oncall.create_schedule(
                session, actor=SYSTEM, name=name, owner_team=oncall.NameRef(name=team) if team else None
            ).id
            for name, team in (("ops_schedule", "ops"), ("night watch", None))
        }


def rule(
    recipient_type: str,
    notify_type: str = "default",
    delay: int = 0,
    unit: str = "minutes",
    condition: str = "if-not-acked",
    **ref: str,
) -> dict[str, Any]:
    """A rule in Opsgenie's shape; ``ref`` names the recipient (id=, name= or username=)."""
    return {
        "condition": condition,
        "notifyType": notify_type,
        "delay": {"timeAmount": delay, "timeUnit": unit},
        "recipient": {"type": recipient_type, **ref},
    }


def to(username: str, delay: int = 0, **fields: Any) -> dict[str, Any]:
    """The simplest rule: notify one user."""
    return rule("user", delay=delay, username=f"{username}@example.com", **fields)


def escalation(name: str, *rules: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"name": name, "rules": list(rules) or [to("ann")], **fields}


def create(client: Any, payload: dict[str, Any]) -> str:
    """Create through the API; the new escalation's id."""
    response = client.post("/v2/escalations", json=payload)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def make_policy(session: Any, name: str, *rules: dict[str, Any], **fields: Any) -> EscalationPolicy:
    """Create at the service level, as the system."""
    payload = EscalationPayload.model_validate(escalation(name, *rules, **fields))
    return escalations.create_policy(session, actor=SYSTEM, payload=payload)
