"""Creating integrations and recognising their keys."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import EVERYTHING, Actor, Scope
from tocsin.errors import Conflict, InvalidInput
from tocsin.integrations.models import INTEGRATION_TYPES, Integration
from tocsin.secrets_util import hash_key, new_api_key
from tocsin.teams import service as teams


def create_integration(
    session: Session, *, type: str, name: str, team_name: str | None = None
) -> tuple[Integration, str]:
    """Returns the integration and its key, which is shown once and stored only as a hash."""
    kind = next((known for known in INTEGRATION_TYPES if known.lower() == type.strip().lower()), None)
    if kind is None:
        raise InvalidInput(
            "type", f"integration type must be one of {', '.join(INTEGRATION_TYPES)}, got {type!r}"
        )
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name", "integration name must be 1 to 100 characters")
    if find_integration(session, name=name) is not None:
        raise Conflict(f"an integration named {name!r} already exists")
    team_id = teams.get_team(session, name=team_name).id if team_name else None
    secret = new_api_key()
    integration = Integration(
        name=name,
        type=kind,
        team_id=team_id,
        enabled=True,
        key_hash=hash_key(secret),
        created_at=clock.now(),
    )
    session.add(integration)
    session.flush()
    return integration, secret


def find_integration(session: Session, *, name: str) -> Integration | None:
    return session.scalar(select(Integration).where(func.lower(Integration.name) == name.strip().lower()))


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
