"""Alert request payloads, field for field as Opsgenie's v2 Alert API takes them, with its limits."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from tocsin.alerts.models import PRIORITIES
from tocsin.wire_types import IsoDatetime

MESSAGE_MAX = 130
ALIAS_MAX = 512
DESCRIPTION_MAX = 15000
ENTITY_MAX = 512
SOURCE_MAX = 100
USER_MAX = 100
NOTE_MAX = 25000
TAGS_MAX, TAG_MAX = 20, 50
ACTIONS_MAX, ACTION_MAX = 10, 50
DETAILS_MAX_CHARS = 8000
RESPONDERS_MAX = 50


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _priority(value: Any) -> Any:
    if isinstance(value, str) and value.strip().upper() in PRIORITIES:
        return value.strip().upper()
    return value


def _unique_nonempty(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _details(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            converted[key] = "true" if item else "false"
        elif isinstance(item, str | int | float):
            converted[key] = str(item)
        else:
            raise ValueError(f"value of detail {key!r} must be a string, not {type(item).__name__}")
    return converted


def details_size(details: dict[str, str]) -> int:
    return sum(len(key) + len(value) for key, value in details.items())


def _details_limit(details: dict[str, str]) -> dict[str, str]:
    if details_size(details) > DETAILS_MAX_CHARS:
        raise ValueError(f"details may hold at most {DETAILS_MAX_CHARS} characters of keys and values in all")
    return details


Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MESSAGE_MAX)]
Priority = Annotated[Literal["P1", "P2", "P3", "P4", "P5"], BeforeValidator(_priority)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TAG_MAX)]
Tags = Annotated[list[Tag], Field(max_length=TAGS_MAX), AfterValidator(_unique_nonempty)]
ActionName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ACTION_MAX)]
Details = Annotated[
    dict[str, str],
    BeforeValidator(_details),
    AfterValidator(_details_limit),
    # Numbers and booleans are taken too, and stored as text (scripts send them).
    WithJsonSchema(
        {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
        mode="validation",
    ),
]
OptionalText = Annotated[str | None, BeforeValidator(_strip)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Ref(Payload):
    """A reference to a team, user, escalation or schedule, by id or by name/username."""

    id: OptionalText = Field(default=None, max_length=100)
    name: OptionalText = Field(default=None, max_length=100)
    username: OptionalText = Field(default=None, max_length=320)

    @model_validator(mode="after")
    def _needs_identifier(self) -> Ref:
        if not (self.id or self.name or self.username):
            raise ValueError("give an id, a name or a username")
        return self


class TeamRef(Payload):
    """A team, by id or by name (a team has no username)."""

    id: OptionalText = Field(default=None, max_length=100)
    name: OptionalText = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _needs_identifier(self) -> TeamRef:
        if not (self.id or self.name):
            raise ValueError("give the team's id or name")
        return self


class ResponderRef(Ref):
    type: Annotated[
        Literal["team", "user", "escalation", "schedule"] | None,
        BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
    ] = None


class VisibleToRef(Ref):
    type: Annotated[
        Literal["team", "user"] | None,
        BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
    ] = None


class ActionPayload(Payload):
    """Fields every alert action accepts (``AlertActionPayload``)."""

    user: OptionalText = Field(default=None, max_length=USER_MAX)
    source: OptionalText = Field(default=None, max_length=SOURCE_MAX)
    note: str | None = Field(default=None, max_length=NOTE_MAX)


def _null_is_p3(value: Any) -> Any:
    """A null priority is the default, as in Opsgenie: elastalert2 sends one when a rule sets none."""
    return "P3" if value is None else value


class CreateAlertPayload(ActionPayload):
    message: Message
    alias: OptionalText = Field(default=None, max_length=ALIAS_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    responders: list[ResponderRef] = Field(default_factory=list, max_length=RESPONDERS_MAX)
    visible_to: list[VisibleToRef] = Field(default_factory=list, alias="visibleTo", max_length=RESPONDERS_MAX)
    teams: list[TeamRef] = Field(default_factory=list, max_length=RESPONDERS_MAX)
    """Deprecated Opsgenie field, still sent by old clients: teams that respond."""
    actions: Annotated[list[ActionName], Field(max_length=ACTIONS_MAX), AfterValidator(_unique_nonempty)] = (
        Field(default_factory=list)
    )
    tags: Tags = Field(default_factory=list)
    details: Details = Field(default_factory=dict)
    entity: str = Field(default="", max_length=ENTITY_MAX)
    priority: Annotated[Priority, BeforeValidator(_null_is_p3, json_schema_input_type=Priority | None)] = "P3"

    def all_responders(self) -> list[ResponderRef]:
        legacy = [ResponderRef(type="team", id=team.id, name=team.name) for team in self.teams]
        return [*self.responders, *legacy]


class SnoozePayload(ActionPayload):
    end_time: IsoDatetime = Field(alias="endTime")

    @model_validator(mode="after")
    def _aware(self) -> SnoozePayload:
        if self.end_time.tzinfo is None:
            self.end_time = self.end_time.replace(tzinfo=UTC)
        return self


class EscalatePayload(ActionPayload):
    escalation: Ref


class AssignPayload(ActionPayload):
    owner: Ref


class AddTeamPayload(ActionPayload):
    team: TeamRef


class AddResponderPayload(ActionPayload):
    responder: ResponderRef


class AddTagsPayload(ActionPayload):
    tags: Annotated[Tags, Field(min_length=1)]


class AddDetailsPayload(ActionPayload):
    details: Annotated[Details, Field(min_length=1)]


class PriorityPayload(ActionPayload):
    priority: Priority


class MessagePayload(ActionPayload):
    message: Message


class DescriptionPayload(ActionPayload):
    description: str = Field(max_length=DESCRIPTION_MAX)


class NotePayload(ActionPayload):
    note: str = Field(min_length=1, max_length=NOTE_MAX)
