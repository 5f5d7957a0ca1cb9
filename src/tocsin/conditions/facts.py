"""What conditions look at: the fields of an alert, taken from a stored alert or an incoming one."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.responders import stored_responders
from tocsin.teams import service as teams


@dataclass(frozen=True)
class AlertFacts:
    message: str = ""
    alias: str = ""
    description: str = ""
    source: str = ""
    entity: str = ""
    tags: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    priority: str = "P3"
    teams: list[str] = field(default_factory=list)
    """Names of the teams responding to the alert."""


def facts_of_alert(session: Session, alert: Alert) -> AlertFacts:
    """The facts of a stored alert; its teams are the teams among its (notified) responders."""
    team_ids = [
        row.ref_id
        for row in stored_responders(session, [alert.id])[alert.id]
        if row.type == "team" and not row.visible_only
    ]
    names = []
    for team_id in team_ids:
        team = teams.find_team(session, team_id=team_id)
        if team is not None:
            names.append(team.name)
    return AlertFacts(
        message=alert.message,
        alias=alert.alias,
        description=alert.description or "",
        source=alert.source or "",
        entity=alert.entity or "",
        tags=list(alert.tags or []),
        actions=list(alert.actions or []),
        details=dict(alert.details or {}),
        priority=alert.priority,
        teams=names,
    )
