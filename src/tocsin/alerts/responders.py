"""Turning responder references (by id, name or username) into stored (type, id) pairs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.alerts.models import AlertResponder
from tocsin.alerts.schemas import Ref, ResponderRef, VisibleToRef
from tocsin.errors import InvalidInput
from tocsin.escalations import service as escalations
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams


@dataclass(frozen=True)
class Responder:
    type: str
    id: str
    label: str
    """How people know it: the team name, the username, or the reference given."""


def resolve(session: Session, refs: Iterable[ResponderRef | VisibleToRef], *, field: str) -> list[Responder]:
    """Resolve every reference, de-duplicated, in order; a team, user, schedule or escalation
    that does not exist is an error naming it."""
    resolved: dict[tuple[str, str], Responder] = {}
    for ref in refs:
        responder = resolve_one(session, ref, field=field)
        resolved.setdefault((responder.type, responder.id), responder)
    return list(resolved.values())


def resolve_one(session: Session, ref: Ref, *, field: str, type: str | None = None) -> Responder:
    kind = type or getattr(ref, "type", None) or _infer_type(session, ref)
    if kind == "team":
        team = teams.find_team(session, team_id=ref.id, name=None if ref.id else ref.name)
        if team is None:
            raise InvalidInput(field, f"team {_label(ref)} does not exist")
        return Responder("team", team.id, team.name)
    if kind == "user":
        user = accounts.find_user_by_id(session, ref.id) if ref.id else None
        if user is None and not ref.id:
            user = accounts.find_user(session, ref.username or ref.name or "")
        if user is None:
            raise InvalidInput(field, f"user {_label(ref)} does not exist")
        return Responder("user", user.id, user.username)
    if kind == "schedule":
        schedule = (oncall.find_schedule(session, ref.id) if ref.id else None) or oncall.find_schedule(
            session, ref.name or ref.id or "", "name"
        )
        if schedule is None:
            raise InvalidInput(field, f"schedule {_label(ref)} does not exist")
        return Responder("schedule", schedule.id, schedule.name)
    policy = (escalations.find_policy(session, ref.id) if ref.id else None) or escalations.find_policy(
        session, ref.name or ref.id or "", "name"
    )
    if policy is None:
        raise InvalidInput(field, f"escalation {_label(ref)} does not exist")
    return Responder("escalation", policy.id, policy.name)


def _infer_type(session: Session, ref: Ref) -> str:
    """Clients such as the Python SDK send ``{"name": "ops"}`` or ``{"username": ...}`` without a type."""
    if ref.username:
        return "user"
    if ref.name:
        return "team"
    if ref.id and teams.find_team(session, team_id=ref.id) is not None:
        return "team"
    if ref.id and accounts.find_user_by_id(session, ref.id) is not None:
        return "user"
    raise InvalidInput("responders", f"no team or user has id {ref.id!r}")


def _label(ref: Ref) -> str:
    return repr(ref.name or ref.username or ref.id)


PREFETCHED = "tocsin.prefetched_responders"


@contextmanager
def prefetched_responders(session: Session, alert_ids: list[str]) -> Iterator[None]:
    """Within the block, ``stored_responders`` answers for these alerts from one query made now
    (for work over many alerts that reads them alert by alert, deep down: building posts,
    matching filters). Nothing in the block may change these alerts' responders."""
    session.info[PREFETCHED] = stored_responders(session, alert_ids)
    try:
        yield
    finally:
        del session.info[PREFETCHED]


def stored_responders(session: Session, alert_ids: list[str]) -> dict[str, list[AlertResponder]]:
    """Responder rows of several alerts at once, in the order they were given."""
    known: dict[str, list[AlertResponder]] = session.info.get(PREFETCHED, {})
    if alert_ids and all(alert_id in known for alert_id in alert_ids):
        return {alert_id: known[alert_id] for alert_id in alert_ids}
    grouped: dict[str, list[AlertResponder]] = {alert_id: [] for alert_id in alert_ids}
    if not alert_ids:
        return grouped
    rows = session.scalars(
        select(AlertResponder)
        .where(AlertResponder.alert_id.in_(alert_ids))
        .order_by(AlertResponder.alert_id, AlertResponder.position)
    )
    for row in rows:
        grouped[row.alert_id].append(row)
    return grouped
