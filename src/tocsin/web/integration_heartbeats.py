"""The heartbeats on the page of an integration that receives alerts (API, Heartbeat).

A heartbeat belongs to a team (or to no team), not to an integration: any key whose scope covers
the team pings it, and its alert comes in through the team's Heartbeat integration. So "the
integration's heartbeats" are the heartbeats of the integration's team (a global integration's:
the global ones), which this integration's key pings. The page lists them with their state and
the exact command that pings each with this key, and lets those who configure the team create
one in place, owned by the integration's team."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.errors import NotFound
from tocsin.heartbeats import service as heartbeats
from tocsin.integrations import registry
from tocsin.integrations.models import Integration
from tocsin.teams import service as teams
from tocsin.web import heartbeat_form, heartbeat_pages, heartbeat_rows
from tocsin.web.heartbeat_form import NO_TEAM, HeartbeatFields
from tocsin.web.pages import settings


def section(
    request: Request,
    session: Session,
    *,
    integration: Integration,
    actor: Actor,
    viewer: User,
    key: str = "",
    form: HeartbeatFields | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """What the page shows of the team's heartbeats (None for kinds that have no key); ``key``
    is the integration's key when it was just issued, to put in the commands."""
    if not registry.has_key(integration):
        return None
    found = [
        heartbeat
        for heartbeat in heartbeats.list_heartbeats(session, actor=actor)
        if heartbeat.owner_team_id == integration.team_id
    ]
    base_url = settings(request).base_url
    rows = heartbeat_rows.rows(session, found, viewer)
    for row in rows:
        row["ping_command"] = heartbeat_rows.ping_command(base_url, row["name"], key)
    return {
        "rows": rows,
        "may_create": actor.manages.covers_team(integration.team_id),
        "form": form or HeartbeatFields(interval="10", interval_unit="minutes"),
        "errors": errors or {},
        "key_shown": bool(key),
        **heartbeat_form.choices(),
    }


def add_heartbeat(
    request: Request,
    user: User,
    integration_id: str,
    form: HeartbeatFields,
    show: Callable[[int, dict[str, str]], Response],
) -> str | Response:
    """Create the heartbeat the integration page's form asks for, owned by the integration's
    team: its name, or the answer to a refusal."""

    def create(session: Session) -> str:
        actor = teams.actor_for_user(session, user, channel="web")
        integration = session.get(Integration, integration_id)
        if integration is None or not registry.may_see(actor, integration):
            raise NotFound("no such integration")
        owned = form.model_copy(update={"owner_team": integration.team_id or NO_TEAM})
        return heartbeats.create_heartbeat(session, actor=actor, payload=owned.payload()).name

    return heartbeat_pages.attempt(request, user, create, show)
