"""One alert's page (chat notifications link here): its fields, the actions the viewer may take on
it in its state, its notes and log, the notifications sent about it and its chat posts, for the
people who may see it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts import reads
from tocsin.alerts.models import PRIORITIES, Alert, AlertResponder
from tocsin.alerts.service import AlertRef
from tocsin.chat.alert_posts import chat_posts_of
from tocsin.config import Settings
from tocsin.errors import AlertNotFound, PermissionDenied
from tocsin.escalations import service as escalations
from tocsin.escalations.next_rule import has_next_rule
from tocsin.notify.alert_deliveries import deliveries_of
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams
from tocsin.web.alert_forms import RESPONDER_TYPES, SNOOZE_PRESETS, TOMORROW_MORNING
from tocsin.web.moments import when
from tocsin.web.pages import db, flashed, render, signed_in_user, to_login

LOG_ENTRIES_SHOWN = 100
NOTES_SHOWN = 100
CHOICES_SHOWN = 500
"""At most this many users, teams, schedules and escalations are suggested in a form's list."""


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/alerts/{alert_id}", include_in_schema=False)
    def alert_page(request: Request, alert_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return show(request, user, alert_id, notice=flashed(request))


def show(
    request: Request,
    user: User,
    alert_id: str,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    error_for: str = "",
    entered: Mapping[str, str] | None = None,
) -> Response:
    """The page, with a notice, or an error shown at the form ``error_for`` with what was entered."""
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
        choices = _choices(session, actor)
        offered = offers(session, alert, user)
        if not choices["escalation"]:
            offered.discard("escalate")  # no escalation to pick
        context = {
            "offers": offered,
            "choices": choices,
            "deliveries": [
                {**delivery.__dict__, "at": when(delivery.at, user)}
                for delivery in deliveries_of(session, alert.id)
            ],
            "chat_posts": [
                {**post.__dict__, "last_at": when(post.last_at, user)}
                for post in chat_posts_of(session, alert.id)
            ],
        }
    return render(
        request,
        "alert.html",
        status,
        user=user,
        alert=view,
        log=[{"at": when(entry.created_at, user), "text": entry.log, "owner": entry.owner} for entry in log],
        notes=[{"at": when(note.created_at, user), "text": note.note, "owner": note.owner} for note in notes],
        notice=notice,
        error=error,
        error_for=error_for,
        entered=entered or {},
        snooze_presets=[(key, label) for key, (label, _) in SNOOZE_PRESETS.items()],
        tomorrow_morning=TOMORROW_MORNING,
        priorities=PRIORITIES,
        responder_types=RESPONDER_TYPES,
        **context,
    )


def offers(session: Session, alert: Alert, viewer: User) -> set[str]:
    """The actions that make sense for the alert in its state (whoever may see it may act on it,
    as through the API): nothing that moves it along once it is closed."""
    always = {"add-tags", "remove-tag", "add-detail", "remove-detail", "priority", "message", "description"}
    always |= {"note"} | ({"custom-action"} if alert.actions else set())
    if alert.status == "closed":
        return always
    moving = {"close", "snooze", "escalate", "assign", "add-responder"}
    moving.add("unacknowledge" if alert.acknowledged else "acknowledge")
    if alert.owner != viewer.username:
        moving.add("take-ownership")
    if has_next_rule(session, alert.id):
        moving.add("escalate-next")
    return always | moving


def state_of(alert: Alert) -> str:
    if alert.status == "closed":
        return "closed"
    if alert.snoozed:
        return "snoozed"
    return "acknowledged" if alert.acknowledged else "open"


def _view(session: Session, alert: Alert, responders: list[AlertResponder], viewer: User) -> dict[str, Any]:
    return {
        "id": alert.id,
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
        "actions": alert.actions,
        "source": alert.source,
        "entity": alert.entity,
        "count": alert.count,
        "created_at": when(alert.created_at, viewer),
        "acknowledged_by": alert.acknowledged_by,
        "closed_by": alert.closed_by,
    }


def _choices(session: Session, actor: Actor) -> dict[str, list[str]]:
    """Names the forms suggest: every user (as the users API lists them), every team, and the
    schedules and escalations the viewer may read."""
    users, _ = accounts.list_users(session, limit=CHOICES_SHOWN)
    return {
        "user": [user.username for user in users],
        "team": [team.name for team in teams.list_teams(session)][:CHOICES_SHOWN],
        "schedule": [schedule.name for schedule in oncall.list_schedules(session, actor=actor)][
            :CHOICES_SHOWN
        ],
        "escalation": [policy.name for policy in escalations.list_policies(session, actor=actor)][
            :CHOICES_SHOWN
        ],
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
