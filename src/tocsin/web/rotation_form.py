"""The rotation editor's form: what it sends (name, type, length, the first hand-off and the
optional end as dates and times of the schedule's zone, participants in turn order, the time
restriction as every day between two times or as rows of weekday-and-time stretches), read into
the same ``RotationInput`` the API makes, and the buttons that rearrange it (add, move, remove
a participant or a row) without saving anything."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from tocsin.errors import Conflict, InvalidInput
from tocsin.oncall.lookup import UNSET, UserRef
from tocsin.oncall.models import Rotation, RotationParticipant
from tocsin.oncall.restrictions import DAYS
from tocsin.oncall.rotation_config import RotationChanges, RotationInput
from tocsin.oncall.rotations import TYPES
from tocsin.oncall.wallclock import to_instant, wall

GAP = "none"
"""A participant that is no one: nobody is on call that turn (Opsgenie's ``{"type": "none"}``)."""
RESTRICTIONS = {
    "none": "No restriction: on call all the time",
    "daily": "Every day between two times",
    "weekly": "Chosen days and times",
}
TYPE_LABELS = {"daily": "Daily", "weekly": "Weekly", "hourly": "Hourly"}
assert set(TYPE_LABELS) == set(TYPES)
MAX_ROWS = 50
PARTICIPANTS_MAX = 200
"""As the API's RotationIn allows."""
YEARS = (1900, 9000)
"""Dates the form takes: far enough either way, and never near the ends of what Python counts."""
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_FIELDS = {"startDate": "start", "endDate": "end"} | {
    name: name for name in ("name", "type", "length", "start", "end", "daily", "restriction")
}
_WINDOW = re.compile(r"^timeRestriction\.restrictions\[(\d+)\]")


class Window(BaseModel):
    """One stretch of the week the rotation is on call: from a day and time to a day and time."""

    start_day: str = "monday"
    start_time: str = "09:00"
    end_day: str = "monday"
    end_time: str = "17:00"

    def next_day(self) -> Window:
        """The same stretch a day later (what Add a row offers, so weekdays are quick to fill)."""

        def later(day: str) -> str:
            return DAYS[(DAYS.index(day) + 1) % 7] if day in DAYS else day

        return self.model_copy(update={"start_day": later(self.start_day), "end_day": later(self.end_day)})


class RotationSubmitted(BaseModel):
    csrf_token: str = ""
    name: str = ""
    type: str = "weekly"
    length: str = "1"
    start_date: str = ""
    start_time: str = "09:00"
    end_date: str = ""
    end_time: str = ""
    participant: list[str] = []
    """User ids in turn order, GAP for a turn of no one."""
    new_participant: str = ""
    add_participant: str = ""
    move_up: str = ""
    move_down: str = ""
    remove_participant: str = ""
    restriction: str = "none"
    daily_from: str = "08:00"
    daily_to: str = "20:00"
    window_start_day: list[str] = []
    window_start_time: list[str] = []
    window_end_day: list[str] = []
    window_end_time: list[str] = []
    add_window: str = ""
    remove_window: str = ""
    preview_from: str = ""
    preview: str = ""

    def windows(self) -> list[Window]:
        def at(items: list[str], index: int) -> str:
            return items[index] if index < len(items) else ""

        return [
            Window(
                start_day=at(self.window_start_day, n),
                start_time=at(self.window_start_time, n),
                end_day=at(self.window_end_day, n),
                end_time=at(self.window_end_time, n),
            )
            for n in range(min(len(self.window_start_day), MAX_ROWS + 1))
        ]

    @property
    def rearranging(self) -> bool:
        """Whether a button that only rearranges the form was pressed (nothing is saved)."""
        buttons = (self.add_participant, self.move_up, self.move_down, self.remove_participant)
        return any((*buttons, self.add_window, self.remove_window))

    def rearranged(self) -> tuple[RotationSubmitted, str]:
        """The form after the button pressed, and the id of the element to put the focus on."""
        people, rows = list(self.participant), self.windows()
        focus = "new_participant"
        if self.add_participant and self.new_participant:
            people.append(self.new_participant)
        for button, step in ((self.move_up, -1), (self.move_down, 1)):
            index = int(button) if button.isdigit() else -1
            other = index + step
            if 0 <= index < len(people) and 0 <= other < len(people):
                people[index], people[other] = people[other], people[index]
                focus = f"participant-{other + 1}" if other else "participant-1-down"
        if self.remove_participant.isdigit() and int(self.remove_participant) < len(people):
            del people[int(self.remove_participant)]
        if self.add_window:
            rows = [*rows, rows[-1].next_day() if rows else Window()][:MAX_ROWS]
            focus = f"window-{len(rows)}-start-day"
        if self.remove_window.isdigit():
            rows = [row for n, row in enumerate(rows) if n != int(self.remove_window)]
            focus = "restriction-weekly"
        return self.with_rows(people, rows, new_participant=""), focus

    def with_rows(self, people: list[str], rows: list[Window], **update: Any) -> RotationSubmitted:
        return self.model_copy(
            update={
                "participant": people,
                "window_start_day": [row.start_day for row in rows],
                "window_start_time": [row.start_time for row in rows],
                "window_end_day": [row.end_day for row in rows],
                "window_end_time": [row.end_time for row in rows],
                **update,
            }
        )

    def rotation(self, zone: ZoneInfo) -> RotationInput:
        """What the form asks for, as the service takes it (which checks the rest)."""
        length = self.length.strip()
        if not length.isdigit():
            raise InvalidInput("length", "length must be a whole number from 1 to 1000")
        if len(self.participant) > PARTICIPANTS_MAX:
            raise InvalidInput("participants", f"a rotation has at most {PARTICIPANTS_MAX} participants")
        return RotationInput(
            type=self.type,
            start=self._start(zone),
            participants=[None if person == GAP else UserRef(id=person) for person in self.participant],
            length=int(length),
            name=self.name,
            end=self._end(zone),
            time_restriction=self.time_restriction(),
        )

    def changes(self, zone: ZoneInfo) -> RotationChanges:
        """Every setting of the form, for a saved rotation (an empty name keeps the name)."""
        given = self.rotation(zone)
        return RotationChanges(
            name=given.name if given.name and given.name.strip() else UNSET,
            type=given.type,
            length=given.length,
            start=given.start,
            end=given.end,
            participants=given.participants,
            time_restriction=given.time_restriction,
        )

    def _start(self, zone: ZoneInfo) -> datetime:
        if not self.start_date.strip():
            raise InvalidInput("start", "give the date and time of the first hand-off")
        return to_instant(
            datetime.combine(_date(self.start_date, "start"), _time(self.start_time, "start")), zone
        )

    def _end(self, zone: ZoneInfo) -> datetime | None:
        if not self.end_date.strip():
            if self.end_time.strip():
                raise InvalidInput("end", "give the end's date too, or clear its time for no end")
            return None
        moment = _time(self.end_time, "end") if self.end_time.strip() else time(0)
        return to_instant(datetime.combine(_date(self.end_date, "end"), moment), zone)

    def time_restriction(self) -> dict[str, Any] | None:
        if self.restriction == "daily":
            begins, ends = _time(self.daily_from, "daily"), _time(self.daily_to, "daily")
            return {"type": "time-of-day", "restriction": _clock(begins, ends)}
        if self.restriction == "weekly":
            rows = self.windows()
            if not rows:
                raise InvalidInput("restriction", "add a row of days and times, or choose no restriction")
            return {
                "type": "weekday-and-time-of-day",
                "restrictions": [_stretch(row, n) for n, row in enumerate(rows)],
            }
        if self.restriction != "none":
            raise InvalidInput("restriction", "choose one of the restrictions offered")
        return None


def _date(text: str, field: str) -> date:
    try:
        found = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field, "write the date as YYYY-MM-DD, e.g. 2027-03-01") from None
    if not YEARS[0] <= found.year <= YEARS[1]:
        raise InvalidInput(field, f"give a date in the years {YEARS[0]} to {YEARS[1]}")
    return found


def _time(text: str, field: str) -> time:
    found = _TIME.match(text.strip())
    if found is None:
        raise InvalidInput(field, "write the time as HH:MM on the 24-hour clock, e.g. 08:00")
    return time(int(found.group(1)), int(found.group(2)))


def _clock(begins: time, ends: time) -> dict[str, int]:
    return {"startHour": begins.hour, "startMin": begins.minute, "endHour": ends.hour, "endMin": ends.minute}


def _stretch(row: Window, number: int) -> dict[str, Any]:
    field = f"window-{number}"
    begins, ends = _time(row.start_time, field), _time(row.end_time, field)
    return {"startDay": row.start_day, "endDay": row.end_day, **_clock(begins, ends)}


def error_place(problem: InvalidInput | Conflict) -> str:
    """Which field of the form a refusal belongs next to."""
    if isinstance(problem, Conflict):
        return "name"
    field = problem.field or ""
    found = _WINDOW.match(field)
    if found is not None:
        return f"window-{found.group(1)}"
    if field.startswith("timeRestriction.restriction"):
        return "daily"
    if field.startswith("timeRestriction"):
        return "restriction"
    if field.startswith("participants"):
        return "participants"
    if field.startswith("window-"):
        return field
    return _FIELDS.get(field, "form")


def _hhmm(hour: int, minute: int) -> str:
    return f"{hour % 24:02d}:{minute:02d}"


def stored_form(
    rotation: Rotation, participants: list[RotationParticipant], zone: ZoneInfo
) -> RotationSubmitted:
    """The form showing a saved rotation."""
    start = wall(rotation.start_date, zone)
    end = wall(rotation.end_date, zone) if rotation.end_date else None
    restriction = rotation.time_restriction or {}
    kind = {"time-of-day": "daily", "weekday-and-time-of-day": "weekly"}.get(
        restriction.get("type", ""), "none"
    )
    daily = restriction.get("restriction") or {}
    rows = [
        Window(
            start_day=item.get("startDay", "").strip().lower(),
            start_time=_hhmm(item.get("startHour", 0), item.get("startMin", 0)),
            end_day=item.get("endDay", "").strip().lower(),
            end_time=_hhmm(item.get("endHour", 0), item.get("endMin", 0)),
        )
        for item in restriction.get("restrictions") or []
    ]
    form = RotationSubmitted(
        name=rotation.name,
        type=rotation.type,
        length=str(rotation.length),
        start_date=start.date().isoformat(),
        start_time=start.strftime("%H:%M"),
        end_date=end.date().isoformat() if end else "",
        end_time=end.strftime("%H:%M") if end else "",
        restriction=kind,
    )
    if kind == "daily":
        form = form.model_copy(
            update={
                "daily_from": _hhmm(daily.get("startHour", 0), daily.get("startMin", 0)),
                "daily_to": _hhmm(daily.get("endHour", 0), daily.get("endMin", 0)),
            }
        )
    return form.with_rows([p.user_id or GAP for p in participants], rows)


def preview_start(form: RotationSubmitted, zone: ZoneInfo, now: datetime) -> datetime:
    """Where the preview's two weeks begin: midnight of the day the form asks for, else of today
    or of the first hand-off, whichever is later (in the schedule's zone)."""
    try:
        day = _date(form.preview_from, "preview_from")
    except InvalidInput:
        day = wall(now, zone).date()
        if form.start_date.strip():
            with contextlib.suppress(InvalidInput):
                day = max(day, _date(form.start_date, "start"))
    return to_instant(datetime.combine(day, time(0)), zone)


def preview_end(start: datetime, zone: ZoneInfo) -> datetime:
    return to_instant(wall(start, zone) + timedelta(days=14), zone)
