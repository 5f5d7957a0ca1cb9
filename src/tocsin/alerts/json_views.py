"""Alerts and their parts in Opsgenie's v2 JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tocsin.alerts.models import Alert, AlertLog, AlertNote, AlertRecipient, AlertRequest, AlertResponder


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC with milliseconds and ``Z``, as Opsgenie writes timestamps."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def alert_json(alert: Alert, responders: list[AlertResponder], *, full: bool) -> dict[str, Any]:
    report: dict[str, Any] = {}
    if alert.ack_time is not None:
        report["ackTime"] = alert.ack_time
    if alert.close_time is not None:
        report["closeTime"] = alert.close_time
    if alert.acknowledged_by:
        report["acknowledgedBy"] = alert.acknowledged_by
    if alert.closed_by:
        report["closedBy"] = alert.closed_by
    data: dict[str, Any] = {
        "id": alert.id,
        "tinyId": str(alert.tiny_id),
        "alias": alert.alias,
        "message": alert.message,
        "status": alert.status,
        "acknowledged": alert.acknowledged,
        "isSeen": alert.is_seen,
        "seen": alert.is_seen,
        "tags": alert.tags,
        "snoozed": alert.snoozed,
        "count": alert.count,
        "lastOccurredAt": iso(alert.last_occurred_at),
        "createdAt": iso(alert.created_at),
        "updatedAt": iso(alert.updated_at),
        "source": alert.source,
        "owner": alert.owner,
        "priority": alert.priority,
        "responders": [
            {"type": responder.type, "id": responder.ref_id}
            for responder in responders
            if not responder.visible_only
        ],
        "integration": {
            "id": alert.integration_id or "",
            "name": alert.integration_name,
            "type": alert.integration_type,
        },
        "report": report,
    }
    if alert.snoozed_until is not None:
        data["snoozedUntil"] = iso(alert.snoozed_until)
    if alert.owner_team_id:
        data["ownerTeamId"] = alert.owner_team_id
    if full:
        data["actions"] = alert.actions
        data["entity"] = alert.entity
        data["description"] = alert.description
        data["details"] = alert.details
    return data


def log_json(entry: AlertLog) -> dict[str, Any]:
    return {
        "log": entry.log,
        "type": entry.type,
        "owner": entry.owner,
        "createdAt": iso(entry.created_at),
        "offset": str(entry.id),
    }


def note_json(note: AlertNote) -> dict[str, Any]:
    return {"note": note.note, "owner": note.owner, "createdAt": iso(note.created_at), "offset": str(note.id)}


def request_json(record: AlertRequest) -> dict[str, Any]:
    return {
        "success": record.success,
        "action": record.action,
        "processedAt": iso(record.processed_at),
        "integrationId": record.integration_id,
        "isSuccess": record.success,
        "status": record.status,
        "alertId": record.alert_id,
        "alias": record.alias,
    }


def recipient_json(recipient: AlertRecipient, username: str) -> dict[str, Any]:
    return {
        "user": {"id": recipient.user_id, "username": username},
        "state": recipient.state,
        "method": recipient.method,
        "createdAt": iso(recipient.created_at),
        "updatedAt": iso(recipient.updated_at),
    }
