"""REST API under /v2/heartbeats, in Opsgenie's shapes.

Configuring heartbeats needs configuration rights (a team's admins and team keys: their team's
heartbeats). A ping needs a key that may create alerts: any enabled integration key, or an
account key with the create-update right. As in Opsgenie, a ping of a name no heartbeat has
still answers 202 PONG, and records nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.actors import Actor
from tocsin.alerts.json_views import iso
from tocsin.api.auth import caller, configuration
from tocsin.api.envelope import JSONBody, body, ok
from tocsin.errors import PermissionDenied
from tocsin.heartbeats import service
from tocsin.heartbeats.models import Heartbeat
from tocsin.heartbeats.schemas import HeartbeatPayload, HeartbeatUpdate

router = APIRouter(prefix="/v2/heartbeats")
Configurer = Annotated[Actor, Depends(configuration)]
PONG = "PONG - Heartbeat received"


async def pinger(request: Request) -> Actor:
    found = await caller(request)
    if found.from_integration or "create-update" in found.rights:
        return found.actor
    raise PermissionDenied(
        f"API key {found.actor.name} needs the create-update access right to ping heartbeats"
    )


Pinger = Annotated[Actor, Depends(pinger)]


def heartbeat_json(session: Session, heartbeat: Heartbeat) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": heartbeat.name,
        "description": heartbeat.description,
        "interval": heartbeat.interval,
        "enabled": heartbeat.enabled,
        "intervalUnit": heartbeat.interval_unit,  # always: the opsgenie-sdk refuses a heartbeat without it
        "expired": heartbeat.expired,
        "lastPingTime": iso(heartbeat.last_ping_at),
        "alertMessage": heartbeat.alert_message,
        "alertTags": list(heartbeat.alert_tags),
        "alertPriority": heartbeat.alert_priority,
        "expiresAt": iso(heartbeat.expires_at),
    }
    if heartbeat.owner_team_id:
        data["ownerTeam"] = {
            "id": heartbeat.owner_team_id,
            "name": service.team_name(session, heartbeat) or "",
        }
    return data


def meta_json(heartbeat: Heartbeat) -> dict[str, Any]:
    return {"name": heartbeat.name, "enabled": heartbeat.enabled, "expired": heartbeat.expired}


@router.get("")
def list_heartbeats(request: Request, actor: Configurer) -> JSONBody:
    with request.app.state.db.read_session() as session:
        found = service.list_heartbeats(session, actor=actor)
        return ok(request, {"heartbeats": [heartbeat_json(session, heartbeat) for heartbeat in found]})


@router.post("", status_code=201)
async def create_heartbeat(request: Request, payload: HeartbeatPayload, actor: Configurer) -> JSONBody:
    def create(session: Session) -> dict[str, Any]:
        return heartbeat_json(session, service.create_heartbeat(session, actor=actor, payload=payload))

    return ok(request, await request.app.state.writer.run(create), status=201)


@router.get("/{name}")
def get_heartbeat(request: Request, name: str, actor: Configurer) -> JSONBody:
    with request.app.state.db.read_session() as session:
        heartbeat = service.get_heartbeat(session, name)
        service.require_to_see(actor, heartbeat)
        return ok(request, heartbeat_json(session, heartbeat))


@router.patch("/{name}")
async def update_heartbeat(
    request: Request, name: str, payload: HeartbeatUpdate, actor: Configurer
) -> JSONBody:
    def change(session: Session) -> dict[str, Any]:
        heartbeat = service.get_heartbeat(session, name)
        return meta_json(service.update_heartbeat(session, actor=actor, heartbeat=heartbeat, payload=payload))

    return ok(request, await request.app.state.writer.run(change))


@router.delete("/{name}")
async def delete_heartbeat(request: Request, name: str, actor: Configurer) -> JSONBody:
    def remove(session: Session) -> None:
        service.delete_heartbeat(session, actor=actor, heartbeat=service.get_heartbeat(session, name))

    await request.app.state.writer.run(remove)
    return JSONBody(body(request, result="Deleted"))


async def _switch(request: Request, name: str, actor: Actor, enabled: bool) -> JSONBody:
    def switch(session: Session) -> dict[str, Any]:
        heartbeat = service.get_heartbeat(session, name)
        return meta_json(service.set_enabled(session, actor=actor, heartbeat=heartbeat, enabled=enabled))

    return ok(request, await request.app.state.writer.run(switch))


@router.post("/{name}/enable")
async def enable_heartbeat(request: Request, name: str, actor: Configurer) -> JSONBody:
    return await _switch(request, name, actor, True)


@router.post("/{name}/disable")
async def disable_heartbeat(request: Request, name: str, actor: Configurer) -> JSONBody:
    return await _switch(request, name, actor, False)


async def ping_heartbeat(request: Request, name: str, actor: Pinger) -> JSONBody:
    await request.app.state.writer.run(lambda session: service.ping(session, name=name, actor=actor))
    return JSONBody(body(request, result=PONG), status_code=202)


# One route per method, so each has its own operationId in the OpenAPI document.
for _method in ("GET", "POST", "PUT", "PATCH"):
    router.add_api_route(
        "/{name}/ping",
        ping_heartbeat,
        methods=[_method],
        status_code=202,
        operation_id=f"ping_heartbeat_{_method.lower()}",
    )
