"""Commands that only read, answered to the caller alone: ``get``, ``list`` (alerts, of a team),
``list integrations``, ``list policies``, ``list teams`` (containing / starting with)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.actors import may_read_team_config
from tocsin.alerts import listing, reads
from tocsin.alerts.models import AlertResponder
from tocsin.chat.command_types import GetAlert, ListAlerts, ListIntegrations, ListPolicies, ListTeams
from tocsin.chat.execute_context import Context, at_time, outside, zone_of
from tocsin.chat.paging import PAGE_SIZE, SeeAll, first_index, paged
from tocsin.chat.replies import Link, Reply
from tocsin.chat.results import by_tiny_id
from tocsin.chat.visibility_text import not_visible
from tocsin.errors import AlertNotFound, AlertNotVisible, InvalidInput
from tocsin.escalations import service as escalations
from tocsin.integrations import registry
from tocsin.oncall import service as oncall
from tocsin.policies import service as policies
from tocsin.teams import service as teams


def responder_labels(session: Session, responders: Sequence[AlertResponder]) -> list[str]:
    """How people know each responder (not those the alert is only visible to)."""
    labels = []
    for responder in responders:
        if responder.visible_only:
            continue
        found: object = None
        if responder.type == "team":
            found = teams.find_team(session, team_id=responder.ref_id)
        elif responder.type == "user":
            user = accounts.find_user_by_id(session, responder.ref_id)
            labels.append(user.username if user else responder.ref_id)
            continue
        elif responder.type == "schedule":
            found = oncall.find_schedule(session, responder.ref_id)
        elif responder.type == "escalation":
            found = escalations.find_policy(session, responder.ref_id)
        labels.append(str(getattr(found, "name", responder.ref_id)))
    return labels


def get_alert(ctx: Context, command: GetAlert) -> Reply:
    label = f"#{command.tiny_id}"
    try:
        alert, responders = reads.alert_with_responders(ctx.session, by_tiny_id(command.tiny_id), ctx.actor)
    except AlertNotFound:
        return Reply(f"{label} not found")
    except AlertNotVisible:
        return Reply(f"{label} {not_visible(ctx.session, ctx.actor)}")
    status = alert.status
    if alert.status == "closed" and alert.closed_by:
        status += f" by {alert.closed_by}"
    elif alert.acknowledged:
        status += f", acknowledged by {alert.acknowledged_by}"
    if alert.snoozed and alert.snoozed_until:
        status += f", snoozed until {at_time(alert.snoozed_until, zone_of(ctx.user))}"
    link = Link(text="Open in Tocsin", url=f"{ctx.base_url}/alerts/{alert.id}")
    lines = [
        f"**{label} {outside(alert.message)}**",
        f"Status: {status} · Priority: {alert.priority} · Owner: {alert.owner or 'none'}",
        f"Responders: {', '.join(responder_labels(ctx.session, responders)) or 'none'}",
        f"Tags: {', '.join(outside(tag) for tag in alert.tags) or 'none'}",
        f"Created: {at_time(alert.created_at, zone_of(ctx.user))} · Count: {alert.count}",
        f"[{link.text}]({link.url})",
    ]
    return Reply("\n".join(lines), links=(link,))


def _quoted(value: str) -> str:
    """A value for the alert search language, taken literally."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def list_alerts(ctx: Context, command: ListAlerts) -> Reply:
    """Open alerts the actor may see (of one team, if given), newest first."""
    query, of_team, listed = "status:open", "", "list"
    if command.team is not None:
        team = teams.find_team(ctx.session, name=command.team)
        if team is None:
            raise InvalidInput("team", f"There is no team named {command.team}; see `/genie list teams`")
        query += f" AND teams:{_quoted(team.name)}"
        of_team = f" of team {team.name}"
        listed = f"list alerts of {team.name}"
    scope = ctx.actor.scope
    total = listing.count_alerts(ctx.session, scope=scope, query=query)
    if not total:
        return Reply(f"There are no open alerts{of_team} you can see.")
    alerts, _ = listing.list_alerts(
        ctx.session, scope=scope, query=query, offset=first_index(command.page), limit=PAGE_SIZE
    )
    lines = []
    for alert in alerts:
        line = f"#{alert.tiny_id} [{alert.priority}] {outside(alert.message)}"
        if alert.acknowledged:
            line += f" (acknowledged by {alert.acknowledged_by})"
        lines.append(line)
    see_all = SeeAll("see them in Tocsin", f"{ctx.base_url}/alerts?query={quote(query, safe='')}")
    shown = paged(lines, page=command.page, command=listed, total=total, see_all=see_all)
    return Reply("\n".join([f"Open alerts{of_team} ({total}):", *shown]))


def _team_names(session: Session) -> dict[str, str]:
    return {team.id: team.name for team in teams.list_teams(session)}


def _scope(team_names: dict[str, str], team_id: str | None) -> str:
    return f"team {team_names.get(team_id, team_id)}" if team_id else "global"


def list_integrations(ctx: Context, command: ListIntegrations) -> Reply:
    found = registry.list_integrations(ctx.session, actor=ctx.actor)
    if not found:
        return Reply("There are no integrations you can see.")
    names = _team_names(ctx.session)
    lines = [
        f"- {integration.name} ({integration.type}, {_scope(names, integration.team_id)}, "
        f"{'enabled' if integration.enabled else 'disabled'})"
        for integration in found
    ]
    see_all = SeeAll("see them in Tocsin", f"{ctx.base_url}/settings/integrations")
    shown = paged(lines, page=command.page, command="list integrations", see_all=see_all)
    return Reply("\n".join([f"Integrations ({len(found)}):", *shown]))


def list_policies(ctx: Context, command: ListPolicies) -> Reply:
    """Global policies first, then each team's, each in the order they apply."""
    names = _team_names(ctx.session)
    lines = []
    for team_id in [None, *names]:
        if not may_read_team_config(ctx.actor, team_id):
            continue
        for policy in policies.list_policies(ctx.session, team_id=team_id, actor=ctx.actor):
            lines.append(
                f"- {policy.name} ({policy.type} policy, {_scope(names, team_id)}, "
                f"{'enabled' if policy.enabled else 'disabled'})"
            )
    if not lines:
        return Reply("There are no policies you can see.")
    shown = paged(lines, page=command.page, command="list policies")
    return Reply("\n".join([f"Policies ({len(lines)}):", *shown]))


def list_teams(ctx: Context, command: ListTeams) -> Reply:
    found = teams.list_teams(ctx.session)
    condition, listed = "", "list teams"
    if command.contains:
        wanted = command.contains.casefold()
        found = [team for team in found if wanted in team.name.casefold()]
        condition = f" containing {outside(command.contains)}"
        listed += f" contains {command.contains}"
    if command.starts_with:
        wanted = command.starts_with.casefold()
        found = [team for team in found if team.name.casefold().startswith(wanted)]
        condition = f" starting with {outside(command.starts_with)}"
        listed += f" starts with {command.starts_with}"
    if not found:
        return Reply(f"There are no teams{condition}.")
    lines = [f"- {team.name}" for team in found]
    shown = paged(
        lines,
        page=command.page,
        command=listed,
        see_all=SeeAll("see them in Tocsin", f"{ctx.base_url}/teams"),
    )
    return Reply("\n".join([f"Teams{condition} ({len(found)}):", *shown]))
