"""People, teams and a schedule for the escalation and team dashboard pages: admin (Tocsin
admin), lead (admin of team ops), ann (member of ops), bob (member of team db); ops_schedule
(team ops) hands off from ann to bob every day at 03:05 UTC. Everyone's password is
"correct horse"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.web.pages import csrf_token_in
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload
from tocsin.oncall import service as oncall
from tocsin.oncall.service import RotationInput, UserRef
from tocsin.people import service as people
from tocsin.teams import service as teams


def email(name: str) -> str:
    return f"{name}@example.com"


def make_world(db: Database) -> dict[str, str]:
    """Ids by name: the people, the teams and the schedule."""
    ids: dict[str, str] = {}
    with db.write_session() as session:
        for name, role in (("admin", "admin"), ("lead", "user"), ("ann", "user"), ("bob", "user")):
            ids[name] = people.create_user(
                session, username=email(name), role=role, password="correct horse", full_name=name.title()
            ).id
        ids["ops"] = teams.create_team(
            session, name="ops", members=[(email("lead"), "admin"), (email("ann"), "user")]
        ).id
        ids["db"] = teams.create_team(session, name="db", members=[(email("bob"), "user")]).id
        schedule = oncall.create_schedule(
            session, actor=SYSTEM, name="ops_schedule", owner_team=oncall.NameRef(name="ops")
        )
        oncall.add_rotation(
            session,
            actor=SYSTEM,
            schedule_id=schedule.id,
            rotation=RotationInput(
                type="daily",
                start=datetime(2026, 12, 1, 3, 5, tzinfo=UTC),
                participants=[UserRef(username=email("ann")), UserRef(username=email("bob"))],
            ),
        )
        ids["ops_schedule"] = schedule.id
    return ids


def make_escalation(db: Database, name: str, rules: list[dict[str, Any]], **fields: Any) -> str:
    with db.write_session() as session:
        payload = EscalationPayload.model_validate({"name": name, "rules": rules, **fields})
        return escalations.create_policy(session, actor=SYSTEM, payload=payload).id


def on_call_then_members(world: dict[str, str]) -> list[dict[str, Any]]:
    """The brief's escalation: ops_schedule's on-call at once, all members of ops after 10 min."""
    return [
        {"recipient": {"type": "schedule", "id": world["ops_schedule"]}},
        {
            "recipient": {"type": "team", "id": world["ops"]},
            "notifyType": "users",
            "delay": {"timeAmount": 10},
        },
    ]


def form_of(world: dict[str, str], **fields: Any) -> dict[str, Any]:
    """The editor's fields for the brief's escalation, as the browser sends them."""
    return {
        "name": "ops escalation",
        "description": "",
        "owner_team": world["ops"],
        "rule_delay": ["0", "10"],
        "rule_condition": ["if-not-acked", "if-not-acked"],
        "rule_notify": ["default", "users"],
        "rule_recipient": [f"schedule:{world['ops_schedule']}", f"team:{world['ops']}"],
        "repeat_wait": "0",
        "repeat_count": "0",
        **fields,
    }


def post(http: Any, page: str, action: str, data: dict[str, Any]) -> httpx.Response:
    """Send a form of ``page`` to ``action`` with the page's CSRF token."""
    token = csrf_token_in(http.get(page).text)
    return http.post(action, data={**data, "csrf_token": token})


def rules_of(db: Database, policy_id: str) -> list[tuple[int, str, str, str, str]]:
    with db.read_session() as session:
        return [
            (rule.delay_minutes, rule.condition, rule.notify_type, rule.recipient_type, rule.recipient_id)
            for rule in escalations.rules_of(session, policy_id)
        ]
