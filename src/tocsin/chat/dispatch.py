"""From a ``/genie`` command or a button press to the reply: parse, decide who acts, execute.

Mistakes of the person typing (a usage error, an unknown alert, a refused permission) come back
as a reply only they see, and nothing the command began stays changed. Anything else is a bug
and is raised, so the endpoint answers 500 and logs it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import Ref
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.chat import command_types as typed
from tocsin.chat import execute_alerts, execute_config, execute_create, execute_lists, execute_people, linking
from tocsin.chat.acting import actor_of, linked_user
from tocsin.chat.alert_card import Card, card_of
from tocsin.chat.buttons import ButtonPress
from tocsin.chat.commands import help_text, parse, usage_text
from tocsin.chat.execute_context import Context, NotLinked, handle_of
from tocsin.chat.replies import Reply
from tocsin.chat.requests import ChatIdentity, ChatRequest
from tocsin.chat.results import Action, run_on_one
from tocsin.config import Settings
from tocsin.errors import AlertNotFound, TocsinError
from tocsin.integrations import chat_kinds
from tocsin.integrations.models import Integration

Execute = Callable[[Context, Any], Reply]

EXECUTE: dict[type[typed.Command], Execute] = {
    typed.Ack: execute_alerts.acknowledge,
    typed.Close: execute_alerts.close,
    typed.AddNote: execute_alerts.add_note,
    typed.AddTags: execute_alerts.add_tags,
    typed.AckAll: execute_alerts.acknowledge_all,
    typed.CloseAll: execute_alerts.close_all,
    typed.Assign: execute_alerts.assign,
    typed.Own: execute_alerts.own,
    typed.UpdatePriority: execute_alerts.update_priority,
    typed.ExecuteAction: execute_alerts.execute_action,
    typed.CreateAlert: execute_create.create_alert,
    typed.GetAlert: execute_lists.get_alert,
    typed.ListAlerts: execute_lists.list_alerts,
    typed.ListIntegrations: execute_lists.list_integrations,
    typed.ListPolicies: execute_lists.list_policies,
    typed.ListTeams: execute_lists.list_teams,
    typed.Enable: execute_config.enable,
    typed.Disable: execute_config.disable,
    typed.TakeOnCall: execute_people.take_oncall,
    typed.WhoIsOnCall: execute_people.who_is_on_call,
    typed.Mute: execute_people.mute,
    typed.Unmute: execute_people.unmute,
}


def _mistake(error: TocsinError) -> Reply:
    """One line, for the caller alone, saying what to fix. A sentence starts with a capital,
    unless it starts with a name ("ann@example.com may not change...")."""
    text = error.message.strip() or type(error).__name__
    if "@" not in text.split(" ", 1)[0]:
        text = text[:1].upper() + text[1:]
    return Reply(text)


def answer(session: Session, *, integration: Integration, request: ChatRequest, base_url: str) -> Reply:
    """The reply to ``/genie <request.text>`` run through ``integration``."""
    try:
        command = parse(request.text)
    except typed.UsageError as error:
        return Reply(usage_text(error) if integration.enabled else chat_kinds.disabled_text(integration.name))
    if not integration.enabled and not isinstance(command, typed.Enable):
        # Enabling stays open, to whoever may configure it, so chat is not locked out of itself.
        return Reply(chat_kinds.disabled_text(integration.name))
    if isinstance(command, typed.Help):
        return Reply(help_text(command.topic))
    identity = request.identity
    try:
        with session.begin_nested():
            user = linked_user(session, identity)
            if isinstance(command, typed.Connect):
                # Before anyone acts: connecting is how to meet "require matching a user".
                return execute_people.connect(
                    session, integration=integration, identity=identity, user=user, base_url=base_url
                )
            actor = actor_of(session, integration=integration, identity=identity, user=user)
            context = Context(session, integration, request, actor, user, base_url)
            return EXECUTE[type(command)](context, command)
    except TocsinError as error:
        return _mistake(error)


def _button_action(action: str, user: User | None, platform: str) -> tuple[str, Action] | None:
    """What pressing ``action`` does, and how the reply says it was done."""
    if action == "ack":
        return "acknowledged", lambda session, ref, actor: actions.acknowledge(session, ref=ref, actor=actor)
    if action == "close":
        return "closed", lambda session, ref, actor: actions.close(session, ref=ref, actor=actor)
    if action == "own":
        if user is None:
            raise NotLinked(platform, "taking ownership")
        owner = Ref(id=user.id)
        return "took ownership of", lambda session, ref, actor: actions.assign(
            session, ref=ref, actor=actor, owner=owner
        )
    return None


def press_button(
    session: Session, *, integration: Integration, identity: ChatIdentity, action: str, alert_id: str
) -> Reply:
    """A notification's button ("ack", "close", "own") pressed on alert ``alert_id``; the reply
    is what the person who pressed it is shown."""
    try:
        with session.begin_nested():
            user = linked_user(session, identity)
            actor = actor_of(session, integration=integration, identity=identity, user=user)
            chosen = _button_action(action, user, identity.platform)
            if chosen is None:
                return Reply(f"Unknown action {action!r}")
            done, act = chosen
            try:
                alert = find_alert(session, AlertRef(alert_id), SYSTEM)
            except AlertNotFound:
                return Reply("That alert no longer exists.")
            result = run_on_one(session, f"#{alert.tiny_id}", AlertRef(alert_id), actor, act)
    except TocsinError as error:
        return _mistake(error)
    return Reply(result.line(handle_of(identity.handle), done))


def press_on_post(
    session: Session, press: ButtonPress, identity: ChatIdentity, *, settings: Settings
) -> tuple[Reply, Card | None]:
    """A verified press of a button on a post: the reply for whoever pressed it, and the alert's
    card as it is now to redraw the post with (None when there is nothing to redraw)."""
    integration = session.get(Integration, press.integration_id)
    if integration is None or not integration.enabled:
        state = "deleted" if integration is None else "disabled"
        return Reply(f"The Tocsin integration of this post is {state}; nothing was done."), None
    if press.to and not identity.team_id:
        identity = _with_linked_team(session, identity)
    reply = press_button(
        session, integration=integration, identity=identity, action=press.action, alert_id=press.alert_id
    )
    alert = session.get(Alert, press.alert_id)
    if alert is None:
        return reply, None
    card = card_of(
        session,
        alert,
        base_url=settings.base_url,
        secret_key=settings.effective_secret_key,
        button_lifetime=settings.chat_button_lifetime,
        integration=integration,
        to=press.to,
    )
    return reply, card


def _with_linked_team(session: Session, identity: ChatIdentity) -> ChatIdentity:
    """A press in a direct message (Mattermost names no team there) as from the team the chat
    user linked their account in."""
    account = linking.direct_account(session, platform=identity.platform, chat_user_id=identity.user_id)
    if account is None:
        return identity
    return dataclasses.replace(identity, team_id=account.chat_team_id, team_name=account.chat_team_name)
