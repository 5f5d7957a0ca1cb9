"""Policy payloads in Opsgenie's v2 shape: one body for both types, checked against its type."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

from tocsin.alerts.schemas import Priority, ResponderRef

TIME_UNITS = {"minutes": 1, "hours": 60, "days": 1440}
MAX_DURATION_MINUTES = 30 * 1440
TEMPLATE_MAX = 15000

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Template = Annotated[str, StringConstraints(max_length=TEMPLATE_MAX)]
ShortTemplate = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

ALERT_FIELDS = (
    "message",
    "alias",
    "description",
    "entity",
    "source",
    "tags",
    "actions",
    "responders",
    "details",
    "priority",
    "continue_",
    "ignore_original_tags",
    "ignore_original_details",
    "ignore_original_responders",
    "ignore_original_actions",
)
NOTIFICATION_FIELDS = ("suppress", "delay_action", "auto_close_action")
UNSUPPORTED = {
    "auto_restart_action": "autoRestartAction",
    "deduplication_action": "deduplicationAction",
}


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Duration(Payload):
    time_amount: int = Field(alias="timeAmount", ge=1)
    time_unit: Literal["minutes", "hours", "days"] = Field(default="minutes", alias="timeUnit")

    @property
    def minutes(self) -> int:
        return self.time_amount * TIME_UNITS[self.time_unit]

    @model_validator(mode="after")
    def _at_most_a_month(self) -> Duration:
        if self.minutes > MAX_DURATION_MINUTES:
            raise ValueError("a duration may be at most 30 days")
        return self


class DelayAction(Payload):
    delay_option: Literal["for-duration"] = Field(alias="delayOption")
    """Opsgenie also delays until a time of day or weekday; Tocsin delays for a duration only."""
    duration: Duration


class AutoCloseAction(Payload):
    duration: Duration


class PolicyPayload(Payload):
    """``POST /v2/policies`` and ``PUT /v2/policies/{id}`` (a PUT replaces the whole policy)."""

    type: Literal["alert", "notification"]
    name: Name
    policy_description: str = Field(default="", alias="policyDescription", max_length=10000)
    enabled: StrictBool = True
    filter: dict[str, Any] | None = None
    time_restrictions: dict[str, Any] | None = Field(default=None, alias="timeRestrictions")
    team_id: str | None = Field(default=None, alias="teamId")
    """Opsgenie puts the team in the query; the body may name it too, and then they must agree."""

    # Alert policies: what to change in the incoming alert ({{message}}-style placeholders).
    message: ShortTemplate | None = None
    alias: ShortTemplate | None = None
    description: Template | None = None
    entity: ShortTemplate | None = None
    source: ShortTemplate | None = None
    tags: list[ShortTemplate] | None = Field(default=None, max_length=20)
    actions: list[ShortTemplate] | None = Field(default=None, max_length=10)
    responders: list[ResponderRef] | None = Field(default=None, max_length=50)
    details: dict[str, Template] | None = None
    priority: Priority | None = None
    continue_: StrictBool = Field(default=False, alias="continue")
    ignore_original_tags: StrictBool = Field(default=False, alias="ignoreOriginalTags")
    ignore_original_details: StrictBool = Field(default=False, alias="ignoreOriginalDetails")
    ignore_original_responders: StrictBool = Field(default=False, alias="ignoreOriginalResponders")
    ignore_original_actions: StrictBool = Field(default=False, alias="ignoreOriginalActions")

    # Notification policies.
    suppress: StrictBool = False
    delay_action: DelayAction | None = Field(default=None, alias="delayAction")
    auto_close_action: AutoCloseAction | None = Field(default=None, alias="autoCloseAction")
    auto_restart_action: dict[str, Any] | None = Field(default=None, alias="autoRestartAction")
    deduplication_action: dict[str, Any] | None = Field(default=None, alias="deduplicationAction")

    @model_validator(mode="after")
    def _fields_fit_the_type(self) -> PolicyPayload:
        for name, wire in UNSUPPORTED.items():
            if getattr(self, name) is not None:
                raise ValueError(
                    f"{wire} is not supported by Tocsin; use suppress, delayAction or autoCloseAction"
                )
        given = self.model_fields_set
        if self.type == "alert":
            misplaced = [name for name in NOTIFICATION_FIELDS if name in given]
            if misplaced:
                raise ValueError(
                    f"{_wire(misplaced[0])} belongs to notification policies, not alert policies"
                )
            if not any(name in given for name in ALERT_FIELDS if name != "continue_"):
                raise ValueError(
                    "an alert policy must change something: give message, alias, description, entity, "
                    "source, tags, actions, responders, details or priority"
                )
        else:
            misplaced = [name for name in ALERT_FIELDS if name in given]
            if misplaced:
                raise ValueError(
                    f"{_wire(misplaced[0])} belongs to alert policies, not notification policies"
                )
            if not (self.suppress or self.delay_action or self.auto_close_action):
                raise ValueError(
                    "a notification policy must do something: give suppress: true, a delayAction "
                    "or an autoCloseAction"
                )
        return self

    def body(self) -> dict[str, Any]:
        """What the policy does, as stored: the given fields of its type in their wire names."""
        names = ALERT_FIELDS if self.type == "alert" else NOTIFICATION_FIELDS
        dumped = self.model_dump(by_alias=True, include=set(names), exclude_none=True, mode="json")
        return {key: value for key, value in dumped.items() if value not in (False, None)}


def _wire(name: str) -> str:
    alias = PolicyPayload.model_fields[name].alias
    return alias or name


class ChangeOrderPayload(Payload):
    target_index: int = Field(alias="targetIndex", ge=0)
