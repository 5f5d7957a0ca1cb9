"""REST API under /v2/users/{identifier} for when a person may be reached: mute and quiet hours
(Tocsin extensions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field, StrictInt
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.accounts.models import User
from tocsin.alerts.json_views import iso
from tocsin.api.envelope import JSONBody, ok
from tocsin.notify import mute, quiet_hours
from tocsin.notify.user_routes import Configurer, Payload, done, read_user, write_user
from tocsin.teams import service as teams

router = APIRouter(prefix="/v2/users", strict_content_type=False)


class MutePayload(Payload):
    minutes: StrictInt = mute.DEFAULT_MINUTES


# Mute (Tocsin extension)


@router.post("/{identifier}/mute")
async def mute_user(
    request: Request, identifier: str, actor: Configurer, payload: MutePayload | None = None
) -> JSONBody:
    minutes = payload.minutes if payload is not None else mute.DEFAULT_MINUTES

    def change(session: Session, user: User) -> str | None:
        return iso(mute.mute(session, actor=actor, user=user, minutes=minutes))

    return done(request, "Muted", {"mutedUntil": await write_user(request, identifier, change)})


@router.delete("/{identifier}/mute")
async def unmute_user(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    await write_user(request, identifier, lambda session, user: mute.unmute(session, actor=actor, user=user))
    return done(request, "Unmuted", {"mutedUntil": None})


# Quiet hours (Tocsin extension)


class QuietHoursPayload(Payload):
    start: str = Field(min_length=1, max_length=5, description="Local time of day, HH:MM")
    end: str = Field(min_length=1, max_length=5, description="Local time of day, HH:MM")


def quiet_hours_json(user: User) -> dict[str, Any]:
    if not user.quiet_start or not user.quiet_end:
        return {"enabled": False, "timeZone": user.time_zone}
    return {"enabled": True, "start": user.quiet_start, "end": user.quiet_end, "timeZone": user.time_zone}


@router.get("/{identifier}/quiet-hours")
def get_quiet_hours(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    def read(session: Session, user: User) -> dict[str, Any]:
        teams.require_to_manage_person(session, actor, user, what="the quiet hours")
        return quiet_hours_json(user)

    return ok(request, read_user(request, identifier, read))


@router.put("/{identifier}/quiet-hours")
async def set_quiet_hours(
    request: Request, identifier: str, payload: QuietHoursPayload, actor: Configurer
) -> JSONBody:
    def change(session: Session, user: User) -> dict[str, Any]:
        changed = quiet_hours.set_quiet_hours(
            session, actor=actor, user=user, start=payload.start, end=payload.end
        )
        return quiet_hours_json(changed)

    return done(request, "Updated", await write_user(request, identifier, change))


@router.delete("/{identifier}/quiet-hours")
async def clear_quiet_hours(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    def change(session: Session, user: User) -> dict[str, Any]:
        quiet_hours.clear_quiet_hours(session, actor=actor, user=user)
        return quiet_hours_json(user)

    return done(request, "Cleared", await write_user(request, identifier, change))
