"""Notification rules: when a person is notified (a new alert, an acknowledgement, a close, a
shift starting or ending) and through which of their contact methods, after how long.

Rules of one action type are ordered (``position``, Opsgenie's ``order``). A rule about alerts
has ``criteria`` (an Opsgenie filter, ``conditions.filters``) saying which alerts it is for: the
engine sends a rule's steps only for alerts its criteria match. Who may read and
change them is who may change the user's contact methods (``teams.may_manage_person``). The
notification engine asks :func:`steps_for_many` what to send."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.conditions.facts import AlertFacts
from tocsin.conditions.filters import MATCH_EVERYTHING, Filter, parse_filter
from tocsin.errors import InvalidInput, NotFound
from tocsin.notify import contacts
from tocsin.notify.models import RULE_ACTIONS, ContactMethod, NotificationRule, NotificationRuleStep
from tocsin.teams import service as teams

NOTIFY_TIMES = {"just-before": 0, "15-minutes-ago": 15, "1-hour-ago": 60, "1-day-ago": 1440}
SCHEDULE_ACTIONS = ("schedule-start", "schedule-end")
NAME_MAX = 100
STEPS_MAX = 20
SEND_AFTER_MAX = 10080
DEFAULT_RULE_NAME = "New alert"


@dataclass(frozen=True)
class StepSpec:
    """A step as asked for: the contact method (matched among the user's by method and address)."""

    method: str
    to: str
    send_after_minutes: int = 0
    enabled: bool = True


@dataclass(frozen=True)
class PlannedStep:
    """One message the notification engine should send for an event."""

    rule_id: str
    rule_name: str
    contact_method_id: str
    method: str
    address: str
    send_after_minutes: int
    notify_before_minutes: int | None
    """For schedule-start and schedule-end rules: how long before the shift changes."""
    verified: bool = True
    """Whether the contact is proved its person's (phone numbers must be before use)."""
    criteria: Filter = field(default=MATCH_EVERYTHING, compare=False)
    """Which alerts the step's rule is for."""


def _require(session: Session, actor: Actor, user: User) -> None:
    teams.require_to_manage_person(session, actor, user, what="the notification rules")


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput("name", f"name must be 1 to {NAME_MAX} characters")
    return name


def _action_type(action_type: str) -> str:
    if action_type not in RULE_ACTIONS:
        raise InvalidInput(
            "actionType", f"actionType must be one of {', '.join(RULE_ACTIONS)}, got {action_type!r}"
        )
    return action_type


def notify_before(action_type: str, notification_time: list[str] | None) -> int | None:
    """``notificationTime`` as stored: minutes before the shift change, for schedule rules only."""
    if action_type not in SCHEDULE_ACTIONS:
        if notification_time:
            raise InvalidInput(
                "notificationTime", "notificationTime is for schedule-start and schedule-end rules only"
            )
        return None
    if notification_time is None:
        return NOTIFY_TIMES["just-before"]
    if len(notification_time) != 1 or notification_time[0] not in NOTIFY_TIMES:
        raise InvalidInput(
            "notificationTime",
            f"notificationTime must be one of {', '.join(NOTIFY_TIMES)} (one per rule), "
            f"got {notification_time!r}",
        )
    return NOTIFY_TIMES[notification_time[0]]


def parse_criteria(action_type: str, raw: dict[str, Any] | None) -> dict[str, Any]:
    """``criteria`` as stored (its Opsgenie JSON); schedule rules take match-all only."""
    criteria = parse_filter(raw, field="criteria")
    if action_type in SCHEDULE_ACTIONS and criteria.type != "match-all":
        raise InvalidInput(
            "criteria",
            f"{action_type} rules are about shifts, not alerts: their criteria can only be match-all",
        )
    return criteria.to_json()


def criteria_of(rule: NotificationRule) -> Filter:
    return parse_filter(rule.criteria or None, field="criteria")


def notification_time_of(rule: NotificationRule) -> list[str]:
    return [name for name, minutes in NOTIFY_TIMES.items() if minutes == rule.notify_before_minutes]


def _steps(session: Session, user: User, specs: list[StepSpec]) -> list[tuple[ContactMethod, StepSpec]]:
    if len(specs) > STEPS_MAX:
        raise InvalidInput("steps", f"a rule may have at most {STEPS_MAX} steps")
    resolved = []
    for index, spec in enumerate(specs):
        if not 0 <= spec.send_after_minutes <= SEND_AFTER_MAX:
            raise InvalidInput(
                f"steps[{index}].sendAfter", f"sendAfter must be 0 to {SEND_AFTER_MAX} minutes"
            )
        contact = contacts.find_contact(session, user.id, spec.method, spec.to)
        if contact is None:
            raise InvalidInput(
                f"steps[{index}].contact",
                f"{user.username} has no {spec.method} contact {spec.to.strip().lower()}; add it first",
            )
        resolved.append((contact, spec))
    return resolved


def _set_steps(session: Session, rule: NotificationRule, steps: list[tuple[ContactMethod, StepSpec]]) -> None:
    for old in session.scalars(select(NotificationRuleStep).where(NotificationRuleStep.rule_id == rule.id)):
        session.delete(old)
    session.flush()
    for position, (contact, spec) in enumerate(steps):
        session.add(
            NotificationRuleStep(
                rule_id=rule.id,
                contact_method_id=contact.id,
                send_after_minutes=spec.send_after_minutes,
                enabled=spec.enabled,
                position=position,
            )
        )
    session.flush()


def _place(session: Session, rule: NotificationRule, order: int | None) -> None:
    """Put ``rule`` at ``order`` among the user's rules of its action type (last when None)."""
    if order is not None and order < 0:
        raise InvalidInput("order", "order must be 0 or more")
    with session.no_autoflush:
        others = [
            sibling
            for sibling in session.scalars(
                select(NotificationRule)
                .where(
                    NotificationRule.user_id == rule.user_id,
                    NotificationRule.action_type == rule.action_type,
                )
                .order_by(NotificationRule.position, NotificationRule.created_at, NotificationRule.id)
            )
            if sibling is not rule
        ]
    others.insert(len(others) if order is None else min(order, len(others)), rule)
    for position, sibling in enumerate(others):
        sibling.position = position


def add_default_rule(session: Session, user: User, contact: ContactMethod) -> NotificationRule:
    """A new user's first rule: e-mail ``contact`` at once about every new alert."""
    rule = NotificationRule(
        user_id=user.id,
        name=DEFAULT_RULE_NAME,
        action_type="create-alert",
        notify_before_minutes=None,
        criteria=MATCH_EVERYTHING.to_json(),
        enabled=True,
        position=0,
        created_at=clock.now(),
    )
    session.add(rule)
    session.flush()
    _set_steps(session, rule, [(contact, StepSpec(contact.method, contact.address))])
    return rule


def list_rules(session: Session, *, actor: Actor, user: User) -> list[NotificationRule]:
    """By action type (in Opsgenie's order), then by order within the type."""
    _require(session, actor, user)
    rules = session.scalars(select(NotificationRule).where(NotificationRule.user_id == user.id))
    return sorted(rules, key=lambda rule: (RULE_ACTIONS.index(rule.action_type), rule.position, rule.id))


def get_rule(session: Session, *, actor: Actor, user: User, rule_id: str) -> NotificationRule:
    _require(session, actor, user)
    rule = session.get(NotificationRule, rule_id.strip())
    if rule is None or rule.user_id != user.id:
        raise NotFound(f"notification rule {rule_id!r} of {user.username} does not exist")
    return rule


def steps_of(session: Session, rule: NotificationRule) -> list[tuple[NotificationRuleStep, ContactMethod]]:
    rows = session.execute(
        select(NotificationRuleStep, ContactMethod)
        .join(ContactMethod, ContactMethod.id == NotificationRuleStep.contact_method_id)
        .where(NotificationRuleStep.rule_id == rule.id)
        .order_by(NotificationRuleStep.position)
    )
    return [(step, contact) for step, contact in rows]


def create_rule(
    session: Session,
    *,
    actor: Actor,
    user: User,
    name: str,
    action_type: str,
    steps: list[StepSpec],
    notification_time: list[str] | None = None,
    enabled: bool = True,
    order: int | None = None,
    criteria: dict[str, Any] | None = None,
) -> NotificationRule:
    _require(session, actor, user)
    action_type = _action_type(action_type)
    rule = NotificationRule(
        user_id=user.id,
        name=_name(name),
        action_type=action_type,
        notify_before_minutes=notify_before(action_type, notification_time),
        criteria=parse_criteria(action_type, criteria),
        enabled=enabled,
        position=0,
        created_at=clock.now(),
    )
    resolved = _steps(session, user, steps)
    _place(session, rule, order)
    session.add(rule)
    session.flush()
    _set_steps(session, rule, resolved)
    return rule


def update_rule(
    session: Session,
    *,
    actor: Actor,
    user: User,
    rule_id: str,
    name: str | None = None,
    notification_time: list[str] | None = None,
    steps: list[StepSpec] | None = None,
    enabled: bool | None = None,
    order: int | None = None,
    criteria: dict[str, Any] | None = None,
) -> NotificationRule:
    """Change what is given; ``steps`` replaces every step of the rule."""
    rule = get_rule(session, actor=actor, user=user, rule_id=rule_id)
    if name is not None:
        rule.name = _name(name)
    if criteria is not None:
        rule.criteria = parse_criteria(rule.action_type, criteria)
    if notification_time is not None:
        rule.notify_before_minutes = notify_before(rule.action_type, notification_time)
    if steps is not None:
        _set_steps(session, rule, _steps(session, user, steps))
    if enabled is not None:
        rule.enabled = enabled
    if order is not None:
        _place(session, rule, order)
    session.flush()
    return rule


def delete_rule(session: Session, *, actor: Actor, user: User, rule_id: str) -> None:
    rule = get_rule(session, actor=actor, user=user, rule_id=rule_id)
    session.delete(rule)
    session.flush()
    remaining = session.scalars(
        select(NotificationRule)
        .where(NotificationRule.user_id == user.id, NotificationRule.action_type == rule.action_type)
        .order_by(NotificationRule.position, NotificationRule.id)
    )
    for position, sibling in enumerate(remaining):
        sibling.position = position
    session.flush()


def set_rule_enabled(
    session: Session, *, actor: Actor, user: User, rule_id: str, enabled: bool
) -> NotificationRule:
    return update_rule(session, actor=actor, user=user, rule_id=rule_id, enabled=enabled)


def steps_for(
    session: Session, user_id: str, action_type: str, facts: AlertFacts | None = None
) -> list[PlannedStep]:
    """What to send ``user_id`` for an event: the enabled steps, to enabled contact methods, of
    their enabled rules of ``action_type`` whose criteria match the alert's ``facts`` (without
    facts, as for a shift: match-all rules only), rule by rule in order. Mute is not applied
    here (see ``notify.mute.is_muted``)."""
    return steps_for_many(session, [user_id], action_type, facts)[user_id]


def steps_for_many(
    session: Session, user_ids: Iterable[str], action_type: str, facts: AlertFacts | None = None
) -> dict[str, list[PlannedStep]]:
    """``steps_for`` of several people in one query: each user id → their steps."""
    return {
        user_id: applying(steps, facts)
        for user_id, steps in candidate_steps_many(session, user_ids, action_type).items()
    }


def applying(steps: list[PlannedStep], facts: AlertFacts | None) -> list[PlannedStep]:
    """The steps whose rule's criteria match ``facts`` (None: only rules for every alert)."""
    if facts is None:
        return [step for step in steps if step.criteria.type == "match-all"]
    return [step for step in steps if step.criteria.matches(facts)]


def needs_facts(steps: Iterable[PlannedStep]) -> bool:
    """Whether choosing among ``steps`` needs to know the alert (some rule is not match-all)."""
    return any(step.criteria.type != "match-all" for step in steps)


def candidate_steps_many(
    session: Session, user_ids: Iterable[str], action_type: str
) -> dict[str, list[PlannedStep]]:
    """Every enabled step of each person's enabled rules of ``action_type``, whatever the
    criteria (each step carries its rule's), in one query; :func:`applying` picks for an alert."""
    _action_type(action_type)
    planned: dict[str, list[PlannedStep]] = {user_id: [] for user_id in user_ids}
    if not planned:
        return planned
    rows = session.execute(
        select(
            NotificationRule.user_id,
            NotificationRule.id,
            NotificationRule.name,
            ContactMethod.id,
            ContactMethod.method,
            ContactMethod.address,
            NotificationRuleStep.send_after_minutes,
            NotificationRule.notify_before_minutes,
            ContactMethod.verified_at.is_not(None),
            NotificationRule.criteria,
        )
        .join(NotificationRuleStep, NotificationRuleStep.rule_id == NotificationRule.id)
        .join(ContactMethod, ContactMethod.id == NotificationRuleStep.contact_method_id)
        .where(
            NotificationRule.user_id.in_(list(planned)),
            NotificationRule.action_type == action_type,
            NotificationRule.enabled.is_(True),
            NotificationRuleStep.enabled.is_(True),
            ContactMethod.enabled.is_(True),
        )
        .order_by(NotificationRule.position, NotificationRule.id, NotificationRuleStep.position)
    )
    criteria: dict[str, Filter] = {}
    for user_id, rule_id, name, contact_id, method, address, after, before, verified, raw in rows:
        if rule_id not in criteria:
            criteria[rule_id] = parse_filter(raw or None, field="criteria")
        planned[user_id].append(
            PlannedStep(
                rule_id, name, contact_id, method, address, after, before, bool(verified), criteria[rule_id]
            )
        )
    return planned
