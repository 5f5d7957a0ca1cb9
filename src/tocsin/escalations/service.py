"""Escalation policies: ordered rules saying whom to notify when, until someone acts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.actors import Actor, may_read_team_config, require_to_manage, require_to_read_team_config
from tocsin.alerts.schemas import Ref
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.escalations.models import EscalationPolicy, EscalationRule
from tocsin.escalations.schemas import EscalationPayload, EscalationUpdate, RepeatPayload, RulePayload
from tocsin.names import name_key
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams


def list_policies(session: Session, *, actor: Actor | None = None) -> list[EscalationPolicy]:
    """Every policy by name; with ``actor``, only those it may see."""
    policies = list(session.scalars(select(EscalationPolicy).order_by(EscalationPolicy.name_key)))
    if actor is None:
        return policies
    return [policy for policy in policies if may_see(actor, policy)]


def may_see(actor: Actor, policy: EscalationPolicy) -> bool:
    return may_read_team_config(actor, policy.owner_team_id)


def require_to_see(actor: Actor, policy: EscalationPolicy) -> None:
    require_to_read_team_config(actor, policy.owner_team_id, what=f"escalation {policy.name}")


def find_policy(session: Session, identifier: str, identifier_type: str = "id") -> EscalationPolicy | None:
    if identifier_type == "name":
        return session.scalar(
            select(EscalationPolicy).where(EscalationPolicy.name_key == name_key(identifier))
        )
    return session.get(EscalationPolicy, identifier)


def get_policy(session: Session, identifier: str, identifier_type: str = "id") -> EscalationPolicy:
    policy = find_policy(session, identifier, identifier_type)
    if policy is None:
        raise NotFound(f"no escalation {identifier!r}")
    return policy


def policy_by_ref(session: Session, ref: Ref, *, field: str) -> EscalationPolicy:
    """The policy a request names by id or name; unknown is bad input naming it."""
    policy = find_policy(session, ref.id, "id") if ref.id else None
    if policy is None and (ref.name or ref.id):
        policy = find_policy(session, ref.name or ref.id or "", "name")
    if policy is None:
        raise InvalidInput(field, f"escalation {ref.name or ref.id!r} does not exist")
    return policy


def team_default(session: Session, team_id: str) -> EscalationPolicy | None:
    """The escalation a team's alerts follow."""
    return session.scalar(
        select(EscalationPolicy).where(
            EscalationPolicy.owner_team_id == team_id, EscalationPolicy.is_team_default
        )
    )


def rules_of(session: Session, policy_id: str) -> list[EscalationRule]:
    return list(
        session.scalars(
            select(EscalationRule)
            .where(EscalationRule.policy_id == policy_id)
            .order_by(EscalationRule.position)
        )
    )


def create_policy(session: Session, *, actor: Actor, payload: EscalationPayload) -> EscalationPolicy:
    team_id = _team_id(session, payload.owner_team)
    require_to_manage(actor, team_id, what="this escalation")
    _check_name_free(session, payload.name)
    if payload.team_default and team_id is None:
        raise InvalidInput("teamDefault", "only an escalation with an ownerTeam can be its team's default")
    policy = EscalationPolicy(
        name=payload.name.strip(),
        description=payload.description,
        owner_team_id=team_id,
        is_team_default=False,
        created_at=clock.now(),
    )
    _set_repeat(policy, payload.repeat)
    session.add(policy)
    session.flush()
    _replace_rules(session, policy, payload.rules)
    if payload.team_default:
        _make_team_default(session, policy)
    return policy


def update_policy(
    session: Session, *, actor: Actor, policy: EscalationPolicy, payload: EscalationUpdate
) -> EscalationPolicy:
    require_to_manage(actor, policy.owner_team_id, what=f"escalation {policy.name}")
    if payload.name is not None:
        if name_key(payload.name) != policy.name_key:
            _check_name_free(session, payload.name)
        policy.name = payload.name  # a change of case only is a rename too
    if payload.description is not None:
        policy.description = payload.description
    if "owner_team" in payload.model_fields_set:
        team_id = _team_id(session, payload.owner_team)
        require_to_manage(actor, team_id, what="escalations of that team")
        if team_id != policy.owner_team_id:
            policy.is_team_default = False
        policy.owner_team_id = team_id
    if "repeat" in payload.model_fields_set:
        _set_repeat(policy, payload.repeat)
    if payload.rules is not None:
        _replace_rules(session, policy, payload.rules)
    if payload.team_default is True:
        if policy.owner_team_id is None:
            raise InvalidInput(
                "teamDefault", "only an escalation with an ownerTeam can be its team's default"
            )
        _make_team_default(session, policy)
    elif payload.team_default is False:
        policy.is_team_default = False
    session.flush()
    return policy


def delete_policy(session: Session, *, actor: Actor, policy: EscalationPolicy) -> None:
    require_to_manage(actor, policy.owner_team_id, what=f"escalation {policy.name}")
    session.delete(policy)  # alerts already following it keep their snapshot
    session.flush()


def _check_name_free(session: Session, name: str) -> None:
    existing = find_policy(session, name, "name")
    if existing is not None:
        raise Conflict(f"an escalation named {existing.name!r} already exists")


def _team_id(session: Session, ref: Ref | None) -> str | None:
    if ref is None:
        return None
    team = teams.find_team(session, team_id=ref.id, name=None if ref.id else ref.name)
    if team is None:
        raise InvalidInput("ownerTeam", f"team {ref.name or ref.id!r} does not exist")
    return team.id


def _set_repeat(policy: EscalationPolicy, repeat: RepeatPayload | None) -> None:
    repeat = repeat or RepeatPayload()
    policy.repeat_wait_minutes = repeat.wait_interval
    policy.repeat_count = repeat.count
    policy.repeat_reset_recipient_states = repeat.reset_recipient_states
    policy.repeat_close_alert_after_all = repeat.close_alert_after_all


def _make_team_default(session: Session, policy: EscalationPolicy) -> None:
    session.execute(
        update(EscalationPolicy)
        .where(EscalationPolicy.owner_team_id == policy.owner_team_id, EscalationPolicy.id != policy.id)
        .values(is_team_default=False)
    )
    policy.is_team_default = True


def _replace_rules(session: Session, policy: EscalationPolicy, rules: list[RulePayload]) -> None:
    resolved = [(rule, _recipient_id(session, rule, index)) for index, rule in enumerate(rules)]
    session.execute(delete(EscalationRule).where(EscalationRule.policy_id == policy.id))
    for position, (rule, recipient_id) in enumerate(resolved):
        session.add(
            EscalationRule(
                policy_id=policy.id,
                position=position,
                condition=rule.condition,
                notify_type=rule.notify_type,
                delay_minutes=rule.delay.minutes,
                recipient_type=rule.recipient.type,
                recipient_id=recipient_id,
            )
        )
    session.flush()


def _recipient_id(session: Session, rule: RulePayload, index: int) -> str:
    recipient, field = rule.recipient, f"rules[{index}].recipient"
    found: Any = None
    if recipient.type == "user":
        found = accounts.find_user_by_id(session, recipient.id) if recipient.id else None
        found = found or accounts.find_user(session, recipient.username or recipient.name or "")
    elif recipient.type == "team":
        found = teams.find_team(session, team_id=recipient.id, name=None if recipient.id else recipient.name)
    else:
        found = (
            oncall.find_schedule(session, recipient.id) if recipient.id else None
        ) or oncall.find_schedule(session, recipient.name or recipient.id or "", "name")
    if found is None:
        raise InvalidInput(
            field, f"{recipient.type} {recipient.name or recipient.username or recipient.id!r} does not exist"
        )
    return str(found.id)


def recipient_label(session: Session, recipient_type: str, recipient_id: str) -> str:
    """A recipient's name for people: username, team name or schedule name."""
    if recipient_type == "user":
        user = accounts.find_user_by_id(session, recipient_id)
        return user.username if user else recipient_id
    if recipient_type == "team":
        team = teams.find_team(session, team_id=recipient_id)
        return team.name if team else recipient_id
    schedule = oncall.find_schedule(session, recipient_id)
    return schedule.name if schedule else recipient_id


def snapshot(session: Session, policy: EscalationPolicy) -> dict[str, Any]:
    """The policy as it is now, for an alert to follow whatever later edits do."""
    return {
        "id": policy.id,
        "name": policy.name,
        "rules": [
            {
                "condition": rule.condition,
                "notifyType": rule.notify_type,
                "delayMinutes": rule.delay_minutes,
                "recipient": {
                    "type": rule.recipient_type,
                    "id": rule.recipient_id,
                    "name": recipient_label(session, rule.recipient_type, rule.recipient_id),
                },
            }
            for rule in rules_of(session, policy.id)
        ],
        "repeat": {
            "waitMinutes": policy.repeat_wait_minutes or 0,
            "count": policy.repeat_count,
            "resetRecipientStates": policy.repeat_reset_recipient_states,
            "closeAlertAfterAll": policy.repeat_close_alert_after_all,
        },
    }
