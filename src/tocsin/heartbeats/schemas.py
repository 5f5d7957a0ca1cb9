"""Heartbeat payloads in Opsgenie's v2 shape (``/v2/heartbeats``), with its limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from tocsin.alerts.schemas import MESSAGE_MAX, Priority, Ref, Tags

NAME_MAX = 200
DESCRIPTION_MAX = 10000
UNIT_DAYS = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1}
MAX_INTERVAL_DAYS = 366

IntervalUnit = Literal["minutes", "hours", "days"]


def interval_of(interval: int, unit: str) -> timedelta:
    """The silence a heartbeat tolerates: ``interval`` minutes, hours or days."""
    return timedelta(**{unit: interval})


def check_interval(interval: int, unit: str) -> None:
    """Refuse intervals of more than a year (their expiry would be past any sane date)."""
    if interval * UNIT_DAYS[unit] > MAX_INTERVAL_DAYS:
        raise ValueError(f"interval may be at most {MAX_INTERVAL_DAYS} days, got {interval} {unit}")


def _name(value: str) -> str:
    if "/" in value or any(ord(char) < 32 for char in value):
        raise ValueError(
            "a heartbeat name may not contain '/' or control characters (it is part of the ping URL)"
        )
    return value


def _unit(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    AfterValidator(_name),
]
Unit = Annotated[IntervalUnit, BeforeValidator(_unit)]
AlertMessage = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MESSAGE_MAX)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class HeartbeatPayload(Payload):
    name: Name
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    # The unit comes first: the interval is checked against it.
    interval_unit: Unit = Field(alias="intervalUnit")
    interval: int = Field(ge=1)
    enabled: StrictBool
    owner_team: Ref | None = Field(default=None, alias="ownerTeam")
    alert_message: AlertMessage = Field(default="", alias="alertMessage")
    """Empty: "<name> is expired", as Opsgenie does."""
    alert_tags: Tags = Field(default_factory=list, alias="alertTags")
    alert_priority: Priority = Field(default="P3", alias="alertPriority")

    @field_validator("interval")
    @classmethod
    def _at_most_a_year(cls, interval: int, info: ValidationInfo) -> int:
        unit = info.data.get("interval_unit")
        if unit is not None:  # else the unit itself is invalid, and reported
            check_interval(interval, unit)
        return interval


class HeartbeatUpdate(Payload):
    """PATCH: only the fields given change. A heartbeat's name is its address and cannot change."""

    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    interval: int | None = Field(default=None, ge=1)
    interval_unit: Unit | None = Field(default=None, alias="intervalUnit")
    enabled: StrictBool | None = None
    owner_team: Ref | None = Field(default=None, alias="ownerTeam")
    """``null`` makes the heartbeat a global one."""
    alert_message: AlertMessage | None = Field(default=None, alias="alertMessage")
    alert_tags: Tags | None = Field(default=None, alias="alertTags")
    alert_priority: Priority | None = Field(default=None, alias="alertPriority")
    name: str | None = None
    """Allowed only when it is the heartbeat's own name (some clients send it along)."""
