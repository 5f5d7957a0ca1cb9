"""Records of accepted requests, answered by ``GET /v2/alerts/requests/{requestId}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.alerts.models import AlertRequest
from tocsin.db import table_of

_INSERT = insert(table_of(AlertRequest))


def row(
    *,
    request_id: str,
    action: str,
    success: bool,
    status: str,
    alert_id: str = "",
    alias: str = "",
    integration_id: str | None = None,
) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "action": action,
        "success": success,
        "status": status[:300],
        "alert_id": alert_id,
        "alias": alias,
        "integration_id": integration_id or "",
        "processed_at": clock.now(),
    }


def record(session: Session, **fields: Any) -> None:
    """Keep the outcome of one request (see ``row`` for the fields)."""
    session.connection().execute(_INSERT, row(**fields))


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(_INSERT, rows)


def get(session: Session, request_id: str) -> AlertRequest | None:
    return session.get(AlertRequest, request_id)


def purge_older_than(session: Session, moment: datetime) -> int:
    result = session.execute(delete(AlertRequest).where(AlertRequest.processed_at < moment))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
