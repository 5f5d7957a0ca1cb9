"""``/genie enable NAME`` and ``/genie disable NAME``: an integration of that name or, if there is
none, a policy (a global one before a team's). Only a chat user linked to a Tocsin user who may
configure it can; through a team's integration, only that team's."""

from __future__ import annotations

from tocsin.chat.command_types import Disable, Enable
from tocsin.chat.execute_context import Context, team_name
from tocsin.chat.replies import Reply
from tocsin.errors import Conflict, NotFound, PermissionDenied
from tocsin.integrations import registry
from tocsin.integrations import service as integrations
from tocsin.names import name_key
from tocsin.policies import service as policies
from tocsin.policies.models import Policy
from tocsin.teams import service as teams


def enable(ctx: Context, command: Enable) -> Reply:
    return _switch(ctx, command.name, enabled=True)


def disable(ctx: Context, command: Disable) -> Reply:
    return _switch(ctx, command.name, enabled=False)


def _switch(ctx: Context, name: str, *, enabled: bool) -> Reply:
    if ctx.user is None:
        raise PermissionDenied(
            f"Enabling and disabling integrations and policies needs a Tocsin account that may "
            f"configure them; your {ctx.platform} account is not connected to one. "
            "Run `/genie connect` to connect it."
        )
    done = "enabled" if enabled else "disabled"
    integration = integrations.find_integration(ctx.session, name=name)
    if integration is not None:
        _within_reach(ctx, integration.team_id, f"integration {integration.name}")
        was = integration.enabled
        registry.set_enabled(ctx.session, actor=ctx.actor, integration=integration, enabled=enabled)
        if was == enabled:
            return Reply(f"Integration {integration.name} was already {done}.")
        return Reply(f"{ctx.who} {done} integration {integration.name}", in_channel=True)
    policy = _policy_named(ctx, name)
    _within_reach(ctx, policy.team_id, f"the {policy.type} policy {policy.name}")
    was = policy.enabled
    policies.set_enabled(ctx.session, actor=ctx.actor, policy=policy, enabled=enabled)
    what = f"{policy.type} policy {policy.name} ({_scope(ctx, policy)})"
    if was == enabled:
        return Reply(f"The {what} was already {done}.")
    return Reply(f"{ctx.who} {done} the {what}", in_channel=True)


def _within_reach(ctx: Context, team_id: str | None, what: str) -> None:
    """Through a team's integration only that team's configuration is reached, whoever types:
    say so, rather than that the person lacks a right they may well have."""
    own_team = ctx.integration.team_id
    if own_team is None or team_id == own_team:
        return
    integration_team = team_name(ctx, own_team)
    owner = f"team {team_name(ctx, team_id)}'s" if team_id else "global"
    raise PermissionDenied(
        f"{what} is {owner} configuration, and {ctx.integration.name} is team {integration_team}'s "
        f"integration: commands typed through it change only team {integration_team}'s configuration. "
        "Use a global integration or Tocsin's web pages."
    )


def _scope(ctx: Context, policy: Policy) -> str:
    if policy.team_id is None:
        return "global"
    team = teams.find_team(ctx.session, team_id=policy.team_id)
    return f"team {team.name if team else policy.team_id}"


def _policy_named(ctx: Context, name: str) -> Policy:
    """A global policy of that name, else the one team policy of that name (among teams the
    actor manages, when several teams have one)."""
    wanted = name_key(name)
    for policy in policies.list_policies(ctx.session, team_id=None):
        if policy.name_key == wanted:
            return policy
    found: list[Policy] = []
    for team in teams.list_teams(ctx.session):
        of_team = policies.find_policy_by_name(ctx.session, name, team_id=team.id)
        if of_team is not None:
            found.append(of_team)
    if len(found) > 1:
        found = [policy for policy in found if ctx.actor.manages.covers_team(policy.team_id)] or found
    if not found:
        raise NotFound(f"No integration or policy named {name.strip()}; see `/genie list integrations`")
    if len(found) > 1:
        scopes = ", ".join(_scope(ctx, policy) for policy in found)
        raise Conflict(
            f"Several teams have a policy named {name.strip()} ({scopes}); rename one to tell them apart"
        )
    return found[0]
