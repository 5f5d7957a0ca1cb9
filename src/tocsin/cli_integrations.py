"""``tocsin integration create|list|enable|disable|delete``: the integrations registry from the
command line, acting as the system (the CLI runs on the server, with its database)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.cli_common import Hints, errors_as_one_line, in_transaction, settings_or_fail
from tocsin.errors import NotFound
from tocsin.integrations import registry, service
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy
from tocsin.teams import service as teams

integration_app = typer.Typer(help="Manage integrations.", no_args_is_help=True)
UNKNOWN: Hints = {NotFound: " (tocsin integration list shows the names)"}


@integration_app.command("create")
def integration_create(
    name: Annotated[str, typer.Option(help="Unique name, shown in alert logs and used by chat commands.")],
    type: Annotated[str, typer.Option("--type", help="API, Webhook or Heartbeat.")] = "API",
    team: Annotated[str | None, typer.Option(help="Owner team: its alerts go to that team only.")] = None,
    webhook_url: Annotated[
        str | None, typer.Option("--webhook-url", help="Where a Webhook integration posts alert events.")
    ] = None,
) -> None:
    """Create an integration. The last line is its key (API, Heartbeat), shown once, or for a
    Webhook the secret its requests are signed with."""
    settings = settings_or_fail()
    with errors_as_one_line():
        outbound = OutboundPolicy.from_settings(settings)
    integration, secret = in_transaction(
        lambda session: service.create_integration(
            session,
            type=type,
            name=name,
            team_name=team,
            changes=Changes(url=webhook_url),
            outbound=outbound,
        ),
        hints={NotFound: " (create it first with tocsin team create NAME, or leave out --team)"},
    )
    owner = f" owned by team {team}" if team else ""
    if secret:
        typer.echo(f"Created {integration.type} integration {integration.name}{owner}. Key:")
        typer.echo(secret)
        return
    typer.echo(f"Created {integration.type} integration {integration.name}{owner}. Signing secret:")
    typer.echo(registry.signing_secret_of(integration, settings.effective_secret_key))


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
