"""REST API under /v1/maintenance (Opsgenie's shapes; entities may also be named)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin import clock
from tocsin.actors import Actor
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, ok
from tocsin.maintenance import service
from tocsin.maintenance.models import Maintenance
from tocsin.maintenance.schemas import MaintenancePayload
from tocsin.oncall.json_views import iso

router = APIRouter(prefix="/v1/maintenance")
Configurer = Annotated[Actor, Depends(configuration)]


def maintenance_json(session: Session, window: Maintenance, *, with_rules: bool) -> dict[str, Any]:
    time: dict[str, Any] = {"type": window.time_type, "startDate": iso(window.start_at)}
    if window.end_at is not None:
        time["endDate"] = iso(window.end_at)
    data: dict[str, Any] = {
        "id": window.id,
        "status": service.status_of(window, clock.now()),
        "description": window.description,
        "time": time,
    }
    if with_rules:
        data["rules"] = [
            {"state": state, "entity": {"id": entity.id, "type": entity.type, "name": entity.name}}
            for state, entity in service.rules_of(session, window)
        ]
    return data


@router.get("")
def list_maintenance(
    request: Request, actor: Configurer, which: Annotated[str, Query(alias="type")] = "non-expired"
) -> JSONBody:
    with request.app.state.db.read_session() as session:
        windows = service.list_maintenance(session, which=which)
        return ok(request, [maintenance_json(session, window, with_rules=False) for window in windows])


@router.post("", status_code=201)
async def create_maintenance(request: Request, body: MaintenancePayload, actor: Configurer) -> JSONBody:
    def create(session: Session) -> dict[str, Any]:
        window = service.create_maintenance(session, actor=actor, payload=body)
        return maintenance_json(session, window, with_rules=False)

    return ok(request, await request.app.state.writer.run(create), status=201, result="Created")


@router.get("/{maintenance_id}")
def get_maintenance(request: Request, maintenance_id: str, actor: Configurer) -> JSONBody:
    with request.app.state.db.read_session() as session:
        window = service.get_maintenance(session, maintenance_id)
        return ok(request, maintenance_json(session, window, with_rules=True))


@router.put("/{maintenance_id}")
async def update_maintenance(
    request: Request, maintenance_id: str, body: MaintenancePayload, actor: Configurer
) -> JSONBody:
    def change(session: Session) -> dict[str, Any]:
        window = service.get_maintenance(session, maintenance_id)
        service.update_maintenance(session, actor=actor, window=window, payload=body)
        return maintenance_json(session, window, with_rules=True)

    return ok(request, await request.app.state.writer.run(change), result="Updated")


@router.post("/{maintenance_id}/cancel")
async def cancel_maintenance(request: Request, maintenance_id: str, actor: Configurer) -> JSONBody:
    def cancel(session: Session) -> dict[str, Any]:
        window = service.get_maintenance(session, maintenance_id)
        service.cancel_maintenance(session, actor=actor, window=window)
        return maintenance_json(session, window, with_rules=False)

    return ok(request, await request.app.state.writer.run(cancel), result="Cancelled")


@router.delete("/{maintenance_id}")
async def delete_maintenance(request: Request, maintenance_id: str, actor: Configurer) -> JSONBody:
    def remove(session: Session) -> None:
        service.delete_maintenance(
            session, actor=actor, window=service.get_maintenance(session, maintenance_id)
        )

    await request.app.state.writer.run(remove)
    return ok(request, {}, result="Deleted")
