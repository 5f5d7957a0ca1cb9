"""Small helpers that put users, teams and integrations in place for a test."""

from __future__ import annotations

from tocsin.actors import Actor
from tocsin.db import Database
from tocsin.integrations import service as integrations
from tocsin.people import service as people
from tocsin.teams import service as teams


def make_user(db: Database, username: str, role: str = "user", password: str | None = "correct horse") -> str:
    with db.write_session() as session:
        return people.create_user(session, username=username, role=role, password=password).id


def make_team(db: Database, name: str, *members: str) -> str:
    with db.write_session() as session:
        return teams.create_team(session, name=name, members=[(member, "user") for member in members]).id


def make_integration(db: Database, name: str, team: str | None = None) -> tuple[Actor, str]:
    """Returns the integration's actor and its key."""
    with db.write_session() as session:
        integration, key = integrations.create_integration(session, type="API", name=name, team_name=team)
        return integrations.actor_for(integration), key
