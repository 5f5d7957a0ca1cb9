"""Request bodies of the Schedule API, in Opsgenie's v2 shapes, and their service inputs."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from tocsin.oncall.lookup import UNSET, NameRef, UserRef
from tocsin.oncall.rotation_config import RotationChanges, RotationInput
from tocsin.oncall.schedules import ScheduleChanges
from tocsin.wire_types import IsoAwareDatetime

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(max_length=10000)]
RotationType = Literal["daily", "weekly", "hourly"]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Ref(Body):
    """``{"id": ...}`` or ``{"name": ...}`` (a team or a rotation)."""

    id: str | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one_given(self) -> Ref:
        if not self.id and not self.name:
            raise ValueError("give an id or a name")
        return self

    def ref(self) -> NameRef:
        return NameRef(id=self.id or None, name=None if self.id else self.name)


class UserIn(Body):
    """``{"type": "user", "id" | "username": ...}``."""

    type: Literal["user"] = "user"
    id: str | None = None
    username: str | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one_given(self) -> UserIn:
        if not (self.id or self.username or self.name):
            raise ValueError("give the user's id or username")
        return self

    def ref(self) -> UserRef:
        return UserRef(id=self.id) if self.id else UserRef(username=self.username or self.name)


class ParticipantIn(UserIn):
    type: Literal["user", "none"]  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one_given(self) -> ParticipantIn:
        if self.type == "user" and not (self.id or self.username or self.name):
            raise ValueError("give the user's id or username, or use type none for a gap")
        return self

    def participant(self) -> UserRef | None:
        return None if self.type == "none" else self.ref()


class RotationIn(Body):
    name: Name | None = None
    startDate: IsoAwareDatetime
    endDate: IsoAwareDatetime | None = None
    type: RotationType
    length: Annotated[int, Field(ge=1, le=1000)] = 1
    participants: Annotated[list[ParticipantIn], Field(min_length=1, max_length=200)]
    timeRestriction: dict[str, Any] | None = None

    def rotation(self) -> RotationInput:
        return RotationInput(
            type=self.type,
            start=self.startDate,
            participants=[participant.participant() for participant in self.participants],
            length=self.length,
            name=self.name,
            end=self.endDate,
            time_restriction=self.timeRestriction,
        )


class RotationPatch(Body):
    name: Name | None = None
    startDate: IsoAwareDatetime | None = None
    endDate: IsoAwareDatetime | None = None
    type: RotationType | None = None
    length: Annotated[int, Field(ge=1, le=1000)] | None = None
    participants: Annotated[list[ParticipantIn], Field(min_length=1, max_length=200)] | None = None
    timeRestriction: dict[str, Any] | None = None

    def changes(self) -> RotationChanges:
        given = self.model_fields_set
        return RotationChanges(
            name=self.name if self.name is not None else UNSET,
            type=self.type if self.type is not None else UNSET,
            length=self.length if self.length is not None else UNSET,
            start=self.startDate if self.startDate is not None else UNSET,
            end=self.endDate if "endDate" in given else UNSET,
            participants=(
                [p.participant() for p in self.participants] if self.participants is not None else UNSET
            ),
            time_restriction=self.timeRestriction if "timeRestriction" in given else UNSET,
        )


class ScheduleIn(Body):
    name: Name
    description: Description = ""
    timezone: str = "UTC"
    enabled: StrictBool = True
    ownerTeam: Ref | None = None
    rotations: Annotated[list[RotationIn], Field(max_length=50)] = []


class SchedulePatch(Body):
    name: Name | None = None
    description: Description | None = None
    timezone: str | None = None
    enabled: StrictBool | None = None
    ownerTeam: Ref | None = None
    rotations: Annotated[list[RotationIn], Field(max_length=50)] | None = None

    def changes(self) -> ScheduleChanges:
        given = self.model_fields_set
        return ScheduleChanges(
            name=self.name if self.name is not None else UNSET,
            description=self.description if self.description is not None else UNSET,
            timezone=self.timezone if self.timezone is not None else UNSET,
            enabled=self.enabled if self.enabled is not None else UNSET,
            owner_team=(self.ownerTeam.ref() if self.ownerTeam else None) if "ownerTeam" in given else UNSET,
            rotations=[r.rotation() for r in self.rotations] if self.rotations is not None else UNSET,
        )


class OverrideChange(Body):
    user: UserIn
    startDate: IsoAwareDatetime
    endDate: IsoAwareDatetime
    rotations: Annotated[list[Ref], Field(max_length=50)] = []

    def rotation_refs(self) -> list[NameRef]:
        return [rotation.ref() for rotation in self.rotations]


class OverrideIn(OverrideChange):
    alias: Name | None = None


class Duration(Body):
    timeAmount: Annotated[int, Field(ge=1)]
    timeUnit: Literal["minutes", "hours", "days"] = "hours"

    def delta(self) -> timedelta:
        return timedelta(**{self.timeUnit: self.timeAmount})


class TakeOnCallIn(Body):
    user: UserIn | None = None
    duration: Duration | None = None
