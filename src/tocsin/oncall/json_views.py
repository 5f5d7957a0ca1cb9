"""Schedules, rotations, overrides and on-call answers as Opsgenie's v2 API writes them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tocsin.oncall.models import Rotation, RotationParticipant, Schedule, ScheduleOverride
from tocsin.teams.models import Team


def iso(moment: datetime | None) -> str | None:
    """``2026-03-01T09:00:00Z`` (fractions of a second only when there are any)."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def parent(schedule: Schedule) -> dict[str, Any]:
    return {"id": schedule.id, "name": schedule.name, "enabled": schedule.enabled}


def schedule_json(
    schedule: Schedule, team: Team | None, rotations: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": schedule.id,
        "name": schedule.name,
        "description": schedule.description,
        "timezone": schedule.timezone,
        "enabled": schedule.enabled,
    }
    if team is not None:
        data["ownerTeam"] = {"id": team.id, "name": team.name}
    if rotations is not None:
        data["rotations"] = rotations
    return data


def participant_json(participant: RotationParticipant, names: dict[str, str]) -> dict[str, Any]:
    if participant.user_id is None:
        return {"type": "none"}
    return {"type": "user", "id": participant.user_id, "username": names.get(participant.user_id, "")}


def rotation_json(
    rotation: Rotation, participants: list[RotationParticipant], names: dict[str, str]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": rotation.id,
        "name": rotation.name,
        "startDate": iso(rotation.start_date),
        "type": rotation.type,
        "length": rotation.length,
        "participants": [participant_json(participant, names) for participant in participants],
    }
    if rotation.end_date is not None:
        data["endDate"] = iso(rotation.end_date)
    if rotation.time_restriction is not None:
        data["timeRestriction"] = rotation.time_restriction
    return data


def override_json(
    schedule: Schedule, override: ScheduleOverride, username: str, rotation_names: dict[str, str]
) -> dict[str, Any]:
    return {
        "_parent": parent(schedule),
        "alias": override.alias,
        "user": {"type": "user", "id": override.user_id, "username": username},
        "startDate": iso(override.start_date),
        "endDate": iso(override.end_date),
        "rotations": [
            {"id": rotation_id, "name": rotation_names.get(rotation_id, "")}
            for rotation_id in override.rotation_ids
        ],
    }


def recipient_json(user_id: str, names: dict[str, str]) -> dict[str, Any]:
    return {"id": user_id, "name": names.get(user_id, ""), "type": "user"}


def people(user_ids: list[str], names: dict[str, str], *, flat: bool) -> list[Any]:
    """Usernames when ``flat``, else participant objects."""
    if flat:
        return [names.get(user_id, "") for user_id in user_ids]
    return [recipient_json(user_id, names) for user_id in user_ids]


def on_call_json(
    schedule: Schedule, user_ids: list[str], names: dict[str, str], *, flat: bool
) -> dict[str, Any]:
    key = "onCallRecipients" if flat else "onCallParticipants"
    return {"_parent": parent(schedule), key: people(user_ids, names, flat=flat)}
