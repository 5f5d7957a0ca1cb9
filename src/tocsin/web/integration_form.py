"""The form that adds an integration, globally (Settings > Integrations > Add) or for a team (from
its page). One form serves every kind, with the fields the kind has. A chat integration's Request
URL (HipChat's Capabilities URL) is shown on it before saving, so it can be copied into the chat
platform first, as the set-up steps go: the new integration's id and signing salt are chosen when
the form is drawn and travel signed (for an hour) in a hidden field, so what is saved has exactly
the URL that was shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.db import new_id
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.integrations import chat_kinds, configuration, outgoing, registry, service, signing
from tocsin.integrations.chat_bots import BOT_KINDS, BotChanges
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy
from tocsin.teams import service as teams
from tocsin.web import condition_builder, csrf
from tocsin.web.condition_builder import ConditionFields, ConditionProblem, ConditionRow
from tocsin.web.pages import db, render, settings, signed_in_user, to_login

FORM_LIFETIME_SECONDS = 3600
URL_MAX = 2000
_FORM_FIELDS = {
    "name": "name",
    "url": "url",
    "commandToken": "command_token",
    "slackSigningSecret": "slack_signing_secret",
    "serverUrl": "server_url",
    "botToken": "bot_token",
    "channelId": "bot_channel",
    "channel": "bot_channel",
    "outgoing.actions": "actions",
}
DEFAULT_URLS = {"HipChat": "https://api.hipchat.com"}
"""What a new integration's URL field starts with: the HipChat server most people used."""


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


@dataclass(frozen=True)
class Draft:
    """The integration an add form creates: chosen when the form is drawn, signed into it."""

    kind: str
    team_id: str | None
    integration_id: str
    salt: str
    user_id: str


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        settings(request).effective_secret_key, salt="integration-form", signer=_ClockSigner
    )


def _draft_from(request: Request, token: str) -> Draft | None:
    try:
        return Draft(**_serializer(request).loads(token, max_age=FORM_LIFETIME_SECONDS))
    except (BadSignature, TypeError):
        return None


class Submitted(ConditionFields):
    csrf_token: str = ""
    draft: str = ""
    name: str = ""
    url: str = ""
    require_user_matching: str = ""
    command_token: str = ""
    slack_signing_secret: str = ""
    server_url: str = ""
    bot_token: str = ""
    bot_channel: str = ""
    actions: list[str] = []

    def changes(self, kind: str) -> Changes:
        """What the form asks for, as the service takes it (which checks the rest)."""
        chat, sends = chat_kinds.is_chat_kind(kind), outgoing.sends(kind)
        if len(self.url) > URL_MAX:
            raise InvalidInput("url", f"the URL must be at most {URL_MAX} characters")
        bot = self.bot_changes(kind)
        url = self.url.strip() if kind in configuration.URL_KINDS else None
        return Changes(
            url=None if bot.given and not url else url,  # a bot needs no incoming webhook
            outgoing_actions=self.actions if sends else None,
            outgoing_filter=condition_builder.filter_json(self.filter_form()) if sends else None,
            require_user_matching=bool(self.require_user_matching) if chat else None,
            command_token=self.command_token if kind == "Mattermost" else None,
            slack_signing_secret=(self.slack_signing_secret or None) if kind == "Slack" else None,
            bot=bot,
        )

    def bot_changes(self, kind: str) -> BotChanges:
        """Bot mode, when a bot token is given (the other bot fields alone are ignored)."""
        if kind not in BOT_KINDS or not self.bot_token.strip():
            return BotChanges()
        if len(self.server_url) > URL_MAX:
            raise InvalidInput("serverUrl", f"the server URL must be at most {URL_MAX} characters")
        return BotChanges(
            server_url=self.server_url if kind == "Mattermost" else None,
            token=self.bot_token,
            channel_id=self.bot_channel if kind == "Mattermost" else None,
            channel=self.bot_channel if kind == "Slack" else None,
        )


def error_place(problem: InvalidInput | Conflict, fields: Mapping[str, str]) -> str:
    """Which field of a form an error belongs next to ("form": above the form); ``fields`` maps
    the API's field names to the form's."""
    if isinstance(problem, Conflict):
        return "name"
    if isinstance(problem, ConditionProblem):
        return f"condition-{problem.row}"
    field = problem.field or ""
    if field.startswith("outgoing.filter"):
        return "filter"
    return fields.get(field, "form")


def _form_page(
    request: Request,
    *,
    user: User,
    draft: Draft,
    team: dict[str, str] | None,
    form: Submitted,
    errors: dict[str, str] | None = None,
    status: int = 200,
    rows: list[ConditionRow] | None = None,
    focus_row: int | None = None,
) -> Response:
    config = settings(request)
    request_url = ""
    if chat_kinds.is_chat_kind(draft.kind):
        request_url = chat_kinds.request_url_for(
            config.base_url,
            config.effective_secret_key,
            kind=draft.kind,
            integration_id=draft.integration_id,
            salt=draft.salt,
        )
    return render(
        request,
        "integration_new.html",
        status,
        user=user,
        kind=draft.kind,
        team=team,
        form=form,
        errors=errors or {},
        draft=_serializer(request).dumps(asdict(draft)),
        request_url=request_url,
        request_url_label=chat_kinds.request_url_label(draft.kind),
        action=f"/teams/{team['id']}/integrations/new" if team else "/settings/integrations/new",
        has_url=draft.kind in configuration.URL_KINDS,
        chat=chat_kinds.is_chat_kind(draft.kind),
        sends=outgoing.sends(draft.kind),
        all_actions=outgoing.ALERT_ACTIONS,
        rows=rows or form.filter_form().rows or [ConditionRow()],
        focus_row=focus_row,
        match_types=condition_builder.MATCH_TYPES,
        field_labels=condition_builder.FIELD_LABELS,
        operation_labels=condition_builder.OPERATION_LABELS,
    )


def refused(request: Request, user: User, status: int, message: str) -> Response:
    return render(request, "integration_new.html", status, user=user, refused=message)


def team_view(session: Session, team_id: str | None) -> dict[str, str] | None:
    team = teams.get_team(session, team_id=team_id) if team_id else None
    return {"id": team.id, "name": team.name} if team else None


def new_form(request: Request, type: str, team_id: str | None) -> Response:
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    with db(request).read_session() as session:
        try:
            team = team_view(session, team_id)
        except NotFound:
            return refused(request, user, 404, "There is no such team.")
        kind = next((known for known in registry.KINDS_TO_ADD if known.lower() == type.strip().lower()), None)
        if kind is None:
            return refused(request, user, 404, f"There is no integration kind {type!r} to add.")
        if not teams.actor_for_user(session, user, channel="web").manages.covers_team(team_id):
            who = f"admins of team {team['name']} add its" if team else "administrators add global"
            return refused(request, user, 403, f"Only {who} integrations.")
    draft = Draft(kind, team_id, new_id(), signing.new_salt(), user.id)
    return _form_page(
        request,
        user=user,
        draft=draft,
        team=team,
        form=Submitted(
            name=kind, url=DEFAULT_URLS.get(kind, ""), actions=list(outgoing.default_actions(kind))
        ),
    )


def _save(
    session: Session, user_id: str, draft: Draft, changes: Changes, name: str, outbound: OutboundPolicy
) -> tuple[str, str]:
    """The integration's id and, for kinds that receive alerts, its key (shown once)."""
    if session.get(Integration, draft.integration_id) is not None:
        return draft.integration_id, ""  # the form was sent twice: it is saved already
    user = accounts.find_user_by_id(session, user_id)
    if user is None:
        raise PermissionDenied("your account no longer exists")
    integration, key = service.create_integration(
        session,
        type=draft.kind,
        name=name,
        team_id=draft.team_id,
        actor=teams.actor_for_user(session, user, channel="web"),
        changes=changes,
        outbound=outbound,
        integration_id=draft.integration_id,
        signing_salt=draft.salt,
    )
    return integration.id, key


@dataclass(frozen=True)
class Created:
    integration_id: str
    key: str
    """The key of a kind that receives alerts, to show once; "" for the others."""


def create(request: Request, form: Submitted, team_id: str | None) -> Response | Created:
    """The integration the form asks for, or the page to answer with (the form again with the
    problem next to its field, or why it is refused); nothing is stored unless all is well."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    if not csrf.is_valid(request, form.csrf_token):
        return refused(request, user, 400, "Your session expired; open the form again.")
    draft = _draft_from(request, form.draft)
    if draft is None or draft.team_id != team_id or draft.user_id != user.id:
        return refused(
            request, user, 400, "This form is more than an hour old or was altered; open it again."
        )
    if form.rearranging:
        with db(request).read_session() as session:
            team = team_view(session, team_id)
        rows, focus = form.rearranged()
        return _form_page(request, user=user, draft=draft, team=team, form=form, rows=rows, focus_row=focus)
    try:
        changes = form.changes(draft.kind)
        outbound = OutboundPolicy.from_settings(settings(request))
        if changes.url:
            outbound = outbound.trusting(outbound.check(changes.url))  # DNS outside the write queue
        if changes.bot.server_url:
            try:
                outbound = outbound.trusting(outbound.check(changes.bot.server_url))
            except InvalidInput as unreachable:
                raise InvalidInput("serverUrl", unreachable.message) from unreachable
        integration_id, key = request.app.state.writer.call(
            lambda session: _save(session, user.id, draft, changes, form.name, outbound)
        )
    except (InvalidInput, Conflict) as problem:
        with db(request).read_session() as session:
            team = team_view(session, team_id)
        errors = {error_place(problem, _FORM_FIELDS): problem.message}
        return _form_page(request, user=user, draft=draft, team=team, form=form, errors=errors, status=422)
    except PermissionDenied as problem:
        return refused(request, user, 403, f"{problem.message}.")
    except NotFound:
        return refused(request, user, 404, "The team of this form no longer exists.")
    return Created(integration_id, key)
