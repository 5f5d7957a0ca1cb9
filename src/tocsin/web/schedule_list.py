"""Schedules: the ones the viewer may see, grouped by owner team (and "No team"), each with
who is on call now and until when; and creating one (name, owner team, time zone,
description) for those who may, through the service the API uses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams
from tocsin.web.admin_forms import sender
from tocsin.web.moments import when
from tocsin.web.pages import db, flash, flashed, redirect, render, signed_in_user, to_login
from tocsin.web.schedule_forms import (
    SCHEDULE_FIELDS,
    ScheduleSubmitted,
    carry_out_on_form,
    may_create,
    owner_choices,
    time_zones,
)


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/schedules", include_in_schema=False)
    def schedules_list(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return schedules_page(request, user, notice=flashed(request))

    @app.post("/schedules", include_in_schema=False)
    async def create(request: Request, form: Annotated[ScheduleSubmitted, Form()]) -> Response:
        entered = form.entered()

        def show(viewer: User, status: int, errors: dict[str, str]) -> Response:
            return schedules_page(request, viewer, status=status, errors=errors, entered=entered)

        user = await sender(
            request, form.csrf_token, lambda viewer, status, error: show(viewer, status, {"": error})
        )
        if isinstance(user, Response):
            return user

        def make(session: Session) -> tuple[str, str]:
            actor = teams.actor_for_user(session, user, channel="web")
            made = oncall.create_schedule(
                session,
                actor=actor,
                name=form.name,
                description=form.description.strip(),
                timezone=form.timezone.strip(),
                owner_team=form.owner(),
            )
            return made.id, made.name

        done = await carry_out_on_form(
            request, user, make, lambda status, errors: show(user, status, errors), SCHEDULE_FIELDS
        )
        if isinstance(done, Response):
            return done
        flash(request, f"Schedule {done[1]} is made: add a rotation to put people on call.")
        return redirect(request, f"/schedules/{done[0]}")


def schedule_groups(session: Session, viewer: User) -> list[dict[str, Any]]:
    """The schedules ``viewer`` may see by owner team (teams by name, "No team" last), each with
    who is on call now and until when."""
    now = clock.now()
    actor = teams.actor_for_user(session, viewer, channel="web")
    team_names = {team.id: team.name for team in teams.list_teams(session)}
    found = oncall.list_schedules(session, actor=actor)
    answers = {schedule.id: oncall.on_call(session, schedule.id, now) for schedule in found}
    names = oncall.display_names(session, {uid for answer in answers.values() for uid in answer.user_ids})
    groups: dict[str, dict[str, Any]] = {}
    for schedule in found:
        team_id = schedule.owner_team_id or ""
        group = groups.setdefault(team_id, {"team": team_names.get(team_id, ""), "schedules": []})
        answer = answers[schedule.id]
        group["schedules"].append(
            {
                "id": schedule.id,
                "name": schedule.name,
                "timezone": schedule.timezone,
                "enabled": schedule.enabled,
                "now": [names[uid] for uid in answer.user_ids if uid in names],
                "until": when(answer.until, viewer),
            }
        )
    return sorted(groups.values(), key=lambda group: (not group["team"], group["team"].lower()))


def schedules_page(
    request: Request,
    viewer: User,
    *,
    status: int = 200,
    notice: str = "",
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, viewer, channel="web")
        groups = schedule_groups(session, viewer)
        owners = owner_choices(session, actor) if may_create(actor) else []
    return render(
        request,
        "schedules.html",
        status,
        user=viewer,
        groups=groups,
        owners=owners,
        zones=time_zones() if owners else [],
        notice=notice,
        errors=errors or {},
        entered=entered or {"timezone": viewer.time_zone or "UTC"},
    )
