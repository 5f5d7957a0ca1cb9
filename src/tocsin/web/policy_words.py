"""A stored policy in words, for the list: when it applies and what it does."""

from __future__ import annotations

from typing import Any

from tocsin.web import condition_builder
from tocsin.web.policy_form import TEXTS

DAYS_SHORT = {"monday": "Mon", "tuesday": "Tue", "wednesday": "Wed", "thursday": "Thu"} | {
    "friday": "Fri",
    "saturday": "Sat",
    "sunday": "Sun",
}


def conditions(filter_json: dict[str, Any] | None) -> list[str]:
    return condition_builder.describe(filter_json)


def _clock(item: dict[str, Any], prefix: str) -> str:
    return f"{item.get(f'{prefix}Hour', 0):02d}:{item.get(f'{prefix}Min', 0):02d}"


def when(document: dict[str, Any] | None) -> str:
    if not document:
        return "At any time"
    zone = document.get("timeZone", "UTC")
    if document.get("type") == "time-of-day":
        clock = document["restriction"]
        return f"Every day {_clock(clock, 'start')} to {_clock(clock, 'end')} ({zone})"
    spans = [
        f"{DAYS_SHORT.get(item['startDay'].lower(), item['startDay'])} {_clock(item, 'start')} to "
        f"{DAYS_SHORT.get(item['endDay'].lower(), item['endDay'])} {_clock(item, 'end')}"
        for item in document.get("restrictions", [])
    ]
    return f"{', '.join(spans)} ({zone})"


def _duration(action: dict[str, Any]) -> str:
    duration = action["duration"]
    amount, unit = duration["timeAmount"], duration.get("timeUnit", "minutes")
    return f"{amount} {unit.removesuffix('s') if amount == 1 else unit}"


def effects(kind: str, body: dict[str, Any]) -> list[str]:
    """What the policy does, one line each."""
    if kind == "notification":
        lines = []
        if body.get("suppress"):
            lines.append("Nobody is notified")
        if body.get("delayAction"):
            lines.append(f"Notifications wait {_duration(body['delayAction'])}")
        if body.get("autoCloseAction"):
            lines.append(f"Closed after {_duration(body['autoCloseAction'])} if still open")
        return lines
    lines = [f"{name.title()} becomes “{body[name]}”" for name in TEXTS if name in body]
    if body.get("priority"):
        lines.append(f"Priority becomes {body['priority']}")
    listed = {
        "tags": ", ".join(body.get("tags", [])),
        "actions": ", ".join(body.get("actions", [])),
        "details": ", ".join(f"{key}={value}" for key, value in body.get("details", {}).items()),
        "responders": ", ".join(
            f"{item['type']} {item.get('name') or item['id']}" for item in body.get("responders", [])
        ),
    }
    for name, shown in listed.items():
        if name in body:
            verb = "Replaces the" if body.get(f"ignoreOriginal{name.title()}") else "Adds"
            lines.append(f"{verb} {name}: {shown}")
    if body.get("continue"):
        lines.append("Then the next matching policy applies too")
    return lines
