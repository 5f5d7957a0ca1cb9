"""Creating integrations, finding them, and recognising their keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock, config_version
from tocsin.actors import EVERYTHING, SYSTEM, Actor, Scope, require_to_manage
from tocsin.db import new_id
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.integrations import configuration, outgoing, signing
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import INTEGRATION_TYPES, Integration
from tocsin.names import name_key
from tocsin.outbound import OutboundPolicy
from tocsin.secrets_util import hash_key, new_api_key
from tocsin.teams import service as teams

NAME_MAX = 100
KEPT_KEY_LENGTH = (20, 100)
"""Shortest and longest key an integration may keep (Opsgenie's are 36-character UUIDs)."""


def kind_of(type: str) -> str:
    """The integration type in its proper spelling ("webhook" -> "Webhook")."""
    kind = next((known for known in INTEGRATION_TYPES if known.lower() == type.strip().lower()), None)
    if kind is None:
        raise InvalidInput(
            "type", f"integration type must be one of {', '.join(INTEGRATION_TYPES)}, got {type!r}"
        )
    return kind


def checked_name(session: Session, name: str, *, other_than: Integration | None = None) -> str:
    """A valid name no other integration has (names address integrations in chat commands)."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput("name", f"integration name must be 1 to {NAME_MAX} characters")
    found = find_integration(session, name=name)
    if found is not None and found is not other_than:
        raise Conflict(f"an integration named {found.name!r} already exists; choose another name")
    return name


def create_integration(
    session: Session,
    *,
    type: str,
    name: str,
    team_name: str | None = None,
    team_id: str | None = None,
    actor: Actor = SYSTEM,
    description: str = "",
    enabled: bool = True,
    changes: Changes | None = None,
    outbound: OutboundPolicy | None = None,
    integration_id: str | None = None,
    signing_salt: str | None = None,
    api_key: str | None = None,
) -> tuple[Integration, str]:
    """Returns the integration and, for kinds that receive alerts (API, Heartbeat), its key, which
    is shown once and stored only as a hash; kinds that only send get "" (they need no key).
    ``outbound`` says which internal addresses a webhook may reach (none, by default).
    ``integration_id`` and ``signing_salt`` are given when they were chosen in advance (a chat
    integration's Request URL is shown before it is saved). ``api_key`` is the key to keep for a
    kind that receives (an integration taken over from Opsgenie keeps the key its senders have)."""
    kind = kind_of(type)
    team = None
    if team_name:
        team = teams.get_team(session, name=team_name)
    elif team_id:
        team = teams.get_team(session, team_id=team_id)
    team_id = team.id if team else None
    owner = f"integrations of team {team.name}" if team else "global integrations"
    require_to_manage(actor, team_id, what=owner)
    name = checked_name(session, name)
    if integration_id is not None and session.get(Integration, integration_id) is not None:
        raise Conflict(f"integration {integration_id} already exists")
    secret = ""
    if kind in outgoing.RECEIVERS:
        secret = _kept_key(session, api_key) if api_key else new_api_key()
    integration = Integration(
        id=integration_id or new_id(),
        name=name,
        type=kind,
        team_id=team_id,
        enabled=enabled,
        key_hash=hash_key(secret) if secret else None,
        created_at=clock.now(),
        description=description,
        config={},
        outgoing_actions=[],
        outgoing_filter={},
        signing_salt=signing_salt or signing.new_salt(),
    )
    configuration.apply(integration, changes or Changes(), outbound=outbound or OutboundPolicy(), new=True)
    session.add(integration)
    session.flush()
    config_version.bump(session)  # it may forward alert activity (``outgoing.any_listening``)
    return integration, secret


def _kept_key(session: Session, key: str) -> str:
    key = key.strip()
    if not KEPT_KEY_LENGTH[0] <= len(key) <= KEPT_KEY_LENGTH[1] or any(char.isspace() for char in key):
        raise InvalidInput("apiKey", "a key to keep must be 20 to 100 characters without spaces")
    if find_by_secret(session, key) is not None:
        raise Conflict("another integration already has this key")
    return key


def find_integration(session: Session, *, name: str) -> Integration | None:
    return session.scalar(select(Integration).where(Integration.name_key == name_key(name)))


def get_integration(session: Session, identifier: str, identifier_type: str = "id") -> Integration:
    """By id, or by name with ``identifier_type="name"``; unknown is NotFound."""
    found = (
        find_integration(session, name=identifier)
        if identifier_type == "name"
        else session.get(Integration, identifier)
    )
    if found is None:
        raise NotFound(f"no integration {identifier!r}")
    return found


def find_by_secret(session: Session, secret: str) -> Integration | None:
    return session.scalar(select(Integration).where(Integration.key_hash == hash_key(secret)))


def actor_for(integration: Integration, *, channel: str = "API") -> Actor:
    """The actor for requests made with an integration's key. A team integration sees, touches
    and configures only its team's alerts, schedules and escalations."""
    scope = (
        Scope(everything=False, team_ids=frozenset({integration.team_id}))
        if integration.team_id
        else EVERYTHING
    )
    return Actor(
        name=integration.name,
        channel=channel,
        scope=scope,
        manages=scope,  # as in Opsgenie: global keys configure anything, team keys their team's
        integration_id=integration.id,
        integration_type=integration.type,
        owner_team_id=integration.team_id,
    )
