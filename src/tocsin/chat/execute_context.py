"""What every command's execution is given, and the small helpers they all use: who to name in
replies, times as people read them, lists capped to a readable length, input checked against the
same schemas the API uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.chat.markdown import escape_line
from tocsin.chat.requests import ChatRequest
from tocsin.errors import InvalidInput
from tocsin.integrations.models import Integration
from tocsin.teams import service as teams

LIST_LIMIT = 20
"""Listed lines shown at most; the rest are counted ("… and 3 more")."""
_PLAIN_HANDLE = re.compile(r"@[A-Za-z0-9._-]{1,64}")

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Context:
    session: Session
    integration: Integration
    request: ChatRequest
    actor: Actor
    user: User | None
    """The Tocsin user the chat account is linked to; None for an unlinked chat user."""
    base_url: str

    @property
    def platform(self) -> str:
        return self.request.identity.platform

    @property
    def who(self) -> str:
        """How replies in the channel name the person who ran the command: their chat handle."""
        return handle_of(self.request.identity.handle)

    def needs_user(self, doing: str) -> User:
        """The linked Tocsin user, or a refusal saying how to connect."""
        if self.user is None:
            raise NotLinked(self.platform, doing)
        return self.user


class NotLinked(InvalidInput):
    """A command that acts as a person (``own``, ``oncall me``...) run from an unlinked chat account."""

    def __init__(self, platform: str, doing: str) -> None:
        super().__init__(
            "user",
            f"{doing[:1].upper()}{doing[1:]} needs your {platform} account connected to a Tocsin user. "
            "Run `/genie connect` to connect it.",
        )


def handle_of(handle: str) -> str:
    """A chat handle as it is ("@bob") when it is a plain one, else made inert."""
    return handle if _PLAIN_HANDLE.fullmatch(handle) else escape_line(handle, limit=80)


def team_name(ctx: Context, team_id: str) -> str:
    """The team's name (its id if it is gone), as replies name it."""
    team = teams.find_team(ctx.session, team_id=team_id)
    return team.name if team else team_id


def outside(text: str) -> str:
    """Text that came from outside (an alert message, what someone typed), safe in a post."""
    return escape_line(text, limit=300)


def capped(lines: list[str], total: int | None = None) -> list[str]:
    """At most LIST_LIMIT of ``lines``, and how many more there are (of ``total``, if given)."""
    total = len(lines) if total is None else total
    shown = lines[:LIST_LIMIT]
    if total > len(shown):
        shown.append(f"… and {total - len(shown)} more")
    return shown


def zone_of(user: User | None) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone) if user is not None and user.time_zone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def at_time(moment: datetime, zone: ZoneInfo) -> str:
    """ "14:00 UTC" today, "2026-03-04 14:00 CET" on another day (in ``zone``)."""
    local = moment.astimezone(zone)
    today = clock.now().astimezone(zone).date()
    shown = local.strftime("%H:%M") if local.date() == today else local.strftime("%Y-%m-%d %H:%M")
    return f"{shown} {local.tzname() or zone.key}"


def validated(model: type[Model], data: dict[str, Any], *, field: str, problem: str) -> Model:
    """``data`` through an API schema; a refusal is an InvalidInput saying ``problem``."""
    try:
        return model.model_validate(data)
    except ValidationError:
        raise InvalidInput(field, problem) from None
