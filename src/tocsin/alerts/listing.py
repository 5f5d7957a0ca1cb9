"""Listing and counting alerts: search query, visibility, sort and paging, all in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from tocsin.actors import Scope
from tocsin.alerts.models import Alert, AlertResponder
from tocsin.alerts.query import to_condition
from tocsin.alerts.responders import stored_responders
from tocsin.alerts.service import is_open, visible_condition

SORT_COLUMNS: dict[str, Any] = {
    "createdAt": Alert.created_at,
    "updatedAt": Alert.updated_at,
    "tinyId": Alert.tiny_id,
    "alias": Alert.alias,
    "message": Alert.message,
    "status": Alert.status,
    "acknowledged": Alert.acknowledged,
    "isSeen": Alert.is_seen,
    "snoozed": Alert.snoozed,
    "snoozedUntil": Alert.snoozed_until,
    "count": Alert.count,
    "lastOccurredAt": Alert.last_occurred_at,
    "source": Alert.source,
    "owner": Alert.owner,
    "integration.name": Alert.integration_name,
    "integration.type": Alert.integration_type,
    "report.ackTime": Alert.ack_time,
    "report.closeTime": Alert.close_time,
    "report.acknowledgedBy": Alert.acknowledged_by,
    "report.closedBy": Alert.closed_by,
}


def _where(scope: Scope, query: str | None, open_only: bool = False) -> ColumnElement[bool]:
    condition = visible_condition(scope) & to_condition(query or "")
    return condition & is_open() if open_only else condition


def list_alerts(
    session: Session,
    *,
    scope: Scope,
    query: str | None = None,
    offset: int = 0,
    limit: int = 20,
    sort: str = "createdAt",
    order: str = "desc",
    open_only: bool = False,
) -> tuple[list[Alert], dict[str, list[AlertResponder]]]:
    column = SORT_COLUMNS[sort]
    ordering = (
        [column.desc(), Alert.tiny_id.desc()] if order == "desc" else [column.asc(), Alert.tiny_id.asc()]
    )
    alerts = list(
        session.scalars(
            select(Alert)
            .where(_where(scope, query, open_only))
            .order_by(*ordering)
            .offset(offset)
            .limit(limit)
        )
    )
    return alerts, stored_responders(session, [alert.id for alert in alerts])


def count_alerts(session: Session, *, scope: Scope, query: str | None = None) -> int:
    return int(session.scalar(select(func.count()).select_from(Alert).where(_where(scope, query))) or 0)
