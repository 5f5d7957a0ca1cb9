"""Opsgenie team routing rules → Tocsin's, team by team: order, name, criteria, time restriction
and time zone, what each notifies (an escalation, a schedule, or nobody), and the default rule.

A team's rules come over together or not at all: they are tried in order, so leaving one out, or
mixing them with rules Tocsin already has for the team, would send alerts elsewhere. A team whose
rules Tocsin has changed (any rule stored, the default rule included) keeps its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.conditions.filters import parse_filter
from tocsin.errors import InvalidInput
from tocsin.importer.changes import CANNOT, CREATE, SAME, Change, Plan
from tocsin.importer.opsgenie_refs import Present
from tocsin.importer.opsgenie_source import Json
from tocsin.oncall import restrictions
from tocsin.oncall.wallclock import zone_named
from tocsin.routing import service as routing
from tocsin.routing.models import RoutingRule
from tocsin.teams import service as teams


def _spec(rule: Json, present: Present) -> routing.RuleSpec:
    """The rule as Tocsin holds it; InvalidInput says why it cannot be."""
    notify = rule.get("notify") or {}
    kind = str(notify.get("type") or "")
    if kind not in ("escalation", "schedule", "none"):
        raise InvalidInput("notify", f"it notifies a {kind or 'missing'} target; Tocsin's rules notify an "
                           "escalation, a schedule or nobody")  # fmt: skip
    if kind != "none":
        lacking = present.lacks(notify)
        if lacking:
            raise InvalidInput("notify", lacking)
    parse_filter(rule.get("criteria"), field="criteria")
    zone = str(rule.get("timezone") or "UTC")
    zone_named(zone)
    restrictions.parse(rule.get("timeRestriction"))
    if rule.get("isDefault") and rule.get("timeRestriction"):
        raise InvalidInput("timeRestriction", "the default rule applies at all times in Tocsin")
    return routing.RuleSpec(
        name=str(rule.get("name") or ""),
        criteria=rule.get("criteria"),
        timezone=zone,
        time_restriction=rule.get("timeRestriction"),
        notify_type=kind,
        notify_ref=None if kind == "none" else str(notify.get("name") or ""),
    )


def _ordered(rules: list[Json]) -> list[Json]:
    """Opsgenie's order, the default rule last."""
    return sorted(rules, key=lambda rule: (bool(rule.get("isDefault")), int(rule.get("order") or 0)))


def _create(team_name: str, specs: list[routing.RuleSpec], default: routing.RuleSpec | None) -> Any:
    def run(session: Session) -> None:
        team = teams.get_team(session, name=team_name)
        for spec in specs:
            routing.create_rule(session, actor=SYSTEM, team=team, spec=spec)
        if default is not None:
            routing.update_rule(session, actor=SYSTEM, team=team, rule_id=team.id, spec=default)

    return run


def _said(spec: routing.RuleSpec) -> str:
    target = spec.notify_type if spec.notify_type == "none" else f"{spec.notify_type} {spec.notify_ref}"
    when = " (at set times)" if spec.time_restriction else ""
    return f"{spec.name or 'unnamed'} → {target}{when}"


def plan_routing(
    session: Session, source: dict[str, list[Json]], source_teams: list[Json], present: Present, plan: Plan
) -> None:
    """``source``: each team's rules by the team's Opsgenie id."""
    names = {str(team.get("id")): str(team.get("name") or "").strip() for team in source_teams}
    for team_id, rules in source.items():
        name = names.get(team_id, "")
        if not name:
            plan.add(Change("routing rules", repr(team_id), CANNOT, ["their team has no name"]))
            continue
        team = teams.find_team(session, name=name)
        if team is not None and session.scalar(select(RoutingRule.id).where(RoutingRule.team_id == team.id)):
            plan.add(Change("routing rules", name, SAME))
            continue
        specs, default, reasons = [], None, []
        for rule in _ordered(rules):
            try:
                spec = _spec(rule, present)
            except InvalidInput as problem:
                reasons.append(f"rule {rule.get('name')!r}: {problem.message}")
                continue
            if rule.get("isDefault"):
                default = spec
            else:
                specs.append(spec)
        if reasons:
            plan.add(Change("routing rules", name, CANNOT, reasons))
            continue
        details = [_said(spec) for spec in specs]
        details.append(
            f"default rule → {_said(default).split(' → ')[1]}" if default else "default rule unchanged"
        )
        plan.add(Change("routing rules", name, CREATE, details, [], _create(name, specs, default)))
