"""Turning local wall-clock times of a time zone into instants, the same way everywhere.

Hand-offs and time restrictions are wall times in the schedule's zone ("Monday 09:00
Europe/Berlin"). Twice a year some wall times are special:

- a wall time that happens twice (the clocks go back) means its **first** occurrence;
- a wall time that never happens (the clocks jump forward over it) means the instant the clock
  jumps, i.e. the **end of the gap**: 02:30 on the spring-forward night in Berlin is 03:00 CEST.

Both rules keep the mapping monotonic (a later wall time is never an earlier instant), so windows
and periods keep their order across a change of offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tocsin.errors import InvalidInput


def zone_named(name: str, *, field: str = "timezone") -> ZoneInfo:
    """The IANA time zone ``name`` ("Europe/Berlin"), or InvalidInput naming ``field``."""
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            field, f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin"
        ) from None


def wall(at: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall time an instant shows in ``zone``."""
    return at.astimezone(zone).replace(tzinfo=None)


def to_instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of the naive wall time ``local`` in ``zone`` (see the module rules)."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if wall(first, zone) == local:
        return first
    # In a gap: fold=0 reads it with the offset before the jump (an instant after the jump),
    # fold=1 with the offset after it (an instant before the jump). The jump lies between.
    before = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(before, first), max(before, first)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            middle = low + timedelta(seconds=1)
        if wall(middle, zone) >= local:
            high = middle
        else:
            low = middle
    return high
