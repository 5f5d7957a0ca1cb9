"""The profile's mute ("for 1 hour", "for 4 hours", "until 09:00", or a number of minutes; and
unmute) and quiet hours (every day from a start to an end time in the person's zone), through
``notify.mute`` and ``notify.quiet_hours`` as the API and the chat's ``/genie mute`` do."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.errors import InvalidInput
from tocsin.notify import mute, quiet_hours
from tocsin.teams import service as teams
from tocsin.web.moments import shown, zone_of
from tocsin.web.profile import apply_change

ANCHOR = "#availability"
MORNING = time(9, 0)


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/profile/mute", include_in_schema=False)
    async def mute_me(
        request: Request,
        minutes: Annotated[str, Form()] = "",
        until: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            wanted = minutes_until_morning(user, clock.now()) if until == "morning" else _minutes(minutes)
            end = mute.mute(session, actor=actor, user=user, minutes=wanted)
            return f"Muted until {shown(end, user)}: you will not be paged until then."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)

    @app.post("/profile/unmute", include_in_schema=False)
    async def unmute_me(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        def change(session: Session, user: User) -> str:
            mute.unmute(session, actor=teams.actor_for_user(session, user, channel="web"), user=user)
            return "Unmuted: you will be paged again."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)

    @app.post("/profile/quiet-hours", include_in_schema=False)
    async def set_quiet_hours(
        request: Request,
        start: Annotated[str, Form()] = "",
        end: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            quiet_hours.set_quiet_hours(session, actor=actor, user=user, start=start, end=end)
            return (
                f"Quiet hours set: every day from {user.quiet_start} to {user.quiet_end} ({user.time_zone})."
            )

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)

    @app.post("/profile/quiet-hours/clear", include_in_schema=False)
    async def clear_quiet_hours(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        def change(session: Session, user: User) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            quiet_hours.clear_quiet_hours(session, actor=actor, user=user)
            return "Quiet hours turned off."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)


def minutes_until_morning(user: User, now: datetime) -> int:
    """Whole minutes from ``now`` to the next 09:00 in the person's zone (rounded up)."""
    zone = zone_of(user)
    local = now.astimezone(zone)
    morning = datetime.combine(local.date(), MORNING, tzinfo=zone)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), MORNING, tzinfo=zone)
    return max(1, math.ceil((morning - now).total_seconds() / 60))


def _minutes(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(
            "minutes", f"minutes must be a whole number from 1 to {mute.MAX_MINUTES}, got {value!r}"
        ) from None
