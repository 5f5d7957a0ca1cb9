"""The integrations registry: listing, changing, enabling and disabling, deleting. Global
integrations are configured by those who configure everything; a team's, by its admins and
its team keys as well."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock, config_version
from tocsin.actors import Actor, may_read_team_config, require_to_manage, require_to_read_team_config
from tocsin.errors import InvalidInput
from tocsin.integrations import configuration, outgoing, signing
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.integrations.service import checked_name, kind_of
from tocsin.outbound import OutboundPolicy
from tocsin.secrets_util import hash_key, new_api_key
from tocsin.teams import service as teams

log = logging.getLogger(__name__)

KINDS_TO_ADD = {
    "API": "Let a monitoring tool create and act on alerts through the Opsgenie-compatible REST API.",
    "HipChat": "Post alerts into a HipChat room and act on them there with /genie commands (an add-on).",
    "Mattermost": "Post alerts into a Mattermost channel and act on them there with /genie commands.",
    "Slack": "Post alerts into a Slack channel and act on them there with /genie commands and buttons.",
    "Webhook": "Send alert activity, signed, to a URL of yours, as Opsgenie's outgoing webhooks do.",
}
"""The kinds people add themselves, with what each is for (a Heartbeat integration is made when
a heartbeat first needs one)."""


def kinds_matching(query: str = "") -> list[tuple[str, str]]:
    """The kinds to add, with their summaries, whose name or summary holds every word of ``query``."""
    words = query.casefold().split()
    return [
        (kind, summary)
        for kind, summary in KINDS_TO_ADD.items()
        if all(word in f"{kind} {summary}".casefold() for word in words)
    ]


def may_see(actor: Actor, integration: Integration) -> bool:
    return may_read_team_config(actor, integration.team_id)


def may_configure(actor: Actor, integration: Integration) -> bool:
    return actor.manages.covers_team(integration.team_id)


def require_to_see(actor: Actor, integration: Integration) -> None:
    require_to_read_team_config(actor, integration.team_id, what=f"integration {integration.name}")


def require_to_configure(actor: Actor, integration: Integration) -> None:
    require_to_manage(actor, integration.team_id, what=f"integration {integration.name}")


def list_integrations(
    session: Session, *, actor: Actor, type: str | None = None, team_id: str | None = None
) -> list[Integration]:
    """The integrations ``actor`` may see, by name; ``type`` and ``team_id`` narrow the list."""
    query = select(Integration).order_by(Integration.name_key)
    if type:
        query = query.where(Integration.type == kind_of(type))
    if team_id:
        query = query.where(Integration.team_id == team_id)
    return [found for found in session.scalars(query) if may_see(actor, found)]


def update_integration(
    session: Session,
    *,
    actor: Actor,
    integration: Integration,
    name: str | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    change_team: bool = False,
    team_id: str | None = None,
    changes: Changes | None = None,
    outbound: OutboundPolicy | None = None,
) -> Integration:
    """Change what is given; with ``change_team``, the owner team becomes ``team_id`` (None: no team)."""
    require_to_configure(actor, integration)
    if change_team and team_id != integration.team_id:
        team = teams.find_team(session, team_id=team_id) if team_id else None
        require_to_manage(
            actor, team_id, what=f"integrations of team {team.name}" if team else "global integrations"
        )
        integration.team_id = team_id
    if name is not None:
        integration.name = checked_name(session, name, other_than=integration)
    if description is not None:
        integration.description = description
    if enabled is not None:
        integration.enabled = enabled
    configuration.apply(integration, changes or Changes(), outbound=outbound or OutboundPolicy(), new=False)
    integration.updated_at = clock.now()
    session.flush()
    config_version.bump(session)
    return integration


def set_enabled(session: Session, *, actor: Actor, integration: Integration, enabled: bool) -> Integration:
    """Disabled: its key is refused (401) and its outgoing side sends nothing."""
    require_to_configure(actor, integration)
    if integration.enabled != enabled:
        integration.enabled = enabled
        integration.updated_at = clock.now()
        session.flush()
        config_version.bump(session)
    return integration


def delete_integration(session: Session, *, actor: Actor, integration: Integration) -> None:
    """Its alerts stay (they keep its name); its key is refused from then on."""
    require_to_configure(actor, integration)
    session.delete(integration)
    session.flush()
    config_version.bump(session)


def rotate_signing_secret(session: Session, *, actor: Actor, integration: Integration) -> Integration:
    """A new salt: requests are signed with a new secret from now on (and a chat integration
    has a new Request URL)."""
    require_to_configure(actor, integration)
    integration.signing_salt = signing.new_salt()
    integration.updated_at = clock.now()
    session.flush()
    return integration


def signing_secret_of(integration: Integration, secret_key: str) -> str:
    return signing.signing_secret(secret_key, integration.signing_salt)


def has_key(integration: Integration) -> bool:
    """Whether the integration is called with a key of its own (the kinds that receive alerts)."""
    return integration.type in outgoing.RECEIVERS


def rotate_key(session: Session, *, actor: Actor, integration: Integration) -> str:
    """A new key for an integration that receives alerts, returned to be shown once: only its hash
    is stored, in place of the old key's, so the old key is refused from this commit on (a process
    that recognised it a moment ago forgets it within ``KeyCache.SECONDS``)."""
    require_to_configure(actor, integration)
    if not has_key(integration):
        raise InvalidInput(
            "type",
            f"{integration.type} integrations have no key: they send alerts out and receive none",
        )
    key = new_api_key()
    integration.key_hash = hash_key(key)
    integration.updated_at = clock.now()
    session.flush()
    log.info("integration %s has a new key; its old key is refused from now on", integration.name)
    return key
