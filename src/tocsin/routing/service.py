"""A team's routing rules, in Opsgenie's shapes, and the route an alert for the team takes.

Rules are tried in order; the first whose criteria match the alert and whose time restriction
(in the rule's time zone) allows the moment decides: start an escalation, notify a schedule's
on-call people, or notify nobody. The default rule comes last and matches everything; until it
is changed it does what a team without routing rules does (``team-default``: the team's default
escalation, or all its members when it has none). Its id is the team's id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.actors import Actor, require_to_manage, require_to_read_team_config
from tocsin.conditions.facts import AlertFacts
from tocsin.conditions.filters import parse_filter
from tocsin.errors import InvalidInput, NotFound
from tocsin.escalations import service as escalations
from tocsin.oncall import restrictions
from tocsin.oncall import service as oncall
from tocsin.oncall.wallclock import zone_named
from tocsin.routing.models import RoutingRule
from tocsin.teams.models import Team

NOTIFY_TYPES = ("escalation", "schedule", "none", "team-default")
NAME_MAX = 100
MAX_RULES = 100


@dataclass(frozen=True)
class RuleSpec:
    name: str = ""
    criteria: dict[str, Any] | None = None
    timezone: str = "UTC"
    time_restriction: dict[str, Any] | None = None
    notify_type: str = "team-default"
    notify_ref: str | None = None
    """The escalation's or schedule's id or name."""
    order: int | None = None


def default_rule(team: Team) -> RoutingRule:
    return RoutingRule(
        id=team.id, team_id=team.id, name="Default Rule", is_default=True,
        criteria={"type": "match-all"}, timezone="UTC", notify_type="team-default", position=0,
    )  # fmt: skip


def rules_of(session: Session, team: Team) -> list[RoutingRule]:
    """The team's rules in the order they are tried, the default rule last."""
    stored = list(
        session.scalars(
            select(RoutingRule).where(RoutingRule.team_id == team.id).order_by(RoutingRule.position)
        )
    )
    ordered = [rule for rule in stored if not rule.is_default]
    return [*ordered, next((rule for rule in stored if rule.is_default), None) or default_rule(team)]


def list_rules(session: Session, *, actor: Actor, team: Team) -> list[RoutingRule]:
    require_to_read_team_config(actor, team.id, what=f"the routing rules of team {team.name}")
    return rules_of(session, team)


def get_rule(session: Session, *, actor: Actor, team: Team, rule_id: str) -> RoutingRule:
    for rule in list_rules(session, actor=actor, team=team):
        if rule.id == rule_id:
            return rule
    raise NotFound(f"routing rule {rule_id!r} of team {team.name} does not exist")


def _target(session: Session, team: Team, notify_type: str, ref: str | None) -> str | None:
    if notify_type not in NOTIFY_TYPES:
        raise InvalidInput("notify.type", f"notify.type must be one of {', '.join(NOTIFY_TYPES)}")
    if notify_type in ("none", "team-default"):
        return None
    if not ref:
        raise InvalidInput("notify", f"notify of type {notify_type} needs the {notify_type}'s id or name")
    if notify_type == "escalation":
        policy = escalations.find_policy(session, ref) or escalations.find_policy(session, ref, "name")
        if policy is None:
            raise InvalidInput("notify", f"escalation {ref!r} does not exist")
        return policy.id
    schedule = oncall.find_schedule(session, ref, "id") or oncall.find_schedule(session, ref, "name")
    if schedule is None:
        raise InvalidInput("notify", f"schedule {ref!r} does not exist")
    return schedule.id


def _fill(session: Session, team: Team, rule: RoutingRule, spec: RuleSpec) -> None:
    name = spec.name.strip()
    if len(name) > NAME_MAX:
        raise InvalidInput("name", f"name must be at most {NAME_MAX} characters")
    criteria = parse_filter(spec.criteria, field="criteria")
    if rule.is_default and criteria.type != "match-all":
        raise InvalidInput("criteria", "the default rule matches every alert; it takes no conditions")
    zone_named(spec.timezone)
    restrictions.parse(spec.time_restriction)
    if rule.is_default and spec.time_restriction:
        raise InvalidInput("timeRestriction", "the default rule applies at all times")
    rule.notify_id = _target(session, team, spec.notify_type, spec.notify_ref)
    rule.notify_type = spec.notify_type
    rule.name = name or rule.name
    rule.criteria = criteria.to_json()
    rule.timezone = spec.timezone
    rule.time_restriction = spec.time_restriction


def create_rule(session: Session, *, actor: Actor, team: Team, spec: RuleSpec) -> RoutingRule:
    require_to_manage(actor, team.id, what=f"the routing rules of team {team.name}")
    ordered = rules_of(session, team)[:-1]
    if len(ordered) >= MAX_RULES:
        raise InvalidInput("order", f"a team has at most {MAX_RULES} routing rules")
    rule = RoutingRule(team_id=team.id, is_default=False)
    _fill(session, team, rule, spec)
    session.add(rule)
    _place(ordered, rule, spec.order)
    session.flush()
    return rule


def update_rule(session: Session, *, actor: Actor, team: Team, rule_id: str, spec: RuleSpec) -> RoutingRule:
    require_to_manage(actor, team.id, what=f"the routing rules of team {team.name}")
    rule = get_rule(session, actor=actor, team=team, rule_id=rule_id)
    if rule.is_default and session.get(RoutingRule, rule.id) is None:
        session.add(rule)  # the default rule is stored once it is changed
    _fill(session, team, rule, spec)
    if spec.order is not None and not rule.is_default:
        _place([r for r in rules_of(session, team)[:-1] if r.id != rule.id], rule, spec.order)
    session.flush()
    return rule


def move_rule(session: Session, *, actor: Actor, team: Team, rule_id: str, order: int) -> None:
    require_to_manage(actor, team.id, what=f"the routing rules of team {team.name}")
    rule = get_rule(session, actor=actor, team=team, rule_id=rule_id)
    if rule.is_default:
        raise InvalidInput("order", "the default rule is always last")
    _place([r for r in rules_of(session, team)[:-1] if r.id != rule.id], rule, order)
    session.flush()


def delete_rule(session: Session, *, actor: Actor, team: Team, rule_id: str) -> None:
    require_to_manage(actor, team.id, what=f"the routing rules of team {team.name}")
    rule = get_rule(session, actor=actor, team=team, rule_id=rule_id)
    if rule.is_default:
        raise InvalidInput(
            "identifier", "the default rule cannot be deleted; change what it notifies instead"
        )
    session.delete(rule)
    _place([r for r in rules_of(session, team)[:-1] if r.id != rule.id], None, None)
    session.flush()


def _place(others: list[RoutingRule], rule: RoutingRule | None, order: int | None) -> None:
    if isinstance(order, bool) or (order is not None and (not isinstance(order, int) or order < 0)):
        raise InvalidInput("order", "order must be a whole number from 0")
    ordered = list(others)
    if rule is not None:
        ordered.insert(len(ordered) if order is None else min(order, len(ordered)), rule)
    for position, each in enumerate(ordered):
        each.position = position


@dataclass(frozen=True)
class Route:
    rule: str
    """The rule's name, for the alert log."""
    notify_type: str
    target_id: str | None


def route(rules: list[RoutingRule], facts: AlertFacts, at: datetime) -> Route:
    """The first rule that takes the alert at ``at`` (the default rule takes every alert)."""
    for rule in rules:
        if not parse_filter(rule.criteria, field="criteria").matches(facts):
            continue
        restriction = restrictions.parse(rule.time_restriction)
        if restriction is not None and not restrictions.allows(restriction, zone_named(rule.timezone), at):
            continue
        return Route(rule.name or "Default Rule", rule.notify_type, rule.notify_id)
    return Route("Default Rule", "team-default", None)
