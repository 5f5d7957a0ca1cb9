"""An escalation in words, as the list and the preview say it: "0 min: on-call of ops_schedule ·
10 min: all members of ops · repeat twice every 20 min"."""

from __future__ import annotations

from typing import Any

from tocsin.escalations.models import EscalationPolicy

TIMES = {1: "once", 2: "twice"}


def whom(recipient_type: str, notify_type: str, name: str) -> str:
    """Whom a rule notifies: "on-call of ops_schedule", "all members of ops", "ann"."""
    if recipient_type == "user":
        return name
    if recipient_type == "schedule":
        prefix = {"next": "next on-call", "previous": "previous on-call"}.get(notify_type, "on-call")
        return f"{prefix} of {name}"
    prefix = {"users": "all members", "admins": "admins"}.get(notify_type, "on-call")
    return f"{prefix} of team {name}"


def rule_line(rule: dict[str, Any]) -> str:
    """One rule of a policy's snapshot: "10 min: all members of team ops (if not closed)"."""
    recipient = rule["recipient"]
    words = f"{rule['delayMinutes']} min: {whom(recipient['type'], rule['notifyType'], recipient['name'])}"
    return words + (" (if not closed)" if rule["condition"] == "if-not-closed" else "")


def repeat_words(policy: EscalationPolicy) -> str:
    """ "repeat twice every 20 min, then close the alert"; "" without repeats or closing."""
    count, wait = policy.repeat_count, policy.repeat_wait_minutes or 0
    words = ""
    if count:
        times = TIMES.get(count, f"{count} times")
        words = f"repeat {times} {'after' if count == 1 else 'every'} {wait} min"
    if policy.repeat_close_alert_after_all:
        words = f"{words}, then close the alert" if words else "then close the alert"
    return words


def in_words(snapshot: dict[str, Any], policy: EscalationPolicy) -> str:
    parts = [rule_line(rule) for rule in snapshot["rules"]]
    repeat = repeat_words(policy)
    return " · ".join([*parts, repeat] if repeat else parts)
