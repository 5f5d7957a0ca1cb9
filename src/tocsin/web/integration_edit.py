"""Editing a saved integration from its page: the settings its kind has (name, description, URL,
a webhook's headers and custom actions, a chat kind's Require Matching a User, Mattermost's
command token, Slack's Signing Secret, the forwarded actions and the filter as rows of
conditions), for those who may configure it, through the same service the API uses. A form that
is refused is shown again with the message next to what to fix, and nothing is changed."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.integrations import chat_kinds, configuration, outgoing, registry
from tocsin.integrations.chat_bots import BOT_KINDS, BotChanges, bot_of
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.integrations.schemas import CustomActions, Headers
from tocsin.outbound import OutboundPolicy
from tocsin.teams import service as teams
from tocsin.web import condition_builder, csrf
from tocsin.web.condition_builder import ConditionFields, ConditionRow
from tocsin.web.integration_form import URL_MAX, error_place, refused, team_view
from tocsin.web.pages import db, redirect, render, settings, signed_in_user, to_login

DESCRIPTION_MAX = 10000
_FORM_FIELDS = {
    "name": "name",
    "description": "description",
    "url": "url",
    "headers": "headers",
    "customActions": "custom_actions",
    "ownerTeam": "owner_team",
    "commandToken": "command_token",
    "slackSigningSecret": "slack_signing_secret",
    "outgoing.actions": "actions",
    "serverUrl": "server_url",
    "botToken": "bot_token",
    "channelId": "bot_channel",
    "channel": "bot_channel",
}
NO_TEAM = "none"
NOT_YOURS = "There is no such integration, or it is not yours to see."
_HEADERS: TypeAdapter[dict[str, str]] = TypeAdapter(Headers)
_CUSTOM_ACTIONS: TypeAdapter[list[str]] = TypeAdapter(CustomActions)


class EditSubmitted(ConditionFields):
    csrf_token: str = ""
    name: str = ""
    description: str = ""
    owner_team: str | None = None
    """A team's id, or NO_TEAM; left out (no choice was offered): the owner stays."""
    url: str = ""
    headers: str = ""
    custom_actions: str = ""
    require_user_matching: str = ""
    command_token: str = ""
    remove_command_token: str = ""
    slack_signing_secret: str = ""
    server_url: str = ""
    bot_token: str = ""
    bot_channel: str = ""
    stop_bot: str = ""
    actions: list[str] = []

    def changes(self, integration: Integration) -> Changes:
        """What the form asks to change, as the service takes it (which checks the rest); a
        setting the kind has not stays None, a secret left empty is kept as it is."""
        kind = integration.type
        chat, sends, webhook = chat_kinds.is_chat_kind(kind), outgoing.sends(kind), kind == "Webhook"
        if len(self.url) > URL_MAX:
            raise InvalidInput("url", f"the URL must be at most {URL_MAX} characters")
        url = self.url.strip() if kind in configuration.URL_KINDS else None
        token = None
        if kind == "Mattermost":
            token = "" if self.remove_command_token else (self.command_token.strip() or None)
        return Changes(
            url=url if url != configuration.url_of(integration) else None,
            headers=_headers(self.headers) if webhook else None,
            custom_actions=_custom_actions(self.custom_actions) if webhook else None,
            outgoing_actions=self.actions if sends else None,
            outgoing_filter=condition_builder.filter_json(self.filter_form()) if sends else None,
            require_user_matching=bool(self.require_user_matching) if chat else None,
            command_token=token,
            slack_signing_secret=(self.slack_signing_secret.strip() or None) if kind == "Slack" else None,
            bot=self.bot_changes(integration),
        )

    def bot_changes(self, integration: Integration) -> BotChanges:
        """Bot mode's settings that changed: a new token (empty keeps the saved one), server or
        channel; or bot mode stopped (back to the incoming webhook)."""
        kind = integration.type
        if kind not in BOT_KINDS:
            return BotChanges()
        if self.stop_bot:
            return BotChanges(token="")
        if len(self.server_url) > URL_MAX:
            raise InvalidInput("serverUrl", f"the server URL must be at most {URL_MAX} characters")
        stored = bot_of(integration)
        server = self.server_url.strip() if kind == "Mattermost" else ""
        channel = self.bot_channel.strip()
        token = self.bot_token.strip() or None
        if stored is None and token is None:
            if server or channel:
                raise InvalidInput("botToken", "give the bot token too: bot mode starts with the bot's token")
            return BotChanges()
        changed_server = server if server and (stored is None or server != stored.server_url) else None
        changed_channel = channel if channel and (stored is None or channel != stored.channel) else None
        return BotChanges(
            server_url=changed_server,
            token=token,
            channel_id=changed_channel if kind == "Mattermost" else None,
            channel=changed_channel if kind == "Slack" else None,
        )


def _first_error(error: ValidationError) -> str:
    return str(error.errors()[0]["msg"]).removeprefix("Value error, ")


def _headers(text: str) -> dict[str, str]:
    """ "Name: value" lines, as a webhook's headers."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise InvalidInput("headers", f"line {number}: write each header as Name: value")
        found[name.strip()] = value.strip()
    try:
        return _HEADERS.validate_python(found)
    except ValidationError as error:
        raise InvalidInput("headers", _first_error(error)) from None


def _custom_actions(text: str) -> list[str]:
    """One custom action per line."""
    names = [line.strip() for line in text.splitlines() if line.strip()]
    try:
        return _CUSTOM_ACTIONS.validate_python(names)
    except ValidationError as error:
        raise InvalidInput("customActions", _first_error(error)) from None


def _stored_form(integration: Integration) -> tuple[EditSubmitted, list[ConditionRow]]:
    config = integration.config or {}
    bot = bot_of(integration)
    shown = condition_builder.form_of(integration.outgoing_filter)
    form = EditSubmitted(
        name=integration.name,
        description=integration.description or "",
        owner_team=integration.team_id or NO_TEAM,
        url=configuration.url_of(integration),
        headers="\n".join(
            f"{name}: {value}" for name, value in configuration.headers_of(integration).items()
        ),
        custom_actions="\n".join(configuration.custom_actions_of(integration)),
        require_user_matching="on" if config.get("requireUserMatching") else "",
        server_url=bot.server_url if bot and integration.type == "Mattermost" else "",
        bot_channel=bot.channel if bot else "",
        actions=list(integration.outgoing_actions),
        filter_type=shown.match,
    )
    return form, shown.rows or [ConditionRow()]


def owner_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """The owners ``user`` may give an integration (or a heartbeat), as (value, label): no team (for those who
    configure everything) and the teams they administer."""
    manages = teams.actor_for_user(session, user, channel="web").manages
    owners = [(NO_TEAM, "No team (global)")] if manages.everything else []
    owners += [(team.id, team.name) for team in teams.list_teams(session) if manages.covers_team(team.id)]
    return owners


def _facts(session: Session, user: User, integration: Integration) -> dict[str, Any]:
    kind = integration.type
    return {
        "owners": owner_choices(session, user),
        "id": integration.id,
        "name": integration.name,
        "type": kind,
        "team": team_view(session, integration.team_id),
        "has_url": kind in configuration.URL_KINDS,
        "url_label": f"{kind} URL" if chat_kinds.is_chat_kind(kind) else "URL",
        "chat": chat_kinds.is_chat_kind(kind),
        "webhook": kind == "Webhook",
        "sends": outgoing.sends(kind),
        "command_token_set": chat_kinds.command_token_set(integration),
        "slack_secret_set": bool(chat_kinds.slack_signing_secret(integration)),
        "has_bot_mode": kind in BOT_KINDS,
        "bot_mode": bot_of(integration) is not None,
    }


def _edit_page(
    request: Request,
    user: User,
    facts: dict[str, Any],
    form: EditSubmitted,
    rows: list[ConditionRow],
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    focus_row: int | None = None,
) -> Response:
    return render(
        request,
        "integration_edit.html",
        status,
        user=user,
        integration=facts,
        form=form,
        rows=rows,
        errors=errors or {},
        focus_row=focus_row,
        all_actions=outgoing.ALERT_ACTIONS,
        match_types=condition_builder.MATCH_TYPES,
        field_labels=condition_builder.FIELD_LABELS,
        operation_labels=condition_builder.OPERATION_LABELS,
    )


def _configurable(session: Session, user: User, integration_id: str) -> tuple[Integration | None, str | None]:
    """The integration if ``user`` may configure it, else why not (as a page says it)."""
    actor = teams.actor_for_user(session, user, channel="web")
    integration = session.get(Integration, integration_id)
    if integration is None or not registry.may_see(actor, integration):
        return None, NOT_YOURS
    if not registry.may_configure(actor, integration):
        team = team_view(session, integration.team_id)
        who = f"admins of team {team['name']} change its" if team else "administrators change global"
        return None, f"Only {who} integrations."
    return integration, None


def edit_form(request: Request, integration_id: str) -> Response:
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    with db(request).read_session() as session:
        integration, why_not = _configurable(session, user, integration_id)
        if integration is None:
            return refused(request, user, 404 if why_not == NOT_YOURS else 403, why_not or NOT_YOURS)
        form, rows = _stored_form(integration)
        facts = _facts(session, user, integration)
    return _edit_page(request, user, facts, form, rows)


def _save(
    session: Session, user_id: str, integration_id: str, form: EditSubmitted, outbound: OutboundPolicy
) -> None:
    current = accounts.find_user_by_id(session, user_id)
    integration = session.get(Integration, integration_id)
    actor = teams.actor_for_user(session, current, channel="web") if current else None
    if integration is None or actor is None or not registry.may_see(actor, integration):
        raise NotFound("no such integration")
    if len(form.description) > DESCRIPTION_MAX:
        raise InvalidInput("description", f"the description must be at most {DESCRIPTION_MAX} characters")
    team_id = integration.team_id
    if form.owner_team is not None:
        team_id = None if form.owner_team == NO_TEAM else form.owner_team
        if team_id is not None and teams.find_team(session, team_id=team_id) is None:
            raise InvalidInput("ownerTeam", "that team no longer exists; choose another owner")
    registry.update_integration(
        session,
        actor=actor,
        integration=integration,
        change_team=team_id != integration.team_id,
        team_id=team_id,
        name=form.name,
        description=form.description,
        changes=form.changes(integration),
        outbound=outbound,
    )


def submit_edit(request: Request, integration_id: str, form: EditSubmitted) -> Response:
    """Save the form, or show it again: with a row added or removed (nothing saved yet), or with
    what to fix (nothing changed)."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    if not csrf.is_valid(request, form.csrf_token):
        return refused(request, user, 400, "Your session expired; open the integration's page and try again.")
    with db(request).read_session() as session:
        integration, why_not = _configurable(session, user, integration_id)
        if integration is None:
            return refused(request, user, 404 if why_not == NOT_YOURS else 403, why_not or NOT_YOURS)
        facts = _facts(session, user, integration)
        kind_url = configuration.url_of(integration)
    if form.rearranging:
        rows, focus = form.rearranged()
        return _edit_page(request, user, facts, form, rows, focus_row=focus)
    rows = form.filter_form().rows or [ConditionRow()]
    try:
        outbound = OutboundPolicy.from_settings(settings(request))
        if facts["has_url"] and form.url.strip() and form.url.strip() != kind_url:
            outbound = outbound.trusting(outbound.check(form.url.strip()))  # DNS outside the write queue
        request.app.state.writer.call(lambda session: _save(session, user.id, integration_id, form, outbound))
    except (InvalidInput, Conflict) as problem:
        errors = {error_place(problem, _FORM_FIELDS): problem.message}
        return _edit_page(request, user, facts, form, rows, errors=errors, status=422)
    except PermissionDenied as problem:
        return refused(request, user, 403, f"{problem.message}.")
    except NotFound:
        return refused(request, user, 404, NOT_YOURS)
    request.app.state.key_cache.clear()
    return redirect(request, f"/settings/integrations/{integration_id}?saved=1")
