"""The words after "#26" when the one who typed a command may not see alert 26."""

NO_RESPONDER = (
    "has no responder you belong to (you, your team, a schedule you are in or an escalation "
    "naming you), so only its responders and admins may act on it; ask an admin to add you or your team"
)


def not_teams(team: str) -> str:
    """Through team ``team``'s integration, about another team's alert."""
    return (
        f"is not team {team}'s alert, and this channel's integration acts only on team {team}'s "
        "alerts; act on it where its responders' alerts are posted"
    )
