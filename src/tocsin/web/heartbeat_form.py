"""A heartbeat as a form (name, description, interval and unit, owner team, alert message, tags,
priority), read into the same payloads the API takes (``HeartbeatPayload``, ``HeartbeatUpdate``)
so the same limits apply, and a refusal placed next to the field that has to change."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tocsin.errors import Conflict, InvalidInput
from tocsin.heartbeats.models import INTERVAL_UNITS, Heartbeat
from tocsin.heartbeats.schemas import HeartbeatPayload, HeartbeatUpdate
from tocsin.web.integration_edit import NO_TEAM
from tocsin.web.integration_edit import owner_choices as owner_choices

Checked = TypeVar("Checked", HeartbeatPayload, HeartbeatUpdate)
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
_FIELDS = {
    "name": "name",
    "description": "description",
    "interval": "interval",
    "intervalUnit": "interval_unit",
    "interval_unit": "interval_unit",
    "ownerTeam": "owner_team",
    "owner_team": "owner_team",
    "alertMessage": "alert_message",
    "alert_message": "alert_message",
    "alertTags": "alert_tags",
    "alert_tags": "alert_tags",
    "alertPriority": "alert_priority",
    "alert_priority": "alert_priority",
}


class HeartbeatFields(BaseModel):
    """What a heartbeat form sends; every field as text, checked by the API's payloads."""

    csrf_token: str = ""
    name: str = ""
    description: str = ""
    interval: str = "10"
    interval_unit: str = "minutes"
    owner_team: str = NO_TEAM
    """A team's id, or NO_TEAM."""
    alert_message: str = ""
    alert_tags: str = ""
    """Comma-separated."""
    alert_priority: str = "P3"

    def _common(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "interval": _whole_number(self.interval),
            "intervalUnit": self.interval_unit,
            "ownerTeam": None if self.owner_team in ("", NO_TEAM) else {"id": self.owner_team},
            "alertMessage": self.alert_message,
            "alertTags": [tag.strip() for tag in self.alert_tags.split(",") if tag.strip()],
            "alertPriority": self.alert_priority,
        }

    def payload(self) -> HeartbeatPayload:
        """A new heartbeat, enabled (its waiting period starts when it is created)."""
        return _checked(HeartbeatPayload, {"name": self.name, "enabled": True, **self._common()})

    def update(self) -> HeartbeatUpdate:
        return _checked(HeartbeatUpdate, self._common())


def _whole_number(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput("interval", "enter the interval as a whole number, like 10") from None


def _checked(model: type[Checked], data: dict[str, Any]) -> Checked:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else ""
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(where, message) from None


def field_of(problem: InvalidInput | Conflict) -> str:
    """The form field a refusal is shown next to ("form": above the form)."""
    if isinstance(problem, Conflict):
        return "name"
    return _FIELDS.get(problem.field or "", "form")


def form_of(heartbeat: Heartbeat) -> HeartbeatFields:
    return HeartbeatFields(
        name=heartbeat.name,
        description=heartbeat.description,
        interval=str(heartbeat.interval),
        interval_unit=heartbeat.interval_unit,
        owner_team=heartbeat.owner_team_id or NO_TEAM,
        alert_message=heartbeat.alert_message,
        alert_tags=", ".join(heartbeat.alert_tags),
        alert_priority=heartbeat.alert_priority,
    )


def choices() -> dict[str, Any]:
    """What every heartbeat form offers to choose from."""
    return {"units": INTERVAL_UNITS, "priorities": PRIORITIES}
