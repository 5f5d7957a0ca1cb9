"""Opsgenie heartbeats → Tocsin heartbeats: name, description, interval and unit, owner team, and
the alert raised when one expires (message, tags, priority). They come over disabled: until its
sender pings Tocsin instead of Opsgenie, an enabled heartbeat would expire and page someone for
nothing. Each is enabled when its sender is moved. A heartbeat Tocsin already has keeps what it
has."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.schemas import HeartbeatPayload
from tocsin.importer.changes import CANNOT, CREATE, SAME, Change, Plan
from tocsin.importer.opsgenie_refs import Present, team_ref, validated
from tocsin.importer.opsgenie_source import Json

_FIELDS = (
    "name",
    "description",
    "interval",
    "intervalUnit",
    "alertMessage",
    "alertTags",
    "alertPriority",
)


def wanted(source: Json, present: Present) -> tuple[HeartbeatPayload | None, list[str]]:
    owner = team_ref(source.get("ownerTeam"))
    if owner and present.lacks({"type": "team", **owner}):
        return None, [f"its owner team {owner['name']!r} is neither in Tocsin nor in this import"]
    body = {key: source[key] for key in _FIELDS if source.get(key) is not None}
    body["enabled"] = False
    return validated(HeartbeatPayload, {**body, "ownerTeam": owner})


def _create(payload: HeartbeatPayload) -> Any:
    def run(session: Session) -> None:
        heartbeats.create_heartbeat(session, actor=SYSTEM, payload=payload)

    return run


def plan_heartbeats(session: Session, source: list[Json], present: Present, plan: Plan) -> None:
    for found in source:
        name = str(found.get("name") or "").strip()
        if not name:
            plan.add(Change("heartbeat", "(no name)", CANNOT, ["it has no name"]))
            continue
        if heartbeats.find_heartbeat(session, name) is not None:
            plan.add(Change("heartbeat", name, SAME))
            continue
        payload, reasons = wanted(found, present)
        if payload is None:
            plan.add(Change("heartbeat", name, CANNOT, reasons))
            continue
        details = [
            f"every {payload.interval} {payload.interval_unit}",
            f"alert {payload.alert_priority}: {payload.alert_message or name + ' is expired'}",
        ]
        if found.get("enabled", True):
            details.append(
                "disabled until its sender pings Tocsin: then `tocsin heartbeat enable "
                f"{name}` (enabled in Opsgenie, last ping {found.get('lastPingTime') or 'never'})"
            )
        else:
            details.append("disabled, as in Opsgenie")
        plan.add(Change("heartbeat", name, CREATE, details, [], _create(payload)))
