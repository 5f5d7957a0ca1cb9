"""How a person likes dates and times written: a few formats that need no language (numbers
only, plus AM/PM for the 12-hour clock), chosen on the profile and stored on the user."""

from __future__ import annotations

from tocsin.errors import InvalidInput

DEFAULT = "iso"
PATTERNS = {
    "iso": "%Y-%m-%d %H:%M",
    "iso-12h": "%Y-%m-%d %I:%M %p",
    "day-month-dots": "%d.%m.%Y %H:%M",
    "day-month-slashes": "%d/%m/%Y %H:%M",
    "month-day-12h": "%m/%d/%Y %I:%M %p",
}
"""strftime patterns by the name stored; the first is the default."""
TIME_PATTERNS = {"iso": "%H:%M", "iso-12h": "%I:%M %p", "month-day-12h": "%I:%M %p"}
"""The time of day alone (24-hour unless the format has AM/PM)."""


def check_date_format(name: str) -> str:
    name = (name or "").strip()
    if name not in PATTERNS:
        raise InvalidInput("dateFormat", f"dateFormat must be one of {', '.join(PATTERNS)}, got {name!r}")
    return name


def pattern_of(name: str | None) -> str:
    return PATTERNS.get(name or DEFAULT, PATTERNS[DEFAULT])


def time_pattern_of(name: str | None) -> str:
    return TIME_PATTERNS.get(name or DEFAULT, "%H:%M")
