"""Why an alert is out of reach of whoever typed a command, and who can act on it instead: the
words after "#26" when the actor may not see alert 26."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.actors import Actor
from tocsin.teams import service as teams


def not_visible(session: Session, actor: Actor) -> str:
    """ "has no responder you belong to, ..." for a person; for a team's integration, that the
    alert is not that team's (or that the person is not in it)."""
    if actor.owner_team_id is not None:
        team = teams.find_team(session, team_id=actor.owner_team_id)
        name = team.name if team else "its team"
        if actor.user_id is not None and not actor.scope.team_ids:
            return (
                f"is out of reach here: this channel's integration belongs to team {name}, which you "
                "are not in; act on it where its team's alerts are posted"
            )
        return (
            f"is not team {name}'s alert, and this channel's integration acts only on team {name}'s "
            "alerts; act on it where its responders' alerts are posted"
        )
    if actor.user_id is not None:
        return (
            "has no responder you belong to (you, your team, a schedule you are in or an escalation "
            "naming you), so only its responders and admins may act on it; ask an admin to add you "
            "or your team"
        )
    return "is not visible to this integration"
