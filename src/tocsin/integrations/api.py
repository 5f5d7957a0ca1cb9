"""REST API under /v2/integrations, in Opsgenie's shapes; the outgoing configuration, webhook
and chat settings, custom actions, signing secret and Request URL are Tocsin's."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.actors import Actor
from tocsin.alerts.json_views import iso
from tocsin.alerts.schemas import Ref
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, ok
from tocsin.errors import InvalidInput
from tocsin.integrations import chat_kinds, outgoing, registry, service
from tocsin.integrations import configuration as settings_of
from tocsin.integrations.chat_bots import BotChanges, bot_json
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.integrations.schemas import IntegrationPayload, IntegrationUpdate
from tocsin.outbound import OutboundPolicy
from tocsin.teams import service as teams

router = APIRouter(prefix="/v2/integrations")
Configurer = Annotated[Actor, Depends(configuration)]
IdentifierType = Annotated[Literal["id", "name"], Query(alias="identifierType")]


def meta_json(integration: Integration) -> dict[str, Any]:
    return {
        "id": integration.id,
        "name": integration.name,
        "enabled": integration.enabled,
        "type": integration.type,
        "teamId": integration.team_id,
    }


def integration_json(
    session: Session, integration: Integration, *, actor: Actor, secret_key: str, base_url: str
) -> dict[str, Any]:
    data = meta_json(integration) | {
        "description": integration.description,
        "createdAt": iso(integration.created_at),
        "updatedAt": iso(integration.updated_at or integration.created_at),
    }
    if integration.team_id:
        team = teams.find_team(session, team_id=integration.team_id)
        data["ownerTeam"] = {"id": integration.team_id, "name": team.name if team else ""}
    if integration.type in settings_of.URL_KINDS:
        data["url"] = settings_of.url_of(integration)
    if integration.type in settings_of.HEADER_KINDS:
        data["headers"] = settings_of.headers_of(integration)
    if chat_kinds.is_chat_kind(integration.type):
        data["requireUserMatching"] = chat_kinds.requires_user_matching(integration)
        if integration.type == "Mattermost":
            data["commandTokenSet"] = chat_kinds.command_token_set(integration)
        if integration.type == "Slack":
            data["slackSigningSecretSet"] = bool(chat_kinds.slack_signing_secret(integration))
        data |= bot_json(integration)
        if registry.may_configure(actor, integration):
            data["requestUrl"] = chat_kinds.request_url(base_url, secret_key, integration)
    if integration.type in settings_of.CUSTOM_ACTION_KINDS:
        data["customActions"] = settings_of.custom_actions_of(integration)
    if outgoing.sends(integration.type):
        data["outgoing"] = {
            "actions": list(integration.outgoing_actions),
            "filter": integration.outgoing_filter or {"type": "match-all"},
        }
        if registry.may_configure(actor, integration):
            data["signingSecret"] = registry.signing_secret_of(integration, secret_key)
    return data


def _team_id(session: Session, ref: Ref | None, field: str = "ownerTeam") -> str | None:
    if ref is None:
        return None
    team = teams.find_team(session, team_id=ref.id) if ref.id else None
    team = team or teams.find_team(session, name=ref.name or ref.id)
    if team is None:
        raise InvalidInput(field, f"team {ref.name or ref.id!r} does not exist")
    return team.id


def _changes(body: IntegrationPayload | IntegrationUpdate) -> Changes:
    given = body.outgoing
    return Changes(
        url=body.url,
        headers=body.headers,
        custom_actions=body.custom_actions,
        outgoing_actions=given.actions if given else None,
        outgoing_filter=given.filter if given else None,
        require_user_matching=body.require_user_matching,
        command_token=body.command_token,
        slack_signing_secret=body.slack_signing_secret,
        bot=BotChanges(
            server_url=body.server_url, token=body.bot_token, channel_id=body.channel_id, channel=body.channel
        ),
    )


async def _outbound(request: Request, *urls: str | None) -> OutboundPolicy:
    """The policy, with the ``urls`` given checked here (DNS outside the write queue)."""
    policy = OutboundPolicy.from_settings(request.app.state.settings)
    for url in urls:
        if url:
            policy = policy.trusting(await policy.check_async(url))
    return policy


def _secret_key(request: Request) -> str:
    return str(request.app.state.settings.effective_secret_key)


def _json(session: Session, request: Request, integration: Integration, actor: Actor) -> dict[str, Any]:
    return integration_json(
        session,
        integration,
        actor=actor,
        secret_key=_secret_key(request),
        base_url=str(request.app.state.settings.base_url),
    )


@router.get("")
def list_integrations(
    request: Request,
    actor: Configurer,
    type: str | None = None,
    team_id: Annotated[str | None, Query(alias="teamId")] = None,
    team_name: Annotated[str | None, Query(alias="teamName")] = None,
) -> JSONBody:
    with request.app.state.db.read_session() as session:
        if team_name and not team_id:
            team = teams.find_team(session, name=team_name)
            if team is None:
                raise InvalidInput("teamName", f"team {team_name!r} does not exist")
            team_id = team.id
        found = registry.list_integrations(session, actor=actor, type=type, team_id=team_id)
        return ok(request, [meta_json(integration) for integration in found])


@router.post("", status_code=201)
async def create_integration(request: Request, body: IntegrationPayload, actor: Configurer) -> JSONBody:
    outbound = await _outbound(request, body.url, body.server_url)

    def create(session: Session) -> dict[str, Any]:
        integration, key = service.create_integration(
            session,
            type=body.type,
            name=body.name,
            team_id=_team_id(session, body.owner_team),
            actor=actor,
            description=body.description,
            enabled=body.enabled,
            changes=_changes(body),
            outbound=outbound,
        )
        data = _json(session, request, integration, actor)
        if key:
            data["apiKey"] = key
        return data

    return ok(request, await request.app.state.writer.run(create), status=201, result="Created")


@router.get("/{identifier}")
def get_integration(
    request: Request, identifier: str, actor: Configurer, id_type: IdentifierType = "id"
) -> JSONBody:
    with request.app.state.db.read_session() as session:
        integration = service.get_integration(session, identifier, id_type)
        registry.require_to_see(actor, integration)
        return ok(request, _json(session, request, integration, actor))


@router.patch("/{identifier}")
@router.put("/{identifier}")
async def update_integration(
    request: Request,
    identifier: str,
    body: IntegrationUpdate,
    actor: Configurer,
    id_type: IdentifierType = "id",
) -> JSONBody:
    outbound = await _outbound(request, body.url, body.server_url)

    def change(session: Session) -> dict[str, Any]:
        integration = service.get_integration(session, identifier, id_type)
        if body.type is not None and service.kind_of(body.type) != integration.type:
            raise InvalidInput("type", f"the type of an integration cannot change (it is {integration.type})")
        registry.update_integration(
            session,
            actor=actor,
            integration=integration,
            name=body.name,
            description=body.description,
            enabled=body.enabled,
            change_team="owner_team" in body.model_fields_set,
            team_id=_team_id(session, body.owner_team),
            changes=_changes(body),
            outbound=outbound,
        )
        return _json(session, request, integration, actor)

    data = await request.app.state.writer.run(change)
    request.app.state.key_cache.clear()
    return ok(request, data, result="Updated")


@router.delete("/{identifier}")
async def delete_integration(
    request: Request, identifier: str, actor: Configurer, id_type: IdentifierType = "id"
) -> JSONBody:
    def remove(session: Session) -> None:
        integration = service.get_integration(session, identifier, id_type)
        registry.delete_integration(session, actor=actor, integration=integration)

    await request.app.state.writer.run(remove)
    request.app.state.key_cache.clear()
    return ok(request, {}, result="Deleted")


async def _switch(request: Request, identifier: str, actor: Actor, id_type: str, enabled: bool) -> JSONBody:
    def switch(session: Session) -> dict[str, Any]:
        integration = service.get_integration(session, identifier, id_type)
        return meta_json(registry.set_enabled(session, actor=actor, integration=integration, enabled=enabled))

    data = await request.app.state.writer.run(switch)
    request.app.state.key_cache.clear()
    return ok(request, data, result="Enabled" if enabled else "Disabled")


@router.post("/{identifier}/enable")
async def enable_integration(
    request: Request, identifier: str, actor: Configurer, id_type: IdentifierType = "id"
) -> JSONBody:
    return await _switch(request, identifier, actor, id_type, True)


@router.post("/{identifier}/disable")
async def disable_integration(
    request: Request, identifier: str, actor: Configurer, id_type: IdentifierType = "id"
) -> JSONBody:
    return await _switch(request, identifier, actor, id_type, False)


@router.post("/{identifier}/rotate-signing-secret")
async def rotate_signing_secret(
    request: Request, identifier: str, actor: Configurer, id_type: IdentifierType = "id"
) -> JSONBody:
    def rotate(session: Session) -> dict[str, Any]:
        integration = service.get_integration(session, identifier, id_type)
        registry.rotate_signing_secret(session, actor=actor, integration=integration)
        data = meta_json(integration) | {
            "signingSecret": registry.signing_secret_of(integration, _secret_key(request))
        }
        if chat_kinds.is_chat_kind(integration.type):
            data["requestUrl"] = _json(session, request, integration, actor)["requestUrl"]
        return data

    return ok(request, await request.app.state.writer.run(rotate), result="Rotated")


@router.post("/{identifier}/rotate-key")
async def rotate_key(
    request: Request, identifier: str, actor: Configurer, id_type: IdentifierType = "id"
) -> JSONBody:
    """Tocsin's: a new key for an integration that receives alerts, shown in this answer only."""

    def rotate(session: Session) -> dict[str, Any]:
        integration = service.get_integration(session, identifier, id_type)
        key = registry.rotate_key(session, actor=actor, integration=integration)
        return meta_json(integration) | {"apiKey": key}

    data = await request.app.state.writer.run(rotate)
    request.app.state.key_cache.clear()
    return ok(request, data, result="Rotated")
