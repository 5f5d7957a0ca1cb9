"""/v2/schedules/{identifier}/overrides: who stands in for the rotations, and when."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.api.envelope import JSONBody, ok
from tocsin.oncall import service
from tocsin.oncall.api_common import Configurer, ScheduleIdType, db, deleted
from tocsin.oncall.json_views import override_json
from tocsin.oncall.models import Schedule, ScheduleOverride
from tocsin.oncall.schemas import OverrideChange, OverrideIn

router = APIRouter(strict_content_type=False)


def _views(session: Session, schedule: Schedule, overrides: list[ScheduleOverride]) -> list[dict[str, Any]]:
    names = service.usernames(session, [override.user_id for override in overrides])
    rotations = {rotation.id: rotation.name for rotation in service.rotations_of(session, schedule.id)}
    return [override_json(schedule, o, names.get(o.user_id, ""), rotations) for o in overrides]


@router.get("/{identifier}/overrides")
def list_overrides(request: Request, identifier: str, actor: Configurer, id_type: ScheduleIdType) -> JSONBody:
    with db(request).read_session() as session:
        schedule = service.schedule_named(session, identifier, id_type)
        service.require_to_see(actor, schedule)
        return ok(request, _views(session, schedule, service.list_overrides(session, schedule.id)))


@router.post("/{identifier}/overrides", status_code=201)
async def create_override(
    request: Request, identifier: str, payload: OverrideIn, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    def job(session: Session) -> dict[str, Any]:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        override = service.create_override(
            session,
            actor=actor,
            schedule_id=schedule_id,
            user=payload.user.ref(),
            start=payload.startDate,
            end=payload.endDate,
            rotations=payload.rotation_refs(),
            alias=payload.alias,
        )
        return {"alias": override.alias}

    return ok(request, await request.app.state.writer.run(job), status=201)


@router.get("/{identifier}/overrides/{alias}")
def get_override(
    request: Request, identifier: str, alias: str, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    with db(request).read_session() as session:
        schedule = service.schedule_named(session, identifier, id_type)
        service.require_to_see(actor, schedule)
        override = service.get_override(session, schedule.id, alias)
        return ok(request, _views(session, schedule, [override])[0])


@router.put("/{identifier}/overrides/{alias}")
async def update_override(
    request: Request,
    identifier: str,
    alias: str,
    payload: OverrideChange,
    actor: Configurer,
    id_type: ScheduleIdType,
) -> JSONBody:
    def job(session: Session) -> dict[str, Any]:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        override = service.update_override(
            session,
            actor=actor,
            schedule_id=schedule_id,
            alias=alias,
            user=payload.user.ref(),
            start=payload.startDate,
            end=payload.endDate,
            rotations=payload.rotation_refs(),
        )
        return {"alias": override.alias}

    return ok(request, await request.app.state.writer.run(job))


@router.delete("/{identifier}/overrides/{alias}")
async def delete_override(
    request: Request, identifier: str, alias: str, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    def job(session: Session) -> None:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        service.delete_override(session, actor=actor, schedule_id=schedule_id, alias=alias)

    await request.app.state.writer.run(job)
    return deleted(request)
