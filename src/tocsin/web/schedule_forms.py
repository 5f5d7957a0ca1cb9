"""What the schedule pages' forms share: the time zones to pick from, the teams a person may
give a schedule, reading a datetime-local field on a schedule's wall clock, and carrying out a
change so that a refusal is shown beside the field it is about."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.errors import InvalidInput
from tocsin.oncall.lookup import NameRef
from tocsin.oncall.wallclock import to_instant
from tocsin.teams import service as teams
from tocsin.web.admin_forms import carry_out, sentence

T = TypeVar("T")
NO_TEAM = "none"
EARLIEST, LATEST = 1971, 9998
"""The years a form's date may name (past them, converting between zones can overflow)."""
SCHEDULE_FIELDS = {
    "name": "name",
    "timezone": "timezone",
    "ownerTeam": "team_id",
    "description": "description",
}
"""The service's field names → the schedule form's."""
Show = Callable[[int, dict[str, str]], Response]
"""Renders the form's page with an answer status and the errors by form field ("" for the form)."""


class ScheduleSubmitted(BaseModel):
    """The schedule form (new, or the settings of one): name, owner team, time zone, description."""

    name: str = ""
    team_id: str = ""
    """A team's id, or NO_TEAM; empty (no choice was offered): the owner stays."""
    timezone: str = ""
    description: str = ""
    csrf_token: str = ""

    def entered(self) -> dict[str, str]:
        return self.model_dump(exclude={"csrf_token"})

    def owner(self) -> NameRef | None:
        return None if self.team_id in ("", NO_TEAM) else NameRef(id=self.team_id)


@cache
def time_zones() -> list[str]:
    """The IANA zones to choose from: "Area/City" names and UTC."""
    return ["UTC", *sorted(zone for zone in available_timezones() if "/" in zone and zone[0].isupper())]


def owner_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The owners ``actor`` may give a schedule, as (value, label): no team for those who
    configure everything, and the teams they administer."""
    choices = [(NO_TEAM, "No team")] if actor.manages.everything else []
    return choices + [
        (team.id, team.name) for team in teams.list_teams(session) if actor.manages.covers_team(team.id)
    ]


def may_create(actor: Actor) -> bool:
    return actor.manages.everything or bool(actor.manages.team_ids)


def local_moment(text: str, zone: ZoneInfo, field: str) -> datetime:
    """A datetime-local field's "2027-03-28T09:00", read on ``zone``'s wall clock."""
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field, "give a date and time, e.g. 2027-03-28T09:00") from None
    if local.tzinfo is not None:
        raise InvalidInput(field, "give the date and time without a zone offset")
    if not EARLIEST <= local.year <= LATEST:
        raise InvalidInput(field, f"give a year from {EARLIEST} to {LATEST}")
    return to_instant(local, zone)


async def carry_out_on_form(
    request: Request,
    user: User,
    change: Callable[[Session], T],
    show: Show,
    fields: dict[str, str],
) -> T | Response:
    """``carry_out`` whose refusals of input are shown beside their field: ``fields`` maps the
    service's field names to the form's (an unmapped one is shown above the form)."""
    refused_field: list[str] = []

    def noting_field(session: Session) -> T:
        try:
            return change(session)
        except InvalidInput as problem:
            refused_field.append(fields.get((problem.field or "").split("[")[0], ""))
            raise

    def shown(status: int, message: str) -> Response:
        return show(status, {refused_field[0] if refused_field else "": sentence(message)})

    return await carry_out(request, user, noting_field, shown)
