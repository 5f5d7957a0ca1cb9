"""Reading one alert and its log, notes and recipients, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts.models import Alert, AlertLog, AlertNote, AlertRecipient, AlertResponder
from tocsin.alerts.responders import stored_responders
from tocsin.alerts.service import AlertRef, find_alert


@dataclass(frozen=True)
class Page:
    """Entries after (or before) an offset, in the order asked for."""

    offset: str | None
    direction: str
    limit: int
    order: str


def alert_with_responders(
    session: Session, ref: AlertRef, actor: Actor
) -> tuple[Alert, list[AlertResponder]]:
    alert = find_alert(session, ref, actor)
    return alert, stored_responders(session, [alert.id])[alert.id]


def _page_of(
    session: Session, model: type[AlertLog] | type[AlertNote], alert_id: str, page: Page
) -> list[Any]:
    newest_first = page.order == "desc"
    # "prev" walks the other way from the offset; the page is then put back in the asked order.
    walk_descending = newest_first != (page.direction == "prev")
    query = select(model).where(model.alert_id == alert_id)
    if page.offset and page.offset.isdigit():
        boundary = int(page.offset)
        query = query.where(model.id < boundary if walk_descending else model.id > boundary)
    query = query.order_by(model.id.desc() if walk_descending else model.id.asc()).limit(page.limit)
    rows = list(session.scalars(query))
    if walk_descending != newest_first:
        rows.reverse()
    return rows


def logs(session: Session, ref: AlertRef, actor: Actor, page: Page) -> list[AlertLog]:
    alert = find_alert(session, ref, actor)
    return _page_of(session, AlertLog, alert.id, page)


def notes(session: Session, ref: AlertRef, actor: Actor, page: Page) -> list[AlertNote]:
    alert = find_alert(session, ref, actor)
    return _page_of(session, AlertNote, alert.id, page)


def recipients(session: Session, ref: AlertRef, actor: Actor) -> list[tuple[AlertRecipient, str]]:
    """Each recipient with their username."""
    alert = find_alert(session, ref, actor)
    rows = session.execute(
        select(AlertRecipient, User.username)
        .join(User, User.id == AlertRecipient.user_id)
        .where(AlertRecipient.alert_id == alert.id)
        .order_by(AlertRecipient.created_at, User.username)
    )
    return [(recipient, username) for recipient, username in rows]
