"""``tocsin user``, ``tocsin team`` and ``tocsin apikey``: the accounts an installation starts with."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tocsin.accounts import apikeys
from tocsin.accounts import service as accounts
from tocsin.accounts.passwords import random_password
from tocsin.cli.common import errors_as_one_line, fail, in_transaction
from tocsin.errors import Conflict, NotFound
from tocsin.people import service as people
from tocsin.teams import service as teams

user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
team_app = typer.Typer(help="Manage teams.", no_args_is_help=True)
apikey_app = typer.Typer(help="Manage account-level API keys.", no_args_is_help=True)


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail(
            "no password on stdin: pipe it in (e.g. < password.txt), "
            "or leave out --password-stdin to have one generated"
        )
    return password


@user_app.command("create")
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help="owner, admin or user.")] = "user",
    full_name: Annotated[str, typer.Option("--full-name", help="Display name.")] = "",
    time_zone: Annotated[str, typer.Option("--time-zone", help="IANA time zone, e.g. Europe/Paris.")] = "UTC",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin instead of generating one.")
    ] = False,
) -> None:
    """Create a user. Without --password-stdin a random password is generated and printed."""
    password = _password_from_stdin() if password_stdin else random_password()
    user = in_transaction(
        lambda session: people.create_user(
            session, username=email, role=role, password=password, full_name=full_name, time_zone=time_zone
        ),
        hints={Conflict: " (to give it a new password: tocsin user set-password EMAIL)"},
    )
    typer.echo(f"Created {user.role} {user.username}.")
    if not password_stdin:
        typer.echo("Password:")
        typer.echo(password)


@user_app.command("set-password")
def user_set_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from stdin.")
    ] = False,
) -> None:
    """Set a user's password (a random one is generated and printed without --password-stdin)."""
    password = _password_from_stdin() if password_stdin else random_password()
    in_transaction(
        lambda session: accounts.set_password(session, username=email, password=password),
        hints={NotFound: " (create it with: tocsin user create EMAIL)"},
    )
    typer.echo(f"Password of {email.strip().lower()} changed.")
    if not password_stdin:
        typer.echo("Password:")
        typer.echo(password)


def _member(spec: str) -> tuple[str, str]:
    email, _, role = spec.partition(":")
    return email, role or "user"


@team_app.command("create")
def team_create(
    name: str,
    member: Annotated[
        list[str] | None, typer.Option(help="EMAIL or EMAIL:admin; repeat for each member.")
    ] = None,
    description: Annotated[str, typer.Option(help="What the team does.")] = "",
) -> None:
    """Create a team with its members (who must exist already)."""
    members = [_member(spec) for spec in member or []]
    team = in_transaction(
        lambda session: teams.create_team(session, name=name, description=description, members=members),
        hints={NotFound: " (members must exist first: tocsin user create EMAIL)"},
    )
    typer.echo(f"Created team {team.name} with {len(members)} member(s).")


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="A name that says who uses the key.")],
    rights: Annotated[
        str, typer.Option(help="Comma-separated: read, create-update, delete, configuration.")
    ] = "read",
) -> None:
    """Create an account-level API key; the key is printed once, on the last line."""
    with errors_as_one_line():
        parsed = apikeys.parse_rights(rights)
    _, secret = in_transaction(lambda session: apikeys.create_api_key(session, name=name, rights=parsed))
    typer.echo(f"Created API key {name} with rights {','.join(parsed)}. Key:")
    typer.echo(secret)


@apikey_app.command("list")
def apikey_list() -> None:
    """List API keys (names and rights; keys themselves are never shown again)."""
    for key in in_transaction(lambda session: apikeys.list_api_keys(session)):
        state = "enabled" if key.enabled else "disabled"
        typer.echo(f"{key.name}\t{','.join(key.rights)}\t{state}")


@apikey_app.command("delete")
def apikey_delete(name: Annotated[str, typer.Option(help="The key's name.")]) -> None:
    """Delete an API key; requests made with it are refused from then on."""
    in_transaction(
        lambda session: apikeys.delete_api_key(session, name=name),
        hints={NotFound: " (tocsin apikey list shows the names)"},
    )
    typer.echo(f"Deleted API key {name}.")
