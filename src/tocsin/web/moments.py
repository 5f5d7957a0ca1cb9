"""Moments as a page shows them: in the viewer's time zone, written the same way whatever their
language ("2026-12-07 22:30 CET"), beside the machine form a ``<time datetime>`` carries."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tocsin.accounts.models import User
from tocsin.alerts.json_views import iso


def zone_of(viewer: User | None) -> ZoneInfo:
    try:
        return ZoneInfo(viewer.time_zone if viewer is not None else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def shown(moment: datetime, viewer: User | None) -> str:
    local = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(zone_of(viewer))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def when(moment: datetime | None, viewer: User | None) -> dict[str, str] | None:
    """``{"iso": ..., "shown": ...}`` for a template's ``<time>``, or None for no moment."""
    if moment is None:
        return None
    return {"iso": iso(moment) or "", "shown": shown(moment, viewer)}
