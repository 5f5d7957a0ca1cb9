"""Finding alerts for the actions that follow, and the writes every action shares: log entries,
notes, responders and recipients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    insert,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from tocsin.actors import Actor, Scope
from tocsin.alerts.models import Alert, AlertLog, AlertNote, AlertRecipient, AlertResponder, dedup_scope_of
from tocsin.alerts.responders import Responder
from tocsin.db import table_of
from tocsin.errors import AlertNotFound, AlertNotVisible, AliasAmbiguous, InvalidInput
from tocsin.escalations.models import EscalationRule
from tocsin.oncall.models import Rotation, RotationParticipant

IDENTIFIER_TYPES = ("id", "alias", "tiny")

# Built once and run straight on the connection with parameters: these run on every create
# and every action, where the ORM's per-statement work would cost more than the SQL.
INSERT_LOG = insert(table_of(AlertLog))
INSERT_NOTE = insert(table_of(AlertNote))
INSERT_RESPONDER = insert(table_of(AlertResponder))
INSERT_RECIPIENT = insert(table_of(AlertRecipient))


@dataclass(frozen=True)
class AlertRef:
    identifier: str
    type: str = "id"

    def __post_init__(self) -> None:
        if self.type not in IDENTIFIER_TYPES:
            raise InvalidInput(
                "identifierType", f"identifierType must be one of {', '.join(IDENTIFIER_TYPES)}"
            )


def is_open() -> ColumnElement[bool]:
    """``status = 'open'`` with the literal in the SQL, so PostgreSQL can use the partial index
    on open aliases even in a prepared statement."""
    return Alert.status == literal_column("'open'")


def alerts_by_id(session: Session, alert_ids: set[str]) -> dict[str, Alert]:
    """Several alerts in one query (the ones that exist)."""
    if not alert_ids:
        return {}
    return {
        alert.id: alert for alert in session.scalars(select(Alert).where(Alert.id.in_(sorted(alert_ids))))
    }


def store_responder(session: Session, alert_id: str, responder: Responder) -> bool:
    """Add one responder to an existing alert; False if it already was one."""
    rows = session.execute(
        select(AlertResponder.type, AlertResponder.ref_id).where(
            AlertResponder.alert_id == alert_id, AlertResponder.visible_only.is_(False)
        )
    ).all()
    if (responder.type, responder.id) in {(row.type, row.ref_id) for row in rows}:
        return False
    session.connection().execute(
        INSERT_RESPONDER,
        {
            "alert_id": alert_id,
            "visible_only": False,
            "type": responder.type,
            "ref_id": responder.id,
            "position": len(rows),
        },
    )
    return True


def ensure_recipient(session: Session, alert_id: str, user_id: str, now: datetime) -> None:
    """Count the person among the alert's recipients (as pending) if they are not yet."""
    if session.get(AlertRecipient, (alert_id, user_id)) is None:
        session.connection().execute(
            INSERT_RECIPIENT,
            {"alert_id": alert_id, "user_id": user_id, "state": "pending", "method": "", "created_at": now,
             "updated_at": now},
        )  # fmt: skip


def set_recipient_state(
    session: Session, alert_id: str, user_id: str, state: str, now: datetime, method: str = ""
) -> None:
    """Where notifying one person stands: pending, notified, muted, failed, or action (they acted)."""
    session.execute(
        update(AlertRecipient)
        .where(AlertRecipient.alert_id == alert_id, AlertRecipient.user_id == user_id)
        .values(state=state, method=method, updated_at=now)
    )


def known_recipients(session: Session, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (alert id, user id) pairs are already among their alerts' recipients."""
    if not pairs:
        return set()
    rows = session.execute(
        select(AlertRecipient.alert_id, AlertRecipient.user_id).where(
            AlertRecipient.alert_id.in_(sorted({alert_id for alert_id, _ in pairs})),
            AlertRecipient.user_id.in_(sorted({user_id for _, user_id in pairs})),
        )
    )
    return {(alert_id, user_id) for alert_id, user_id in rows} & pairs


def add_recipients(session: Session, states: dict[tuple[str, str], str], now: datetime) -> None:
    """``ensure_recipient`` of many new (alert id, user id) pairs at once, each in its state."""
    if states:
        session.connection().execute(
            INSERT_RECIPIENT,
            [
                {"alert_id": alert_id, "user_id": user_id, "state": state, "method": "",
                 "created_at": now, "updated_at": now}
                for (alert_id, user_id), state in states.items()
            ],
        )  # fmt: skip


def set_recipients_state(
    session: Session, pairs: set[tuple[str, str]], state: str, now: datetime, method: str = ""
) -> None:
    """``set_recipient_state`` of many (alert id, user id) pairs at once."""
    if pairs:
        session.execute(
            update(AlertRecipient)
            .where(tuple_(AlertRecipient.alert_id, AlertRecipient.user_id).in_(sorted(pairs)))
            .values(state=state, method=method, updated_at=now)
        )


def log_row(alert_id: str, text: str, actor: Actor, now: datetime) -> dict[str, object]:
    return {
        "alert_id": alert_id,
        "created_at": now,
        "type": "system" if actor.channel == "system" else "alertAction",
        "owner": actor.display_name,
        "log": text,
    }


def add_log(session: Session, alert_id: str, text: str, actor: Actor, now: datetime) -> None:
    session.connection().execute(INSERT_LOG, log_row(alert_id, text, actor, now))


def add_note(session: Session, alert_id: str, note: str, actor: Actor, now: datetime) -> None:
    session.connection().execute(
        INSERT_NOTE, {"alert_id": alert_id, "created_at": now, "owner": actor.display_name, "note": note}
    )
    add_log(session, alert_id, f"Note added by {actor.describe()}", actor, now)


def visible_condition(scope: Scope) -> ColumnElement[bool]:
    """SQL that is true for the alerts ``scope`` may see: Opsgenie's rule. A responder or
    ``visibleTo`` entry names one of the scope's users or teams, a schedule one of its users is
    in (a participant of one of its rotations), or an escalation whose rules name one of these;
    or Tocsin paged one of its users about the alert."""
    if scope.sees_every_alert:
        return true()
    if not scope.team_ids and not scope.user_ids:
        return false()
    schedules = _schedules_of(scope)
    matches = [
        and_(AlertResponder.type == "team", AlertResponder.ref_id.in_(scope.team_ids)),
        and_(AlertResponder.type == "user", AlertResponder.ref_id.in_(scope.user_ids)),
        and_(AlertResponder.type == "schedule", AlertResponder.ref_id.in_(schedules)),
        and_(
            AlertResponder.type == "escalation",
            AlertResponder.ref_id.in_(_escalations_naming(scope, schedules)),
        ),
    ]
    responder = exists().where(AlertResponder.alert_id == Alert.id, or_(*matches))
    if not scope.user_ids:
        return responder
    # Whoever Tocsin paged about an alert (on call for a schedule, named by an escalation) may see
    # it and answer from their phone, whether or not a responder names them or their team.
    paged = exists().where(AlertRecipient.alert_id == Alert.id, AlertRecipient.user_id.in_(scope.user_ids))
    return or_(responder, paged)


def _schedules_of(scope: Scope) -> Select[str]:
    """The ids of the schedules with one of the scope's users in a rotation."""
    return (
        select(Rotation.schedule_id)
        .join(RotationParticipant, RotationParticipant.rotation_id == Rotation.id)
        .where(RotationParticipant.user_id.in_(scope.user_ids))
    )


def _escalations_naming(scope: Scope, schedules: Select[str]) -> Select[str]:
    """The ids of the escalations with a rule naming one of the scope's users, teams or schedules."""
    return select(EscalationRule.policy_id).where(
        or_(
            and_(EscalationRule.recipient_type == "user", EscalationRule.recipient_id.in_(scope.user_ids)),
            and_(EscalationRule.recipient_type == "team", EscalationRule.recipient_id.in_(scope.team_ids)),
            and_(EscalationRule.recipient_type == "schedule", EscalationRule.recipient_id.in_(schedules)),
        )
    )


def find_alert(session: Session, ref: AlertRef, actor: Actor, *, for_update: bool = False) -> Alert:
    """The alert ``ref`` names, if ``actor`` may see it. An alias names only an open alert; which
    one, when teams have their own (see ``_by_alias``)."""
    if ref.type == "alias":
        return _by_alias(session, ref.identifier, actor, for_update=for_update)
    query = select(Alert)
    if ref.type == "id":
        query = query.where(Alert.id == ref.identifier)
    else:
        if not ref.identifier.isdigit():
            raise AlertNotFound()
        query = query.where(Alert.tiny_id == int(ref.identifier))
    if for_update:
        query = query.with_for_update()
    alert = session.scalar(query)
    if alert is None:
        raise AlertNotFound()
    if not _may_see(session, actor, alert):
        raise AlertNotVisible()
    return alert


def _by_alias(session: Session, alias: str, actor: Actor, *, for_update: bool) -> Alert:
    """The open alert of ``alias`` in the actor's de-duplication scope: the one a create of
    ``alias`` by the actor counts on. An integration (a monitoring tool, which creates and
    closes with the same key) finds nothing else, so a team key never reaches another team's
    alert. People and account keys, which create nothing by alias, fall back to the one open
    alert of that alias among the other scopes; several teams' alerts of it are ambiguous."""
    own = dedup_scope_of(actor.owner_team_id)
    query = select(Alert).where(Alert.alias == alias, is_open())
    if actor.integration_id is not None or actor.owner_team_id is not None:
        query = query.where(Alert.dedup_scope == own)
    if for_update:
        query = query.with_for_update()
    found = list(session.scalars(query))
    if not found:
        raise AlertNotFound()
    visible = [alert for alert in found if _may_see(session, actor, alert)]
    if not visible:
        raise AlertNotVisible()
    candidates = [alert for alert in visible if alert.dedup_scope == own] or visible
    if len(candidates) > 1:
        raise AliasAmbiguous(alias, len(candidates))
    return candidates[0]


def _may_see(session: Session, actor: Actor, alert: Alert) -> bool:
    return actor.scope.sees_every_alert or bool(
        session.scalar(select(visible_condition(actor.scope)).select_from(Alert).where(Alert.id == alert.id))
    )


def open_alerts_raised_through(session: Session, *, alias: str, integration_type: str) -> list[str]:
    """The ids of open alerts with ``alias`` that an integration of ``integration_type`` raised,
    in every scope: for a kind of integration Tocsin itself owns (Heartbeat), to find its own
    alerts even after their owner changed teams."""
    return list(
        session.scalars(
            select(Alert.id).where(
                Alert.alias == alias, Alert.integration_type == integration_type, is_open()
            )
        )
    )
