"""The form that plans a maintenance window: a description, how long (the next hour, 2 or 4 hours,
or a range picked in the viewer's time zone) and what it switches (integrations off; policies off
or on), read into the API's ``MaintenancePayload``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.errors import InvalidInput
from tocsin.maintenance.schemas import MaintenancePayload
from tocsin.web.moments import local, zone_of

LENGTHS = {"1h": "For the next hour", "2h": "For the next 2 hours", "4h": "For the next 4 hours"} | {
    "custom": "From … to …"
}
HOURS = {"2h": 2, "4h": 4}
STATES = {"disabled": "off", "enabled": "on"}
PICKER = "%Y-%m-%dT%H:%M"
"""How a datetime-local field writes a moment."""


class MaintenanceFields(BaseModel):
    csrf_token: str = ""
    description: str = ""
    length: str = "1h"
    starts: str = ""
    ends: str = ""
    integration: list[str] = []
    policy: list[str] = []
    """ "disabled:<id>" or "enabled:<id>" for each policy picked."""

    def payload(self, viewer: User) -> MaintenancePayload:
        """The API's payload (checked as the API checks it), or InvalidInput naming the place:
        description, time or rules."""
        rules: list[dict[str, Any]] = [
            {"state": "disabled", "entity": {"type": "integration", "id": found}}
            for found in self.integration
        ]
        for picked in self.policy:
            state, _, policy_id = picked.partition(":")
            if state in STATES and policy_id:
                rules.append({"state": state, "entity": {"type": "policy", "id": policy_id}})
        if not rules:
            raise InvalidInput("rules", "Pick at least one integration or policy for the window to switch.")
        document = {"description": self.description.strip(), "time": self._time(viewer), "rules": rules}
        try:
            return MaintenancePayload.model_validate(document)
        except ValidationError as error:
            first = error.errors()[0]
            place = str(first["loc"][0]) if first["loc"] else "time"
            raise InvalidInput(place, str(first["msg"]).removeprefix("Value error, ")) from None

    def _time(self, viewer: User) -> dict[str, str]:
        if self.length == "1h":
            return {"type": "for-1-hour"}
        if self.length in HOURS:
            now = clock.now()
            return {
                "type": "schedule",
                "startDate": _iso(now),
                "endDate": _iso(now + timedelta(hours=HOURS[self.length])),
            }
        if self.length != "custom":
            raise InvalidInput("time", "Choose how long the window lasts.")
        start, end = _picked(self.starts, "start", viewer), _picked(self.ends, "end", viewer)
        if end <= start:
            raise InvalidInput("time", "The end must be after the start.")
        return {"type": "schedule", "startDate": _iso(start), "endDate": _iso(end)}


def _picked(text: str, which: str, viewer: User) -> datetime:
    try:
        moment = datetime.strptime(text.strip(), PICKER)
    except ValueError:
        raise InvalidInput("time", f"Give the {which} as a date and a time, e.g. 2026-12-24 22:00.") from None
    if not 2000 <= moment.year <= 9000:  # beyond, a zone's offset could leave the calendar
        raise InvalidInput("time", f"Give the {which} as a date between the years 2000 and 9000.")
    return moment.replace(tzinfo=zone_of(viewer))


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def picker_value(moment: datetime, viewer: User) -> str:
    """A moment as a datetime-local field shows it, in the viewer's zone."""
    return local(moment, viewer).strftime(PICKER)


def fresh(viewer: User) -> MaintenanceFields:
    """The form as first drawn: the next hour, with the range fields set to it for a custom one."""
    now = clock.now().replace(second=0, microsecond=0)
    return MaintenanceFields(
        starts=picker_value(now, viewer), ends=picker_value(now + timedelta(hours=1), viewer)
    )
