"""What the configuration an import carries over may name: the users, teams, schedules,
escalations, integrations and policies Tocsin has or the same import creates (usernames in lower
case, other names by their name key). Planning checks names against these; running looks each
up by name, since Tocsin's objects have their own ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.escalations.models import EscalationPolicy
from tocsin.importer.changes import CANNOT, Plan
from tocsin.importer.opsgenie_source import Json, Source
from tocsin.integrations.models import Integration
from tocsin.names import name_key
from tocsin.oncall.models import Schedule
from tocsin.policies.models import Policy
from tocsin.teams.models import Team

Model = TypeVar("Model", bound=BaseModel)


@dataclass
class Present:
    usernames: set[str] = field(default_factory=set)
    teams: set[str] = field(default_factory=set)
    schedules: set[str] = field(default_factory=set)
    escalations: set[str] = field(default_factory=set)
    integrations: set[str] = field(default_factory=set)
    policies: set[tuple[str, str]] = field(default_factory=set)
    """(owner team's name key, or "" for a global policy; the policy's name key)."""
    # Integrations and policies start as those Tocsin has; their planners add each they plan to
    # create (maintenance windows, planned after them, name them).

    @classmethod
    def of(cls, session: Session, source: Source, plan: Plan) -> Present:
        """What Tocsin has or ``source`` brings, less what ``plan`` so far cannot carry over."""

        def names(column: Any, found: list[Json]) -> set[str]:
            here = {name_key(str(name)) for name in session.scalars(select(column))}
            return here | {name_key(str(item.get("name") or "")) for item in found} - {""}

        found = cls(
            usernames={str(name).lower() for name in session.scalars(select(User.username))}
            | source.usernames(),
            teams=names(Team.name, source.teams),
            schedules=names(Schedule.name, source.schedules),
            escalations=names(EscalationPolicy.name, source.escalations),
            integrations={name_key(name) for name in session.scalars(select(Integration.name))},
        )
        found.policies = {
            (name_key(team.name) if team else "", policy.name_key)
            for policy, team in session.execute(
                select(Policy, Team).outerjoin(Team, Team.id == Policy.team_id)
            )
        }
        for change in plan.changes:
            if change.action == CANNOT:
                found.drop(change.kind, change.name)
        return found

    def _names_of(self, kind: str) -> set[str] | None:
        return {
            "user": self.usernames,
            "team": self.teams,
            "schedule": self.schedules,
            "escalation": self.escalations,
        }.get(kind)

    def drop(self, kind: str, name: str) -> None:
        """``name`` will not be in Tocsin after all (the plan cannot carry it)."""
        among = self._names_of(kind)
        if among is not None:
            among.discard(name.lower() if kind == "user" else name_key(name))

    def lacks(self, recipient: Json) -> str | None:
        """Why a ``{type, name|username}`` reference names nothing Tocsin will have, or None."""
        kind = str(recipient.get("type") or "")
        label = str(recipient.get("username") if kind == "user" else recipient.get("name") or "").strip()
        among = self._names_of(kind)
        if among is None:
            return f"a {kind or 'nameless'} recipient has no counterpart in Tocsin"
        if (label.lower() if kind == "user" else name_key(label)) not in among:
            return f"{kind} {label or recipient.get('id')!r} is neither in Tocsin nor in this import"
        return None


def by_name(recipient: Json) -> Json:
    """A reference by name only (Opsgenie's ids mean nothing in Tocsin)."""
    if recipient.get("type") == "user":
        return {"type": "user", "username": recipient.get("username")}
    return {"type": recipient.get("type"), "name": recipient.get("name")}


def team_ref(owner: Json | None) -> Json | None:
    name = str((owner or {}).get("name") or "").strip()
    return {"name": name} if name else None


def validated(model: type[Model], body: Json) -> tuple[Model | None, list[str]]:
    """``body`` as Tocsin's request ``model`` takes it, or None and the reasons it does not."""
    try:
        return model.model_validate(body), []
    except ValidationError as problem:
        return None, invalid(problem)


def invalid(problem: ValidationError) -> list[str]:
    """A validation error as the reasons a plan shows."""
    return [
        f"{'.'.join(str(part) for part in error['loc']) or 'it'}: {error['msg']}"
        for error in problem.errors(include_url=False)
    ]
