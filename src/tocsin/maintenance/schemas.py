"""Maintenance window payloads in Opsgenie's shape (``/v1/maintenance``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tocsin.wire_types import IsoDatetime

TimeType = Literal["for-5-minutes", "for-30-minutes", "for-1-hour", "indefinitely", "schedule"]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MaintenanceTime(Payload):
    type: TimeType
    start_date: IsoDatetime | None = Field(default=None, alias="startDate")
    end_date: IsoDatetime | None = Field(default=None, alias="endDate")

    @model_validator(mode="after")
    def _dates_fit_the_type(self) -> MaintenanceTime:
        if self.type == "schedule":
            if self.start_date is None or self.end_date is None:
                raise ValueError("a scheduled maintenance needs both startDate and endDate")
            for value, name in ((self.start_date, "startDate"), (self.end_date, "endDate")):
                if value.tzinfo is None:
                    raise ValueError(f"{name} needs a time zone, e.g. 2026-11-21T22:00:00Z")
            if self.end_date <= self.start_date:
                raise ValueError("endDate must be after startDate")
        elif self.start_date is not None or self.end_date is not None:
            raise ValueError(f"startDate and endDate are only for type 'schedule', not {self.type!r}")
        return self


class EntityRef(Payload):
    type: Literal["integration", "policy"]
    id: str | None = None
    name: str | None = None
    """Tocsin also takes the name, as the chat commands and people address them."""

    @model_validator(mode="after")
    def _id_or_name(self) -> EntityRef:
        if not (self.id or self.name):
            raise ValueError(f"the {self.type} needs an id or a name")
        return self


class RulePayload(Payload):
    state: Literal["disabled", "enabled"] = "disabled"
    entity: EntityRef


class MaintenancePayload(Payload):
    description: str = Field(default="", max_length=10000)
    time: MaintenanceTime
    rules: list[RulePayload] = Field(min_length=1, max_length=200)
