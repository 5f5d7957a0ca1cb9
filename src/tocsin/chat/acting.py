"""Who acts when someone runs a ``/genie`` command or presses a button in a chat channel.

A chat user linked to a Tocsin user acts as that user ("acknowledged by ada@example.com via
Mattermost"), with that user's rights. An unlinked chat user acts through the integration with
its rights on alerts but configures nothing ("acknowledged by @bob (Mattermost)"), unless the
integration requires matching a user. Through a team's integration everyone, admins included,
acts only on that team's alerts and configuration."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import NOTHING, Actor, Scope
from tocsin.chat import linking
from tocsin.chat.requests import ChatIdentity
from tocsin.errors import PermissionDenied
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations
from tocsin.integrations.models import Integration
from tocsin.ops import request_context
from tocsin.teams import service as teams


class NotConnected(PermissionDenied):
    """The integration requires matching a user, and this chat user is not linked to one."""

    def __init__(self, platform: str) -> None:
        super().__init__(
            f"Your {platform} account is not connected to a Tocsin user, and this integration "
            "requires it. Run `/genie connect` to connect it."
        )


def linked_user(session: Session, identity: ChatIdentity) -> User | None:
    """The Tocsin user the chat account is connected to, if any."""
    user = linking.user_for_chat_user(
        session, platform=identity.platform, team_id=identity.team_id, chat_user_id=identity.user_id
    )
    request_context.note(user.username if user else identity.handle, via=identity.platform)
    return user


def chat_actor(session: Session, *, integration: Integration, identity: ChatIdentity) -> Actor:
    return actor_of(session, integration=integration, identity=identity, user=linked_user(session, identity))


def actor_of(
    session: Session, *, integration: Integration, identity: ChatIdentity, user: User | None
) -> Actor:
    """The actor for ``identity`` when ``user`` is (or, for None, is not) the user it is linked to."""
    if user is not None:
        actor = teams.actor_for_user(session, user, channel=identity.platform)
        actor = _within_team(actor, integration.team_id) if integration.team_id else actor
    elif chat_kinds.requires_user_matching(integration):
        raise NotConnected(identity.platform)
    else:
        actor = replace(
            integrations.actor_for(integration, channel=identity.platform),
            name=identity.handle,
            manages=NOTHING,
        )
    request_context.note_actor(actor)
    return actor


def _within_team(actor: Actor, team_id: str) -> Actor:
    """``actor`` narrowed to what it may do with team ``team_id``'s alerts and configuration;
    what it creates goes to that team."""
    team = frozenset({team_id})
    sees_team = actor.scope.covers_team(team_id) or actor.scope.every_alert
    return replace(
        actor,
        scope=Scope(everything=False, team_ids=team if sees_team else frozenset()),
        manages=Scope(everything=False, team_ids=team if actor.manages.covers_team(team_id) else frozenset()),
        owner_team_id=team_id,
    )
