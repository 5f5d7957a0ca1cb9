"""Changing a schedule from its page: its name, team, time zone and description; disabling and
enabling it; deleting it after a page that says what goes with it; and making (or revoking)
the secret address of its calendar feed, shown once to copy."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.oncall import feeds
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams
from tocsin.web.admin_forms import refused
from tocsin.web.pages import db, render, signed_in_user, to_login
from tocsin.web.schedule_actions import change_schedule
from tocsin.web.schedule_forms import SCHEDULE_FIELDS, ScheduleSubmitted
from tocsin.web.schedule_page import FEED_LINK, NOT_YOURS, may_change, visible_schedule

Form_ = Annotated[str, Form()]


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/schedules/{schedule_id}/edit", include_in_schema=False)
    async def edit(
        request: Request, schedule_id: str, form: Annotated[ScheduleSubmitted, Form()]
    ) -> Response:
        def change(session: Session, actor: Actor) -> str:
            changes = oncall.ScheduleChanges(
                name=form.name,
                description=form.description.strip(),
                timezone=form.timezone.strip(),
                owner_team=form.owner() if form.team_id else oncall.UNSET,
            )
            return oncall.update_schedule(session, actor=actor, schedule_id=schedule_id, changes=changes).name

        return await change_schedule(
            request, schedule_id, form.csrf_token, change, "Schedule {} is saved.".format,
            fields=SCHEDULE_FIELDS, entered=form.entered(),
        )  # fmt: skip

    @app.post("/schedules/{schedule_id}/enabled", include_in_schema=False)
    async def enable(
        request: Request, schedule_id: str, enabled: Form_ = "", csrf_token: Form_ = ""
    ) -> Response:
        on = enabled == "yes"

        def change(session: Session, actor: Actor) -> str:
            changes = oncall.ScheduleChanges(enabled=on)
            return oncall.update_schedule(session, actor=actor, schedule_id=schedule_id, changes=changes).name

        said = "{} is enabled." if on else "{} is disabled: no one is on call in it."
        return await change_schedule(request, schedule_id, csrf_token, change, said.format)

    @app.get("/schedules/{schedule_id}/delete", include_in_schema=False)
    def confirm_delete(request: Request, schedule_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        with db(request).read_session() as session:
            actor = teams.actor_for_user(session, user, channel="web")
            schedule = visible_schedule(session, actor, schedule_id)
            if schedule is None:
                return render(request, "schedule.html", 404, user=user, schedule=None, message=NOT_YOURS)
            if not may_change(actor, schedule):
                return refused(request, user, f"{user.username} may not change schedule {schedule.name}")
            goes = {
                "id": schedule.id,
                "name": schedule.name,
                "rotations": len(oncall.rotations_of(session, schedule.id)),
                "overrides": len(oncall.list_overrides(session, schedule.id)),
            }
        return render(request, "schedule_delete.html", user=user, schedule=goes)

    @app.post("/schedules/{schedule_id}/delete", include_in_schema=False)
    async def delete(request: Request, schedule_id: str, csrf_token: Form_ = "") -> Response:
        def remove(session: Session, actor: Actor) -> str:
            name = oncall.schedule_named(session, schedule_id).name
            oncall.delete_schedule(session, actor=actor, schedule_id=schedule_id)
            return name

        said = "Schedule {} is deleted.".format
        return await change_schedule(request, schedule_id, csrf_token, remove, said, to="/schedules")

    @app.post("/schedules/{schedule_id}/calendar-link", include_in_schema=False)
    async def calendar_link(request: Request, schedule_id: str, csrf_token: Form_ = "") -> Response:
        def make(session: Session, actor: Actor) -> str:
            return feeds.create_schedule_feed(session, actor=actor, schedule_id=schedule_id)

        def shown_once(token: str) -> str:
            url = settings.base_url + feeds.feed_path(token)
            request.session[FEED_LINK] = {"schedule": schedule_id, "url": url}
            return "A calendar link is ready: copy it now, it is shown only this once."

        return await change_schedule(
            request, schedule_id, csrf_token, make, shown_once, to=f"/schedules/{schedule_id}#calendar"
        )

    @app.post("/schedules/{schedule_id}/calendar-link/revoke", include_in_schema=False)
    async def revoke_links(request: Request, schedule_id: str, csrf_token: Form_ = "") -> Response:
        def revoke(session: Session, actor: Actor) -> int:
            return feeds.revoke_schedule_feeds(session, actor=actor, schedule_id=schedule_id)

        said = "{} calendar link(s) revoked: calendars using them no longer update.".format
        return await change_schedule(
            request, schedule_id, csrf_token, revoke, said, to=f"/schedules/{schedule_id}#calendar"
        )
