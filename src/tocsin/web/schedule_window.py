"""Which stretch of time a schedule's timeline shows: a day, a week, two weeks or a month of
local days in one time zone (the schedule's or the viewer's), with the dates to go back and
forward to. Local midnights are read on the zone's wall clock, so a day across a change of
offset is 23 or 25 hours long (pure: no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from tocsin.oncall.wallclock import to_instant, wall

VIEWS = {"day": "Day", "week": "Week", "2weeks": "2 weeks", "month": "Month"}
DEFAULT_VIEW = "week"


@dataclass(frozen=True)
class Window:
    view: str
    first_day: date
    days: int
    zone: ZoneInfo
    start: datetime
    """The instant the first local day begins."""
    end: datetime
    """The instant after the last local day ends."""

    @property
    def zone_name(self) -> str:
        return str(self.zone.key)

    @cached_property
    def _percent_per_second(self) -> float:
        return 100 / (self.end - self.start).total_seconds()

    def x(self, at: datetime) -> float:
        """Where ``at`` falls across the window, in percent of its width (0 to 100)."""
        offset = (min(max(at, self.start), self.end) - self.start).total_seconds()
        return round(offset * self._percent_per_second, 4)

    def local_days(self) -> list[date]:
        return [self.first_day + timedelta(days=number) for number in range(self.days)]

    def day_start(self, day: date) -> datetime:
        return midnight(day, self.zone)

    @property
    def previous(self) -> date:
        if self.view == "month":
            return _month_start(self.first_day - timedelta(days=1))
        return self.first_day - timedelta(days=self.days)

    @property
    def following(self) -> date:
        return self.first_day + timedelta(days=self.days)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant ``day`` begins in ``zone`` (where midnight is skipped, when the day starts)."""
    return to_instant(datetime.combine(day, time()), zone)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _days_in_month(first: date) -> int:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (following - first).days


def view_named(view: str | None) -> str:
    return view if view in VIEWS else DEFAULT_VIEW


def window_for(view: str | None, start: str | None, zone: ZoneInfo, now: datetime) -> Window:
    """The window for ``view`` beginning on the local date ``start`` ("2027-03-22"); without a
    (readable) start, the one holding today: a day view today, a week from this week's Monday,
    a month from its first."""
    view = view_named(view)
    first = _date(start)
    if first is None:
        today = wall(now, zone).date()
        first = today if view == "day" else today - timedelta(days=today.weekday())
    if view == "month":
        first = _month_start(first if start else wall(now, zone).date())
    days = {"day": 1, "week": 7, "2weeks": 14}.get(view) or _days_in_month(first)
    return Window(
        view=view,
        first_day=first,
        days=days,
        zone=zone,
        start=midnight(first, zone),
        end=midnight(first + timedelta(days=days), zone),
    )


def _date(text: str | None) -> date | None:
    try:
        found = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return found if date(1971, 1, 1) <= found <= date(9998, 1, 1) else None
