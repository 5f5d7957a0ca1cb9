"""The JSON an outgoing integration sends about an alert action, in the shape of Opsgenie's
outgoing webhooks (so receivers written for them work): ``action``, ``alert``, ``source`` and the
integration's name, id and type. Times are milliseconds since the epoch, as Opsgenie's are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.alerts.models import Alert
from tocsin.alerts.responders import stored_responders
from tocsin.escalations import service as escalations
from tocsin.integrations.models import Integration
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams

EXTRA_FIELDS = ("note", "oldPriority", "customAction")
"""Fields of an activity event that say more about the action; they join the alert object."""


def _millis(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment is not None else None


def _responder_name(session: Session, kind: str, ref_id: str) -> str:
    if kind == "team":
        team = teams.find_team(session, team_id=ref_id)
        return team.name if team else ""
    if kind == "user":
        user = session.get(User, ref_id)
        return user.username if user else ""
    if kind == "schedule":
        schedule = oncall.find_schedule(session, ref_id)
        return schedule.name if schedule else ""
    policy = escalations.find_policy(session, ref_id)
    return policy.name if policy else ""


def alert_body(
    session: Session, alert: Alert, *, by: str = "", by_user_id: str | None = None
) -> dict[str, Any]:
    responders = [row for row in stored_responders(session, [alert.id])[alert.id] if not row.visible_only]
    team_ids = [row.ref_id for row in responders if row.type == "team"]
    main_team_id = alert.owner_team_id or next(iter(team_ids), None)
    main_team = teams.find_team(session, team_id=main_team_id) if main_team_id else None
    return {
        "alertId": alert.id,
        "message": alert.message,
        "tags": list(alert.tags or []),
        "tinyId": str(alert.tiny_id),
        "entity": alert.entity,
        "alias": alert.alias,
        "createdAt": _millis(alert.created_at),
        "updatedAt": _millis(alert.updated_at),
        "username": by,
        "userId": by_user_id or "",
        "description": alert.description,
        "team": main_team.name if main_team else "",
        "responders": [
            {"id": row.ref_id, "type": row.type, "name": _responder_name(session, row.type, row.ref_id)}
            for row in responders
        ],
        "teams": team_ids,
        "actions": list(alert.actions or []),
        "details": dict(alert.details or {}),
        "priority": alert.priority,
        "source": alert.source,
        "status": alert.status,
        "acknowledged": alert.acknowledged,
        "snoozed": alert.snoozed,
        "owner": alert.owner,
        "count": alert.count,
    }


def event_body(
    session: Session, alert: Alert, integration: Integration, event: dict[str, Any]
) -> dict[str, Any]:
    """The body for one activity event (``tocsin.alerts.activity``) sent through ``integration``."""
    body = alert_body(session, alert, by=event.get("by", ""), by_user_id=event.get("byUserId"))
    body.update({name: event[name] for name in EXTRA_FIELDS if name in event})
    data: dict[str, Any] = {
        "action": event["action"],
        "alert": body,
        "source": dict(event.get("source") or {"name": "", "type": ""}),
        "integrationName": integration.name,
        "integrationId": integration.id,
        "integrationType": integration.type,
    }
    if "customAction" in event:
        data["customAction"] = event["customAction"]
    return data
