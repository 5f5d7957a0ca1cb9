"""Opsgenie teams → Tocsin teams with their members. A team Tocsin already has (same name, in
any case) keeps its description; the import adds the members it lacks and changes no one's role
in it. Opsgenie's custom team roles have no counterpart: such members come over as users."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tocsin.importer.changes import CANNOT, CREATE, Change, Plan
from tocsin.importer.opsgenie_source import Json
from tocsin.teams import service as teams
from tocsin.teams.models import MEMBER_ROLES


def _members(team: Json, usernames: set[str], notes: list[str]) -> list[tuple[str, str]]:
    members = []
    for member in team.get("members") or []:
        username = str((member.get("user") or {}).get("username") or "").strip().lower()
        role = str(member.get("role") or "user").strip().lower()
        if username not in usernames:
            notes.append(f"member {username or member!r} is not among the imported users")
            continue
        if role not in MEMBER_ROLES:
            notes.append(f"{username}'s team role {role!r} is a custom role; imported as user")
            role = "user"
        members.append((username, role))
    return members


def _create(name: str, description: str, members: list[tuple[str, str]]) -> Any:
    def run(session: Session) -> None:
        teams.create_team(session, name=name, description=description, members=members)

    return run


def _fill(name: str, members: list[tuple[str, str]]) -> Any:
    def run(session: Session) -> None:
        team = teams.get_team(session, name=name)
        present = {user.username for user, _ in teams.members_of(session, team.id)}
        for username, role in members:
            if username not in present:
                teams.add_member(session, team=team, user=username, role=role)

    return run


def plan_teams(session: Session, source_teams: list[Json], usernames: set[str], plan: Plan) -> None:
    """``usernames``: the users Tocsin has or the plan creates (in lower case)."""
    for source in source_teams:
        name = str(source.get("name") or "").strip()
        if not name:
            plan.add(Change("team", repr(source.get("id")), CANNOT, ["it has no name"]))
            continue
        notes: list[str] = []
        members = _members(source, usernames, notes)
        team = teams.find_team(session, name=name)
        if team is None:
            details = [f"{len(members)} member(s)"]
            plan.add(
                Change(
                    "team",
                    name,
                    CREATE,
                    details,
                    notes,
                    _create(name, str(source.get("description") or ""), members),
                )
            )
            continue
        present = {user.username for user, _ in teams.members_of(session, team.id)}
        lacking = [(username, role) for username, role in members if username not in present]
        additions = [f"add {username} as {role}" for username, role in lacking]
        plan.add_existing("team", name, additions, [], notes, _fill(name, lacking))
