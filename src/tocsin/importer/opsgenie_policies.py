"""Opsgenie alert policies (global and per team) and notification policies (per team) → Tocsin
policies of the same scope, in Opsgenie's order: name, description, enabled, filter, time
restrictions, and what each does. A policy Tocsin already has (same scope and name) keeps what it
has. A policy is carried whole or not at all: one doing less than in Opsgenie would let alerts
through, or wake people, that Opsgenie held back."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.conditions.filters import parse_filter
from tocsin.errors import InvalidInput
from tocsin.importer.changes import CANNOT, CREATE, SAME, Change, Plan
from tocsin.importer.opsgenie_refs import Present, by_name, invalid
from tocsin.importer.opsgenie_source import Json
from tocsin.names import name_key
from tocsin.policies import service as policies
from tocsin.policies.models import Policy
from tocsin.policies.restrictions import parse_restrictions
from tocsin.policies.schemas import PolicyPayload
from tocsin.teams import service as teams

_COMMON = ("type", "name", "policyDescription", "enabled", "filter", "timeRestrictions")
_ALERT = (
    "message", "alias", "description", "entity", "source", "tags", "actions", "responders", "details",
    "priority", "continue", "ignoreOriginalTags", "ignoreOriginalDetails", "ignoreOriginalResponders",
    "ignoreOriginalActions",
)  # fmt: skip
_NOTIFICATION = ("suppress", "delayAction", "autoCloseAction")
_NO_COUNTERPART = {
    "deduplicationAction": "Tocsin has no deduplication action (notify only after a number of "
    "occurrences); raise the threshold where the alert is made instead",
    "autoRestartAction": "Tocsin has no auto-restart action (notifications restarted after a "
    "while); use the escalation's repeat instead",
}


def _reasons(policy: Json, present: Present) -> list[str]:
    """Why the policy cannot be carried: parts Tocsin has no counterpart for."""
    reasons = [why for key, why in _NO_COUNTERPART.items() if policy.get(key)]
    delay = policy.get("delayAction") or {}
    if delay and delay.get("delayOption") != "for-duration":
        reasons.append(
            f"it delays notifications until {delay.get('delayOption')!r}; Tocsin delays for a duration only"
        )
    if policy.get("ignoreOriginalTeams"):
        reasons.append("it drops the alert's original teams; Tocsin's policies cannot")
    for responder in policy.get("responders") or []:
        lacking = present.lacks(responder)
        if lacking:
            reasons.append(f"its responder {lacking}")
    return reasons


def wanted(policy: Json, present: Present) -> tuple[PolicyPayload | None, list[str]]:
    reasons = _reasons(policy, present)
    if reasons:
        return None, reasons
    kind = policy.get("type")
    keys = _COMMON + (_ALERT if kind == "alert" else _NOTIFICATION)
    body = {key: policy[key] for key in keys if policy.get(key) is not None}
    if body.get("responders"):
        body["responders"] = [by_name(responder) for responder in body["responders"]]
    try:
        payload = PolicyPayload.model_validate(body)
        parse_filter(payload.filter, field="filter")
        parse_restrictions(payload.time_restrictions)
    except ValidationError as problem:
        return None, invalid(problem)
    except InvalidInput as problem:
        return None, [problem.message]
    return payload, []


def _create(payload: PolicyPayload, team: str) -> Any:
    def run(session: Session) -> None:
        owner = teams.get_team(session, name=team).id if team else None
        policies.create_policy(session, actor=SYSTEM, payload=payload, team_id=owner)

    return run


def _does(payload: PolicyPayload) -> list[str]:
    body = payload.body()
    details = [f"{key}: {value}" for key, value in body.items() if key not in ("responders",)]
    if payload.responders:
        details.append("responders: " + ", ".join(r.name or r.username or "" for r in payload.responders))
    if payload.time_restrictions:
        details.append("at set times")
    if not payload.enabled:
        details.append("disabled")
    return details


def _held(session: Session, name: str, team: str) -> Policy | None:
    """Tocsin's policy of this name in this scope (global when ``team`` is "")."""
    owner = teams.find_team(session, name=team) if team else None
    if team and owner is None:
        return None
    scope = Policy.team_id == owner.id if owner else Policy.team_id.is_(None)
    return session.scalar(select(Policy).where(Policy.name_key == name_key(name), scope))


def plan_policies(
    session: Session, source: list[Json], source_teams: list[Json], present: Present, plan: Plan
) -> None:
    team_names = {str(team.get("id")): str(team.get("name") or "").strip() for team in source_teams}
    ordered = sorted(
        source, key=lambda p: (str(p.get("teamId") or ""), str(p.get("type")), p.get("order") or 0)
    )
    for policy in ordered:
        name, kind = str(policy.get("name") or "").strip(), f"{policy.get('type')} policy"
        team = team_names.get(str(policy.get("teamId") or ""), "") if policy.get("teamId") else ""
        label = f"{name} (team {team})" if team else name
        if policy.get("teamId") and not team:
            plan.add(Change(kind, label, CANNOT, ["its team is not in this account"]))
            continue
        held = _held(session, name, team)
        if held is not None:
            if held.type == policy.get("type"):
                plan.add(Change(kind, label, SAME))
            else:
                plan.add(Change(kind, label, CANNOT, [f"Tocsin has a {held.type} policy of this name here"]))
            continue
        payload, reasons = wanted(policy, present)
        if payload is None:
            plan.add(Change(kind, label, CANNOT, reasons))
            continue
        present.policies.add((name_key(team), name_key(name)))
        plan.add(Change(kind, label, CREATE, _does(payload), [], _create(payload, team)))
