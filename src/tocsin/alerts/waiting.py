"""The alerts waiting for a person: open, not acknowledged, and meant for them (a responder names
them or one of their teams, or Tocsin has paged them about it). The home page lists these."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertRecipient, AlertResponder
from tocsin.alerts.service import is_open

LIMIT = 50


def waiting_for(
    session: Session, *, user_id: str, team_ids: Collection[str], limit: int = LIMIT
) -> list[Alert]:
    """Newest first, at most ``limit``."""
    named = exists().where(
        AlertResponder.alert_id == Alert.id,
        AlertResponder.visible_only.is_(False),
        or_(
            and_(AlertResponder.type == "user", AlertResponder.ref_id == user_id),
            and_(AlertResponder.type == "team", AlertResponder.ref_id.in_(list(team_ids))),
        ),
    )
    paged = exists().where(AlertRecipient.alert_id == Alert.id, AlertRecipient.user_id == user_id)
    query = (
        select(Alert)
        .where(is_open(), Alert.acknowledged.is_(False), or_(named, paged))
        .order_by(Alert.created_at.desc(), Alert.tiny_id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
