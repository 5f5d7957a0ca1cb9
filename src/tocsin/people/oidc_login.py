"""Single sign-on: who the claims of a validated OpenID Connect ID token (and userinfo) name.

The claim that holds the e-mail address names the Tocsin user (their username). A provider that
says the address is not verified is refused. An address Tocsin does not know is refused, or,
when the rules allow it, becomes a new user (through ``people.service.create_user``: e-mail
contact and default rule, no password). On every sign-on the user joins the teams their groups
map to that they are not in yet; nobody is taken out of a team here (docs/sso.md says why)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.errors import InvalidInput
from tocsin.people import service as people
from tocsin.teams import service as teams

log = logging.getLogger(__name__)
FULL_NAME_MAX = 200


@dataclass(frozen=True)
class SignOnRules:
    email_claim: str = "email"
    create_users: bool = False
    default_role: str = "user"
    groups_claim: str = "groups"
    team_of_group: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SignedOn:
    user: User
    created: bool
    joined: list[str]
    """The teams the user was added to by this sign-on."""


class SignOnRefused(Exception):
    """A sign-on Tocsin will not accept: ``reason`` is a short code for logs, ``message`` says
    what happened and ``advice`` what to do, both fit to show the person."""

    def __init__(self, reason: str, message: str, advice: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.advice = advice


def email_of(claims: Mapping[str, Any], rules: SignOnRules) -> str:
    """The e-mail address the claims name, checked and in lower case, or SignOnRefused."""
    value = claims.get(rules.email_claim)
    if not isinstance(value, str) or not value.strip():
        raise SignOnRefused(
            "no-email",
            f"The identity provider did not send your e-mail address (the {rules.email_claim!r} claim).",
            "Ask your administrator to have the provider send it (scope and claim are in Tocsin's "
            "single sign-on guide).",
        )
    verified = claims.get("email_verified")
    if verified is False or (isinstance(verified, str) and verified.strip().lower() == "false"):
        raise SignOnRefused(
            "email-unverified",
            f"The identity provider says your e-mail address {value.strip()} is not verified.",
            "Verify it with your identity provider (or ask its administrator to), then sign in again.",
        )
    try:
        return accounts.normalise_username(value)
    except InvalidInput:
        raise SignOnRefused(
            "bad-email",
            f"The identity provider sent {value.strip()[:100]!r} as your e-mail address, which is not one.",
            f"Ask your administrator which claim holds e-mail addresses ({rules.email_claim!r} now).",
        ) from None


def groups_of(claims: Mapping[str, Any], rules: SignOnRules) -> list[str]:
    """The groups claim as a list (a provider may send one group as a plain string)."""
    value = claims.get(rules.groups_claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [group for group in value if isinstance(group, str)]
    return []


def sign_on(session: Session, claims: Mapping[str, Any], rules: SignOnRules) -> SignedOn:
    """The user the claims name (created if the rules say so), added to their groups' teams."""
    email = email_of(claims, rules)
    user = accounts.find_user(session, email)
    created = False
    if user is None:
        if not rules.create_users:
            raise SignOnRefused(
                "unknown-user",
                f"There is no Tocsin account for {email}.",
                "Ask a Tocsin administrator to add you, with this address as the username.",
            )
        name = claims.get("name")
        user = people.create_user(
            session,
            username=email,
            role=rules.default_role,
            password=None,
            full_name=name.strip()[:FULL_NAME_MAX] if isinstance(name, str) else "",
        )
        created = True
    if not user.is_active:
        raise SignOnRefused(
            "deactivated",
            f"The Tocsin account {email} is deactivated.",
            "Ask a Tocsin administrator to reactivate it.",
        )
    joined = join_mapped_teams(session, user, groups_of(claims, rules), rules.team_of_group)
    return SignedOn(user=user, created=created, joined=joined)


def join_mapped_teams(
    session: Session, user: User, groups: list[str], team_of_group: Mapping[str, str]
) -> list[str]:
    """Add the user to the teams their groups map to that they are not in; returns their names."""
    wanted = {team_of_group[group] for group in groups if group in team_of_group}
    member_of = teams.team_ids_of_user(session, user.id)
    joined = []
    for name in sorted(wanted):
        team = teams.find_team(session, name=name)
        if team is None:
            log.warning("single sign-on: TOCSIN_OIDC_GROUP_TEAMS names team %r, which does not exist", name)
            continue
        if team.id not in member_of:
            teams.add_member(session, team=team, user=user, role="user")
            joined.append(team.name)
    return joined
