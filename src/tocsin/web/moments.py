"""Moments as a page shows them: in the viewer's time zone and in the date format they chose
(``accounts.date_formats``: numbers only, so the same whatever their language, "2026-12-07
22:30 CET" by default), beside the machine form a ``<time datetime>`` carries."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tocsin.accounts.date_formats import pattern_of, time_pattern_of
from tocsin.accounts.models import User
from tocsin.alerts.json_views import iso


def zone_of(viewer: User | None) -> ZoneInfo:
    try:
        return ZoneInfo(viewer.time_zone if viewer is not None else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime, viewer: User | None) -> datetime:
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(zone_of(viewer))


def shown(moment: datetime, viewer: User | None) -> str:
    there = local(moment, viewer)
    date_format = viewer.date_format if viewer is not None else None
    return f"{there.strftime(pattern_of(date_format))} {there.tzname()}"


def time_of_day(moment: datetime, viewer: User | None) -> str:
    """Only the time of day ("14:00", or "02:00 PM" for a 12-hour format), in the viewer's zone."""
    date_format = viewer.date_format if viewer is not None else None
    return local(moment, viewer).strftime(time_pattern_of(date_format))


def when(moment: datetime | None, viewer: User | None) -> dict[str, str] | None:
    """``{"iso": ..., "shown": ...}`` for a template's ``<time>``, or None for no moment."""
    if moment is None:
        return None
    return {"iso": iso(moment) or "", "shown": shown(moment, viewer)}
