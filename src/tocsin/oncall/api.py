"""REST API under /v2/schedules (Opsgenie v2 shapes): schedules here; rotations, overrides and
on-call reads in the routers included below."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.api.envelope import JSONBody, ok
from tocsin.oncall import api_calendars, api_oncalls, api_overrides, api_rotations, service
from tocsin.oncall.api_common import Configurer, ScheduleIdType, db, deleted
from tocsin.oncall.json_views import schedule_json
from tocsin.oncall.models import Schedule
from tocsin.oncall.schemas import ScheduleIn, SchedulePatch
from tocsin.teams import service as teams

router = APIRouter(prefix="/v2/schedules", strict_content_type=False)
# Fixed paths (/on-calls, NAME.ics) first, so they are not read as a schedule identifier.
router.include_router(api_calendars.router)
router.include_router(api_oncalls.router)
router.include_router(api_rotations.router)
router.include_router(api_overrides.router)


def schedule_view(session: Session, schedule: Schedule, *, with_rotations: bool) -> dict[str, Any]:
    team = teams.find_team(session, team_id=schedule.owner_team_id) if schedule.owner_team_id else None
    rotations = None
    if with_rotations:
        rotations = api_rotations.rotation_views(session, schedule.id)
    return schedule_json(schedule, team, rotations)


@router.get("")
def list_schedules(request: Request, actor: Configurer, expand: str = "") -> JSONBody:
    with_rotations = "rotation" in expand.lower()
    with db(request).read_session() as session:
        schedules = service.list_schedules(session, actor=actor)
        data = [schedule_view(session, schedule, with_rotations=with_rotations) for schedule in schedules]
    return ok(request, data, expandable=["rotation"])


@router.post("", status_code=201)
async def create_schedule(request: Request, payload: ScheduleIn, actor: Configurer) -> JSONBody:
    def job(session: Session) -> dict[str, Any]:
        schedule = service.create_schedule(
            session,
            actor=actor,
            name=payload.name,
            description=payload.description,
            timezone=payload.timezone,
            enabled=payload.enabled,
            owner_team=payload.ownerTeam.ref() if payload.ownerTeam else None,
            rotations=[rotation.rotation() for rotation in payload.rotations],
        )
        return {"id": schedule.id, "name": schedule.name, "enabled": schedule.enabled}

    return ok(request, await request.app.state.writer.run(job), status=201)


@router.get("/{identifier}")
def get_schedule(request: Request, identifier: str, actor: Configurer, id_type: ScheduleIdType) -> JSONBody:
    with db(request).read_session() as session:
        schedule = service.schedule_named(session, identifier, id_type)
        service.require_to_see(actor, schedule)
        return ok(request, schedule_view(session, schedule, with_rotations=True))


@router.patch("/{identifier}")
async def update_schedule(
    request: Request, identifier: str, payload: SchedulePatch, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    def job(session: Session) -> dict[str, Any]:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        schedule = service.update_schedule(
            session, actor=actor, schedule_id=schedule_id, changes=payload.changes()
        )
        return {"id": schedule.id, "name": schedule.name, "enabled": schedule.enabled}

    return ok(request, await request.app.state.writer.run(job))


@router.delete("/{identifier}")
async def delete_schedule(
    request: Request, identifier: str, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    def job(session: Session) -> None:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        service.delete_schedule(session, actor=actor, schedule_id=schedule_id)

    await request.app.state.writer.run(job)
    return deleted(request)
