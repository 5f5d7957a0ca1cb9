"""People for the people and team page tests, made as the CLI would, all with the password
"correct horse": owner (owner), admin (admin), lead (user, admin of team ops), ann (user, member
of ops), bob (user, in no team)."""

from __future__ import annotations

from typing import Any

from tests.web.pages import csrf_token_in
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.db import Database
from tocsin.people import service as people
from tocsin.teams import service as teams

CREW = {
    "owner": ("owner", "Olga Owner"),
    "admin": ("admin", "Adam Admin"),
    "lead": ("user", "Lea Lead"),
    "ann": ("user", "Ann Smith"),
    "bob": ("user", "Bob Jones"),
}


def email(name: str) -> str:
    return f"{name}@example.com"


def make_crew(db: Database) -> dict[str, str]:
    """The people above (and team ops); their ids by short name."""
    ids = {}
    with db.write_session() as session:
        for name, (role, full_name) in CREW.items():
            made = people.create_user(
                session, username=email(name), role=role, password="correct horse", full_name=full_name
            )
            ids[name] = made.id
        ops = teams.create_team(
            session, name="ops", description="Keeps the lights on",
            members=[(email("lead"), "admin"), (email("ann"), "user")],
        )  # fmt: skip
        ids["ops"] = ops.id
    return ids


def person(db: Database, username: str) -> User | None:
    with db.read_session() as session:
        found = accounts.find_user(session, username)
        if found is not None:
            session.expunge(found)
        return found


def submit(http: Any, page: str, action: str, token: str | None = None, **fields: str) -> Any:
    """Open ``page`` and post ``fields`` to ``action`` with the page's CSRF token (or ``token``)."""
    if token is None:
        token = csrf_token_in(http.get(page).text)
    return http.post(action, data={**fields, "csrf_token": token})
