"""``tocsin integration create|show|list|enable|disable|delete``: the integrations registry from the
command line, acting as the system (the CLI runs on the server, with its database)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.cli_common import Hints, errors_as_one_line, fail, in_transaction, settings_or_fail
from tocsin.errors import NotFound
from tocsin.integrations import chat_kinds, configuration, outgoing, registry, service
from tocsin.integrations.configuration import URL_KINDS, Changes
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy
from tocsin.teams import service as teams

integration_app = typer.Typer(help="Manage integrations.", no_args_is_help=True)
UNKNOWN: Hints = {NotFound: " (tocsin integration list shows the names)"}


@integration_app.command("create")
def integration_create(
    name: Annotated[str, typer.Option(help="Unique name, shown in alert logs and used by chat commands.")],
    type: Annotated[str, typer.Option("--type", help="API, Webhook, Heartbeat or Mattermost.")] = "API",
    team: Annotated[str | None, typer.Option(help="Owner team: its alerts go to that team only.")] = None,
    webhook_url: Annotated[
        str | None,
        typer.Option(
            "--webhook-url",
            help="Where a Webhook integration posts alert events; for Mattermost, the URL of its "
            "incoming webhook (the Mattermost URL).",
        ),
    ] = None,
    require_user_matching: Annotated[
        bool,
        typer.Option(
            "--require-user-matching",
            help="Mattermost: only chat users connected to a Tocsin account (/genie connect) may act.",
        ),
    ] = False,
    command_token: Annotated[
        str | None,
        typer.Option(
            "--command-token", help="Mattermost: the slash command's Token; requests without it are refused."
        ),
    ] = None,
) -> None:
    """Create an integration. The last line is its key (API, Heartbeat), shown once; for a
    Webhook the secret its requests are signed with; for Mattermost the Request URL to give the
    /genie slash command."""
    settings = settings_or_fail()
    with errors_as_one_line():
        outbound = OutboundPolicy.from_settings(settings)
        kind = service.kind_of(type)
    if webhook_url is not None and kind not in URL_KINDS:
        kinds = " and ".join(sorted(URL_KINDS))
        fail(f"--webhook-url is for {kinds} integrations; {kind} integrations have no URL")
    if (require_user_matching or command_token is not None) and not chat_kinds.is_chat_kind(kind):
        option = "--require-user-matching" if require_user_matching else "--command-token"
        fail(f"{option} is for {', '.join(chat_kinds.CHAT_KINDS)} integrations, not {kind}")
    changes = Changes(
        url=webhook_url, require_user_matching=require_user_matching, command_token=command_token
    )
    integration, secret = in_transaction(
        lambda session: service.create_integration(
            session,
            type=kind,
            name=name,
            team_name=team,
            changes=changes,
            outbound=outbound,
        ),
        hints={NotFound: " (create it first with tocsin team create NAME, or leave out --team)"},
    )
    owner = f" owned by team {team}" if team else ""
    created = f"Created {integration.type} integration {integration.name}{owner}."
    if secret:
        typer.echo(f"{created} Key:")
        typer.echo(secret)
    elif chat_kinds.is_chat_kind(kind):
        typer.echo(f"{created} Paste this Request URL into the /genie slash command in {kind}:")
        typer.echo(chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration))
    else:
        typer.echo(f"{created} Signing secret:")
        typer.echo(registry.signing_secret_of(integration, settings.effective_secret_key))


@integration_app.command("show")
def integration_show(name: str) -> None:
    """An integration's settings; for Mattermost the last line is its Request URL."""
    settings = settings_or_fail()

    def lines(session: Session) -> list[str]:
        integration = _by_name(session, name)
        team = teams.find_team(session, team_id=integration.team_id) if integration.team_id else None
        shown = [
            f"Name: {integration.name}",
            f"Type: {integration.type}",
            f"Team: {team.name if team else '-'}",
            f"Enabled: {'yes' if integration.enabled else 'no'}",
        ]
        if integration.type in URL_KINDS:
            label = f"{integration.type} URL" if chat_kinds.is_chat_kind(integration.type) else "URL"
            shown.append(f"{label}: {configuration.url_of(integration)}")
        if outgoing.sends(integration.type):
            shown.append(f"Forwards: {', '.join(integration.outgoing_actions) or '-'}")
            shown.append(f"Filter: {json.dumps(integration.outgoing_filter or {'type': 'match-all'})}")
        if not chat_kinds.is_chat_kind(integration.type):
            if outgoing.sends(integration.type):
                secret = registry.signing_secret_of(integration, settings.effective_secret_key)
                shown.append(f"Signing secret: {secret}")
            return shown
        matching = "yes" if chat_kinds.requires_user_matching(integration) else "no"
        token = "set" if chat_kinds.command_token_set(integration) else "not set"
        request_url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
        return [
            *shown,
            f"Require matching a user: {matching}",
            f"Command token: {token}",
            f"Request URL: {request_url}",
        ]

    for line in in_transaction(lines, hints=UNKNOWN):
        typer.echo(line)


@integration_app.command("list")
def integration_list(
    type: Annotated[str | None, typer.Option("--type", help="Only this type.")] = None,
    team: Annotated[str | None, typer.Option(help="Only integrations owned by this team.")] = None,
) -> None:
    """Integrations by name: name, type, enabled or disabled, owner team, outgoing actions."""

    def rows(session: Session) -> list[str]:
        team_id = teams.get_team(session, name=team).id if team else None
        found = registry.list_integrations(session, actor=SYSTEM, type=type, team_id=team_id)
        lines = []
        for integration in found:
            owner = teams.find_team(session, team_id=integration.team_id) if integration.team_id else None
            state = "enabled" if integration.enabled else "disabled"
            forwards = ",".join(integration.outgoing_actions) or "-"
            lines.append(
                f"{integration.name}\t{integration.type}\t{state}\t{owner.name if owner else '-'}\t{forwards}"
            )
        return lines

    for line in in_transaction(rows):
        typer.echo(line)


def _by_name(session: Session, name: str) -> Integration:
    return service.get_integration(session, name, "name")


def _set_enabled(name: str, enabled: bool) -> None:
    in_transaction(
        lambda session: registry.set_enabled(
            session, actor=SYSTEM, integration=_by_name(session, name), enabled=enabled
        ),
        hints=UNKNOWN,
    )


@integration_app.command("enable")
def integration_enable(name: str) -> None:
    """Enable an integration: its key is accepted and its outgoing side sends again."""
    _set_enabled(name, True)
    typer.echo(f"Enabled integration {name}.")


@integration_app.command("disable")
def integration_disable(name: str) -> None:
    """Disable an integration: its key gets 401 and its outgoing side sends nothing."""
    _set_enabled(name, False)
    typer.echo(f"Disabled integration {name}. Its key is refused within a few seconds.")


@integration_app.command("delete")
def integration_delete(name: str) -> None:
    """Delete an integration; its alerts stay, its key is refused from then on."""
    in_transaction(
        lambda session: registry.delete_integration(
            session, actor=SYSTEM, integration=_by_name(session, name)
        ),
        hints=UNKNOWN,
    )
    typer.echo(f"Deleted integration {name}.")
