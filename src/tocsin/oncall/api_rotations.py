"""/v2/schedules/{identifier}/rotations: a schedule's rotations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.api.envelope import JSONBody, ok
from tocsin.oncall import service
from tocsin.oncall.api_common import Configurer, ScheduleIdType, db, deleted
from tocsin.oncall.json_views import rotation_json
from tocsin.oncall.schemas import RotationIn, RotationPatch

router = APIRouter(strict_content_type=False)


def rotation_views(session: Session, schedule_id: str) -> list[dict[str, Any]]:
    rotations = service.rotations_of(session, schedule_id)
    participants = service.participants_of(session, [rotation.id for rotation in rotations])
    user_ids = [p.user_id for members in participants.values() for p in members if p.user_id]
    names = service.usernames(session, user_ids)
    return [rotation_json(rotation, participants[rotation.id], names) for rotation in rotations]


@router.get("/{identifier}/rotations")
def list_rotations(request: Request, identifier: str, actor: Configurer, id_type: ScheduleIdType) -> JSONBody:
    with db(request).read_session() as session:
        schedule = service.schedule_named(session, identifier, id_type)
        service.require_to_see(actor, schedule)
        return ok(request, rotation_views(session, schedule.id))


@router.post("/{identifier}/rotations", status_code=201)
async def create_rotation(
    request: Request, identifier: str, payload: RotationIn, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    def job(session: Session) -> dict[str, Any]:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        rotation = service.add_rotation(
            session, actor=actor, schedule_id=schedule_id, rotation=payload.rotation()
        )
        return {"id": rotation.id, "name": rotation.name}

    return ok(request, await request.app.state.writer.run(job), status=201)


@router.get("/{identifier}/rotations/{rotation_id}")
def get_rotation(
    request: Request, identifier: str, rotation_id: str, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    with db(request).read_session() as session:
        schedule = service.schedule_named(session, identifier, id_type)
        service.require_to_see(actor, schedule)
        rotation = service.get_rotation(session, schedule.id, rotation_id)
        participants = service.participants_of(session, [rotation.id])[rotation.id]
        names = service.usernames(session, [p.user_id for p in participants if p.user_id])
        return ok(request, rotation_json(rotation, participants, names))


@router.patch("/{identifier}/rotations/{rotation_id}")
async def update_rotation(
    request: Request,
    identifier: str,
    rotation_id: str,
    payload: RotationPatch,
    actor: Configurer,
    id_type: ScheduleIdType,
) -> JSONBody:
    def job(session: Session) -> dict[str, Any]:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        rotation = service.update_rotation(
            session, actor=actor, schedule_id=schedule_id, rotation_id=rotation_id, changes=payload.changes()
        )
        return {"id": rotation.id, "name": rotation.name}

    return ok(request, await request.app.state.writer.run(job))


@router.delete("/{identifier}/rotations/{rotation_id}")
async def delete_rotation(
    request: Request, identifier: str, rotation_id: str, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    def job(session: Session) -> None:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        service.delete_rotation(session, actor=actor, schedule_id=schedule_id, rotation_id=rotation_id)

    await request.app.state.writer.run(job)
    return deleted(request)
