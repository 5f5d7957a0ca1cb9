"""Forwarding rules: for a period, what would notify one person notifies another instead.

A person may set their own; admins of one of their teams and global configuration rights may set
anyone's. One person's rules may not overlap in time (which one would win?). Forwarding follows
chains (Ada → Bob while Bob → Cy: Ada's notifications reach Cy) and stops at a circle, where the
last person before it is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.db import new_id
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.notify.models import ForwardingRule
from tocsin.teams import service as teams

ALIAS_MAX = 100
MAX_HOPS = 10


@dataclass(frozen=True)
class RuleSpec:
    from_user: str
    """An id or a username."""
    to_user: str
    start: datetime | None
    """None: from now."""
    end: datetime
    alias: str | None = None


def _user(session: Session, identifier: str, field: str) -> User:
    user = accounts.find_user_by_identifier(session, identifier)
    if user is None:
        raise InvalidInput(field, f"{field}: user {identifier!r} does not exist")
    return user


def _checked(session: Session, actor: Actor, spec: RuleSpec, *, keep: ForwardingRule | None = None) -> dict:
    source = _user(session, spec.from_user, "fromUser")
    target = _user(session, spec.to_user, "toUser")
    if source.id == target.id:
        raise InvalidInput("toUser", "toUser must be someone else than fromUser")
    teams.require_to_manage_person(session, actor, source, what="forwarding rules")
    start = spec.start or clock.now()
    if spec.end <= start:
        raise InvalidInput("endDate", "endDate must be after startDate")
    alias = (spec.alias or "").strip() or (keep.alias if keep else new_id())
    if len(alias) > ALIAS_MAX:
        raise InvalidInput("alias", f"alias must be at most {ALIAS_MAX} characters")
    taken = session.scalar(select(ForwardingRule).where(ForwardingRule.alias == alias))
    if taken is not None and taken is not keep:
        raise Conflict(f"a forwarding rule with alias {alias!r} already exists")
    overlapping = session.scalar(
        select(ForwardingRule).where(
            ForwardingRule.from_user_id == source.id,
            ForwardingRule.start_at < spec.end,
            ForwardingRule.end_at > start,
            ForwardingRule.id != (keep.id if keep else ""),
        )
    )
    if overlapping is not None:
        raise Conflict(
            f"{source.username} already forwards from {overlapping.start_at:%Y-%m-%d %H:%M} to "
            f"{overlapping.end_at:%Y-%m-%d %H:%M} UTC (rule {overlapping.alias}): change or delete it first"
        )
    return {
        "alias": alias,
        "from_user_id": source.id,
        "to_user_id": target.id,
        "start_at": start,
        "end_at": spec.end,
    }


def create_rule(session: Session, *, actor: Actor, spec: RuleSpec) -> ForwardingRule:
    rule = ForwardingRule(**_checked(session, actor, spec), created_at=clock.now())
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, *, actor: Actor, rule: ForwardingRule, spec: RuleSpec) -> ForwardingRule:
    _may_change(session, actor, rule)
    for name, value in _checked(session, actor, spec, keep=rule).items():
        setattr(rule, name, value)
    session.flush()
    return rule


def delete_rule(session: Session, *, actor: Actor, rule: ForwardingRule) -> None:
    _may_change(session, actor, rule)
    session.delete(rule)
    session.flush()


def _may_change(session: Session, actor: Actor, rule: ForwardingRule) -> None:
    source = session.get(User, rule.from_user_id)
    assert source is not None  # the rule goes with its user
    teams.require_to_manage_person(session, actor, source, what="forwarding rules")


def get_rule(session: Session, identifier: str, identifier_type: str = "id") -> ForwardingRule:
    column = ForwardingRule.alias if identifier_type == "alias" else ForwardingRule.id
    rule = session.scalar(select(ForwardingRule).where(column == identifier))
    if rule is None:
        raise NotFound(f"forwarding rule {identifier!r} does not exist")
    return rule


def list_rules(session: Session, *, from_user_id: str | None = None) -> list[ForwardingRule]:
    query = select(ForwardingRule).order_by(ForwardingRule.start_at, ForwardingRule.alias)
    if from_user_id is not None:
        query = query.where(ForwardingRule.from_user_id == from_user_id)
    return list(session.scalars(query))


def forwarded_to(session: Session, user_ids: set[str], at: datetime) -> dict[str, list[str]]:
    """For each of ``user_ids`` forwarded at ``at``: the chain of people their notifications
    pass through, ending with the one who is told (one query per hop)."""
    active: dict[str, str] = {}
    asked, queried = set(user_ids), set(user_ids)
    for _ in range(MAX_HOPS):
        if not asked:
            break
        rows = session.execute(
            select(ForwardingRule.from_user_id, ForwardingRule.to_user_id).where(
                ForwardingRule.from_user_id.in_(sorted(asked)),
                ForwardingRule.start_at <= at,
                ForwardingRule.end_at > at,
            )
        ).all()
        active.update(dict(rows))
        asked = {to for _, to in rows} - queried
        queried |= asked
    chains = {}
    for user_id in user_ids:
        chain = [user_id]
        while (
            (next_id := active.get(chain[-1])) is not None and next_id not in chain and len(chain) <= MAX_HOPS
        ):
            chain.append(next_id)
        if len(chain) > 1:
            chains[user_id] = chain
    return chains
