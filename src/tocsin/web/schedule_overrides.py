"""Overrides from a schedule's page: someone on call for a time range picked on the schedule's
wall clock (in place of every rotation, or of those ticked), "take on-call" for 1, 2 or 4 hours
(the API's take-on-call), and deleting an override with its ✕ button."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import InvalidInput
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.wallclock import zone_named
from tocsin.web.moments import shown
from tocsin.web.schedule_actions import change_schedule
from tocsin.web.schedule_forms import local_moment

Form_ = Annotated[str, Form()]
FIELDS = {"user": "user_id", "startDate": "start", "endDate": "end", "rotations": "rotations"}


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/schedules/{schedule_id}/overrides", include_in_schema=False)
    async def add_override(
        request: Request,
        schedule_id: str,
        user_id: Form_ = "",
        start: Form_ = "",
        end: Form_ = "",
        rotations: Annotated[list[str] | None, Form()] = None,
        csrf_token: Form_ = "",
    ) -> Response:
        chosen = [rotation for rotation in rotations or [] if rotation]
        entered = {"user_id": user_id, "start": start, "end": end, "rotations": chosen}

        def create(session: Session, actor: Actor) -> str:
            schedule = oncall.schedule_named(session, schedule_id)
            oncall.require_to_change(actor, schedule)
            zone = zone_named(schedule.timezone)
            begins = local_moment(start, zone, "startDate")
            ends = local_moment(end, zone, "endDate")
            override = oncall.create_override(
                session,
                actor=actor,
                schedule_id=schedule.id,
                user=UserRef(id=user_id.strip()),
                start=begins,
                end=ends,
                rotations=[NameRef(id=rotation) for rotation in chosen],
            )
            return oncall.display_names(session, [override.user_id])[override.user_id]

        def said(name: str) -> str:
            return f"{name} is on call from {start.replace('T', ' ')} to {end.replace('T', ' ')}."

        return await change_schedule(
            request, schedule_id, csrf_token, create, said, fields=FIELDS, entered=entered
        )

    @app.post("/schedules/{schedule_id}/overrides/delete", include_in_schema=False)
    async def delete_override(
        request: Request, schedule_id: str, alias: Form_ = "", csrf_token: Form_ = ""
    ) -> Response:
        def remove(session: Session, actor: Actor) -> str:
            override = oncall.get_override(session, schedule_id, alias)
            name = oncall.display_names(session, [override.user_id]).get(override.user_id, "?")
            oncall.delete_override(session, actor=actor, schedule_id=schedule_id, alias=alias)
            return name

        said = "The override for {} is deleted.".format
        return await change_schedule(request, schedule_id, csrf_token, remove, said)

    @app.post("/schedules/{schedule_id}/take", include_in_schema=False)
    async def take_oncall(
        request: Request, schedule_id: str, hours: Form_ = "", csrf_token: Form_ = ""
    ) -> Response:
        def take(session: Session, actor: Actor) -> str:
            if not (hours.isascii() and hours.isdigit() and len(hours) <= 4):
                raise InvalidInput("duration", "choose for how many hours to take on-call")
            taken = oncall.take_oncall(
                session, actor=actor, duration=timedelta(hours=int(hours)), schedule_id=schedule_id
            )
            viewer = accounts.find_user_by_id(session, actor.user_id or "")
            return f"You are on call until {shown(taken[0].end_date, viewer)}."

        return await change_schedule(request, schedule_id, csrf_token, take, str)
