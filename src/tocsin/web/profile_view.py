"""What the profile shows of the person's settings: name, time zone and date format; mute and
quiet hours; notification rules with their steps and the contact methods a step may use."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts import date_formats
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.conditions.filters import PRIORITIES
from tocsin.notify import contacts, mute, rules
from tocsin.notify.models import NotificationRule, NotificationRuleStep
from tocsin.web.moments import time_of_day, when
from tocsin.web.rule_priorities import covers, priorities_of

ACTION_NAMES = {
    "create-alert": "A new alert",
    "acknowledged-alert": "An alert is acknowledged",
    "closed-alert": "An alert is closed",
    "schedule-start": "Your on-call shift starts",
    "schedule-end": "Your on-call shift ends",
}
NOTIFY_TIME_NAMES = {
    "just-before": "just before",
    "15-minutes-ago": "15 minutes before",
    "1-hour-ago": "1 hour before",
    "1-day-ago": "1 day before",
}
METHOD_NAMES = {
    "email": "E-mail",
    "sms": "SMS",
    "voice": "Voice call",
    "ntfy": "Push (ntfy)",
    "mattermost": "Mattermost DM",
    "slack": "Slack DM",
}
SAMPLE = datetime(2026, 12, 7, 22, 30)
"""The moment each date format is shown with on the form."""


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone the server knows, but not the legacy aliases ("US/Eastern", "EST5EDT")."""
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def details_context(user: User) -> dict[str, Any]:
    zones = zone_names()
    return {
        "zones": zones if user.time_zone in zones else (user.time_zone, *zones),
        "date_formats": [(name, SAMPLE.strftime(pattern)) for name, pattern in date_formats.PATTERNS.items()],
        "date_format": user.date_format or date_formats.DEFAULT,
    }


def availability_context(user: User) -> dict[str, Any]:
    now = clock.now()
    until = mute.muted_until(user, now)
    return {
        "muted_until": when(until, user),
        "muted_until_time": time_of_day(until, user) if until else "",
        "quiet_start": user.quiet_start or "",
        "quiet_end": user.quiet_end or "",
        "mute_minutes_max": mute.MAX_MINUTES,
    }


def contact_label(method: str, address: str) -> str:
    return f"{METHOD_NAMES.get(method, method)} {address}"


def rules_context(session: Session, actor: Actor, user: User) -> dict[str, Any]:
    shown = []
    for rule in rules.list_rules(session, actor=actor, user=user):
        steps = rules.steps_of(session, rule)
        criteria = rules.criteria_of(rule)
        shown.append(
            {
                "id": rule.id,
                "name": rule.name,
                "action_type": rule.action_type,
                "action": ACTION_NAMES.get(rule.action_type, rule.action_type),
                "enabled": rule.enabled,
                "before": NOTIFY_TIME_NAMES.get(next(iter(rules.notification_time_of(rule)), ""), "")
                if rule.action_type in rules.SCHEDULE_ACTIONS
                else "",
                "for_alerts": rule.action_type not in rules.SCHEDULE_ACTIONS,
                "covers": covers(criteria),
                "priorities": priorities_of(criteria) or [],
                "steps": [
                    {
                        "contact": contact_label(contact.method, contact.address),
                        "after": step.send_after_minutes,
                        "usable": step.enabled and contact.enabled,
                    }
                    for step, contact in steps
                ],
            }
        )
    for index, row in enumerate(shown):  # rules are ordered among those of their kind only
        row["first"] = index == 0 or shown[index - 1]["action_type"] != row["action_type"]
        row["last"] = index == len(shown) - 1 or shown[index + 1]["action_type"] != row["action_type"]
    choices = [
        (contact.id, contact_label(contact.method, contact.address))
        for contact in contacts.list_contacts(session, actor=actor, user=user)
    ]
    return {
        "rules": shown,
        "step_contacts": choices,
        "action_names": ACTION_NAMES,
        "notify_times": NOTIFY_TIME_NAMES,
        "priorities": PRIORITIES,
        "send_after_max": rules.SEND_AFTER_MAX,
    }


def rules_using(session: Session, contact_id: str) -> list[str]:
    """The names of the person's rules with a step that sends to the contact."""
    found = session.scalars(
        select(NotificationRule.name)
        .join(NotificationRuleStep, NotificationRuleStep.rule_id == NotificationRule.id)
        .where(NotificationRuleStep.contact_method_id == contact_id)
        .distinct()
        .order_by(NotificationRule.name)
    )
    return list(found)
