"""Escalation policy payloads in Opsgenie's v2 shape."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tocsin.alerts.schemas import Ref

TIME_UNITS = {"minutes": 1, "hours": 60, "days": 1440}
MAX_DELAY_MINUTES = 7 * 1440
NOTIFY_TYPES_OF = {
    "user": ("default",),
    "team": ("default", "users", "admins"),
    "schedule": ("default", "next", "previous"),
}

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Delay(Payload):
    time_amount: int = Field(alias="timeAmount", ge=0)
    time_unit: Literal["minutes", "hours", "days"] = Field(default="minutes", alias="timeUnit")

    @property
    def minutes(self) -> int:
        return self.time_amount * TIME_UNITS[self.time_unit]

    @model_validator(mode="after")
    def _at_most_a_week(self) -> Delay:
        if self.minutes > MAX_DELAY_MINUTES:
            raise ValueError("delay may be at most 7 days")
        return self


class RecipientRef(Ref):
    type: Literal["user", "team", "schedule"]


class RulePayload(Payload):
    # The recipient comes first: notifyType is checked against its type.
    recipient: RecipientRef
    condition: Literal["if-not-acked", "if-not-closed"] = "if-not-acked"
    notify_type: Literal["default", "next", "previous", "users", "admins"] = Field(
        default="default", alias="notifyType"
    )
    delay: Delay = Field(default_factory=lambda: Delay(timeAmount=0))

    @field_validator("notify_type")
    @classmethod
    def _notify_type_fits_recipient(cls, notify_type: str, info: ValidationInfo) -> str:
        recipient = info.data.get("recipient")
        if recipient is None:  # the recipient itself is invalid, and reported
            return notify_type
        allowed = NOTIFY_TYPES_OF[recipient.type]
        if notify_type not in allowed:
            raise ValueError(f"notifyType for a {recipient.type} must be one of {', '.join(sorted(allowed))}")
        return notify_type


class RepeatPayload(Payload):
    wait_interval: int = Field(default=0, alias="waitInterval", ge=0, le=MAX_DELAY_MINUTES)
    """Minutes after the last rule before the policy starts again."""
    count: int = Field(default=0, ge=0, le=20)
    reset_recipient_states: StrictBool = Field(default=False, alias="resetRecipientStates")
    close_alert_after_all: StrictBool = Field(default=False, alias="closeAlertAfterAll")


class EscalationPayload(Payload):
    name: Name
    description: str = Field(default="", max_length=10000)
    owner_team: Ref | None = Field(default=None, alias="ownerTeam")
    team_default: StrictBool = Field(default=False, alias="teamDefault")
    """Tocsin: the escalation the owner team's alerts follow."""
    rules: list[RulePayload] = Field(min_length=1, max_length=20)
    repeat: RepeatPayload | None = None


class EscalationUpdate(Payload):
    name: Name | None = None
    description: str | None = Field(default=None, max_length=10000)
    owner_team: Ref | None = Field(default=None, alias="ownerTeam")
    team_default: StrictBool | None = Field(default=None, alias="teamDefault")
    rules: list[RulePayload] | None = Field(default=None, min_length=1, max_length=20)
    repeat: RepeatPayload | None = None
