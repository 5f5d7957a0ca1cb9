"""What the pages show of a heartbeat: its team, interval, state (active, expired, disabled), when
it was last pinged (how long ago, and the time in the viewer's zone), and the command that pings it."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.models import Heartbeat
from tocsin.teams import service as teams
from tocsin.web.alert_list import age
from tocsin.web.moments import when

KEY_PLACEHOLDER = "<key>"


def state_of(heartbeat: Heartbeat) -> str:
    """ "disabled" (no alert is raised), "expired" (its alert was raised and no ping came since),
    or "active"."""
    if not heartbeat.enabled:
        return "disabled"
    return "expired" if heartbeat.expired else "active"


def ping_path(name: str) -> str:
    return f"/v2/heartbeats/{quote(name, safe='')}/ping"


def ping_command(base_url: str, name: str, key: str = "") -> str:
    """The command a job runs to ping the heartbeat ``name``, with ``key`` (or a placeholder)."""
    url = f"{base_url}{ping_path(name)}"
    header = f"Authorization: GenieKey {key or KEY_PLACEHOLDER}"
    return f"curl -X POST {shlex.quote(url)} -H {shlex.quote(header)}"


def last_ping(moment: datetime | None, viewer: User, now: datetime) -> dict[str, str] | None:
    """ "3 min ago" with the moment in the viewer's zone, or None if it was never pinged."""
    shown = when(moment, viewer)
    if moment is None or shown is None:
        return None
    return shown | {"ago": age(moment, now)}


def rows(session: Session, found: Iterable[Heartbeat], viewer: User) -> list[dict[str, Any]]:
    names = {team.id: team.name for team in teams.list_teams(session)}
    now = clock.now()
    return [
        {
            "name": heartbeat.name,
            "description": heartbeat.description,
            "team": names.get(heartbeat.owner_team_id or "", ""),
            "team_id": heartbeat.owner_team_id,
            "every": heartbeats.every(heartbeat),
            "state": state_of(heartbeat),
            "last_ping": last_ping(heartbeat.last_ping_at, viewer, now),
            "expires": when(heartbeat.expires_at, viewer) if heartbeat.enabled else None,
            "alert_message": heartbeat.alert_message,
            "alert_priority": heartbeat.alert_priority,
            "alert_tags": list(heartbeat.alert_tags),
        }
        for heartbeat in found
    ]
