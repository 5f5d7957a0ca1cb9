"""Every named thing: a second name that is the first in another case or Unicode form is a 409 that
names the one in the way, on both databases; nothing is stored. The thing is found under either."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.accounts.people import CAST, Client
from tocsin import clock
from tocsin.accounts import apikeys
from tocsin.accounts.models import User
from tocsin.db import Database
from tocsin.errors import Conflict
from tocsin.oncall.models import Rotation, Schedule
from tocsin.policies.models import Policy
from tocsin.teams.models import Team


@dataclass(frozen=True)
class Kind:
    create: Callable[[Client, str], httpx.Response]
    listed: Callable[[Client], list[str]]
    """The names stored, as the API lists them."""
    message: Callable[[str], str]
    """The 409's message when ``existing`` is in the way."""


def _schedule(api: Client, name: str) -> httpx.Response:
    return api.post("/v2/schedules", json={"name": name, "timezone": "Europe/Paris"})


def _rotation(api: Client, name: str) -> httpx.Response:
    schedules = api.data("/v2/schedules")
    schedule_id = schedules[0]["id"] if schedules else _schedule(api, "nights").json()["data"]["id"]
    rotation = {
        "name": name,
        "startDate": "2026-03-16T00:00:00Z",
        "type": "daily",
        "participants": [{"type": "user", "username": "ann@example.com"}],
    }
    return api.post(f"/v2/schedules/{schedule_id}/rotations", json=rotation)


def _rotation_names(api: Client) -> list[str]:
    schedules = api.data("/v2/schedules")
    if not schedules:
        return []
    return [rotation["name"] for rotation in api.data(f"/v2/schedules/{schedules[0]['id']}/rotations")]


def _policy(api: Client, name: str) -> httpx.Response:
    policy = {
        "type": "alert",
        "name": name,
        "enabled": True,
        "filter": {"type": "match-all"},
        "priority": "P1",
    }
    return api.post("/v2/policies", json=policy)


def _names(path: str, key: str = "name", inner: str | None = None) -> Callable[[Client], list[str]]:
    def listed(api: Client) -> list[str]:
        found = api.data(path)
        return [item[key] for item in (found[inner] if inner else found)]

    return listed


KINDS = {
    "user": Kind(
        lambda api, name: api.post("/v2/users", json={"username": f"{name}@example.com", "fullName": name}),
        lambda api: [
            name for name in (u["username"].split("@")[0] for u in api.data("/v2/users")) if name not in CAST
        ],
        lambda existing: f"user {existing.lower()}@example.com already exists",
    ),
    "team": Kind(
        lambda api, name: api.post("/v2/teams", json={"name": name}),
        lambda api: [name for name in _names("/v2/teams")(api) if name not in ("ops", "db")],
        lambda existing: f"team {existing} already exists",
    ),
    "schedule": Kind(
        _schedule, _names("/v2/schedules"), lambda existing: f"a schedule named {existing!r} already exists"
    ),
    "rotation": Kind(
        _rotation,
        _rotation_names,
        lambda existing: f"schedule nights already has a rotation named {existing!r}",
    ),
    "escalation": Kind(
        lambda api, name: api.post(
            "/v2/escalations",
            json={
                "name": name,
                "rules": [
                    {
                        "condition": "if-not-acked",
                        "notifyType": "default",
                        "delay": {"timeAmount": 0},
                        "recipient": {"type": "user", "username": "ann@example.com"},
                    }
                ],
            },
        ),
        _names("/v2/escalations"),
        lambda existing: f"an escalation named {existing!r} already exists",
    ),
    "heartbeat": Kind(
        lambda api, name: api.post(
            "/v2/heartbeats", json={"name": name, "interval": 10, "intervalUnit": "minutes", "enabled": True}
        ),
        _names("/v2/heartbeats", inner="heartbeats"),
        lambda existing: f"a heartbeat named {existing!r} already exists",
    ),
    "integration": Kind(
        lambda api, name: api.post("/v2/integrations", json={"name": name, "type": "API"}),
        _names("/v2/integrations"),
        lambda existing: f"an integration named {existing!r} already exists; choose another name",
    ),
    "policy": Kind(
        _policy,
        _names("/v2/policies/alert"),
        lambda existing: f"a policy named {existing!r} already exists in global policies",
    ),
}

# (stored first, then refused): case, the German sharp s both ways, and a decomposed accent.
PAIRS = [("ÉQUIPE", "équipe"), ("Straße", "STRASSE"), ("GROẞ", "groß"), ("cafe\u0301", "CAFÉ")]


@pytest.mark.parametrize(("first", "second"), PAIRS)
@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_a_name_that_differs_only_in_case_or_form_is_a_409_naming_the_existing_one(
    api: Client, cast: dict[str, str], kind: Kind, first: str, second: str
) -> None:
    created = kind.create(api, first)
    assert created.status_code == 201, created.text

    refused = kind.create(api, second)

    assert refused.status_code == 409, refused.text
    assert refused.json()["message"] == kind.message(first)
    assert kind.listed(api) == [first.lower() if kind is KINDS["user"] else first]


def test_an_api_key_name_that_differs_only_in_case_is_refused(db: Database) -> None:
    with db.write_session() as session:
        apikeys.create_api_key(session, name="Straße", rights=["read"])
    with (
        db.write_session() as session,
        pytest.raises(Conflict, match="an API key named 'Straße' already exists"),
    ):
        apikeys.create_api_key(session, name="STRASSE", rights=["read"])
    with db.write_session() as session:
        apikeys.delete_api_key(session, name="strasse")
        assert apikeys.list_api_keys(session) == []


def test_custom_actions_that_differ_only_in_case_or_form_are_listed_twice(api: Client) -> None:
    response = api.post(
        "/v2/integrations",
        json={
            "name": "hooks",
            "type": "Webhook",
            "url": "https://hooks.example.com/",
            "customActions": ["Straße", "STRASSE"],
        },
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"customActions": "custom action 'STRASSE' is listed twice"}


def _bare(session: Session, kind: str, name: str) -> None:
    """Store a named row the way no service does: without looking for the name first."""
    now = clock.now()
    if kind == "team":
        session.add(Team(name=name, description="", created_at=now))
    elif kind == "user":
        session.add(User(username=name, role="user", created_at=now))
    elif kind == "global policy":
        session.add(Policy(name=name, type="alert", created_at=now, updated_at=now))
    else:
        schedule = session.scalar(select(Schedule)) or Schedule(name="nights", timezone="UTC", created_at=now)
        session.add(schedule)
        session.flush()
        session.add(
            Rotation(schedule_id=schedule.id, name=name, type="daily", start_date=now, created_at=now)
        )
    session.flush()


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("team", "a team with that name"),
        ("user", "a user with that name"),
        ("global policy", "a policy in that scope with that name"),
        ("rotation", "a rotation in that schedule with that name"),
    ],
)
def test_a_clash_that_no_check_saw_coming_is_still_a_conflict(db: Database, kind: str, says: str) -> None:
    """Two requests creating the same name at the same moment: the unique index decides, as a 409."""
    with db.write_session() as session:
        _bare(session, kind, "Straße")

    refused = pytest.raises(Conflict, match=f"^{says} already exists; choose another name$")
    with refused, db.write_session() as session:
        _bare(session, kind, "STRASSE")

    model = {"team": Team, "user": User, "global policy": Policy, "rotation": Rotation}[kind]
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(model)) == 1
