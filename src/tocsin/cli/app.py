"""The ``tocsin`` command. Secrets are printed on the last line of stdout, so scripts can take
them with ``tail -n 1``; errors are one line on stderr and a non-zero exit status."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from tocsin import migrate as migrations
from tocsin.cli.account import account_app
from tocsin.cli.backup import backup_command, restore_command
from tocsin.cli.common import errors_as_one_line, settings_or_fail
from tocsin.cli.contacts import contact_app
from tocsin.cli.engine import engine_command, outbox_app
from tocsin.cli.heartbeats import heartbeat_app
from tocsin.cli.importing import import_app
from tocsin.cli.integrations import integration_app
from tocsin.cli.people import apikey_app, team_app, user_app
from tocsin.cli.policies import policy_app
from tocsin.errors import InvalidInput

app = typer.Typer(help="Tocsin: on-call alerting with an Opsgenie-compatible API.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(team_app, name="team")
app.add_typer(apikey_app, name="apikey")
app.add_typer(integration_app, name="integration")
app.add_typer(outbox_app, name="outbox")
app.add_typer(heartbeat_app, name="heartbeat")
app.add_typer(policy_app, name="policy")
app.add_typer(contact_app, name="contact")
app.add_typer(account_app, name="account")
app.add_typer(import_app, name="import")
app.command("engine")(engine_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = settings_or_fail()
    with errors_as_one_line(settings.effective_database_url):
        migrations.upgrade(settings.effective_database_url)
    typer.echo("Database is up to date.")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (TOCSIN_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (TOCSIN_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Server processes (each runs its own write queue).")] = 1,
    no_engine: Annotated[
        bool, typer.Option("--no-engine", help="Serve only; deliveries and escalations run elsewhere.")
    ] = False,
) -> None:
    """Migrate the database, then serve the API and the web pages (and run the engine)."""
    from tocsin import server
    from tocsin.ops import logs

    # Through the environment, so that worker processes (which read their own settings) see them too.
    for key, value in (("HOST", host), ("PORT", port), ("RUN_ENGINE", "false" if no_engine else None)):
        if value is not None:
            os.environ[f"TOCSIN_{key}"] = str(value)
    settings = settings_or_fail()
    logs.configure(settings)
    with errors_as_one_line(settings.effective_database_url, {InvalidInput: " (check TOCSIN_OWNER_EMAIL)"}):
        server.prepare(settings)
    server.run(settings, workers=workers)


def main() -> None:
    app()
