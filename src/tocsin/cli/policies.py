"""``tocsin policy list|enable|disable``: see policies in order, switch them by name."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from tocsin.actors import EVERYTHING, Actor
from tocsin.cli.common import in_transaction
from tocsin.errors import Conflict, NotFound
from tocsin.policies import service
from tocsin.policies.models import Policy

policy_app = typer.Typer(help="See policies and switch them on or off.", no_args_is_help=True)
CLI = Actor(name="tocsin", channel="CLI", manages=EVERYTHING)
Team = Annotated[str | None, typer.Option("--team", help="The team's name or id (default: global policies).")]


@policy_app.command("list")
def policy_list(team: Team = None) -> None:
    """Policies in the order they apply: alert policies, then notification policies."""

    def rows(session: Session) -> list[str]:
        policies = service.list_policies(session, team_id=service.team_id_of(session, team))
        return [
            f"{policy.type}\t{policy.position}\t{'enabled' if policy.enabled else 'disabled'}\t"
            f"{policy.name}\t{policy.id}"
            for policy in policies
        ]

    lines = in_transaction(rows)
    if not lines:
        typer.echo(f"No policies{' for team ' + team if team else ' (global)'}.")
    for line in lines:
        typer.echo(line)


def _switch(name: str, team: str | None, enabled: bool) -> None:
    def change(session: Session) -> Policy:
        team_id = service.team_id_of(session, team) if team else None
        policy = service.find_policy_by_name(session, name, team_id=team_id)
        if policy is None:
            raise NotFound(f"no policy named {name!r}{' in team ' + team if team else ''}")
        return service.set_enabled(session, actor=CLI, policy=policy, enabled=enabled)

    policy = in_transaction(
        change,
        hints={NotFound: " (tocsin policy list [--team T] shows them)", Conflict: " with --team"},
    )
    typer.echo(f"Policy {policy.name} is {'enabled' if enabled else 'disabled'}.")


@policy_app.command("enable")
def policy_enable(name: Annotated[str, typer.Argument(help="The policy's name.")], team: Team = None) -> None:
    """Let a policy apply again."""
    _switch(name, team, True)


@policy_app.command("disable")
def policy_disable(
    name: Annotated[str, typer.Argument(help="The policy's name.")], team: Team = None
) -> None:
    """Stop a policy from applying (it stays, in its place in the order)."""
    _switch(name, team, False)
