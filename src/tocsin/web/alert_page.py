"""One alert's page (chat notifications link here): its fields, notes and newest log entries, for
the people who may see it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.alerts import reads
from tocsin.alerts.models import Alert, AlertResponder
from tocsin.alerts.service import AlertRef
from tocsin.config import Settings
from tocsin.errors import AlertNotFound, PermissionDenied
from tocsin.escalations import service as escalations
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams
from tocsin.web.moments import when
from tocsin.web.pages import db, render, signed_in_user, to_login

LOG_ENTRIES_SHOWN = 100
NOTES_SHOWN = 100


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/alerts/{alert_id}", include_in_schema=False)
    def alert_page(request: Request, alert_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        with db(request).read_session() as session:
            actor = teams.actor_for_user(session, user, channel="web")
            ref = AlertRef(alert_id)
            try:
                alert, responders = reads.alert_with_responders(session, ref, actor)
            except (AlertNotFound, PermissionDenied):
                # Not visible reads as unknown: the page does not tell who has which alerts.
                return render(request, "alert.html", 404, user=user, alert=None)
            newest_first = reads.Page(offset=None, direction="next", limit=LOG_ENTRIES_SHOWN, order="desc")
            log = reads.logs(session, ref, actor, newest_first)
            notes = reads.notes(session, ref, actor, reads.Page(None, "next", NOTES_SHOWN, "desc"))
            view = _view(session, alert, responders, user)
        return render(
            request,
            "alert.html",
            user=user,
            alert=view,
            log=[
                {"at": when(entry.created_at, user), "text": entry.log, "owner": entry.owner} for entry in log
            ],
            notes=[
                {"at": when(note.created_at, user), "text": note.note, "owner": note.owner} for note in notes
            ],
        )


def state_of(alert: Alert) -> str:
    if alert.status == "closed":
        return "closed"
    if alert.snoozed:
        return "snoozed"
    return "acknowledged" if alert.acknowledged else "open"


def _view(session: Session, alert: Alert, responders: list[AlertResponder], viewer: User) -> dict[str, Any]:
    return {
        "tiny_id": alert.tiny_id,
        "message": alert.message,
        "description": alert.description,
        "state": state_of(alert),
        "snoozed_until": when(alert.snoozed_until, viewer) if alert.snoozed and alert.snoozed_until else None,
        "priority": alert.priority,
        "owner": alert.owner,
        "responders": [_label(session, row) for row in responders if not row.visible_only],
        "visible_to": [_label(session, row) for row in responders if row.visible_only],
        "tags": alert.tags,
        "details": sorted(alert.details.items()),
        "source": alert.source,
        "entity": alert.entity,
        "count": alert.count,
        "created_at": when(alert.created_at, viewer),
        "acknowledged_by": alert.acknowledged_by,
        "closed_by": alert.closed_by,
    }


def _label(session: Session, responder: AlertResponder) -> str:
    """ "team ops", "user ada@example.com": the responder's name, or its id if it is gone."""
    name: str | None = None
    if responder.type == "team":
        team = teams.find_team(session, team_id=responder.ref_id)
        name = team.name if team else None
    elif responder.type == "user":
        person = accounts.find_user_by_id(session, responder.ref_id)
        name = person.username if person else None
    elif responder.type == "schedule":
        schedule = oncall.find_schedule(session, responder.ref_id)
        name = schedule.name if schedule else None
    elif responder.type == "escalation":
        policy = escalations.find_policy(session, responder.ref_id)
        name = policy.name if policy else None
    return f"{responder.type} {name or responder.ref_id}"
