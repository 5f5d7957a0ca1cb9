"""The home page (``GET /``) of a signed-in person: who is on call now in each schedule they may
see (their own teams' first), the open alerts waiting for them, and their own state: muted, in
quiet hours, on call. Not signed in: the login page."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.alerts import waiting
from tocsin.config import Settings
from tocsin.notify import mute, quiet_hours
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams
from tocsin.web.moments import time_of_day, when
from tocsin.web.pages import db, redirect, render, signed_in_user


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return redirect(request, "/login")
        with db(request).read_session() as session:
            context = home_context(session, user)
        return render(request, "home.html", user=user, **context)


def home_context(session: Session, user: User) -> dict[str, Any]:
    now = clock.now()
    actor = teams.actor_for_user(session, user, channel="web")
    own_teams = teams.team_ids_of_user(session, user.id)
    schedules = [schedule for schedule in oncall.list_schedules(session, actor=actor) if schedule.enabled]
    schedules.sort(key=lambda schedule: schedule.owner_team_id not in own_teams)  # stable: by name within
    team_names = {team.id: team.name for team in teams.list_teams(session)}
    answers = [
        (schedule, oncall.on_call(session, schedule.id, now), oncall.next_on_call(session, schedule.id, now))
        for schedule in schedules
    ]
    people = accounts.display_names(
        session, {uid for _, this, after in answers for uid in this.user_ids + after.user_ids}
    )
    rows = [
        {
            "name": schedule.name,
            "team": team_names.get(schedule.owner_team_id or ""),
            "now": [people[uid] for uid in this.user_ids if uid in people],
            "until": when(this.until, user),
            "next": [people[uid] for uid in after.user_ids if uid in people],
            "you": user.id in this.user_ids,
        }
        for schedule, this, after in answers
    ]
    alerts = [
        {
            "id": alert.id,
            "tiny_id": alert.tiny_id,
            "priority": alert.priority,
            "message": alert.message,
            "created": when(alert.created_at, user),
            "count": alert.count,
        }
        for alert in waiting.waiting_for(session, user_id=user.id, team_ids=own_teams)
    ]
    muted_until = mute.muted_until(user, now)
    quiet_until = quiet_hours.quiet_until(user, now)
    return {
        "schedules": rows,
        "waiting": alerts,
        "muted_until": when(muted_until, user),
        "muted_until_time": time_of_day(muted_until, user) if muted_until else "",
        "quiet_until_time": time_of_day(quiet_until, user) if quiet_until else "",
        "on_call_in": [row for row in rows if row["you"]],
    }
