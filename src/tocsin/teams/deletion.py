"""What a team still owns, for deleting it: what stops the deletion (integrations and heartbeats
of the team, escalation rules of other teams that name it: those cannot follow it away), and
what goes with it or loses its owner. The API's delete and the web's confirmation page both ask
here, so they tell the same story."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

# Read here until these domains have service functions to ask (theirs import teams).
from tocsin.escalations.models import EscalationPolicy, EscalationRule
from tocsin.heartbeats.models import Heartbeat
from tocsin.integrations.models import Integration
from tocsin.oncall.models import Schedule
from tocsin.policies.models import Policy
from tocsin.routing.models import RoutingRule
from tocsin.teams.models import Team, TeamMember


def _quoted(names: list[str]) -> str:
    return ", ".join(map(repr, names))


def blockers(session: Session, team: Team) -> list[str]:
    """Why the team cannot be deleted yet, each with what to do (empty: it can be)."""
    found = []
    for column, name, what in (
        (Integration.team_id, Integration.name, "integration(s)"),
        (Heartbeat.owner_team_id, Heartbeat.name, "heartbeat(s)"),
    ):
        owned = list(session.scalars(select(name).where(column == team.id).order_by(name)))
        if owned:
            found.append(
                f"team {team.name} owns {what} {_quoted(owned)}; delete them or give them another team first"
            )
    policies = list(
        session.scalars(
            select(EscalationPolicy.name)
            .join(EscalationRule, EscalationRule.policy_id == EscalationPolicy.id)
            .where(EscalationRule.recipient_type == "team", EscalationRule.recipient_id == team.id)
            .where(or_(EscalationPolicy.owner_team_id.is_(None), EscalationPolicy.owner_team_id != team.id))
            .distinct()
            .order_by(EscalationPolicy.name)
        )
    )
    if policies:
        found.append(
            f"team {team.name} is a recipient in escalation policy {_quoted(policies)}; change that first"
        )
    return found


def _count(session: Session, column: InstrumentedAttribute[Any], team_id: str) -> int:
    return session.scalar(select(func.count()).where(column == team_id)) or 0


def goes_with(session: Session, team: Team) -> list[str]:
    """What deleting the team deletes with it or leaves without an owner, in words."""
    said = []
    for count, what in (
        (_count(session, TeamMember.team_id, team.id), "membership(s) end"),
        (
            _count(session, EscalationPolicy.owner_team_id, team.id),
            "escalation policy(ies) of the team are deleted",
        ),
        (_count(session, RoutingRule.team_id, team.id), "routing rule(s) are deleted"),
        (_count(session, Policy.team_id, team.id), "alert policy(ies) are deleted"),
        (_count(session, Schedule.owner_team_id, team.id), "schedule(s) lose their owner team and are kept"),
    ):
        if count:
            said.append(f"{count} {what}")
    return said
