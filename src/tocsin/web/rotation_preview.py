"""The rotation editor's preview as a page shows it: the rotation's hand-offs and who would be on
call in the schedule over two weeks, each time in the schedule's zone and, when that is another,
in the viewer's."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tocsin.accounts.date_formats import pattern_of, time_pattern_of
from tocsin.accounts.models import User
from tocsin.oncall.service import RotationPreview
from tocsin.oncall.wallclock import wall
from tocsin.web.moments import when, zone_of
from tocsin.web.schedule_timeline import lay_out
from tocsin.web.schedule_window import window_for


def in_zone(moment: datetime, zone: ZoneInfo, viewer: User) -> str:
    """ "Mon 2027-03-15 08:00 CET": with the weekday, since hand-offs follow the week."""
    there = moment.astimezone(zone)
    return f"{there.strftime('%a ' + pattern_of(viewer.date_format))} {there.tzname()}"


def same_zone(zone: ZoneInfo, viewer: User) -> bool:
    return zone.key == zone_of(viewer).key


def _moment(moment: datetime, zone: ZoneInfo, viewer: User) -> dict[str, Any]:
    mine = when(moment, viewer) or {}
    return {
        "iso": mine.get("iso", ""),
        "there": in_zone(moment, zone, viewer),
        "yours": in_zone(moment, zone_of(viewer), viewer),
    }


def preview_view(
    preview: RotationPreview,
    names: dict[str, str],
    zone: ZoneInfo,
    viewer: User,
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    """The preview's timeline (drawn as the schedule's page draws it) and its stretches as lists."""
    window = window_for("2weeks", wall(start, zone).date().isoformat(), zone, start)
    timeline = lay_out(preview.plan, window, names, time_pattern=time_pattern_of(viewer.date_format))

    def who(user_ids: tuple[str, ...] | list[str]) -> str:
        return ", ".join(names.get(user_id, user_id) for user_id in user_ids) or "no one"

    return {
        "timeline": timeline,
        "window": window,
        "from": _moment(start, zone, viewer),
        "to": _moment(end, zone, viewer),
        "both_zones": not same_zone(zone, viewer),
        "shifts": [
            {
                "who": who([shift.user_id]),
                "start": _moment(shift.start, zone, viewer),
                "end": _moment(shift.end, zone, viewer),
            }
            for shift in preview.rotation_shifts
        ],
        "on_call": [
            {
                "who": who(segment.user_ids),
                "start": _moment(segment.start, zone, viewer),
                "end": _moment(segment.end, zone, viewer),
                "nobody": not segment.user_ids,
            }
            for segment in preview.on_call
        ],
    }
