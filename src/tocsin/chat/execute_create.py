"""``/genie alert MESSAGE for team1,user1``: creating an alert from the channel.

Responders are teams (by name) and users (by e-mail, username, or ``@mention`` of a linked chat
user). Any that does not exist is named in the reply and nothing is created. Through a team's
integration the alert goes to that team, as every alert of a team integration does."""

from __future__ import annotations

from dataclasses import replace

from tocsin.actors import SYSTEM, Actor
from tocsin.alerts import ingest, reads
from tocsin.alerts.schemas import MESSAGE_MAX, RESPONDERS_MAX, CreateAlertPayload
from tocsin.alerts.service import AlertRef
from tocsin.chat.channel_posts import channel_hears
from tocsin.chat.command_types import CreateAlert
from tocsin.chat.execute_context import Context, outside, team_name, validated
from tocsin.chat.execute_lists import responder_labels
from tocsin.chat.execute_people import person_named
from tocsin.chat.replies import Reply
from tocsin.errors import InvalidInput
from tocsin.teams import service as teams


def create_alert(ctx: Context, command: CreateAlert) -> Reply:
    message = command.message.strip()
    if not 1 <= len(message) <= MESSAGE_MAX:
        raise InvalidInput(
            "message", f"The alert message is 1 to {MESSAGE_MAX} characters; this one has {len(message)}"
        )
    responders = _responders(ctx, command.responders)
    _refuse_other_teams(ctx, responders)
    payload = validated(
        CreateAlertPayload,
        {
            "message": message,
            "responders": responders,
            "source": ctx.platform,
            "user": ctx.actor.display_name,
        },
        field="responders",
        problem=f"An alert has at most {RESPONDERS_MAX} responders",
    )
    outcome = ingest.create_alert(ctx.session, payload=payload, actor=_creator(ctx))
    # Read as the system: whoever created it may not be among those who see it.
    alert, stored = reads.alert_with_responders(ctx.session, AlertRef(outcome.alert_id), SYSTEM)
    labels = responder_labels(ctx.session, stored)
    text = f"{ctx.who} created alert #{alert.tiny_id} {outside(alert.message)}"
    if labels:
        text += f" (responders: {', '.join(labels)})"
    # The card the integration posts shows the new alert; the reply then goes to the caller alone.
    return Reply(text, in_channel=not channel_hears(ctx, [alert.id], ("Create",)))


def _creator(ctx: Context) -> Actor:
    """An unlinked chat user creates through the integration, which the alert then names as
    its integration: "created by @bob via ChatOps (Mattermost)"."""
    actor = ctx.actor
    if actor.user_id is None and actor.integration_id is not None:
        return replace(actor, name=ctx.integration.name, on_behalf_of=actor.name)
    return actor


def _refuse_other_teams(ctx: Context, responders: list[dict[str, str]]) -> None:
    """Through a team's integration an alert goes to that team (its policies, its visibility):
    naming another team would be silently overruled, so it is refused, saying why."""
    own_team = ctx.integration.team_id
    if own_team is None:
        return
    others = [r["id"] for r in responders if r["type"] == "team" and r["id"] != own_team]
    if not others:
        return
    names = ", ".join(team_name(ctx, team_id) for team_id in others)
    mine = team_name(ctx, own_team)
    raise InvalidInput(
        "responders",
        f"This channel's integration {ctx.integration.name} belongs to team {mine}: alerts created "
        f"through it go to team {mine}, not to {names}. Nothing was created; run the command through "
        f"{names}'s or a global integration, or leave the other teams out.",
    )


def _responders(ctx: Context, names: tuple[str, ...]) -> list[dict[str, str]]:
    """Each name as a team or user reference; every unknown one is named in one error."""
    found: list[dict[str, str]] = []
    unknown: list[str] = []
    for name in dict.fromkeys(name.strip() for name in names if name.strip()):
        if name.startswith("@"):
            # A mention names a chat user; their problem (not linked) is the one to report.
            found.append({"type": "user", "id": person_named(ctx, name, field="responders").id})
            continue
        team = None if "@" in name else teams.find_team(ctx.session, name=name)
        if team is not None:
            found.append({"type": "team", "id": team.id})
            continue
        try:
            found.append({"type": "user", "id": person_named(ctx, name, field="responders").id})
        except InvalidInput:
            unknown.append(name)
    if unknown:
        raise InvalidInput(
            "responders",
            f"No team or user named {', '.join(unknown)}; nothing was created. "
            "Name teams by name and users by e-mail (see `/genie list teams`).",
        )
    return found
