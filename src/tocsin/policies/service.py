"""Policies, global or per team, in order: create, change, enable, disable, reorder, delete.

Alert and notification policies are ordered separately within their scope (global, or one
team). Names are unique within a scope, ignoring case, so people can name a policy in chat."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin import clock, config_version
from tocsin.actors import Actor, may_read_team_config, require_to_manage
from tocsin.alerts import responders as responder_refs
from tocsin.conditions import parse_filter
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.names import name_key
from tocsin.policies import templates
from tocsin.policies.models import Policy
from tocsin.policies.restrictions import parse_restrictions
from tocsin.policies.schemas import PolicyPayload
from tocsin.teams import service as teams


def scope_name(session: Session, team_id: str | None) -> str:
    if team_id is None:
        return "global policies"
    team = teams.find_team(session, team_id=team_id)
    return f"policies of team {team.name if team else team_id}"


def team_id_of(session: Session, identifier: str | None) -> str | None:
    """The team a ``teamId`` names (its id, or its name for people typing it); None for global."""
    if not identifier or not identifier.strip():
        return None
    team = teams.find_team(session, team_id=identifier.strip()) or teams.find_team(session, name=identifier)
    if team is None:
        raise InvalidInput("teamId", f"team {identifier!r} does not exist")
    return team.id


def may_see(actor: Actor, policy: Policy) -> bool:
    return may_read_team_config(actor, policy.team_id)


def list_policies(
    session: Session, *, team_id: str | None, type: str | None = None, actor: Actor | None = None
) -> list[Policy]:
    """The policies of one scope in order (alert policies first when ``type`` is None)."""
    if actor is not None and not may_read_team_config(actor, team_id):
        raise PermissionDenied(f"{actor.display_name} may not read {scope_name(session, team_id)}")
    query = select(Policy).where(_in_scope(team_id)).order_by(Policy.type, Policy.position)
    if type is not None:
        query = query.where(Policy.type == type)
    return list(session.scalars(query))


def get_policy(
    session: Session, policy_id: str, *, team_id: str | None = None, actor: Actor | None = None
) -> Policy:
    """The policy with this id; with ``team_id``, only if it is that team's."""
    policy = session.get(Policy, policy_id.strip())
    if policy is None or (team_id is not None and policy.team_id != team_id):
        raise NotFound(f"no policy with id {policy_id!r}" + (" in that team" if team_id else ""))
    if actor is not None and not may_see(actor, policy):
        raise PermissionDenied(f"{actor.display_name} may not read policy {policy.name}")
    return policy


def find_policy_by_name(session: Session, name: str, *, team_id: str | None = None) -> Policy | None:
    """The policy called ``name`` (any case). Without ``team_id`` every scope is searched, and a
    name found in several scopes is a Conflict naming them."""
    query = select(Policy).where(Policy.name_key == name_key(name))
    if team_id is not None:
        query = query.where(Policy.team_id == team_id)
    found = list(session.scalars(query))
    if len(found) > 1:
        scopes = ", ".join(sorted(scope_name(session, policy.team_id) for policy in found))
        raise Conflict(f"several policies are named {name.strip()!r} ({scopes}); name the team too")
    return found[0] if found else None


def create_policy(
    session: Session, *, actor: Actor, payload: PolicyPayload, team_id: str | None = None
) -> Policy:
    team_id = _agreed_team(session, team_id, payload)
    require_to_manage(actor, team_id, what=scope_name(session, team_id))
    _check_name_free(session, payload.name, team_id)
    documents = _validated(session, payload)
    last = session.scalar(
        select(func.max(Policy.position)).where(_in_scope(team_id), Policy.type == payload.type)
    )
    now = clock.now()
    policy = Policy(
        name=payload.name,
        type=payload.type,
        team_id=team_id,
        description=payload.policy_description,
        enabled=payload.enabled,
        position=0 if last is None else last + 1,
        created_at=now,
        updated_at=now,
        **documents,
    )
    session.add(policy)
    session.flush()
    config_version.bump(session)
    return policy


def update_policy(session: Session, *, actor: Actor, policy: Policy, payload: PolicyPayload) -> Policy:
    """Replace everything the policy says (its place in the order stays)."""
    require_to_manage(actor, policy.team_id, what=scope_name(session, policy.team_id))
    if payload.team_id is not None and team_id_of(session, payload.team_id) != policy.team_id:
        raise InvalidInput("teamId", "a policy cannot move to another team; create it there instead")
    if payload.type != policy.type:
        raise InvalidInput("type", f"policy {policy.name} is an {policy.type} policy; its type cannot change")
    if name_key(payload.name) != policy.name_key:
        _check_name_free(session, payload.name, policy.team_id)
    documents = _validated(session, payload)
    policy.name = payload.name
    policy.description = payload.policy_description
    policy.enabled = payload.enabled
    policy.filter = documents["filter"]
    policy.time_restrictions = documents["time_restrictions"]
    policy.body = documents["body"]
    policy.updated_at = clock.now()
    session.flush()
    config_version.bump(session)
    return policy


def delete_policy(session: Session, *, actor: Actor, policy: Policy) -> None:
    require_to_manage(actor, policy.team_id, what=scope_name(session, policy.team_id))
    team_id, kind = policy.team_id, policy.type
    session.delete(policy)
    session.flush()
    _renumber(_ordered(session, team_id, kind))
    config_version.bump(session)


def set_enabled(session: Session, *, actor: Actor, policy: Policy, enabled: bool) -> Policy:
    require_to_manage(actor, policy.team_id, what=scope_name(session, policy.team_id))
    if policy.enabled != enabled:
        policy.enabled = enabled
        policy.updated_at = clock.now()
        session.flush()
        config_version.bump(session)
    return policy


def change_order(session: Session, *, actor: Actor, policy: Policy, target_index: int) -> Policy:
    """Move the policy to ``target_index`` (0 is first) among the policies of its scope and type."""
    require_to_manage(actor, policy.team_id, what=scope_name(session, policy.team_id))
    ordered = [other for other in _ordered(session, policy.team_id, policy.type) if other.id != policy.id]
    if target_index > len(ordered):
        raise InvalidInput(
            "targetIndex", f"targetIndex must be from 0 to {len(ordered)} ({len(ordered) + 1} policies)"
        )
    ordered.insert(target_index, policy)
    _renumber(ordered)
    policy.updated_at = clock.now()
    session.flush()
    config_version.bump(session)
    return policy


def _in_scope(team_id: str | None) -> Any:
    return Policy.team_id.is_(None) if team_id is None else Policy.team_id == team_id


def _ordered(session: Session, team_id: str | None, kind: str) -> list[Policy]:
    return list(
        session.scalars(
            select(Policy).where(_in_scope(team_id), Policy.type == kind).order_by(Policy.position, Policy.id)
        )
    )


def _renumber(policies: list[Policy]) -> None:
    for position, policy in enumerate(policies):
        if policy.position != position:
            policy.position = position


def _agreed_team(session: Session, query_team: str | None, payload: PolicyPayload) -> str | None:
    from_query, from_body = team_id_of(session, query_team), team_id_of(session, payload.team_id)
    if query_team and payload.team_id and from_query != from_body:
        raise InvalidInput("teamId", "the teamId of the query and of the body name different teams")
    return from_query or from_body


def _check_name_free(session: Session, name: str, team_id: str | None) -> None:
    taken = session.scalar(select(Policy.name).where(_in_scope(team_id), Policy.name_key == name_key(name)))
    if taken is not None:
        raise Conflict(f"a policy named {taken!r} already exists in {scope_name(session, team_id)}")


def _validated(session: Session, payload: PolicyPayload) -> dict[str, Any]:
    """The stored documents of a policy, once every part of it is known to work."""
    body = payload.body()
    if payload.type == "alert":
        templates.check_all(_templates_of(body))
        if payload.responders:
            resolved = responder_refs.resolve(session, payload.responders, field="responders")
            body["responders"] = [
                {"type": found.type, "id": found.id, "name": found.label} for found in resolved
            ]
    return {
        "filter": parse_filter(payload.filter, field="filter").to_json(),
        "time_restrictions": parse_restrictions(payload.time_restrictions),
        "body": body,
    }


def _templates_of(body: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = [
        (body[name], name) for name in ("message", "alias", "description", "entity", "source") if name in body
    ]
    for name in ("tags", "actions"):
        found += [(value, f"{name}[{index}]") for index, value in enumerate(body.get(name, []))]
    found += [(value, f"details.{key}") for key, value in body.get("details", {}).items()]
    return found
