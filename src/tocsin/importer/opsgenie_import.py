"""``tocsin import opsgenie``: read the account, plan, and (unless only planning) apply the plan
one object per transaction, in an order where what an object names exists before it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from tocsin.accounts.models import User
from tocsin.db import Database
from tocsin.errors import TocsinError
from tocsin.importer.changes import Change, Plan
from tocsin.importer.opsgenie_escalations import plan_escalations
from tocsin.importer.opsgenie_heartbeats import plan_heartbeats
from tocsin.importer.opsgenie_integrations import plan_integrations
from tocsin.importer.opsgenie_maintenance import plan_maintenance, targets
from tocsin.importer.opsgenie_policies import plan_policies
from tocsin.importer.opsgenie_refs import Present
from tocsin.importer.opsgenie_routing import plan_routing
from tocsin.importer.opsgenie_schedules import plan_schedules
from tocsin.importer.opsgenie_source import Source
from tocsin.importer.opsgenie_teams import plan_teams
from tocsin.importer.opsgenie_users import plan_users
from tocsin.outbound import OutboundPolicy


@dataclass
class Applied:
    made: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)


def make_plan(db: Database, source: Source, outbound: OutboundPolicy | None = None) -> Plan:
    """``outbound``: the addresses imported webhooks may post to (public ones only by default)."""
    plan = Plan()
    with db.read_session() as session:
        plan_users(session, source.users, plan)
        usernames = set(session.scalars(select(User.username))) | source.usernames()
        plan_teams(session, source.teams, usernames, plan)
        team_names = {str(team.get("name") or "").strip().lower() for team in source.teams}
        plan_schedules(session, source.schedules, usernames, team_names, plan)
        present = Present.of(session, source, plan)
        plan_escalations(session, source.escalations, present, plan)
        plan_routing(session, source.routing_rules, source.teams, present, plan)
        plan_heartbeats(session, source.heartbeats, present, plan)
        plan_policies(session, source.policies, source.teams, present, plan)
        plan_integrations(session, source.integrations, present, plan, outbound or OutboundPolicy())
        plan_maintenance(session, source.maintenance, targets(source), present, plan)
    return plan


def apply(
    db: Database, plan: Plan, on_change: Callable[[Change, str | None], None] = lambda c, e: None
) -> Applied:
    """Make each change in its own transaction. A change that fails is undone alone and reported;
    the others go on (a team whose member failed to be created fails too, and says so)."""
    applied = Applied()
    for change in plan.to_make():
        assert change.run is not None
        try:
            with db.write_session() as session:
                change.run(session)
        except TocsinError as problem:
            applied.failed.append((change, problem.message))
            on_change(change, problem.message)
            continue
        applied.made.append(change)
        on_change(change, None)
    return applied
