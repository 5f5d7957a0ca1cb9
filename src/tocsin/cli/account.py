"""``tocsin account``: settings of the whole account, such as whether everyone sees every alert."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from tocsin.accounts import account_settings
from tocsin.actors import EVERYTHING, Actor
from tocsin.cli.common import in_transaction

account_app = typer.Typer(help="Show and change account settings.", no_args_is_help=True)
CLI = Actor(name="tocsin", channel="CLI", manages=EVERYTHING)
NAMES = ", ".join(account_settings.SETTINGS)


def _state(on: bool) -> str:
    return account_settings.ON if on else account_settings.OFF


@account_app.command("show")
def account_show() -> None:
    """Every account setting, on or off, and what it does when on."""
    for name, on in in_transaction(account_settings.all_settings).items():
        typer.echo(f"{name}\t{_state(on)}\t{account_settings.SETTINGS[name]}")


@account_app.command("set")
def account_set(
    name: Annotated[str, typer.Argument(help=f"The setting: {NAMES}.")],
    value: Annotated[str, typer.Argument(help="on or off.")],
) -> None:
    """Turn an account setting on or off; it applies to the next request."""

    def change(session: Session) -> bool:
        return account_settings.set_setting(session, actor=CLI, name=name, value=value)

    on = in_transaction(change)
    typer.echo(f"{name} is now {_state(on)}.")
