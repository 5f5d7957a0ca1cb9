"""Reading an account's schedules from Opsgenie: each schedule with its rotations (one list
request, ``expand=rotation``) and its overrides (one request per schedule), and a schedule's
final timeline for the on-call check (one request per schedule covering two weeks, which is
fewer requests than asking who is on call at every hand-off)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from tocsin.importer.opsgenie_reader import OpsgenieReader

Json = dict[str, Any]

OVERRIDES = "overrides"
"""The key under which each read schedule carries its overrides (Opsgenie's ScheduleOverride)."""


def _part(identifier: str) -> str:
    return quote(identifier, safe="")


def read_schedules(reader: OpsgenieReader) -> list[Json]:
    """Every schedule as Opsgenie's Schedule, with ``rotations`` and ``overrides``."""
    schedules = []
    for schedule in reader.get("/v2/schedules", expand="rotation") or []:
        overrides = reader.get(f"/v2/schedules/{_part(schedule['id'])}/overrides") or []
        schedules.append({**schedule, OVERRIDES: list(overrides)})
    return schedules


def instant(value: object) -> datetime | None:
    """An instant Opsgenie wrote (ISO 8601 with ``Z`` or an offset); None when it is not one."""
    try:
        found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def opsgenie_instant(at: datetime) -> str:
    """An instant as Opsgenie reads it in a query (``Z``, so no ``+`` to escape)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_timeline(reader: OpsgenieReader, schedule_id: str, start: datetime, weeks: int) -> Json:
    """Opsgenie's ScheduleTimeline from ``start``: ``finalTimeline`` has every rotation's periods
    with overrides applied."""
    found = reader.get(
        f"/v2/schedules/{_part(schedule_id)}/timeline",
        identifierType="id",
        interval=weeks,
        intervalUnit="weeks",
        date=opsgenie_instant(start),
    )
    return found or {}
