"""``tocsin integration create|update|show|list|enable|disable|delete``: the integrations registry from the
command line, acting as the system (the CLI runs on the server, with its database)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.cli.common import Hints, errors_as_one_line, fail, in_transaction, settings_or_fail
from tocsin.errors import NotFound
from tocsin.integrations import chat_kinds, configuration, outgoing, registry, service
from tocsin.integrations.chat_bots import BOT_KINDS, BotChanges
from tocsin.integrations.configuration import URL_KINDS, Changes, listed
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy
from tocsin.teams import service as teams

integration_app = typer.Typer(help="Manage integrations.", no_args_is_help=True)
UNKNOWN: Hints = {NotFound: " (tocsin integration list shows the names)"}


_URL_HELP = (
    "Webhook: where it posts alert events. Mattermost, Slack: the URL of the incoming webhook alerts "
    "are posted through (the Mattermost URL, the Slack URL). HipChat: the HipChat server, "
    "https://api.hipchat.com or your own (the HipChat URL)."
)
_CHAT_OPTIONS = {
    "--require-user-matching": frozenset(chat_kinds.CHAT_KINDS),
    "--command-token": frozenset({"Mattermost"}),
    "--slack-signing-secret": frozenset({"Slack"}),
    "--server-url": frozenset({"Mattermost"}),
    "--bot-token": BOT_KINDS,
    "--bot-channel": BOT_KINDS,
}
_SET_UP = {
    "Mattermost": "Paste this Request URL into the /genie slash command in Mattermost:",
    "Slack": "Paste this Request URL into your Slack app's /genie slash command and its Interactivity:",
    "HipChat": "Install it in a HipChat room (Integrations > Install an integration from a descriptor "
    "URL) with this Capabilities URL:",
}
UrlOption = Annotated[str | None, typer.Option("--webhook-url", "--url", help=_URL_HELP)]
CommandTokenOption = Annotated[
    str | None,
    typer.Option(
        "--command-token", help="Mattermost: the slash command's Token; requests without it are refused."
    ),
]
SigningSecretOption = Annotated[
    str | None,
    typer.Option(
        "--slack-signing-secret",
        help="Slack: your app's Signing Secret (Basic Information); Slack's requests are checked with it.",
    ),
]

ServerUrlOption = Annotated[
    str | None,
    typer.Option("--server-url", help="Mattermost bot mode: your Mattermost's address (Site URL)."),
]
BotTokenOption = Annotated[
    str | None,
    typer.Option(
        "--bot-token",
        help='Bot mode (Mattermost, Slack): the bot\'s token; one live card per alert. "" turns it off.',
    ),
]
BotChannelOption = Annotated[
    str | None, typer.Option("--bot-channel", help="Bot mode: the ID of the channel the bot posts in.")
]


def _checked_changes(
    kind: str,
    *,
    url: str | None,
    require_user_matching: bool | None,
    command_token: str | None,
    slack_signing_secret: str | None,
    server_url: str | None = None,
    bot_token: str | None = None,
    bot_channel: str | None = None,
) -> Changes:
    """The changes the options ask for, once sure the kind has each option given (the service
    checks the values)."""
    if url is not None and kind not in URL_KINDS:
        fail(f"--webhook-url is for {listed(URL_KINDS)} integrations; {kind} integrations have no URL")
    given = {
        "--require-user-matching": require_user_matching,
        "--command-token": command_token,
        "--slack-signing-secret": slack_signing_secret,
        "--server-url": server_url,
        "--bot-token": bot_token,
        "--bot-channel": bot_channel,
    }
    for option, value in given.items():
        if value not in (None, False) and kind not in _CHAT_OPTIONS[option]:
            fail(f"{option} is for {listed(_CHAT_OPTIONS[option])} integrations, not {kind}")
    return Changes(
        url=url,
        require_user_matching=require_user_matching,
        command_token=command_token,
        slack_signing_secret=slack_signing_secret,
        bot=BotChanges(
            server_url=server_url,
            token=bot_token,
            channel_id=bot_channel if kind == "Mattermost" else None,
            channel=bot_channel if kind == "Slack" else None,
        ),
    )


@integration_app.command("create")
def integration_create(
    name: Annotated[str, typer.Option(help="Unique name, shown in alert logs and used by chat commands.")],
    type: Annotated[
        str, typer.Option("--type", help="API, Webhook, Heartbeat, Mattermost, Slack or HipChat.")
    ] = "API",
    team: Annotated[str | None, typer.Option(help="Owner team: its alerts go to that team only.")] = None,
    webhook_url: UrlOption = None,
    require_user_matching: Annotated[
        bool,
        typer.Option(
            "--require-user-matching",
            help="Chat kinds: only chat users connected to a Tocsin account (/genie connect) may act.",
        ),
    ] = False,
    command_token: CommandTokenOption = None,
    slack_signing_secret: SigningSecretOption = None,
    server_url: ServerUrlOption = None,
    bot_token: BotTokenOption = None,
    bot_channel: BotChannelOption = None,
) -> None:
    """Create an integration. The last line is its key (API, Heartbeat), shown once; for a
    Webhook the secret its requests are signed with; for Mattermost and Slack the Request URL to
    give the /genie slash command; for HipChat the Capabilities URL to install it from."""
    settings = settings_or_fail()
    with errors_as_one_line():
        outbound = OutboundPolicy.from_settings(settings)
        kind = service.kind_of(type)
    changes = _checked_changes(
        kind,
        url=webhook_url,
        require_user_matching=require_user_matching,
        command_token=command_token,
        slack_signing_secret=slack_signing_secret,
        server_url=server_url,
        bot_token=bot_token,
        bot_channel=bot_channel,
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
        typer.echo(f"{created} {_SET_UP[kind]}")
        typer.echo(chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration))
    else:
        typer.echo(f"{created} Signing secret:")
        typer.echo(registry.signing_secret_of(integration, settings.effective_secret_key))


@integration_app.command("update")
def integration_update(
    name: str,
    webhook_url: UrlOption = None,
    require_user_matching: Annotated[
        bool | None,
        typer.Option(
            "--require-user-matching/--no-require-user-matching",
            help="Chat kinds: whether only chat users connected to a Tocsin account may act.",
            show_default=False,
        ),
    ] = None,
    command_token: CommandTokenOption = None,
    slack_signing_secret: SigningSecretOption = None,
    server_url: ServerUrlOption = None,
    bot_token: BotTokenOption = None,
    bot_channel: BotChannelOption = None,
) -> None:
    """Change an integration's settings; what is not given stays as it is."""
    settings = settings_or_fail()
    with errors_as_one_line():
        outbound = OutboundPolicy.from_settings(settings)

    def update(session: Session) -> str:
        integration = _by_name(session, name)
        changes = _checked_changes(
            integration.type,
            url=webhook_url,
            require_user_matching=require_user_matching,
            command_token=command_token,
            slack_signing_secret=slack_signing_secret,
            server_url=server_url,
            bot_token=bot_token,
            bot_channel=bot_channel,
        )
        registry.update_integration(
            session, actor=SYSTEM, integration=integration, changes=changes, outbound=outbound
        )
        return f"Updated {integration.type} integration {integration.name}."

    typer.echo(in_transaction(update, hints=UNKNOWN))


@integration_app.command("show")
def integration_show(name: str) -> None:
    """An integration's settings; for a chat kind the last line is its Request URL (HipChat: its
    Capabilities URL)."""
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
        # in sentence case, as the other lines: "Require matching a user: yes"
        facts = [
            f"{label[0]}{label[1:].lower()}: {value}" for label, value in chat_kinds.chat_facts(integration)
        ]
        request_url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
        return [*shown, *facts, f"{chat_kinds.request_url_label(integration.type)}: {request_url}"]

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
